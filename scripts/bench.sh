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

log "load tester accuracy and capacity (issue #5): headless Chromium vs tools/testserver over HTTP/2"
cargo build --release -p inferlab-testserver >/tmp/inferlab-bench-testserver.log 2>&1 || echo "(testserver build failed)"
testserver="${CARGO_TARGET_DIR:-$PWD/target}/release/inferlab-testserver"
(cd e2e && INFERLAB_TESTSERVER="$testserver" timeout 900 node bench-loadtest.mjs) \
  || echo "(load tester bench failed)"

log "tokenizer speed and size (issue #4): ours vs the JavaScript ports vs native Python, Llama 3"
# Each missing piece is fetched here (bounded in time) or skipped by bench-tokenizer.mjs with a
# line saying what is missing; none of it is needed by make test.
if [ ! -f core/tokenize/tests/fixtures/downloaded/llama3/tokenizer.json ]; then
  timeout 300 python3 scripts/gen_tokenizer_expected.py --fetch || echo "(could not fetch the tokenizer fixtures)"
fi
if [ ! -d e2e/bench-js/node_modules/@huggingface/transformers ]; then
  echo "npm ci in e2e/bench-js (the JavaScript ports, ~450 MB with transformers.js's dependencies)"
  timeout 300 npm --prefix e2e/bench-js ci --ignore-scripts --omit=optional --no-fund --no-audit \
    >/tmp/inferlab-bench-npm.log 2>&1 || echo "(npm ci failed, see /tmp/inferlab-bench-npm.log)"
fi
python=python3
if ! python3 -c 'import tokenizers' 2>/dev/null; then
  if [ ! -x .venv-bench/bin/python ]; then
    echo "Python tokenizers into .venv-bench (git-ignored)"
    timeout 300 sh -c 'python3 -m venv .venv-bench && .venv-bench/bin/pip install -q tokenizers==0.23.3' \
      || echo "(no venv / pip install failed: the native figures are skipped)"
  fi
  if [ -x .venv-bench/bin/python ]; then python=$PWD/.venv-bench/bin/python; fi
fi
(cd e2e && PYTHON=$python timeout 600 node bench-tokenizer.mjs) || echo "(tokenizer speed comparison failed)"
