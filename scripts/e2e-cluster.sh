#!/usr/bin/env bash
# Hearth as two instances behind nginx, on PostgreSQL and Redis, and the
# Playwright suites against it (docs/deploy.md):
#
#   redis-server :6391 (its own, never the machine's)   aiosmtpd :2526
#   instance 1 127.0.0.1:3201 (metrics :9201) ─┐
#   instance 2 127.0.0.1:3202 (metrics :9202) ─┴─ nginx 127.0.0.1:3200
#   (docs/deploy/nginx.conf), one PostgreSQL database, one media folder.
#
# Then runs (a) the ordinary suite through nginx (`--project chromium`) and
# (b) the cluster spec (`--project cluster`, end2end/tests/cluster.spec.ts),
# which stops Redis and one instance on the way; then stops everything.
# Exit status: the first failing Playwright run's, else 0.
#
# Settings (environment):
#   HEARTH_SERVER_BIN   server binary (default $CARGO_TARGET_DIR/debug/server)
#   LEPTOS_SITE_ROOT    built site (pkg/, ...), passed on when set
#   HEARTH_TEST_POSTGRES_URL  a database to run CREATE DATABASE from
#                       (default postgres://postgres@127.0.0.1:5432/test);
#                       the cluster's is hearth_e2e_cluster beside it
#   HEARTH_CLUSTER_SUITES  which projects to run, in order (default
#                       "chromium cluster"; "cluster" to iterate on it)
#   HEARTH_CLUSTER_KEEP=1  keep the temp folder (logs, Maildir) afterwards
#   HEARTH_CLUSTER_AFTER_PID  a process to wait for before the `cluster`
#                       project, which must run alone: scripts/test.sh runs
#                       the single-instance suite alongside the `chromium`
#                       project and passes that suite's PID here
#   RUST_LOG            the instances' log filter (default warn)
# Extra arguments go to every `npx playwright test` call (e.g. -g presence,
# or a spec file). Playwright's results (traces of failures) go to
# end2end/test-results-cluster/, apart from the single-instance suite's.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$HEARTH_ROOT"
# shellcheck source=scripts/processes.sh
. scripts/processes.sh

log() { printf '[e2e-cluster] %s\n' "$*" >&2; }

server_bin="${HEARTH_SERVER_BIN:-$CARGO_TARGET_DIR/debug/server}"
suites="${HEARTH_CLUSTER_SUITES:-chromium cluster}"
admin_url="${HEARTH_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
db_name="hearth_e2e_cluster"
db_url="${admin_url%/*}/$db_name"
# The ports are those in docs/deploy/nginx.conf (distinct from test.sh's
# single instance on 3100 and its SMTP sink on 2525).
proxy_port=3200
ports=(3201 3202)
metrics_ports=(9201 9202)
redis_port=6391
smtp_port=2526
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

if [ ! -x "$server_bin" ]; then
  log "no server binary at $server_bin (build it, or set HEARTH_SERVER_BIN)"
  exit 1
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if [ "${CI:-}" = "true" ] || [ "${HEARTH_REQUIRE_POSTGRES:-}" = "1" ]; then
    log "PostgreSQL at 127.0.0.1:5432 is unreachable"
    exit 1
  fi
  log "PostgreSQL at 127.0.0.1:5432 is unreachable: skipping the cluster run"
  exit 0
fi
# Anything still listening on our ports (an earlier run cut short) would
# be tested instead of this build.
for port in "$proxy_port" "${ports[@]}" "${metrics_ports[@]}" "$smtp_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "127.0.0.1:$port is already in use: stop what listens there first"
    exit 1
  fi
done

work="$(mktemp -d)"
# nginx's workers run as `nobody` when it is started as root: they must be
# able to reach the prefix folder inside this one.
chmod 755 "$work"
mkdir -p "$work/nginx"
chmod 755 "$work/nginx"
export HEARTH_E2E_MAILDIR="$work/Maildir"

pids=()
smtp_pid=""
nginx_pid=""
redis_start="redis-server --bind 127.0.0.1 --port $redis_port --save '' --appendonly no --daemonize yes --dir '$work' --pidfile '$work/redis.pid' --logfile '$work/redis.log'"
redis_stop="redis-cli -p $redis_port shutdown nosave"

# shellcheck disable=SC2317
cleanup() {
  local pid
  stop_pid "$nginx_pid"
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  stop_pid "$smtp_pid"
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "${HEARTH_CLUSTER_KEEP:-0}" = "1" ]; then
    log "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

show_logs() {
  local i
  for i in 1 2; do
    echo "--- instance $i log (last 50 lines)"
    tail -n 50 "$work/instance$i.log" || true
  done
  echo "--- nginx error log (last 50 lines)"
  tail -n 50 "$work/nginx/error.log" || true
  echo "--- redis log (last 20 lines)"
  tail -n 20 "$work/redis.log" || true
}

log "fresh database $db_name"
psql -q -v ON_ERROR_STOP=1 "$admin_url" \
  -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" \
  -c "CREATE DATABASE $db_name"

log "redis-server on 127.0.0.1:$redis_port"
# A leftover of an earlier run on this port (never the machine's 6379).
redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
eval "$redis_start"
for _ in $(seq 1 50); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$redis_port" ping >/dev/null

log "SMTP sink on 127.0.0.1:$smtp_port"
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$HEARTH_E2E_MAILDIR" \
  >"$work/smtp.log" 2>&1 &
smtp_pid=$!

for i in 1 2; do
  port="${ports[$((i - 1))]}"
  log "instance $i on 127.0.0.1:$port (metrics 127.0.0.1:${metrics_ports[$((i - 1))]})"
  DATABASE_URL="$db_url" \
    HEARTH_REDIS_URL="redis://127.0.0.1:$redis_port/" \
    HEARTH_MEDIA_URL="$work/media" \
    HEARTH_UPLOAD_DIR="$work/uploads" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    HEARTH_METRICS_ADDR="127.0.0.1:${metrics_ports[$((i - 1))]}" \
    HEARTH_SMTP_URL="smtp://127.0.0.1:$smtp_port?tls=none" \
    HEARTH_PUBLIC_URL="http://127.0.0.1:$proxy_port" \
    HEARTH_TRUSTED_PROXIES="127.0.0.1/32" \
    HEARTH_SIGNUPS_PER_IP_HOUR=100000 \
    RUST_LOG="${RUST_LOG:-warn}" \
    "$server_bin" >"$work/instance$i.log" 2>&1 &
  pids+=("$!")
  echo "$!" >"$work/instance$i.pid"
  # Both run migrations at start-up; the second start waits for the first
  # to be ready only to keep the logs apart (they are idempotent anyway).
  wait_for "http://127.0.0.1:$port/readyz" "instance $i" "$!"
done

log "nginx on 127.0.0.1:$proxy_port"
"$nginx_bin" -p "$work/nginx" -e "$work/nginx/error.log" -c "$HEARTH_ROOT/docs/deploy/nginx.conf" \
  -g 'daemon off;' >"$work/nginx/stdout.log" 2>&1 &
nginx_pid=$!
wait_for "http://127.0.0.1:$proxy_port/readyz" "nginx" "$nginx_pid"

export HEARTH_BASE_URL="http://127.0.0.1:$proxy_port"
export HEARTH_CLUSTER_INSTANCE_1="http://127.0.0.1:${ports[0]}"
export HEARTH_CLUSTER_INSTANCE_2="http://127.0.0.1:${ports[1]}"
export HEARTH_CLUSTER_METRICS_1="http://127.0.0.1:${metrics_ports[0]}/metrics"
export HEARTH_CLUSTER_METRICS_2="http://127.0.0.1:${metrics_ports[1]}/metrics"
export HEARTH_CLUSTER_REDIS_STOP="$redis_stop"
export HEARTH_CLUSTER_REDIS_START="$redis_start"
export HEARTH_CLUSTER_STOP_1="kill -TERM \$(cat '$work/instance1.pid')"
export HEARTH_CLUSTER_STOP_2="kill -TERM \$(cat '$work/instance2.pid')"

status=0
for suite in $suites; do
  if [ "$suite" = cluster ] && [ -n "${HEARTH_CLUSTER_AFTER_PID:-}" ]; then
    log "waiting for process $HEARTH_CLUSTER_AFTER_PID to end first"
    while kill -0 "$HEARTH_CLUSTER_AFTER_PID" 2>/dev/null; do sleep 1; done
  fi
  log "Playwright, project $suite, through nginx at $HEARTH_BASE_URL"
  suite_status=0
  (cd end2end && npx playwright test "$@" --project "$suite" --output "test-results-cluster/$suite") ||
    suite_status=$?
  if [ "$suite_status" -ne 0 ] && [ "$status" -eq 0 ]; then
    status=$suite_status
  fi
done
if [ "$status" -ne 0 ]; then
  show_logs
fi
exit "$status"
