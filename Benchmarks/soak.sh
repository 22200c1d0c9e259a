#!/usr/bin/env bash
# Soak: does a long run's memory stay flat? Runs tlsdrill against the built-in gateway with 100 in flight,
# samples both processes' RSS every SAMPLE seconds, prints the series and the growth rate, and projects
# the client's growth to 24 hours at the same interval.
#
#   Benchmarks/soak.sh [SECONDS] [INTERVAL] [SAMPLE]     (default 600 1s 30)
#
# With INTERVAL 100ms a 10-minute soak stores as many timeline intervals as 100 minutes at 1s.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL=${1:-600}
INTERVAL=${2:-1s}
SAMPLE=${3:-30}
source Benchmarks/workspace.sh soak
start_gateway 1
"$BIN" run --target "127.0.0.1:$PORT" --sni localhost --ca "$PKI/gen1/root.pem" --cert "$PKI/gen1/client.pem" \
  --key "$PKI/gen1/client.key" --concurrency 100 --duration "${SECONDS_TOTAL}s" --interval "$INTERVAL" --quiet \
  --json "$WORK/soak.json" >/dev/null &
CLIENT=$!
PIDS+=("$CLIENT")
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
echo "soak: ${SECONDS_TOTAL}s, interval $INTERVAL, 100 in flight; RSS sampled every ${SAMPLE}s"
echo "   t(s)  client RSS (KB)  gateway RSS (KB)"
first=""; last=""; t=0
sleep 5; t=5
while kill -0 "$CLIENT" 2>/dev/null && [ "$t" -lt "$SECONDS_TOTAL" ]; do
  c=$(rss_kb "$CLIENT"); g=$(rss_kb "$SERVE")
  printf "%7d  %15s  %16s\n" "$t" "$c" "$g"
  [ -z "$first" ] && first="$t $c"
  last="$t $c"
  sleep "$SAMPLE"; t=$((t + SAMPLE))
done
wait "$CLIENT" || true
attempts=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["attempts"])' "$WORK/soak.json")
python3 - "$first" "$last" "$INTERVAL" "$attempts" <<'PY'
import sys
t0, c0 = map(float, sys.argv[1].split()); t1, c1 = map(float, sys.argv[2].split())
interval = sys.argv[3]
secs = float(interval[:-2]) / 1000 if interval.endswith("ms") else float(interval[:-1])
rate = (c1 - c0) / (t1 - t0) if t1 > t0 else 0
per_day_at_1s = rate * secs * 86400  # growth per stored interval, times 86,400 intervals
print(f"soak: {sys.argv[4]} attempts; client RSS {c0:.0f} KB at {t0:.0f}s -> {c1:.0f} KB at {t1:.0f}s = {rate:.2f} KB/s "
      f"({rate * secs:.3f} KB per interval); projected growth for 24 h at 1s intervals: {per_day_at_1s / 1024:.1f} MB")
PY
