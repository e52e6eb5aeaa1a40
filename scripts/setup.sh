#!/usr/bin/env bash
# Installs what building and testing Hearth needs, when it is missing:
# the wasm32 target, cargo-leptos, wasm-bindgen-cli (the exact version of the
# `wasm-bindgen` crate in Cargo.lock), a wasm-opt that works (npm's binaryen),
# hls.js for the video player (into public/vendor/, which git ignores),
# Debian's Chromium and the end-to-end npm packages (skip those two with
# HEARTH_SETUP_E2E=0). Idempotent; needs no network once all is installed.

set -euo pipefail

# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ROOT="$HEARTH_ROOT"
TOOLS_DIR="$HEARTH_TOOLS_DIR"
CARGO_LEPTOS_VERSION="0.3.11"
BINARYEN_VERSION="132.0.0"
HLS_JS_VERSION="1.7.4"
LEPTOSFMT_VERSION="0.1.33"

log() { printf '[setup] %s\n' "$*" >&2; }

install_rust_toolchain() {
  # The toolchain rust-toolchain.toml names, with the wasm32 target.
  local channel
  channel="$(sed -n 's/^channel = "\(.*\)"/\1/p' "$ROOT/rust-toolchain.toml")"
  if ! rustup target list --installed --toolchain "$channel" 2>/dev/null | grep -qx 'wasm32-unknown-unknown'; then
    log "installing Rust $channel with the wasm32 target"
    rustup toolchain install "$channel" --profile minimal \
      --component clippy,rustfmt --target wasm32-unknown-unknown
  fi
}

install_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    return
  fi
  # `cargo install cargo-leptos --locked` fails on rustc 1.95: its lock file
  # pins cargo-util-schemas 0.14.2 (needs rustc 1.96). Build its source with
  # that one crate held back instead (../shared/TOOLCHAIN.md).
  log "building cargo-leptos $CARGO_LEPTOS_VERSION from source (one-off, several minutes)"
  (cd /tmp && cargo info "cargo-leptos@$CARGO_LEPTOS_VERSION" >/dev/null)
  local crate
  crate="$(ls "$HOME"/.cargo/registry/cache/*/"cargo-leptos-$CARGO_LEPTOS_VERSION.crate" | head -n 1)"
  local work
  work="$(mktemp -d)"
  tar -xzf "$crate" -C "$work"
  (
    cd "$work/cargo-leptos-$CARGO_LEPTOS_VERSION"
    rm -f rust-toolchain.toml rust-toolchain
    cargo update -p cargo-util-schemas --precise 0.14.1
    CARGO_TARGET_DIR="$work/target" \
      CARGO_PROFILE_RELEASE_LTO=false \
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install --path . --locked
  )
  rm -rf "$work"
}

install_wasm_bindgen() {
  local want
  want="$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
  if wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    return
  fi
  log "installing wasm-bindgen-cli $want"
  # Not --locked: its lock file pins a webpki-roots the index no longer has.
  CARGO_TARGET_DIR="$HOME/.cache/hearth-tools-target" \
    cargo install wasm-bindgen-cli --version "$want" --force
}

install_leptosfmt() {
  # Formats the view! macro bodies rustfmt skips (test.sh checks them).
  if leptosfmt --version 2>/dev/null | grep -q " $LEPTOSFMT_VERSION\$"; then
    return
  fi
  log "installing leptosfmt $LEPTOSFMT_VERSION"
  CARGO_TARGET_DIR="$HOME/.cache/hearth-tools-target" \
    cargo install leptosfmt --version "$LEPTOSFMT_VERSION" --locked --force
}

install_wasm_opt() {
  # Debian's binaryen 108 produces a wasm that fails to hydrate; npm's works.
  if [ -x "$TOOLS_DIR/node_modules/.bin/wasm-opt" ]; then
    return
  fi
  log "installing binaryen@$BINARYEN_VERSION (wasm-opt) from npm"
  mkdir -p "$TOOLS_DIR"
  (cd "$TOOLS_DIR" && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION")
}

install_hls_js() {
  # The video player's HLS engine (Media Source Extensions), served
  # from public/vendor/ (cargo-leptos copies public/ into the site).
  local dest="$ROOT/public/vendor/hls.min.js"
  local pkg="$TOOLS_DIR/node_modules/hls.js"
  if [ ! -f "$pkg/dist/hls.min.js" ] || ! grep -q "\"version\": \"$HLS_JS_VERSION\"" "$pkg/package.json"; then
    log "installing hls.js@$HLS_JS_VERSION from npm"
    mkdir -p "$TOOLS_DIR"
    (cd "$TOOLS_DIR" && npm install --no-audit --no-fund --silent --save-exact "hls.js@$HLS_JS_VERSION")
  fi
  if ! cmp -s "$pkg/dist/hls.min.js" "$dest"; then
    mkdir -p "$(dirname "$dest")"
    cp "$pkg/dist/hls.min.js" "$dest"
  fi
}

apt_install() {
  # Debian packages, with sudo when not root.
  log "installing Debian's $*"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

install_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

install_ffmpeg() {
  # Video probing and transcoding (ffprobe, ffmpeg with libx264 and aac).
  if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
    apt_install ffmpeg
  fi
}

install_smtp_sink() {
  # An SMTP server that stores what it receives, for the mail tests:
  # /usr/bin/python3 -m aiosmtpd (Debian's python, not a pyenv one).
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || apt_install python3-aiosmtpd
}

install_redis() {
  # Shared state for several instances (HEARTH_REDIS_URL); the cluster
  # tests start their own redis-server on a port of their own.
  command -v redis-server >/dev/null || apt_install redis-server
}

install_nginx() {
  # The reverse proxy in front of the instances in the cluster end-to-end
  # run (scripts/e2e-cluster.sh, docs/deploy/nginx.conf).
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || apt_install nginx
}

install_end2end_packages() {
  # Up to date when every package package.json names is installed (so a
  # pulled package.json with a new package installs it).
  if (cd "$ROOT/end2end" && node -e '
      const fs = require("fs");
      const deps = Object.keys(require("./package.json").devDependencies);
      process.exit(deps.every((d) => fs.existsSync(`node_modules/${d}/package.json`)) ? 0 : 1);
    '); then
    return
  fi
  log "installing the end-to-end npm packages"
  # Downloads no browser: the tests run Debian's /usr/bin/chromium.
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
}

main() {
  install_rust_toolchain
  install_cargo_leptos
  install_wasm_bindgen
  install_leptosfmt
  install_wasm_opt
  install_hls_js
  install_ffmpeg
  install_smtp_sink
  install_redis
  if [ "${HEARTH_SETUP_E2E:-1}" = "1" ]; then
    install_chromium
    install_nginx
    install_end2end_packages
  fi
}

main "$@"
