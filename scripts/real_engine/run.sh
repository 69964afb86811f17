#!/usr/bin/env bash
# make test-real: our browser load tester and AIPerf run the same bounded workload against a
# real llama-server (tiny generated Llama, CPU) on 127.0.0.1; the medians are compared (goal ±5 %).
#
#   1. set-up (scripts/real_engine/setup.sh; skipped steps are cheap) and dist/ if missing;
#   2. llama-server on a free loopback port, CORS allowing Authorization, no prompt cache;
#   3. the browser: /loadtest, Poisson REAL_RATE req/s, REAL_REQUESTS requests of
#      REAL_MAX_TOKENS tokens (e2e/real/compare.spec.mjs), exported;
#   4. AIPerf replays the same prompts at the same send offsets (--fixed-schedule);
#   5. scripts/real_engine/compare.py prints the table and fails on a miss.
# By default both tools talk to llama-server through e2e/real/tao-proxy.mjs, which adds
# `Timing-Allow-Origin: *` (the page's own suggested fix; llama-server cannot send it), so the
# browser's stamps are re-based on Resource Timing. REAL_TAO=0 points both at llama-server
# directly: the browser's start is then its fetch() call.
# Env: REAL_RATE (0.5), REAL_REQUESTS (40), REAL_MAX_TOKENS (32), REAL_PROMPT (dog-simple),
#      REAL_THREADS (llama-server threads, 1: the other core is the client's), E2E_PORT,
#      REAL_OUT (e2e/real-results), REAL_TAO (1), REAL_AIPERF_REUSE (pooled).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
RE=$ROOT/.real-engine
export REAL_RATE=${REAL_RATE:-0.5} REAL_REQUESTS=${REAL_REQUESTS:-40} REAL_MAX_TOKENS=${REAL_MAX_TOKENS:-32}
export REAL_PROMPT=${REAL_PROMPT:-dog-simple}
export REAL_OUT=${REAL_OUT:-$ROOT/e2e/real-results}
THREADS=${REAL_THREADS:-1}
# The browser keeps connections alive (and its Resource Timing start, requestStart, comes after
# any connect), so AIPerf pools its connections too; REAL_AIPERF_REUSE=never opens one per request.
AIPERF_REUSE=${REAL_AIPERF_REUSE:-pooled}
T0=$SECONDS
free_port() { "$RE/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
step() { printf '\n== [real-engine %4d s] %s\n' "$((SECONDS - T0))" "$*"; }

bash scripts/real_engine/setup.sh
if [[ ! -f dist/index.html ]]; then
  step "release build of the app (trunk build --release)"
  trunk build --release
fi
[[ -d e2e/node_modules ]] || (cd e2e && npm ci)

rm -rf "$REAL_OUT" && mkdir -p "$REAL_OUT"
LOG=$REAL_OUT/llama-server.log
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
step "llama-server on $URL ($THREADS thread(s), log $LOG)"
"$RE/bin/llama-server" -m "$RE/model/tiny-llama.gguf" --host 127.0.0.1 --port "$PORT" \
  -c 4096 -np 4 -t "$THREADS" -tb "$THREADS" --no-cache-prompt --no-webui --alias tiny-llama \
  --cors-headers "Authorization,Content-Type,Accept" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs "$URL/health" >/dev/null 2>&1 && break
  kill -0 $SERVER 2>/dev/null || { tail -20 "$LOG"; echo "llama-server exited" >&2; exit 1; }
  sleep 0.5
done
curl -fs "$URL/health" >/dev/null || { tail -20 "$LOG"; echo "llama-server not healthy in 60 s" >&2; exit 1; }
# One request warms the engine (first graph build) for both runs; it is not measured.
curl -fs "$URL/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"messages":[{"role":"user","content":"warm up"}],"max_tokens":8}' >/dev/null

ENGINE=$URL
if [[ ${REAL_TAO:-1} != 0 ]]; then
  PPORT=$(free_port)
  step "Timing-Allow-Origin proxy on 127.0.0.1:$PPORT -> $ENGINE (both tools use it)"
  node e2e/real/tao-proxy.mjs "$PPORT" "$ENGINE" >"$REAL_OUT/proxy.log" 2>&1 &
  PROXY=$!
  trap 'kill $SERVER $PROXY 2>/dev/null || true' EXIT
  URL=http://127.0.0.1:$PPORT
  for _ in $(seq 1 40); do curl -fs "$URL/health" >/dev/null 2>&1 && break; sleep 0.25; done
  curl -fs "$URL/health" >/dev/null || { cat "$REAL_OUT/proxy.log"; echo "proxy not up" >&2; exit 1; }
fi

lines() { wc -l <"$LOG"; }
b0=$(lines)
step "browser: our /loadtest page, Poisson $REAL_RATE req/s, $REAL_REQUESTS requests, max_tokens $REAL_MAX_TOKENS"
(cd e2e && REAL_ENGINE_URL=$URL npx playwright test -c real-engine.config.mjs --reporter=list)
b1=$(lines)

step "AIPerf: the same prompts at the same send offsets (--fixed-schedule)"
"$RE/bin/python" scripts/real_engine/compare.py trace --requests "$REAL_OUT/browser-requests.json" \
  --export "$REAL_OUT/browser-export.json" --out "$REAL_OUT/trace.jsonl"
a0=$(lines)
HF_HUB_DISABLE_TELEMETRY=1 "$RE/bin/aiperf" profile --model tiny-llama --url "$URL" \
  --endpoint-type chat --streaming --tokenizer "$RE/model" --use-server-token-count \
  --input-file "$REAL_OUT/trace.jsonl" --custom-dataset-type single_turn --fixed-schedule \
  --extra-inputs "max_tokens:$REAL_MAX_TOKENS" --extra-inputs temperature:0 \
  --connection-reuse-strategy "$AIPERF_REUSE" --ui-type none --random-seed 0 \
  --artifact-dir "$REAL_OUT/aiperf" >"$REAL_OUT/aiperf.log" 2>&1 ||
  { tail -40 "$REAL_OUT/aiperf.log"; echo "aiperf failed" >&2; exit 1; }
a1=$(lines)
printf '{"browser": [%d, %d], "aiperf": [%d, %d]}\n' "$b0" "$b1" "$a0" "$a1" >"$REAL_OUT/phases.json"

step "comparison"
"$RE/bin/python" scripts/real_engine/compare.py report --out "$REAL_OUT"
step "done in $((SECONDS - T0)) s"
