#!/usr/bin/env bash
# Acknowledged tips a second through HTTP: builds haven, gives a fresh
# SQLite database a recovery key and two operator keys (every tip is
# sealed to three recipients), starts `haven serve` on a free loopback port
# with the tip guards off (no minimum form age, no rate limits), runs the
# load generator (bench/tips) for 10 s and prints its figures. Everything
# lives in a temporary folder that is removed at the end.
#
#   bench/tips.sh                 # 32 clients, 10 s
#   bench/tips.sh -c 64 -d 20s    # flags go to bench/tips
set -euo pipefail
# The toolchain the Makefile pins (the machine's own Go is too old).
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
cd "$(dirname "$0")/.."

tmp=$(mktemp -d "${TMPDIR:-/tmp}/haven-bench-tips.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/haven" ./cmd/haven
go build -o "$tmp/tipload" ./bench/tips
db="$tmp/data/haven.db"
mkdir -m 0700 "$tmp/data"
# Three recipients. The private keys are printed once; a benchmark never
# reads its tips, so they are thrown away.
"$tmp/haven" keys recovery --db "$db" >/dev/null 2>&1
"$tmp/haven" keys operator add bench-1 --db "$db" >/dev/null 2>&1
"$tmp/haven" keys operator add bench-2 --db "$db" >/dev/null 2>&1
"$tmp/haven" keys show --db "$db" | sed 's/^/  /'

log="$tmp/serve.log"
"$tmp/haven" serve --db "$db" --addr 127.0.0.1:0 --log-level "${LOG_LEVEL:-info}" \
  --tip-min-seconds 0 --tip-rate -1 --tip-rate-source -1 >"$log" 2>&1 &
pid=$!

# The server logs the address it listens on.
url=
for _ in $(seq 1 300); do
  url=$(sed -n 's/.*msg=listening url=\(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$log" | head -n1)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "haven serve did not start:" >&2; cat "$log" >&2; exit 1; }

# CPU seconds the server has used, from /proc (Linux).
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/hz}' "/proc/$pid/stat" 2>/dev/null || echo 0; }

echo "haven serve at $url ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null))"
before=$(cpu)
"$tmp/tipload" -url "$url" -wait 30s -d 10s "$@"
after=$(cpu)
echo "haven serve CPU during the run (warm-up included): $(awk -v a="$after" -v b="$before" 'BEGIN{printf "%.2f", a-b}') s"

kill "$pid"
wait "$pid" || true
pid=
"$tmp/tipload" -count "$db"
