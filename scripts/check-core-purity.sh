#!/usr/bin/env bash
# The pure core crates must not be able to name a browser or Leptos type. A crate can only
# `use` its direct dependencies, so checking those (for every target) is the whole proof.
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='^(leptos|leptos_[a-z_]+|reactive_graph|tachys|web-sys|js-sys|wasm-bindgen|wasm-bindgen-futures|gloo|gloo-[a-z-]+|wasm-streams|plotters-canvas)$'
status=0 checked=0
for manifest in core/*/Cargo.toml; do
  crate=$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -1)
  direct=$(cargo tree -p "$crate" --depth 1 -e normal,build --target all --prefix none --format '{p}' 2>/dev/null \
             | tail -n +2 | awk '{print $1}' | sort -u)
  bad=$(grep -E "$forbidden" <<<"$direct" || true)
  checked=$((checked + 1))
  if [[ -n $bad ]]; then
    echo "core purity: $crate depends directly on: $(echo $bad)" >&2
    status=1
  fi
done
echo "core purity: $checked core crates checked, $([[ $status -eq 0 ]] && echo none depends on a browser or Leptos crate || echo FAILED)"
exit $status
