#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 30) from the seed corpora in corpus/TARGET,
# built with -sanitize=fuzzer,address. Seeds in the repository are never modified (each run works on a
# copy); crashes are written to Tests/Fuzz/findings/. Prints one line per target with its executions.
#
#   Tests/Fuzz/run.sh [SECONDS]          (TARGETS="histogram profile" picks some)
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-30}
# --sanitize alone instruments only the C targets of dependencies: -Xswiftc puts coverage into every Swift module.
FLAGS=(--sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)
swift build "${FLAGS[@]}" >/dev/null
BIN=$(swift build "${FLAGS[@]}" --show-bin-path)/tlsdrill-fuzz
WORK=$(mktemp -d /tmp/tlsdrill-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p findings
status=0
TARGETS=${TARGETS:-http-verdict http2-verdict control-command reload-file duration threshold profile histogram}
for target in $TARGETS; do
  mkdir -p "$WORK/$target"
  cp corpus/"$target"/* "$WORK/$target"/
  log="$WORK/$target.log"
  if TLSDRILL_FUZZ_TARGET=$target "$BIN" "$WORK/$target" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
      -max_len=4096 -artifact_prefix="findings/$target-" >"$log" 2>&1; then
    outcome="no crash"
  else
    outcome="FINDING (see Tests/Fuzz/findings/ and $log)"
    cp "$log" "findings/$target.log"
    status=1
  fi
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}' || true)
  corpus=$(ls "$WORK/$target" | wc -l)
  printf "fuzz %-16s %10s execs in %ss, coverage %s, corpus %s: %s\n" "$target" "${execs:-?}" "$SECONDS_EACH" "${cov:-?}" "$corpus" "$outcome"
done
exit $status
