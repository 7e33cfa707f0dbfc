#!/usr/bin/env bash
# Installs the real peers and tools the tests start: SIPp (sip-tester), espeak-ng and sox for
# generated speech and WAV checks, PostgreSQL for the storage contract tests,
# python3-venv for schemathesis (the API fuzz, installed from PyPI into a venv), chromium and
# node's playwright-core (pinned in crates/server/tests/browser/package-lock.json) for the browser tests. Missing tools make
# the tests fail loudly, so this runs before them.
set -euo pipefail
need=()
command -v sipp >/dev/null || need+=(sip-tester)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v sox >/dev/null || need+=(sox libsox-fmt-all)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
command -v chromium >/dev/null || need+=(chromium fonts-dejavu-core)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# playwright-core drives the chromium above; it downloads no browser of its own.
browser_tests="$(dirname "$0")/../crates/server/tests/browser"
if [ ! -d "$browser_tests/node_modules/playwright-core" ]; then
  (cd "$browser_tests" && npm ci --no-audit --no-fund --loglevel=error)
fi
