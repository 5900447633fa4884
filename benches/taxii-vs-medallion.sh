#!/usr/bin/env bash
# redline's TAXII server beside medallion 3.0.0 (the OASIS reference server, memory backend,
# max_page_size 1000) with the same client (taxii2-client 2.3.0) and workload: COUNT indicators
# POSTed in batches of 1,000, then read back 1,000 per page. Then redline alone with BIG.
# Usage: benches/taxii-vs-medallion.sh [COUNT=10000] [BIG=1000000] [MEDALLION_READ_BUDGET_S=120]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-10000}; BIG=${2:-1000000}; BUDGET=${3:-120}
WORK=$(mktemp -d /tmp/taxii-bench.XXXXXX)
MEDALLION_VENV=${MEDALLION_VENV:-/var/tmp/medallion-venv}
PY=${TAXII_PYTHON:-$PWD/.venv/bin/python}
if ! "$MEDALLION_VENV/bin/python" -c 'import medallion, taxii2client' 2>/dev/null; then
  python3 -m venv "$MEDALLION_VENV"
  "$MEDALLION_VENV/bin/python" -m pip install --quiet 'medallion==3.0.0' 'taxii2-client==2.3.0'
fi
cargo build --release -p redline --quiet
REDLINE=${CARGO_TARGET_DIR:-target}/release/redline
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- redline: SQLite (WAL, synchronous=FULL), a fresh collection, party EE over HTTP Basic ---
start_redline() { # DATA PORT
  "$REDLINE" demo --no-serve --data "$1" >/dev/null
  COLLECTION=$(REDLINE_LOG=warn "$REDLINE" taxii add-collection Bench --data "$1")
  REDLINE_LOG=warn "$REDLINE" taxii grant "$COLLECTION" EE --read --write --data "$1"
  TOKEN=$(python3 -c "import json;print(json.load(open('$1/demo-credentials.json'))['EE']['token'])")
  REDLINE_RATE_LIMIT_PER_SECOND=0 REDLINE_LOG=warn "$REDLINE" serve --data "$1" --listen "127.0.0.1:$2" &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && break; sleep 0.1; done
}
PORT=$(free_port); start_redline "$WORK/redline" "$PORT"
echo "redline, $COUNT indicators:"
"$PY" benches/taxii_bench.py "http://127.0.0.1:$PORT/taxii2/api/" "$COLLECTION" EE "$TOKEN" "$COUNT" 1000 1000

# --- medallion 3.0.0, memory backend, max_page_size 1000 ---
MPORT=$(free_port)
cat > "$WORK/medallion-config.json" <<JSON
{"backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend", "filename": "$WORK/medallion-data.json"},
 "users": {"admin": "Password0"}, "taxii": {"max_page_size": 1000}}
JSON
cat > "$WORK/medallion-data.json" <<JSON
{"/discovery": {"title": "bench", "default": "http://127.0.0.1:$MPORT/bench/", "api_roots": ["http://127.0.0.1:$MPORT/bench/"]},
 "bench": {"information": {"title": "bench", "versions": ["application/taxii+json;version=2.1"], "max_content_length": 104857600},
           "status": [], "collections": [{"id": "365fed99-08fa-fdcd-a1b3-fb247eb41d01", "title": "bench", "can_read": true, "can_write": true,
           "media_types": ["application/stix+json;version=2.1"], "objects": [], "manifest": []}]}}
JSON
"$MEDALLION_VENV/bin/medallion" --host 127.0.0.1 --port "$MPORT" --log-level ERROR "$WORK/medallion-config.json" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$MPORT/taxii2/" && break; sleep 0.1; done
echo "medallion 3.0.0, $COUNT indicators (read-back budget ${BUDGET} s):"
"$MEDALLION_VENV/bin/python" benches/taxii_bench.py "http://127.0.0.1:$MPORT/bench/" 365fed99-08fa-fdcd-a1b3-fb247eb41d01 admin Password0 "$COUNT" 1000 1000 "$BUDGET" || true

# --- redline alone, BIG indicators ---
if [ "$BIG" -gt 0 ]; then
  PORT=$(free_port); start_redline "$WORK/redline-big" "$PORT"
  echo "redline, $BIG indicators:"
  "$PY" benches/taxii_bench.py "http://127.0.0.1:$PORT/taxii2/api/" "$COLLECTION" EE "$TOKEN" "$BIG" 1000 1000
fi
