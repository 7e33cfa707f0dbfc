#!/usr/bin/env bash
# Customer import (issue 7, must-show 1): ROWS generated customers, about 1% malformed, imported
# twice by the release `plateau import customers` into a fresh SQLite database. Prints a
# Markdown table per run: wall time, rows/s, peak RSS (GNU time), and the report's counts; the
# second run must insert and update nothing.
#
#   bench/import/run.sh              # 100,000 rows
#   ROWS=20000 bench/import/run.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
rows="${ROWS:-100000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

if [ ! -x /usr/bin/time ]; then
    echo "GNU time is needed for peak memory: apt-get install time" >&2
    exit 1
fi
(cd "$root" && cargo build -q --release -p plateau --bin plateau --example customers_csv)
bin="$CARGO_TARGET_DIR/release/plateau"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$CARGO_TARGET_DIR/release/examples/customers_csv" "$rows" "$work/customers.csv" "$work/data" \
    >"$work/prepare.txt"
map="$(sed -n 's/^map: //p' "$work/prepare.txt")"
malformed="$(sed -n 's/^malformed rows: //p' "$work/prepare.txt")"

field() { sed -n "s/^$1: //p" "$work/report.txt"; }

echo "| run | rows | seconds | rows/s | peak RSS (MiB) | inserted | updated | unchanged | rejected |"
echo "|---|---|---|---|---|---|---|---|---|"
for run in first second; do
    /usr/bin/time -v -o "$work/time.txt" \
        "$bin" import customers "$work/customers.csv" --tenant bench --data-dir "$work/data" \
        --map "$map" >"$work/report.txt" 2>"$work/rejected.txt"
    rss_kib="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
        "$run" "$(field 'rows read')" "$(field seconds)" "$(field 'rows per second')" \
        "$((rss_kib / 1024))" "$(field inserted)" "$(field updated)" "$(field unchanged)" \
        "$(field rejected)"
done
echo
echo "file: $(du -h "$work/customers.csv" | cut -f1), ${malformed} malformed rows, each reported on stderr as 'line N: reason';"
echo "database: SQLite (WAL, synchronous=NORMAL), $(du -sh "$work/data" | cut -f1) after both runs."
