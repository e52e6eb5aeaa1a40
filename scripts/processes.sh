# shellcheck shell=bash
# Helpers for the scripts that start servers (e2e-cluster.sh,
# bench-feed.sh, bench/feed.sh, bench/lighthouse.sh, bench/profile.sh): sourced, not run. The
# caller defines `log MESSAGE` and `show_logs` (what to print when a process
# fails to come up; bench_workdir defines it for the benchmarks).

# stop_pid PID: SIGTERM (a graceful shutdown), then SIGKILL after 15 s.
# Nothing for an empty PID or one already gone.
# shellcheck disable=SC2317  # called from the callers' EXIT traps
stop_pid() {
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_for URL WHAT [PID]: polls every 0.5 s until URL answers 2xx (at most
# 120 s); exits the script (after show_logs) if it doesn't, or as soon as
# PID, when given, has exited.
wait_for() {
  local url="$1" what="$2" pid="${3:-}"
  for _ in $(seq 1 240); do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
      return 0
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      log "$what exited before answering $url"
      show_logs
      exit 1
    fi
    sleep 0.5
  done
  log "$what did not answer $url within 120 s"
  show_logs
  exit 1
}

# die MESSAGE: logs it and exits 1.
die() {
  log "$*"
  exit 1
}

# The demo account the benchmarks sign in as (`server seed-demo` makes it;
# the password is app::services::demo::DEMO_PASSWORD).
DEMO_USER="elza_doyle_0"
DEMO_PASSWORD="hearth-demo-password"

# require_package COMMAND PACKAGE: installs Debian's PACKAGE when COMMAND is
# missing (with `apt-get update` first if the plain install fails), or dies.
require_package() {
  local command="$1" package="$2"
  command -v "$command" >/dev/null && return 0
  log "installing $package"
  local sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y -q "$package" >/dev/null 2>&1 ||
    { "${sudo_cmd[@]}" apt-get update -q >/dev/null && "${sudo_cmd[@]}" apt-get install -y -q "$package" >/dev/null; } ||
    die "couldn't install $package"
}

# require_release_site SERVER_BIN SITE_ROOT PORT: what the benchmarks need
# before they start: a server binary, a built site, and PORT free on
# 127.0.0.1 (they build nothing themselves). Exits the script otherwise.
require_release_site() {
  local server_bin="$1" site_root="$2" port="$3"
  local build="cargo leptos build --release --precompress --split"
  [ -x "$server_bin" ] || die "no server binary at $server_bin ($build)"
  [ -d "$site_root/pkg" ] || die "no built site at $site_root ($build)"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "127.0.0.1:$port is already in use: stop what listens there first"
  fi
}

# log_in BASE WORK USER PASSWORD: logs USER in at BASE as a browser without
# JavaScript does (an url-encoded POST to the log-in form's action,
# /api/log_in), checks that `/` then shows the account, and prints the
# session cookie ("hearth_session=..."). Leaves the signed-in feed page in
# WORK/feed.html. Exits the script if any step fails.
log_in() {
  local base="$1" work="$2" user="$3" password="$4"
  local login_path
  login_path="$(curl -fsS "$base/" | grep -o 'action="/api/log_in[^"]*"' | head -n 1 | sed 's/^action="//; s/"$//')"
  [ -n "$login_path" ] || die "no log-in form on $base/ (looked for action=\"/api/log_in...\")"
  log "logging in as $user (POST $login_path)"
  curl -sS -o "$work/login.body" -D "$work/login.headers" \
    -H "Origin: $base" -H "Referer: $base/" \
    --data-urlencode "login=$user" --data-urlencode "password=$password" \
    "$base$login_path"
  local cookie
  cookie="$(grep -i '^set-cookie: hearth_session=' "$work/login.headers" | tail -n 1 | sed 's/^[^:]*: *//; s/;.*$//' | tr -d '\r')"
  if [ -z "$cookie" ]; then
    cat "$work/login.headers" "$work/login.body" >&2
    die "the log-in set no session cookie"
  fi
  # Signed in: the page names the account (the signed-out page doesn't).
  local status
  status="$(curl -sS -o "$work/feed.html" -w '%{http_code}' -H "Cookie: $cookie" "$base/")"
  [ "$status" = 200 ] || die "GET / signed in answered $status"
  grep -q "$user" "$work/feed.html" || die "GET / with the session cookie doesn't look signed in as $user"
  log "signed in; the feed page is $(wc -c <"$work/feed.html") bytes"
  printf '%s\n' "$cookie"
}

# start_demo_server SERVER_BIN SITE_ROOT WORK PORT: loads the demo data
# (`server seed-demo`) into a fresh SQLite database in WORK (on disk, as a
# default install has it), then starts SERVER_BIN on 127.0.0.1:PORT with
# the rate limits off and waits until it is ready. Sets `server_pid`; the
# log goes to WORK/server.log.
start_demo_server() {
  local server_bin="$1" site_root="$2" work="$3" port="$4"
  local db_url="sqlite://$work/hearth.db?mode=rwc"
  log "loading the demo data (server seed-demo) into $work/hearth.db"
  DATABASE_URL="$db_url" HEARTH_MEDIA_URL="$work/media" RUST_LOG="${RUST_LOG:-warn}" \
    "$server_bin" seed-demo | sed 's/^/    /' >&2
  log "server on 127.0.0.1:$port (site $site_root)"
  DATABASE_URL="$db_url" \
    HEARTH_MEDIA_URL="$work/media" \
    HEARTH_UPLOAD_DIR="$work/uploads" \
    HEARTH_OUTBOX_DIR="$work/outbox" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    LEPTOS_SITE_ROOT="$site_root" \
    HEARTH_RATE_LIMITS=off \
    RUST_LOG="${RUST_LOG:-warn}" \
    "$server_bin" >"$work/server.log" 2>&1 &
  server_pid=$!
  wait_for "http://127.0.0.1:$port/readyz" "the server" "$server_pid"
}

# bench_workdir NAME KEEP: makes the benchmark's temp folder `work` (on
# disk, $TMPDIR or /var/tmp, not tmpfs: database writes are part of what is
# measured), sets `server_pid` empty for start_demo_server, and on exit
# stops that server and removes the folder (kept when KEEP is 1). Defines
# show_logs as the server log's last 30 lines.
bench_workdir() {
  work="$(mktemp -d "${TMPDIR:-/var/tmp}/hearth-$1.XXXXXX")"
  bench_keep="$2"
  server_pid=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  show_logs() {
    echo "--- server log (last 30 lines)" >&2
    tail -n 30 "$work/server.log" >&2 || true
  }
}

# shellcheck disable=SC2317  # called from bench_workdir's EXIT trap
bench_cleanup() {
  stop_pid "$server_pid"
  if [ "$bench_keep" = "1" ]; then
    log "kept $work"
  else
    rm -rf "$work"
  fi
}
