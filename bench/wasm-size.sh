#!/usr/bin/env bash
# What the browser's wasm is made of: the release wasm's bytes (raw and
# brotli, as served), then its code by crate and the app's own code by
# module, read with twiggy (https://github.com/rustwasm/twiggy) from the
# wasm as rustc left it, before wasm-bindgen and wasm-opt, which still
# names every function.
#
#   bench/wasm-size.sh
#
# Sizes are twiggy's shallow bytes before wasm-opt (about 1.5 times the
# shipped raw size); read them as shares. A generic function is counted
# under the crate that defines it, so the app's components show up mostly
# as `reactive_graph` and `tachys` (Leptos' reactive runtime and renderer,
# instantiated for each signal, effect and view type) rather than `app`.
# It builds nothing. Build first:
#
#   . scripts/env.sh && cargo leptos build --release --precompress
#
# Installs twiggy from crates.io (`cargo install twiggy --locked`) when it
# is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
. "$root/scripts/env.sh"
cd "$HEARTH_ROOT"

log() { printf '[wasm-size] %s\n' "$*" >&2; }

unsplit="$CARGO_TARGET_DIR/front/wasm32-unknown-unknown/wasm-release/frontend.wasm"
shipped="$(ls target/site/pkg/*.wasm 2>/dev/null | head -n 1 || true)"
[ -f "$unsplit" ] && [ -n "$shipped" ] ||
  { log "no release wasm: cargo leptos build --release --precompress first"; exit 1; }
if ! command -v twiggy >/dev/null; then
  log "installing twiggy from crates.io"
  cargo install twiggy --locked --quiet
fi

printf 'shipped %s: %s bytes raw, %s brotli\n' "$(basename "$shipped")" \
  "$(stat -c %s "$shipped")" "$(stat -c %s "$shipped.br" 2>/dev/null || echo '?')"
csv="$(mktemp)"
trap 'rm -f "$csv"' EXIT
twiggy top -n 1000000 -f csv "$unsplit" >"$csv"
/usr/bin/python3 - "$csv" <<'PY'
import collections, csv, re, sys

crates, modules = collections.Counter(), collections.Counter()
for row in csv.DictReader(open(sys.argv[1])):
    name, size = row["Name"], int(row["ShallowSize"])
    # Names, custom sections, data and tables: not code.
    if "function names" in name or name.startswith(("custom section", "data segment", "elem[")):
        continue
    path = re.findall(r"([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::", name)
    crates[path[0] if path else "(unnamed)"] += size
    if "app" in path:
        m = re.search(r"app::(components::[a-z_]+(?:::[a-z_]+)?|[a-z_]+)", name)
        modules[m.group(1) if m else "app"] += size

total = sum(crates.values())
print(f"\ncode before wasm-opt: {total} bytes; by crate (top 20):")
for crate, size in crates.most_common(20):
    print(f"  {size:9d}  {100 * size / total:5.1f} %  {crate}")
print("\nthe app's own (non-generic) code by module (top 25):")
for module, size in modules.most_common(25):
    print(f"  {size:9d}  {100 * size / total:5.1f} %  {module}")
PY
