#!/usr/bin/env bash
# Renders the HTML reports of a safe and an unsafe rotation and a chaos demo in headless Chromium
# (apt-get install chromium) and writes PNG screenshots to look at, into DIR (default ./html-screenshots).
#
#   Benchmarks/html-screenshots.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(realpath -m "${1:-html-screenshots}")
mkdir -p "$OUT"
source Benchmarks/workspace.sh html
BROWSER=$(command -v chromium || command -v chromium-browser || true)
[ -n "$BROWSER" ] || { echo "html-screenshots: needs chromium (apt-get install chromium)" >&2; exit 2; }
"$BIN" drill rotation --unit 2s --report-dir "$OUT" --quiet >/dev/null
"$BIN" demo --duration 6s --concurrency 100 --mix gen1-client=60,gen2-client=20,gen1-client-expired=10,gen1-client-wrong-san=5,no-cert=5 \
  --reject generic-alert --allow-client-san 'client.*' --html "$OUT/chaos.html" --quiet >/dev/null || true
for page in rotation-safe rotation-unsafe chaos; do
  timeout 60 "$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1050,2600 \
    --screenshot="$OUT/$page.png" "file://$OUT/$page.html" >/dev/null 2>&1
  echo "html-screenshots: $OUT/$page.png"
done
