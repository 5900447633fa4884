#!/usr/bin/env bash
# Slow-headers (slowloris) check against a real `redline serve` on 127.0.0.1: opens N sockets
# (default 1000) that each send `GET / HTTP/1.1\r\nHost: x\r\n` and then nothing, asks /healthz
# twice a second meanwhile, and reports how many sockets the server still holds open just before
# the header-read timeout and after it (plus a margin), when the last one was closed, and
# whether /healthz answered throughout.
#   benches/slow-headers.sh [sockets] [header_read_timeout_seconds]
#   URL=http://host:port benches/slow-headers.sh 1000 10   # a node already running, its timeout
# PROFILE=debug uses a debug build (quicker to build, the server's work here is small).
set -euo pipefail
cd "$(dirname "$0")/.."
sockets=${1:-1000}; timeout=${2:-10}; port=${PORT:-8089}; profile=${PROFILE:-release}
ulimit -n 8192 2>/dev/null || true
if [ -z "${URL:-}" ]; then
  if [ "$profile" = release ]; then cargo build --release -q -p redline; else cargo build -q -p redline; fi
  bin=${CARGO_TARGET_DIR:-target}/$profile/redline
  data=$(mktemp -d /tmp/redline-slow-headers.XXXXXX)
  REDLINE_HEADER_READ_TIMEOUT_SECONDS=$timeout REDLINE_LOG=warn \
    "$bin" --data "$data" serve --listen 127.0.0.1:"$port" >/dev/null &
  server=$!
  trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
  for _ in $(seq 300); do curl -sf http://127.0.0.1:"$port"/healthz >/dev/null && break; sleep 0.1; done
  URL=http://127.0.0.1:$port
fi
python3 - "$URL" "$sockets" "$timeout" <<'PYTHON'
import select, socket, sys, threading, time, urllib.parse, urllib.request

url, count, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
address = urllib.parse.urlsplit(url)
host, port = address.hostname, address.port or 80
margin = 5.0

def closed_by_server(connection):
    """True once the server closed it (EOF or reset); drains anything it sent first."""
    while True:
        readable, _, _ = select.select([connection], [], [], 0)
        if not readable:
            return False
        try:
            if not connection.recv(65536):
                return True
        except OSError:
            return True

health = {"answered": 0, "failed": 0, "slowest": 0.0}
stop = threading.Event()
def ask_healthz():
    while not stop.is_set():
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
                ok = response.status == 200
        except OSError:
            ok = False
        health["answered" if ok else "failed"] += 1
        health["slowest"] = max(health["slowest"], time.monotonic() - started)
        stop.wait(0.5)

# Each socket with the moment its unfinished head was sent; None once the server closed it.
connections = []
first_opened = time.monotonic()
for _ in range(count):
    connection = socket.create_connection((host, port))
    connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    connections.append((connection, time.monotonic()))
last_opened = time.monotonic()
prober = threading.Thread(target=ask_healthz)
prober.start()

held = []  # how long the server held each socket it closed
def poll():
    now = time.monotonic()
    for index, entry in enumerate(connections):
        if entry is not None and closed_by_server(entry[0]):
            held.append(now - entry[1])
            entry[0].close()
            connections[index] = None
    return sum(entry is not None for entry in connections)

open_just_before = None
while time.monotonic() - first_opened < timeout - 0.5:
    open_just_before = poll()
    time.sleep(0.05)
while time.monotonic() - last_opened < timeout + margin and poll() > 0:
    time.sleep(0.05)
time.sleep(0.2)
still_open = poll()
waited = time.monotonic() - last_opened
stop.set()
prober.join()
held.sort()
print(f"sockets opened with an unfinished request head: {count} (in {last_opened - first_opened:.2f} s)")
print(f"still open {timeout - 0.5:.1f} s after the first was opened: {open_just_before}")
print(f"still open when the wait ended, {waited:.1f} s after the last was opened (it ends once all are closed, at most timeout + {margin:.0f} s): {still_open}")
if held:
    print(f"held by the server before it closed them: min {held[0]:.2f} s, median {held[len(held) // 2]:.2f} s, max {held[-1]:.2f} s")
print(f"/healthz meanwhile: {health['answered']} answered 200, {health['failed']} failed, slowest {health['slowest'] * 1000:.0f} ms")
for entry in connections:
    if entry is not None:
        entry[0].close()
sys.exit(0 if still_open == 0 and health["failed"] == 0 and health["answered"] > 0 else 1)
PYTHON
