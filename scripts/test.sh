#!/usr/bin/env bash
# The whole test suite, as CI runs it: format, lints, every crate's tests (unit, property,
# conformance, end-to-end against real peers), the benchmarks in test mode, the fuzz targets built.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (unit, property, conformance, end-to-end; benches once each in test mode)"
cargo test --workspace --all-targets --locked
cargo test --workspace --doc --locked

step "API fuzz: schemathesis from the OpenAPI document, no 5xx allowed"
cargo build -p plateau --bin plateau --locked
bash scripts/schemathesis.sh "${CARGO_TARGET_DIR:-target}/debug/plateau"

step "fuzz targets compile"
cargo build --manifest-path fuzz/Cargo.toml --bins

step "all tests passed"
