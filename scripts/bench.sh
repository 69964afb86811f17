#!/usr/bin/env bash
# Measured figures: printed, never claimed. Usage: make bench
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
log() { printf '\n==== %s\n' "$*"; }

log "release build (trunk build --release)"
t0=$(date +%s.%N)
trunk build --release >/tmp/inferlab-bench-build.log 2>&1
t1=$(date +%s.%N)
printf 'trunk build --release: %.1f s (warm cache unless first run)\n' "$(echo "$t1 - $t0" | bc)"

log "bundle size (dist/)"
for f in dist/*.wasm dist/*.js; do
  raw=$(stat -c %s "$f")
  br=$(brotli -c -q 11 "$f" 2>/dev/null | wc -c || echo "?")
  gz=$(gzip -c -9 "$f" | wc -c)
  printf '%-48s raw %8d B   gzip %8d B   brotli %8s B\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
printf 'dist/ total: %s\n' "$(du -sh dist | cut -f1)"

log "in the browser (headless Chromium, release build): calculator recompute, tokenizer worker"
(cd e2e && node bench.mjs) || echo "(browser bench failed)"
