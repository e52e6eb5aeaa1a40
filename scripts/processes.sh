# shellcheck shell=bash
# Helpers for the scripts that start servers (e2e-cluster.sh,
# bench-feed.sh, bench/feed.sh): sourced, not run. The caller defines
# `log MESSAGE` and `show_logs` (what to print when a process fails to
# come up).

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

# require_wrk: installs Debian's wrk when it is missing (or dies).
require_wrk() {
  command -v wrk >/dev/null && return 0
  log "installing wrk"
  local sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y -q wrk >/dev/null 2>&1 ||
    { "${sudo_cmd[@]}" apt-get update -q >/dev/null && "${sudo_cmd[@]}" apt-get install -y -q wrk >/dev/null; } ||
    die "couldn't install wrk"
}
