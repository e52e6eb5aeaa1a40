#!/usr/bin/env bash
# Feed benchmark on the default set-up (one release server on SQLite on
# disk), in one run: the feed `/`, a friend's profile, a post's permalink
# and a static file (the hashed stylesheet, brotli) for the ceiling, each
# measured with
#
#   wrk -t2 -c64 -d15s --latency --timeout 30s [-H "Cookie: hearth_session=..."] URL
#
# signed in as the demo user elza_doyle_0, then the feed once more as a
# browser asks for it (`feed-br`: `Accept-Encoding: br`, compressed on the
# fly), then the feed and the stylesheet over one connection (`feed-1c`,
# `static-1c`: the latency of a request with nothing queued). Prints wrk's
# summary per target, then a table (req/s, p50, p99 per target and round),
# the feed-to-ceiling ratio, and the server's resident memory after the run
# and after 10 s idle, with what the idle figure is made of.
#
#   bench/feed.sh             # two interleaved rounds
#   BENCH_ROUNDS=1 bench/feed.sh
#
# It builds nothing. Build the release site and server first:
#
#   . scripts/env.sh && cargo leptos build --release --precompress --split
#
# Settings (environment):
#   HEARTH_SERVER_BIN   server binary (default $CARGO_TARGET_DIR/release/server;
#                       hash.txt beside it names the hashed site files)
#   LEPTOS_SITE_ROOT    built site (default target/site)
#   BENCH_ROUNDS        rounds over the four targets (default 2)
#   BENCH_PORT          port (default 3400)
#   WRK_THREADS / WRK_CONNECTIONS / WRK_DURATION   (default 2 / 64 / 15s)
#   BENCH_FEED_KEEP=1   keep the temp folder (database, logs) afterwards
#   RUST_LOG            the server's log filter (default warn)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
. "$root/scripts/env.sh"
cd "$HEARTH_ROOT"
# shellcheck source=scripts/processes.sh
. scripts/processes.sh

log() { printf '[feed-bench] %s\n' "$*" >&2; }

server_bin="${HEARTH_SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
site_root="${LEPTOS_SITE_ROOT:-$HEARTH_ROOT/target/site}"
rounds="${BENCH_ROUNDS:-2}"
port="${BENCH_PORT:-3400}"
threads="${WRK_THREADS:-2}"
connections="${WRK_CONNECTIONS:-64}"
duration="${WRK_DURATION:-15s}"
user="$DEMO_USER"
password="$DEMO_PASSWORD"

require_release_site "$server_bin" "$site_root" "$port"
require_package wrk wrk

bench_workdir feed-bench "${BENCH_FEED_KEEP:-0}"
start_demo_server "$server_bin" "$site_root" "$work" "$port"
base="http://127.0.0.1:$port"

cookie="$(log_in "$base" "$work" "$user" "$password")"

# The targets, read from the feed page: a post by someone else (its
# permalink and its author's profile) and the hashed stylesheet.
permalink="$(grep -o 'href="/p/[0-9]*"' "$work/feed.html" | head -n 1 | sed 's/^href="//; s/"$//')"
profile="$(grep -o 'href="/u/[a-z0-9_]*"' "$work/feed.html" | grep -v "/u/$user\"" | head -n 1 | sed 's/^href="//; s/"$//')"
stylesheet="$(grep -o 'href="/pkg/[^"]*\.css"' "$work/feed.html" | head -n 1 | sed 's/^href="//; s/"$//')"
[ -n "$permalink" ] && [ -n "$profile" ] && [ -n "$stylesheet" ] ||
  die "couldn't find a permalink, a profile and the stylesheet on the feed page"
log "profile $profile; permalink $permalink; static $stylesheet"
headers="$(curl -sS -o /dev/null -D - -H 'Accept-Encoding: br' "$base$stylesheet" | tr -d '\r')"
log "static: $(grep -i '^content-encoding' <<<"$headers" || echo 'no content-encoding'); $(grep -i '^cache-control' <<<"$headers" || echo 'no cache-control')"

# run NAME PATH [wrk args...]: one wrk run; appends "name rps p50 p99" to
# the results. CONNS=n runs it with n connections (and threads) instead.
run() {
  local name="$1" path="$2"
  shift 2
  local out c="${CONNS:-$connections}"
  out="$(wrk -t"$((c < threads ? c : threads))" -c"$c" -d"$duration" --latency --timeout 30s "$@" "$base$path")"
  printf '%s\n' "$out" | sed "s/^/[$name] /" >&2
  local rps p50 p99
  rps="$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")"
  p50="$(awk '$1 == "50%" { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
  printf '%s %s %s %s\n' "$name" "$rps" "$p50" "$p99" >>"$work/results"
}

rss_mb() {
  awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status"
}

# What the RSS is made of (smaps_rollup, MB): anonymous memory (the heap,
# thread stacks), of which LazyFree is pages the allocator gave back with
# MADV_FREE that the kernel still counts until it needs them, and files
# (the binary, SQLite's mapped pages).
rss_parts() {
  awk '/^Rss:/ { r = $2 } /^Anonymous:/ { a = $2 } /^LazyFree:/ { l = $2 }
    END { printf "anonymous %.0f MB (of it lazily freed %.0f MB), files %.0f MB", a / 1024, l / 1024, (r - a) / 1024 }' \
    "/proc/$server_pid/smaps_rollup"
}

: >"$work/results"
for round in $(seq 1 "$rounds"); do
  log "round $round of $rounds"
  run feed / -H "Cookie: $cookie"
  run profile "$profile" -H "Cookie: $cookie"
  run permalink "$permalink" -H "Cookie: $cookie"
  run static "$stylesheet" -H "Accept-Encoding: br"
done
# What a browser asks for: the feed compressed on the fly with brotli.
run feed-br / -H "Cookie: $cookie" -H "Accept-Encoding: br"
# One connection: the latency of a single request with nothing queued.
CONNS=1 run feed-1c / -H "Cookie: $cookie"
CONNS=1 run static-1c "$stylesheet" -H "Accept-Encoding: br"
rss_after="$(rss_mb)"
sleep 10
rss_idle="$(rss_mb)"
rss_idle_parts="$(rss_parts)"

echo
printf '%-10s %10s %10s %10s\n' target req/s p50 p99
awk '{ printf "%-10s %10s %10s %10s\n", $1, $2, $3, $4 }' "$work/results"
awk '$1 == "feed" { f += $2; nf++ } $1 == "static" { s += $2; ns++ }
  END { if (nf && ns && s > 0) printf "feed / static ceiling: %.3f (mean req/s %.0f / %.0f)\n", (f / nf) / (s / ns), f / nf, s / ns }' "$work/results"
echo "server RSS: ${rss_after} MB right after the runs, ${rss_idle} MB after 10 s idle ($rss_idle_parts)"
