# Sourced by the benchmark scripts: builds tlsdrill (release), makes a scratch directory with a drill PKI,
# and kills every PID pushed onto PIDS and removes the directory on exit.
#   source Benchmarks/workspace.sh NAME   → sets BIN, WORK, PKI, PIDS; start_gateway starts `serve`
swift build -c release >/dev/null
BIN=$(swift build -c release --show-bin-path)/tlsdrill
WORK=$(mktemp -d "/tmp/tlsdrill-$1.XXXXXX")
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM
"$BIN" pki init "$WORK/pki" >/dev/null
PKI=$WORK/pki

# start_gateway [WORKERS] → sets PORT and SERVE: the built-in gateway on a random loopback port, trusting gen1.
start_gateway() {
  PORT=$((20000 + RANDOM % 20000))
  "$BIN" serve --listen "127.0.0.1:$PORT" --cert "$PKI/gen1/server.pem" --key "$PKI/gen1/server.key" \
    --trust "$PKI/gen1/root.pem" --workers "${1:-1}" --quiet >/dev/null 2>&1 &
  SERVE=$!
  PIDS+=("$SERVE")
  sleep 1
}
