#!/usr/bin/env bash
# Capacity: one tlsdrill process holds N established mTLS connections (--hold) against the built-in
# gateway; prints client RSS growth per connection. Also open-loop accuracy and 1-vs-2-worker scaling.
#
#   Benchmarks/capacity.sh [CONNECTIONS]      (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
source Benchmarks/workspace.sh capacity
start_gateway 1
COMMON=(--target "127.0.0.1:$PORT" --sni localhost --ca "$PKI/gen1/root.pem" --cert "$PKI/gen1/client.pem" --key "$PKI/gen1/client.key" --quiet)
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# peak_rss COUNT → "RSS_KB ACCEPTED": COUNT connections opened at 1000/s, held, RSS sampled once all are up.
peak_rss() {
  local count=$1 ramp hold
  ramp=$(( (count + 999) / 1000 ))
  hold=$(( ramp + 6 ))
  "$BIN" run "${COMMON[@]}" --rate 1000 --concurrency "$count" --handshakes "$count" --hold "${hold}s" \
    --json "$WORK/hold-$count.json" --workers 1 >/dev/null 2>&1 &
  local pid=$!
  sleep $(( ramp + 3 ))
  local rss; rss=$(rss_kb "$pid")
  wait "$pid"
  echo "$rss $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["outcomes"].get("accepted", 0))' "$WORK/hold-$count.json")"
}
read -r base_rss base_ok < <(peak_rss 100)
read -r peak peak_ok < <(peak_rss "$N")
echo "capacity: $peak_ok of $N connections accepted and held; client RSS $base_rss KB with 100, $peak KB with $N"
awk -v b="$base_rss" -v p="$peak" -v n="$N" 'BEGIN { printf "capacity: client memory per held connection = %.1f KB (RSS growth / connections)\n", (p - b) / (n - 100) }'

# Open loop below saturation: achieved rate vs target over 20 s.
"$BIN" run "${COMMON[@]}" --rate 200 --duration 20s --concurrency 500 --json "$WORK/open.json" >/dev/null
awk '/"achieved_rate"/ {gsub(/[ ,]/, "", $2); r=$2} /"missed_starts"/ {gsub(/[ ,]/, "", $2); m=$2} END {
  printf "open loop: target 200/s, achieved %.1f/s (%.2f%% off), missed starts %d\n", r, (r - 200) / 2, m }' FS=': ' "$WORK/open.json"
# Open loop above saturation: missed starts and CO-corrected latency.
"$BIN" run "${COMMON[@]}" --rate 5000 --duration 5s --concurrency 200 --json "$WORK/over.json" >/dev/null
python3 - "$WORK/over.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"open loop overload: target 5000/s, achieved {r['achieved_rate']}/s, missed starts {r['missed_starts']}, "
      f"total p99 {r['latency_us']['total']['p99']/1000:.0f} ms (CO-corrected) vs handshake p99 {r['latency_us']['handshake']['p99']/1000:.0f} ms")
PY

# Scale: 1 vs 2 workers against a cheap server (TLS without client verification, 1 gateway worker).
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true
"$BIN" serve --listen "127.0.0.1:$PORT" --cert "$PKI/gen1/server.pem" --key "$PKI/gen1/server.key" --client-auth none \
  --workers 2 --quiet >/dev/null 2>&1 &
PIDS+=($!)
sleep 1
for workers in 1 2; do
  "$BIN" run --target "127.0.0.1:$PORT" --sni localhost --ca "$PKI/gen1/root.pem" --no-cert --confirm none --quiet \
    --workers "$workers" --concurrency 64 --duration 5s --json "$WORK/scale-$workers.json" >/dev/null
done
python3 - "$WORK/scale-1.json" "$WORK/scale-2.json" <<'PY'
import json, sys
one, two = (json.load(open(p))["achieved_rate"] for p in sys.argv[1:3])
print(f"scale (2 cores shared with the gateway): 1 worker {one:.0f} hs/s, 2 workers {two:.0f} hs/s, ratio {two/one:.2f}")
PY
