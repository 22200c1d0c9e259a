# Sourced by the benchmark scripts: builds tlsdrill (release), makes a scratch directory with a drill PKI,
# and kills every PID pushed onto PIDS and removes the directory on exit.
#   source Benchmarks/workspace.sh NAME   → sets BIN, WORK, PKI, PIDS
swift build -c release >/dev/null
BIN=$(swift build -c release --show-bin-path)/tlsdrill
WORK=$(mktemp -d "/tmp/tlsdrill-$1.XXXXXX")
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM
"$BIN" pki init "$WORK/pki" >/dev/null
PKI=$WORK/pki
