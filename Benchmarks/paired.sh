#!/usr/bin/env bash
# Paired A/B of client CPU per handshake: two tlsdrill variants drill one pinned nginx worker at the same time,
# sharing one client core, so whatever the machine does meanwhile (other tenants, clock changes) weighs on both
# alike. Prints B/A per round and the median. On the 2-core VM this project is measured on, back-to-back runs
# of one binary differ by up to ±10%; paired rounds of one binary against itself stay within ±2%.
#
#   Benchmarks/paired.sh [ROUNDS] [SECONDS] [A_FLAGS] [B_FLAGS]
#       defaults: 6 rounds of 3 s; A = tlsdrill's defaults, B = --openssl-context default
#   A_BIN=/path/to/tlsdrill B_BIN=/path/to/other Benchmarks/paired.sh 6 3 "" ""    two builds, same flags
#   TLS=1.2 Benchmarks/paired.sh ...                                               (default 1.3)
#
# Both variants run `run --confirm http --concurrency 32 --workers 1` as peers.sh does; the absolute figures are
# higher than peers.sh's (the two share a core), the ratio is what this is for.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-6}
SECONDS_PER_ROUND=${2:-3}
A_FLAGS=${3-}
B_FLAGS=${4---openssl-context default}
TLS=${TLS:-1.3}
command -v nginx >/dev/null || { echo "paired.sh: nginx is not installed (apt-get install nginx)" >&2; exit 2; }
command -v taskset >/dev/null || { echo "paired.sh: taskset is missing (apt-get install util-linux)" >&2; exit 2; }
source Benchmarks/workspace.sh paired
start_nginx
A_BIN=${A_BIN:-$BIN}
B_BIN=${B_BIN:-$BIN}
COMMON=(--ca "$PKI/gen1/root.pem" --sni localhost --cert "$PKI/gen1/client.pem" --key "$PKI/gen1/client.key" --workers 1 --quiet
        --tls "$TLS" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROUND}s")

# drill NAME BINARY FLAGS → $WORK/NAME holds the run's summary and /usr/bin/time's CPU line
drill() {
  # shellcheck disable=SC2086 # FLAGS is a flag list
  /usr/bin/time -f "CPU %U %S" taskset -c 1 "$2" run --target "127.0.0.1:$PORT" "${COMMON[@]}" $3 > "$WORK/$1" 2>&1 || true
}
# per_handshake NAME → client CPU µs per attempt, or nothing unless the run made attempts and the gateway accepted some
per_handshake() {
  awk '/attempts in/ && !n {n = $1} /^ +accepted +[0-9]/ {ok = 1} /^CPU/ {c = $2 + $3} END {if (n > 0 && ok) printf "%.0f", c * 1e6 / n}' "$WORK/$1"
}

echo "A: ${A_BIN} ${A_FLAGS:-(defaults)}"
echo "B: ${B_BIN} ${B_FLAGS:-(defaults)}"
RATIOS=()
for round in $(seq "$ROUNDS"); do
  if (( round % 2 )); then  # which one starts first alternates
    drill a "$A_BIN" "$A_FLAGS" & first=$!
    drill b "$B_BIN" "$B_FLAGS" & second=$!
  else
    drill b "$B_BIN" "$B_FLAGS" & first=$!
    drill a "$A_BIN" "$A_FLAGS" & second=$!
  fi
  wait "$first" "$second"
  a=$(per_handshake a) b=$(per_handshake b)
  if [[ -z $a || -z $b ]]; then
    echo "paired.sh: round $round made no accepted attempts; the runs said:" >&2
    cat "$WORK/a" "$WORK/b" >&2
    exit 1
  fi
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", b / a}')
  RATIOS+=("$ratio")
  printf "round %d: A %s µs, B %s µs per handshake, B/A %s\n" "$round" "$a" "$b" "$ratio"
done
printf "%s\n" "${RATIOS[@]}" | sort -n | awk '{r[NR] = $1} END {printf "B/A median %.3f over %d rounds (range %.3f–%.3f)\n", (NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2), NR, r[1], r[NR]}'
