#!/usr/bin/env bash
# What the browser's wasm is made of: the release wasm's bytes (raw and
# brotli, as served): the main module every page loads, then each `#[lazy]`
# function's chunks (what a page using it adds); then the code by crate and the app's own code by
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
#   . scripts/env.sh && cargo leptos build --release --precompress --split
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
pkg=target/site/pkg
[ -f "$unsplit" ] && ls "$pkg"/__wasm_split_manifest.*json >/dev/null 2>&1 ||
  { log "no split release wasm: cargo leptos build --release --precompress --split first"; exit 1; }
if ! command -v twiggy >/dev/null; then
  log "installing twiggy from crates.io"
  cargo install twiggy --locked --quiet
fi

# What a page downloads: the main module (hearth.*.wasm), which every page
# loads, and the chunks of the `#[lazy]` functions it calls. The split
# manifest maps each lazy function to the chunks it needs.
/usr/bin/python3 - "$pkg" <<'PY'
import glob, json, os, sys

pkg = sys.argv[1]
def br(f):
    return os.path.getsize(f + ".br") if os.path.exists(f + ".br") else 0
main = [f for f in glob.glob(f"{pkg}/hearth.*.wasm")]
chunks = sorted(set(glob.glob(f"{pkg}/*.wasm")) - set(main))
m = main[0]
print(f"main module {os.path.basename(m)}: {os.path.getsize(m)} bytes raw, {br(m)} brotli (every page)")
print(f"{len(chunks)} chunks, {sum(br(c) for c in chunks)} bytes brotli in all")
manifest = json.load(open(glob.glob(f"{pkg}/__wasm_split_manifest.*json")[0]))
print("lazy function: its chunks' brotli bytes (main module + them)")
for name, files in sorted(manifest.items()):
    size = sum(br(os.path.join(pkg, f + ".wasm")) for f in files)
    print(f"  {name.rsplit('_', 1)[0]:24s} {len(files):3d} files {size:8d}  ({br(m) + size})")
PY
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
