#!/usr/bin/env bash
# Gateway memory: RSS of `tlsdrill serve` idle, while holding N mTLS connections, and a few seconds
# after they close (does it return memory after a burst?).
#
#   Benchmarks/gateway-memory.sh [CONNECTIONS]      (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
source Benchmarks/workspace.sh gateway-memory
start_gateway 1
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
idle=$(rss_kb "$SERVE")
ramp=$(( (N + 999) / 1000 ))
"$BIN" run --target "127.0.0.1:$PORT" --sni localhost --ca "$PKI/gen1/root.pem" --cert "$PKI/gen1/client.pem" \
  --key "$PKI/gen1/client.key" --rate 1000 --concurrency "$N" --handshakes "$N" --hold "$((ramp + 5))s" --workers 1 --quiet \
  --json "$WORK/hold.json" >/dev/null 2>&1 &
CLIENT=$!
sleep $((ramp + 3))
held=$(rss_kb "$SERVE")
wait "$CLIENT" || true
sleep 3
after=$(rss_kb "$SERVE")
accepted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["outcomes"].get("accepted", 0))' "$WORK/hold.json")
echo "gateway memory: idle $idle KB; holding $accepted of $N connections $held KB ($(( (held - idle) / (N > 0 ? N : 1) )) KB each); 3 s after they closed $after KB"
