#!/usr/bin/env bash
# scripts/setup.sh - everything InferLab needs to build, serve and test, installed once.
# Idempotent and unattended; a second run only verifies (seconds) and says what it found.
# Works on a plain internet machine and on Debian 12 machines whose only network access is
# the package registries (crates.io, Debian, npm, PyPI).
#
# Gives the same result as, on an internet machine:
#   rustup target add wasm32-unknown-unknown
#   cargo install --locked trunk wasm-bindgen-cli
# so the project itself stays completely standard (plain `cargo`, `trunk build`).
#
# Usage: scripts/setup.sh   (from `make setup`, `make serve`, `make test`; root, or sudo)
#   The wasm-bindgen-cli version is the app's `wasm-bindgen` version in Cargo.lock.
#
# Environment knobs (all optional):
#   WASM_ROUTE=auto|rustup|debian   auto (default): keep a working target, else try
#                                   `rustup target add`, else build it from Debian's rustc-web.
#   RUSTUP_TIMEOUT=45               seconds allowed for `rustup target add` (it hangs offline)
#   TRUNK_VERSION=0.21.14           trunk 0.22.x needs rustc >= 1.96.1
#   BINARYEN_VERSION=132.0.0        npm package `binaryen` providing wasm-opt; `none` skips it
#   INSTALL_BROWSER=1               chromium + chromium-driver for browser tests (0 skips)
#
# Idempotent: every step checks first; a second run only verifies (seconds).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:/usr/local/bin:$PATH"
export RUST_BACKTRACE=0   # rustup prints long backtraces on expected errors otherwise

WASM_ROUTE=${WASM_ROUTE:-auto}
RUSTUP_TIMEOUT=${RUSTUP_TIMEOUT:-45}
TRUNK_VERSION=${TRUNK_VERSION:-0.21.14}
BINARYEN_VERSION=${BINARYEN_VERSION:-132.0.0}
INSTALL_BROWSER=${INSTALL_BROWSER:-1}

TARGET=wasm32-unknown-unknown
DEB_TOOLCHAIN_NAME=rust-web                       # rustup name of the linked Debian toolchain
DEB_TOOLCHAIN_DIR=/usr/local/lib/rust-web-toolchain
DEB_SYSROOT_LIB=/usr/lib/rustlib/$TARGET/lib      # Debian rustc's sysroot is /usr
DEB_SYSROOT_STAMP=/usr/lib/rustlib/$TARGET/.built-for-rustc
WEBDRIVER_JSON=/usr/local/share/wasm-bindgen-test/webdriver.json

log()  { printf '\n==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
declare -a TIMINGS=()
timed() { # timed LABEL CMD... : run CMD, record its wall time
  local label=$1 t0=$SECONDS; shift
  "$@"
  TIMINGS+=("$label: $((SECONDS - t0)) s")
}

SELF=$(realpath "$0")
cd "$(dirname "$SELF")/.."
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "run as root or install sudo (apt-get and /usr/local are used)"
  exec sudo -E env "PATH=$PATH" bash "$SELF" "$@"
fi
[[ $(uname -m) == x86_64 ]] || die "x86_64 only"
command -v rustup >/dev/null || die "rustup not found (expected in ~/.cargo/bin)"

# ---- wasm-bindgen version from the argument --------------------------------------
WASM_BINDGEN_VERSION=""
set -- "${1:-Cargo.lock}"
if [[ $# -ge 1 && -f $1 ]]; then
  # Cargo.lock: the `version` line right after `name = "wasm-bindgen"`
  WASM_BINDGEN_VERSION=$(awk '$0=="name = \"wasm-bindgen\"" {getline; gsub(/version = |"/, ""); print; exit}' "$1")
  [[ -n $WASM_BINDGEN_VERSION ]] || die "no wasm-bindgen package in $1"
elif [[ $# -ge 1 ]]; then
  WASM_BINDGEN_VERSION=$1
fi
[[ -z $WASM_BINDGEN_VERSION || $WASM_BINDGEN_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || die "bad wasm-bindgen version '$WASM_BINDGEN_VERSION'"

# ---- apt helpers: `apt-get update` at most once, only when something is missing ---
APT_UPDATED=0
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $APT_UPDATED -eq 0 ]]; then
    timed "apt-get update" apt-get -o DPkg::Lock::Timeout=600 update -q
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  timed "apt-get install ${missing[*]}" \
    apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}"
}

# ---- wasm32 target --------------------------------------------------------------
# True when the toolchain that plain `rustc` resolves to (here) links a wasm32 std program.
# `wasm_target_works verbose` shows the compiler error on failure.
wasm_target_works() {
  local d rc=0
  d=$(mktemp -d)
  echo 'fn main() { println!("{:?}", std::collections::HashMap::<u8, u8>::new()); }' >"$d/m.rs"
  rustc --target $TARGET -O "$d/m.rs" -o "$d/m.wasm" >"$d/log" 2>&1 || rc=$?
  [[ $rc -eq 0 || ${1:-} != verbose ]] || sed 's/^/    /' "$d/log" | head -5 >&2
  rm -rf "$d"
  return $rc
}

# Debian route, step 1: build std for wasm32 once with Debian's rustc-web (-Zbuild-std,
# which needs the std source from rust-web-src) and install the rlibs into Debian rustc's
# own sysroot, exactly where `rustup target add` would have put them.
build_debian_sysroot() {
  local want work
  want=$(/usr/bin/rustc -vV)
  if [[ -f $DEB_SYSROOT_STAMP && "$(cat "$DEB_SYSROOT_STAMP")" == "$want" ]] \
     && compgen -G "$DEB_SYSROOT_LIB/libstd-*.rlib" >/dev/null; then
    echo "wasm32 sysroot for $(/usr/bin/rustc -V) already installed"
    return 0
  fi
  log "building std for $TARGET with $(/usr/bin/rustc -V) (about 1 minute)"
  work=$(mktemp -d)
  mkdir -p "$work/probe/src"
  : >"$work/probe/src/lib.rs"
  cat >"$work/probe/Cargo.toml" <<'EOF'
[package]
name = "wasm_sysroot_probe"
version = "0.0.0"
edition = "2021"

[profile.release]
opt-level = 3
debug = "limited"
codegen-units = 1
EOF
  # std's own dependencies (hashbrown, dlmalloc, ...) are vendored in rust-web-src: use
  # them, fully offline; without that directory cargo fetches them from crates.io.
  local vendor=/usr/lib/rustlib/src/rust/library/vendor src_args=()
  if [[ -d $vendor ]]; then
    src_args=(--offline --config 'source.crates-io.replace-with="rust-src-vendor"'
              --config "source.rust-src-vendor.directory=\"$vendor\"")
  fi
  # embed-bitcode=yes: keep LLVM bitcode in the rlibs so user crates can use `lto = true`
  # (what the official dist builds do). RUSTC_BOOTSTRAP unlocks -Zbuild-std on stable.
  (cd "$work/probe" && env -u RUSTUP_TOOLCHAIN -u CARGO_BUILD_TARGET -u CARGO_ENCODED_RUSTFLAGS \
     RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
     RUSTFLAGS="-Cembed-bitcode=yes" CARGO_TARGET_DIR="$work/target" \
     /usr/bin/cargo build --release --target $TARGET "${src_args[@]}" \
       -Zbuild-std=std,panic_abort,panic_unwind,proc_macro,test)
  local deps=$work/target/$TARGET/release/deps new=$DEB_SYSROOT_LIB.new f
  rm -rf "$new" && mkdir -p "$new"
  for f in "$deps"/lib*.rlib "$deps"/lib*.rmeta; do
    [[ $(basename "$f") == libwasm_sysroot_probe* ]] || cp "$f" "$new/"
  done
  rm -rf "$DEB_SYSROOT_LIB" && mv "$new" "$DEB_SYSROOT_LIB"
  printf '%s\n' "$want" >"$DEB_SYSROOT_STAMP"
  rm -rf "$work"
}

# Debian route, step 2: expose Debian's rustc/cargo as a rustup toolchain and make it the
# default, so the rustup proxies (`cargo`, `rustc`, what trunk runs) use it. clippy comes
# from rust-web-clippy; rustfmt is delegated to rustup's stable toolchain (formatting does
# not depend on the compiler version).
link_debian_toolchain() {
  local b
  mkdir -p "$DEB_TOOLCHAIN_DIR/bin" "$DEB_TOOLCHAIN_DIR/lib"   # rustup requires lib/
  for b in rustc rustdoc cargo cargo-clippy clippy-driver; do
    ln -sfn "/usr/bin/$b" "$DEB_TOOLCHAIN_DIR/bin/$b"
  done
  for b in rustfmt cargo-fmt; do
    printf '#!/bin/sh\n# formatting does not depend on the compiler: use the rustup stable toolchain\nexec rustup run stable %s "$@"\n' \
      "$b" >"$DEB_TOOLCHAIN_DIR/bin/$b"
    chmod 755 "$DEB_TOOLCHAIN_DIR/bin/$b"
  done
  rustup toolchain link "$DEB_TOOLCHAIN_NAME" "$DEB_TOOLCHAIN_DIR"
  rustup default "$DEB_TOOLCHAIN_NAME"
}

debian_route() {
  # rust-lld (wasm linker of Debian's rustc) is a symlink to lld-22.
  apt_install rustc-web cargo-web rust-web-src rust-web-clippy lld-22
  timed "std build for $TARGET (Debian rustc)" build_debian_sysroot
  link_debian_toolchain
}

ROUTE_USED=""
ensure_wasm_target() {
  if [[ $WASM_ROUTE != debian ]] && wasm_target_works; then
    ROUTE_USED="already present ($(rustc -V))"; return 0
  fi
  if [[ $WASM_ROUTE != debian ]]; then
    log "rustup target add $TARGET (timeout ${RUSTUP_TIMEOUT}s)"
    if timeout "$RUSTUP_TIMEOUT" rustup target add $TARGET && wasm_target_works verbose; then
      ROUTE_USED="rustup target add"; return 0
    fi
    [[ $WASM_ROUTE == rustup ]] && die "rustup could not provide $TARGET"
    warn "rustup could not provide $TARGET; falling back to Debian's rustc-web"
  fi
  debian_route
  wasm_target_works verbose || die "Debian toolchain still cannot build $TARGET"
  ROUTE_USED="Debian rustc-web + locally built wasm32 std (rustup toolchain '$DEB_TOOLCHAIN_NAME', default)"
}

# ---- cargo-installed tools -------------------------------------------------------
# cargo_tool CRATE VERSION BIN : install CRATE@VERSION unless `BIN --version` shows it.
cargo_tool() {
  local crate=$1 version=$2 bin=$3
  if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -qw -- "$version"; then
    echo "$bin $version already installed"; return 0
  fi
  log "cargo install $crate@$version"
  # --locked first (reproducible); some lock files pin versions the registry index here
  # does not serve (seen: wasm-bindgen-cli 0.2.130 -> webpki-roots 1.0.11), so retry unlocked.
  timed "cargo install $crate@$version" bash -c \
    "cargo install --locked '$crate@$version' || { echo 'retrying without --locked' >&2; cargo install --force '$crate@$version'; }"
}

# ---- wasm-opt ---------------------------------------------------------------------
# Debian's binaryen 108 is too old: it silently breaks current wasm-bindgen output
# (exports the funcref table as `__wbindgen_externrefs` -> "WebAssembly.Table.set():
# Argument 1 is invalid" at startup). Use npm's binaryen build in /usr/local/bin instead.
ensure_wasm_opt() {
  [[ $BINARYEN_VERSION == none ]] && return 0
  if [[ -x /usr/local/bin/wasm-opt ]] && /usr/local/bin/wasm-opt --version 2>/dev/null \
       | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    echo "wasm-opt ${BINARYEN_VERSION%%.*} already installed"
  else
    command -v npm >/dev/null || die "npm is needed for wasm-opt (or set BINARYEN_VERSION=none)"
    log "npm install -g binaryen@$BINARYEN_VERSION (wasm-opt)"
    timed "npm binaryen@$BINARYEN_VERSION" npm install -g --prefix /usr/local --no-fund --no-audit "binaryen@$BINARYEN_VERSION"
  fi
  local first; first=$(command -v wasm-opt || true)
  [[ $first == /usr/local/bin/wasm-opt ]] || warn "'$first' comes before /usr/local/bin/wasm-opt in PATH"
}

# ---- browser for tests ----------------------------------------------------------
ensure_browser() {
  [[ $INSTALL_BROWSER == 1 ]] || return 0
  apt_install chromium chromium-driver
  # Chrome options for wasm-bindgen-test-runner (it adds headless/no-sandbox itself):
  # keep Chromium from calling out to the network and use Debian's binary.
  mkdir -p "$(dirname "$WEBDRIVER_JSON")"
  cat >"$WEBDRIVER_JSON" <<'EOF'
{
  "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": ["disable-gpu", "disable-quic", "no-first-run", "disable-background-networking",
             "disable-component-update", "disable-sync"]
  }
}
EOF
}

# ---- main ---------------------------------------------------------------------------
T0=$SECONDS
timed "wasm32 target" ensure_wasm_target
cargo_tool trunk "$TRUNK_VERSION" trunk
if [[ -n $WASM_BINDGEN_VERSION ]]; then
  cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
else
  warn "no Cargo.lock/version given: wasm-bindgen-cli not installed (trunk would try to download it)"
fi
ensure_wasm_opt
ensure_browser
apt_install brotli bc   # make bench: compressed sizes

# ---- end-to-end test dependencies (Playwright's runner; it drives Debian's Chromium) ----
ensure_e2e() {
  command -v npm >/dev/null || die "npm is needed for the end-to-end tests"
  if [[ -f e2e/node_modules/.package-lock.json ]] && cmp -s e2e/package-lock.json e2e/node_modules/.lock-copy 2>/dev/null; then
    echo "e2e node_modules up to date"
    return 0
  fi
  log "npm ci (e2e)"
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1   # tests use Debian's /usr/bin/chromium
  timed "npm ci (e2e)" npm --prefix e2e ci --no-fund --no-audit
  cp e2e/package-lock.json e2e/node_modules/.lock-copy
}
ensure_e2e

ver() { "$@" 2>/dev/null | head -1 || echo "not installed"; }
cat <<EOF

================ wasm toolchain ready ($((SECONDS - T0)) s) ================
wasm32 target : $ROUTE_USED
rustc         : $(ver rustc -V)  [toolchain: $(rustup show active-toolchain 2>/dev/null | cut -d' ' -f1)]
cargo         : $(ver cargo -V)
trunk         : $(ver trunk --version)  ($(command -v trunk))
wasm-bindgen  : $(ver wasm-bindgen --version)  ($(command -v wasm-bindgen || true))
wasm-opt      : $(ver wasm-opt --version)  ($(command -v wasm-opt || true))
chromium      : $(ver chromium --version 2>/dev/null)
chromedriver  : $(ver chromedriver --version)
timings       : $(if [[ ${#TIMINGS[@]} -eq 0 ]]; then echo "nothing to install"; else printf '%s; ' "${TIMINGS[@]}"; fi)

Next: make serve (http://127.0.0.1:8080) or make test.
EOF
