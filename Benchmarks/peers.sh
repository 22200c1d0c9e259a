#!/usr/bin/env bash
# Client and server CPU per full mTLS handshake: tlsdrill vs `openssl s_time -new` against one pinned
# nginx worker, and tlsdrill's built-in gateway vs nginx on the server side. Prints one table.
#
#   Benchmarks/peers.sh [SECONDS]      (default 10 s per row; needs nginx, openssl, taskset)
#   LEGS=N Benchmarks/peers.sh         (the s_time and default tlsdrill rows alternate in N legs of SECONDS; default 3)
#
# Server on core 0, client on core 1; nginx with session cache and tickets off (every handshake full);
# ECDSA P-256 certificates from `tlsdrill pki init`. CPU comes from /proc (utime+stime, 10 ms ticks).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_ROW=${1:-10}
LEGS=${LEGS:-3}
[[ $LEGS =~ ^[1-9][0-9]*$ ]] || { echo "peers.sh: LEGS must be a positive whole number, not '$LEGS'" >&2; exit 2; }
command -v nginx >/dev/null || { echo "peers.sh: nginx is not installed (apt-get install nginx)" >&2; exit 2; }
command -v taskset >/dev/null || { echo "peers.sh: taskset is missing (apt-get install util-linux)" >&2; exit 2; }
source Benchmarks/workspace.sh peers
start_nginx
SERVE_PORT=$((PORT + 1))
taskset -c 0 "$BIN" serve --listen "127.0.0.1:$SERVE_PORT" --cert "$PKI/gen1/server.pem" --key "$PKI/gen1/server.key" \
  --trust "$CLIENT_CA" --workers 1 --quiet >/dev/null 2>&1 &
SERVE_PID=$!
PIDS+=($SERVE_PID)
# A second gateway for the resumption and HTTP/2 rows: session tickets on, ALPN h2 or http/1.1.
RESUME_PORT=$((PORT + 2))
taskset -c 0 "$BIN" serve --listen "127.0.0.1:$RESUME_PORT" --cert "$PKI/gen1/server.pem" --key "$PKI/gen1/server.key" \
  --trust "$CLIENT_CA" --workers 1 --quiet --tickets on --alpn h2,http/1.1 >/dev/null 2>&1 &
RESUME_PID=$!
PIDS+=($RESUME_PID)
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/$SERVE_PORT) 2>/dev/null \
    && (exec 3<>/dev/tcp/127.0.0.1/$RESUME_PORT) 2>/dev/null && break
  sleep 0.1
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

# measure SERVER_PID COMMAND... → "HANDSHAKES CLIENT_CPU_S SERVER_CPU_S" for one run of COMMAND on core 1
measure() {
  local server_pid=$1; shift
  local before after out
  before=$(ticks "$server_pid")
  out=$( { /usr/bin/time -f "CPU %U %S" taskset -c 1 "$@" ; } 2>&1 )
  after=$(ticks "$server_pid")
  # s_time: "N connections in T real seconds"; tlsdrill: "N attempts in …"
  echo "$out" | awk -v t=$((after - before)) -v hz="$HZ" '
    /^CPU/ { cpu = $2 + $3 }
    (/connections in [0-9.]+ real seconds/ || /attempts in/) && n == "" { n = $1 }
    END { print n, cpu, t / hz }'
}

# print_row TOOL TLS SECONDS HANDSHAKES CLIENT_CPU_S SERVER_CPU_S → prints a table row and records it
print_row() {
  awk -v tool="$1" -v tls="$2" -v d="$3" -v n="$4" -v c="$5" -v s="$6" \
    'BEGIN { printf "%-34s %-4s %9.0f %12.0f %12.0f %11.0f%%\n", tool, tls, n / d, c * 1e6 / n, s * 1e6 / n, s * 100 / d }'
  echo "$1 $2 $4 $5 $6" >> "$WORK/rows"
}

# run_row TOOL TLS SERVER_PID PORT COMMAND...  → prints a table row
run_row() {
  local tool=$1 tls=$2 server_pid=$3; shift 4
  # shellcheck disable=SC2046 # three numbers
  print_row "$tool" "$tls" "$SECONDS_PER_ROW" $(measure "$server_pid" "$@")
}

# run_headline_pair TLS → the s_time row and the default tlsdrill row against nginx, measured in LEGS alternating
# legs (s_time, tlsdrill, s_time, tlsdrill, …) of SECONDS each and summed: a swing in this shared machine's speed
# lands on both tools instead of on whichever ran at the time. Records each leg's ratio in $WORK/legs.
run_headline_pair() {
  local tls=$1 flag=-tls1_3 leg
  [ "$tls" = 1.2 ] && flag=-tls1_2
  : > "$WORK/pair"
  for leg in $(seq "$LEGS"); do
    echo "s_time $(measure "$NGINX_WORKER" openssl s_time -connect "127.0.0.1:$PORT" -new $flag \
      -cert "$PKI/gen1/client.pem" -key "$PKI/gen1/client.key" -CAfile "$PKI/gen1/root.pem" -verify 3 -time "$SECONDS_PER_ROW")" >> "$WORK/pair"
    echo "tlsdrill $(measure "$NGINX_WORKER" "$BIN" run --target "127.0.0.1:$PORT" "${COMMON[@]}" \
      --tls "$tls" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROW}s")" >> "$WORK/pair"
  done
  local total=$((LEGS * SECONDS_PER_ROW))
  # shellcheck disable=SC2046 # three numbers
  print_row "s_time -new → nginx" "$tls" "$total" $(awk '$1 == "s_time" { n += $2; c += $3; s += $4 } END { print n, c, s }' "$WORK/pair")
  # shellcheck disable=SC2046
  print_row "tlsdrill --confirm http → nginx" "$tls" "$total" $(awk '$1 == "tlsdrill" { n += $2; c += $3; s += $4 } END { print n, c, s }' "$WORK/pair")
  awk -v tls="$tls" '$1 == "s_time" { st = $3 / $2 } $1 == "tlsdrill" { legs = legs sprintf(" %.2f", ($3 / $2) / st) }
    END { print tls legs }' "$WORK/pair" >> "$WORK/legs"
}

COMMON=(--ca "$PKI/gen1/root.pem" --sni localhost --cert "$PKI/gen1/client.pem" --key "$PKI/gen1/client.key" --workers 1 --quiet)
printf "%-34s %-4s %9s %12s %12s %12s\n" "client → server" "TLS" "hs/s" "client µs/hs" "server µs/hs" "server busy"
for tls in 1.3 1.2; do
  run_headline_pair "$tls"
  run_row "  same, --openssl-context default" "$tls" "$NGINX_WORKER" "$PORT" "$BIN" run --target "127.0.0.1:$PORT" "${COMMON[@]}" \
    --tls "$tls" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROW}s" --openssl-context default
  run_row "  same, --fast-ec-decoding" "$tls" "$NGINX_WORKER" "$PORT" "$BIN" run --target "127.0.0.1:$PORT" "${COMMON[@]}" \
    --tls "$tls" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROW}s" --fast-ec-decoding
  run_row "  same, --fresh-key-shares" "$tls" "$NGINX_WORKER" "$PORT" "$BIN" run --target "127.0.0.1:$PORT" "${COMMON[@]}" \
    --tls "$tls" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROW}s" --fresh-key-shares
  run_row "  same, --no-verify-cache" "$tls" "$NGINX_WORKER" "$PORT" "$BIN" run --target "127.0.0.1:$PORT" "${COMMON[@]}" \
    --tls "$tls" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROW}s" --no-verify-cache
  # Live metrics on, scraped every second as Prometheus would (the scrape's work counts as client CPU).
  METRICS_PORT=$((PORT + 3))
  ( for _ in $(seq $((SECONDS_PER_ROW + 2))); do sleep 1; (exec 3<>"/dev/tcp/127.0.0.1/$METRICS_PORT" && printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3 && cat <&3 >/dev/null) 2>/dev/null || true; done ) &
  SCRAPER=$!
  run_row "  same, --metrics-listen scraped" "$tls" "$NGINX_WORKER" "$PORT" "$BIN" run --target "127.0.0.1:$PORT" "${COMMON[@]}" \
    --tls "$tls" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROW}s" --metrics-listen "127.0.0.1:$METRICS_PORT"
  kill "$SCRAPER" 2>/dev/null || true
  wait "$SCRAPER" 2>/dev/null || true
  run_row "tlsdrill --confirm none → nginx" "$tls" "$NGINX_WORKER" "$PORT" "$BIN" run --target "127.0.0.1:$PORT" "${COMMON[@]}" \
    --tls "$tls" --confirm none --concurrency 32 --duration "${SECONDS_PER_ROW}s"
  run_row "tlsdrill --confirm http → serve" "$tls" "$SERVE_PID" "$SERVE_PORT" "$BIN" run --target "127.0.0.1:$SERVE_PORT" "${COMMON[@]}" \
    --tls "$tls" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROW}s"
  run_row "tlsdrill → serve --tickets on, full" "$tls" "$RESUME_PID" "$RESUME_PORT" "$BIN" run --target "127.0.0.1:$RESUME_PORT" "${COMMON[@]}" \
    --tls "$tls" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROW}s"
  run_row "  same, --resume 1 (resumed)" "$tls" "$RESUME_PID" "$RESUME_PORT" "$BIN" run --target "127.0.0.1:$RESUME_PORT" "${COMMON[@]}" \
    --tls "$tls" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROW}s" --resume 1
  run_row "  same, --alpn h2 (HTTP/2 verdict)" "$tls" "$RESUME_PID" "$RESUME_PORT" "$BIN" run --target "127.0.0.1:$RESUME_PORT" "${COMMON[@]}" \
    --tls "$tls" --confirm http --concurrency 32 --duration "${SECONDS_PER_ROW}s" --alpn h2
done
echo
awk '
  /^s_time/ { st[$(NF-3)] = $(NF-1) / $(NF-2) }
  /http → nginx/ { tl[$(NF-3)] = $(NF-1) / $(NF-2); ns[$(NF-3)] = $NF / $(NF-2) }
  /openssl-context default/ { td[$(NF-3)] = $(NF-1) / $(NF-2) }
  /fast-ec-decoding/ { tf[$(NF-3)] = $(NF-1) / $(NF-2) }
  /fresh-key-shares/ { tk[$(NF-3)] = $(NF-1) / $(NF-2) }
  /metrics-listen/ { tm[$(NF-3)] = $(NF-1) / $(NF-2) }
  /http → serve/ { ss[$(NF-3)] = $NF / $(NF-2) }
  END {
    for (v in st) printf "TLS %s: tlsdrill/s_time client CPU per handshake = %.2f lean (default), %.2f --fresh-key-shares, %.2f --openssl-context default, %.2f lean + --fast-ec-decoding; metrics on/off = %.3f; serve/nginx server CPU per handshake = %.2f\n", v, tl[v] / st[v], tk[v] / st[v], td[v] / st[v], tf[v] / st[v], tm[v] / tl[v], ss[v] / ns[v]
  }' "$WORK/rows"
awk '{ printf "TLS %s: tlsdrill/s_time client CPU per handshake in each of the %d alternating legs:", $1, NF - 1
       for (i = 2; i <= NF; i++) printf " %s", $i; printf "\n" }' "$WORK/legs"
