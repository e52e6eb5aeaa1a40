#!/usr/bin/env bash
# Lighthouse scores of the four pages a visitor sees most (issue H): the
# log-in page (signed out), the feed, a friend's profile and a
# conversation (signed in as the demo user elza_doyle_0), each with
# Lighthouse's mobile preset (its default: a phone, simulated slow 4G and
# a 4× slower CPU) and its desktop preset, against the release server on
# the demo data. Prints Performance, Accessibility and Best Practices per
# page and preset, the wasm/JS/CSS bytes each page downloads, the total
# blocking time (ms) and the number of DOM elements.
#
#   bench/lighthouse.sh
#
# It builds nothing. Build the release site and server first:
#
#   . scripts/env.sh && cargo leptos build --release --precompress --split
#
# Installs the pinned lighthouse (npm, 12.2.3, the last that runs on this
# Node) into $HEARTH_TOOLS_DIR when missing, and drives Debian's Chromium
# (/usr/bin/chromium, or CHROME_PATH).
#
# Settings (environment):
#   HEARTH_SERVER_BIN   server binary (default $CARGO_TARGET_DIR/release/server)
#   LEPTOS_SITE_ROOT    built site (default target/site)
#   BENCH_PORT          port (default 3410)
#   LIGHTHOUSE_KEEP=1   keep the temp folder (reports, database, logs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
. "$root/scripts/env.sh"
cd "$HEARTH_ROOT"
# shellcheck source=scripts/processes.sh
. scripts/processes.sh

log() { printf '[lighthouse] %s\n' "$*" >&2; }

LIGHTHOUSE_VERSION="12.2.3"
server_bin="${HEARTH_SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
site_root="${LEPTOS_SITE_ROOT:-$HEARTH_ROOT/target/site}"
port="${BENCH_PORT:-3410}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
user="$DEMO_USER"
password="$DEMO_PASSWORD"

require_release_site "$server_bin" "$site_root" "$port"
[ -x "$CHROME_PATH" ] || die "no Chromium at $CHROME_PATH (scripts/setup.sh installs Debian's)"

lighthouse="$HEARTH_TOOLS_DIR/lighthouse/node_modules/.bin/lighthouse"
if ! "$lighthouse" --version 2>/dev/null | grep -qx "$LIGHTHOUSE_VERSION"; then
  log "installing lighthouse@$LIGHTHOUSE_VERSION from npm"
  mkdir -p "$HEARTH_TOOLS_DIR/lighthouse"
  # A package.json of its own, or npm installs into the parent folder's.
  [ -f "$HEARTH_TOOLS_DIR/lighthouse/package.json" ] ||
    echo '{ "name": "hearth-lighthouse", "private": true }' >"$HEARTH_TOOLS_DIR/lighthouse/package.json"
  (cd "$HEARTH_TOOLS_DIR/lighthouse" &&
    npm install --no-audit --no-fund --silent --save-exact "lighthouse@$LIGHTHOUSE_VERSION")
fi

bench_workdir lighthouse "${LIGHTHOUSE_KEEP:-0}"
start_demo_server "$server_bin" "$site_root" "$work" "$port"
base="http://127.0.0.1:$port"
cookie="$(log_in "$base" "$work" "$user" "$password")"

profile="$(grep -o 'href="/u/[a-z0-9_]*"' "$work/feed.html" | grep -v "/u/$user\"" | head -n 1 | sed 's/^href="//; s/"$//')"
conversation="$(curl -fsS -H "Cookie: $cookie" "$base/messages" | grep -o 'href="/messages/[0-9]*"' | head -n 1 | sed 's/^href="//; s/"$//')"
[ -n "$profile" ] && [ -n "$conversation" ] ||
  die "couldn't find a profile on the feed and a conversation in /messages"
log "profile $profile; conversation $conversation"

# audit NAME PATH PRESET [signed-in]: one Lighthouse run; appends
# "name preset performance accessibility best-practices wasm js css" (scores
# 0-100; bytes transferred) to the results.
audit() {
  local name="$1" path="$2" preset="$3" signed_in="${4:-}"
  local report="$work/$name-$preset.json"
  local args=(
    "$base$path" --quiet --output=json --output-path="$report"
    --only-categories=performance,accessibility,best-practices
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --no-first-run"
  )
  [ "$preset" = desktop ] && args+=(--preset=desktop)
  if [ -n "$signed_in" ]; then
    printf '{"Cookie": "%s"}\n' "$cookie" >"$work/headers.json"
    args+=(--extra-headers="$work/headers.json")
  fi
  log "$name ($preset): $path"
  "$lighthouse" "${args[@]}" || die "lighthouse failed on $path"
  node -e '
    const r = require(process.argv[1]);
    const score = (c) => Math.round((r.categories[c]?.score ?? 0) * 100);
    const items = r.audits["network-requests"]?.details?.items ?? [];
    const bytes = (re) => items.filter((i) => re.test(i.url)).reduce((n, i) => n + (i.transferSize ?? 0), 0);
    const failed = Object.values(r.audits)
      .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "notApplicable" && a.scoreDisplayMode !== "manual")
      .map((a) => a.id);
    const tbt = Math.round(r.audits["total-blocking-time"]?.numericValue ?? 0);
    const dom = r.audits["dom-size"]?.numericValue ?? 0;
    console.log([process.argv[2], process.argv[3], score("performance"), score("accessibility"),
      score("best-practices"), bytes(/\.wasm$/), bytes(/\.js$/), bytes(/\.css$/), tbt, dom,
      failed.join(",") || "-"].join(" "));
  ' "$report" "$name" "$preset" >>"$work/results"
}

: >"$work/results"
for preset in mobile desktop; do
  audit log-in / "$preset"
  audit feed / "$preset" signed-in
  audit profile "$profile" "$preset" signed-in
  audit conversation "$conversation" "$preset" signed-in
done

echo
printf '%-13s %-8s %5s %5s %5s %10s %8s %8s %7s %5s  %s\n' page preset perf a11y bp wasm-B js-B css-B tbt-ms dom "audits under 0.9"
awk '{ printf "%-13s %-8s %5s %5s %5s %10s %8s %8s %7s %5s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$work/results"
