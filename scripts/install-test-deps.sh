#!/usr/bin/env bash
# Installs the real peers and tools the tests start: SIPp (sip-tester), espeak-ng and sox for
# generated speech and WAV checks, PostgreSQL for the storage contract tests,
# python3-venv for schemathesis (the API fuzz, installed from PyPI into a venv). Missing tools make
# the tests fail loudly, so this runs before them.
set -euo pipefail
need=()
command -v sipp >/dev/null || need+=(sip-tester)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v sox >/dev/null || need+=(sox libsox-fmt-all)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
