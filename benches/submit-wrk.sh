#!/usr/bin/env bash
# Incident submission load test with wrk against a real `redline serve` on 127.0.0.1 (SQLite,
# synchronous=FULL, or PostgreSQL with REDLINE_DATABASE). Counts the stored incidents at the end.
#   benches/submit-wrk.sh [connections] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-16}; seconds=${2:-20}; port=${PORT:-8088}
cargo build --release -q -p redline
bin=${CARGO_TARGET_DIR:-target}/release/redline
data=$(mktemp -d /tmp/redline-wrk.XXXXXX)
export REDLINE_RATE_LIMIT_PER_SECOND=0 REDLINE_LOG=warn
$bin --data "$data" party add --id EE --name Estonia >/dev/null
$bin --data "$data" party add --id FI --name Finland >/dev/null
token=$($bin --data "$data" party token EE --label bench | awk '{print $NF}')
$bin --data "$data" serve --listen 127.0.0.1:$port >/dev/null &
server=$!
# Under `set -e` a failing command would end the trap before the data is removed (each run
# leaves about 1 GB), so every step of it may fail.
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
REDLINE_TOKEN=$token wrk -t2 -c"$connections" -d"${seconds}s" --latency -s benches/submit.lua \
  http://127.0.0.1:$port/api/v1/incidents
kill $server; wait $server 2>/dev/null || true
echo "stored: $($bin --data "$data" incident list --limit 1 --format json >/dev/null && sqlite3 "$data/redline.sqlite" 'select count(*) from incidents' 2>/dev/null || echo '(sqlite3 not installed)')"
