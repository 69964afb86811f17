#!/usr/bin/env bash
# Every test, stage by stage, each printing its count. Usage: scripts/test.sh [all|lint|native|wasm|e2e|real]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true CARGO_TERM_COLOR=never
stage=${1:-all}
NATIVE_CRATES=(-p inferlab-share -p inferlab-calc -p inferlab-loadtest -p inferlab-tokenize -p inferlab-testserver)
declare -A COUNT=()
T0=$SECONDS
log() { printf '\n==== [%4d s] %s\n' "$((SECONDS - T0))" "$*"; }
sum_passed() { grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}'; }

run_lint() {
  log "format (cargo fmt --check)"
  cargo fmt --all -- --check
  log "core purity"
  bash scripts/check-core-purity.sh
  log "clippy, host: core crates and tools"
  cargo clippy "${NATIVE_CRATES[@]}" --all-targets -- -D warnings
  log "clippy, wasm32: the app"
  cargo clippy -p inferlab --target wasm32-unknown-unknown --all-targets -- -D warnings
  echo "lint: fmt, purity, clippy host + wasm32 clean"
}

run_native() {
  log "tokenizer fixtures whose licences forbid committing them (npm, SHA-256 pinned)"
  python3 scripts/gen_tokenizer_expected.py --fetch
  export INFERLAB_REQUIRE_ALL_TOKENIZERS=1
  log "native tests (cargo test)"
  local out; out=$(mktemp)
  cargo test "${NATIVE_CRATES[@]}" 2>&1 | tee "$out"
  COUNT[native]=$(grep -E '^test result:' "$out" | sum_passed)
  echo "native tests: ${COUNT[native]} passed"
}

run_wasm() {
  log "wasm tests in headless Chromium (wasm-bindgen-test)"
  local out; out=$(mktemp)
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON=/usr/local/share/wasm-bindgen-test/webdriver.json \
  WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test -p inferlab --target wasm32-unknown-unknown 2>&1 | tee "$out"
  COUNT[wasm]=$(grep -E '^test result:' "$out" | sum_passed)
  echo "wasm tests: ${COUNT[wasm]} passed"
  [[ ${COUNT[wasm]} -gt 0 ]] || { echo "no wasm test ran" >&2; return 1; }
}

run_e2e() {
  log "release build (trunk build --release) and the test server the load-test e2e tests use"
  trunk build --release
  cargo build -p inferlab-testserver
  export INFERLAB_TESTSERVER="$PWD/target/debug/inferlab-testserver"
  log "end-to-end tests (Playwright + Chromium against dist/ on 127.0.0.1)"
  local out; out=$(mktemp)
  (cd e2e && npx playwright test --reporter=list) 2>&1 | tee "$out"
  COUNT[e2e]=$(grep -E '^ *[0-9]+ passed' "$out" | sum_passed)
  echo "end-to-end tests: ${COUNT[e2e]} passed"
}

run_real() {
  log "against a real engine: llama-server + AIPerf vs our load tester (scripts/real_engine/run.sh)"
  local out; out=$(mktemp)
  bash scripts/real_engine/run.sh 2>&1 | tee "$out"
  COUNT[real]=$(grep -E '^real-engine: [0-9]+ passed' "$out" | sum_passed)
  echo "real-engine comparisons: ${COUNT[real]} passed"
}

case $stage in
  lint) run_lint ;;
  native) run_native ;;
  wasm) run_wasm ;;
  e2e) run_e2e ;;
  real) run_real ;;
  all) run_lint; run_native; run_wasm; run_e2e ;;
  *) echo "unknown stage $stage" >&2; exit 2 ;;
esac

total=0
for k in "${!COUNT[@]}"; do total=$((total + COUNT[$k])); done
log "summary ($((SECONDS - T0)) s)"
for k in native wasm e2e real; do [[ -n ${COUNT[$k]:-} ]] && echo "  $k: ${COUNT[$k]}"; done
echo "$total passed, 0 failed"
