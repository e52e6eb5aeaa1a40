#!/usr/bin/env bash
# Where a page's time goes: a CPU profile of the release server while wrk
# loads one page, on the same set-up as bench/feed.sh (release server,
# SQLite on disk, the demo data, signed in as elza_doyle_0).
#
#   bench/profile.sh            # the feed, /
#   bench/profile.sh /u/some_user
#
# It warms the server for 5 s, then records with
#
#   perf record -F 999 -g --call-graph dwarf,16384 -p <server pid> -- sleep 12
#
# beside `wrk -t2 -c64 -d12s`, and prints wrk's summary, the top functions
# by self time, and the app's own functions by inclusive time. Release
# builds keep their symbols and unwind through `.eh_frame`, so no debug
# build is needed. The profile stays in $BENCH_PROFILE_OUT (default
# /tmp/hearth-perf.data) for `perf report -i`. Build first:
#
#   . scripts/env.sh && cargo leptos build --release --precompress --split
#
# Needs `perf` (Debian's linux-perf, installed when missing) and the
# permission to profile another process (root, or
# kernel.perf_event_paranoid <= 1).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
. "$root/scripts/env.sh"
cd "$HEARTH_ROOT"
# shellcheck source=scripts/processes.sh
. scripts/processes.sh

log() { printf '[profile] %s\n' "$*" >&2; }

server_bin="${HEARTH_SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
site_root="${LEPTOS_SITE_ROOT:-$HEARTH_ROOT/target/site}"
port="${BENCH_PORT:-3400}"
out="${BENCH_PROFILE_OUT:-/tmp/hearth-perf.data}"
path="${1:-/}"

require_release_site "$server_bin" "$site_root" "$port"
require_package wrk wrk
require_package perf linux-perf

bench_workdir profile 0
start_demo_server "$server_bin" "$site_root" "$work" "$port"
base="http://127.0.0.1:$port"
cookie="$(log_in "$base" "$work" "$DEMO_USER" "$DEMO_PASSWORD")"

log "warming up: 5 s of $path"
wrk -t2 -c64 -d5s -H "Cookie: $cookie" "$base$path" >/dev/null
log "recording 12 s of $path into $out"
perf record -q -F 999 -g --call-graph dwarf,16384 -p "$server_pid" -o "$out" -- sleep 12 2>"$work/perf.log" &
perf_pid=$!
wrk -t2 -c64 -d12s --latency -H "Cookie: $cookie" "$base$path"
wait "$perf_pid" || { cat "$work/perf.log" >&2; die "perf record failed"; }

# `head` closes the pipes early; with pipefail that would end the script.
set +o pipefail
echo
echo "== threads"
perf report -i "$out" --no-children --sort comm --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | cut -c1-80
echo
echo "== top 30 by self time"
perf report -i "$out" --no-children --sort dso,symbol --stdio -g none 2>/dev/null |
  grep -v '^#' | grep -v '^$' | sed 's/ *- *- *$//' | cut -c1-160 | head -n 30
echo
echo "== Hearth's functions and the big stages, inclusive"
perf report -i "$out" --children --sort symbol --stdio -g none 2>/dev/null |
  grep -v '^#' | grep -v '^$' | sed 's/ *- *- *$//' | cut -c1-160 |
  grep -E 'app::|server::|StreamBuilder as|sqlite3_step|Pool<DB>::acquire|return_to_pool|attributes_to_html' |
  head -n 40
