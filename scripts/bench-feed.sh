#!/usr/bin/env bash
# Feed benchmark on PostgreSQL: `wrk` against the feed page `/`, signed in
# as the demo user elza_doyle_0, with one Hearth instance or two sharing
# PostgreSQL and Redis behind nginx (docs/bench.md, "Feed on PostgreSQL").
#
#   scripts/bench-feed.sh 1   # one instance on 127.0.0.1:3301, wrk straight at it
#   scripts/bench-feed.sh 2   # instances on :3301 and :3302, nginx on :3300
#                             # (a copy of docs/deploy/nginx.conf with these ports)
#
# It builds nothing. Build the release server first:
#
#   . scripts/env.sh && cargo build --release -p server
#
# (`cargo leptos build --release` builds the same binary, plus the site:
# wasm, CSS, images.) The feed page is rendered on the server, so `/`
# answers the same without the built site; wrk fetches only the HTML, not
# the assets. LEPTOS_SITE_ROOT is passed on when set.
#
# Each run: a fresh PostgreSQL database (dropped at the end), the demo data
# (`server seed-demo`), the instance(s) with HEARTH_RATE_LIMITS=off and,
# for two, HEARTH_REDIS_URL with a random HEARTH_REDIS_NAMESPACE (its keys
# deleted at the end); log-in as the browser does (a form POST to the
# LogIn server function, whose URL is read from the log-in form on `/`);
# then
#   wrk -t2 -c64 -d15s --latency --timeout 30s -H "Cookie: hearth_session=..." URL/
# and prints wrk's output, then one line: req/s, p50, p99, and the CPU
# the instance(s), nginx's workers and the run database's PostgreSQL
# backends used during the run (% of one core), and how busy the whole
# machine was. wrk, the instance(s), nginx and PostgreSQL share the
# machine's cores.
#
# Settings (environment):
#   HEARTH_SERVER_BIN        server binary (default $CARGO_TARGET_DIR/release/server)
#   HEARTH_BENCH_POSTGRES_URL  a database to run CREATE DATABASE from
#                            (default $HEARTH_TEST_POSTGRES_URL, else
#                            postgres://postgres@127.0.0.1:5432/test)
#   HEARTH_BENCH_REDIS_URL   Redis for two instances (default redis://127.0.0.1:6379/)
#   BENCH_FEED_PROXY=1       nginx in front of a single instance too (on :3300),
#                            to compare like with like
#   BENCH_FEED_USER          who logs in (default elza_doyle_0)
#   WRK_THREADS / WRK_CONNECTIONS / WRK_DURATION   (default 2 / 64 / 15s)
#   BENCH_FEED_KEEP=1        keep the temp folder (logs) afterwards
#   RUST_LOG                 the instances' log filter (default warn)
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$HEARTH_ROOT"
# shellcheck source=scripts/processes.sh
. scripts/processes.sh

log() { printf '[bench-feed] %s\n' "$*" >&2; }

instances="${1:-}"
case "$instances" in
  1 | 2) ;;
  *)
    echo "usage: $0 1|2   (instances; see the header of this script)" >&2
    exit 2
    ;;
esac

server_bin="${HEARTH_SERVER_BIN:-$CARGO_TARGET_DIR/release/server}"
admin_url="${HEARTH_BENCH_POSTGRES_URL:-${HEARTH_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}}"
redis_url="${HEARTH_BENCH_REDIS_URL:-redis://127.0.0.1:6379/}"
user="${BENCH_FEED_USER:-$DEMO_USER}"
password="$DEMO_PASSWORD"
threads="${WRK_THREADS:-2}"
connections="${WRK_CONNECTIONS:-64}"
duration="${WRK_DURATION:-15s}"
proxy_port=3300
ports=(3301 3302)
ports=("${ports[@]:0:$instances}")
use_proxy=0
if [ "$instances" -gt 1 ] || [ "${BENCH_FEED_PROXY:-0}" = "1" ]; then
  use_proxy=1
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

[ -x "$server_bin" ] || die "no server binary at $server_bin (cargo build --release -p server, or set HEARTH_SERVER_BIN)"
command -v psql >/dev/null || die "psql is missing (apt-get install postgresql-client)"
psql -q -At "$admin_url" -c 'SELECT 1' >/dev/null || die "PostgreSQL at $admin_url is unreachable"
if [ "$use_proxy" = 1 ] && [ ! -x "$nginx_bin" ]; then
  die "nginx is missing (apt-get install nginx)"
fi
if [ "$instances" -gt 1 ]; then
  command -v redis-cli >/dev/null || die "redis-cli is missing (apt-get install redis-tools)"
  [ "$(redis-cli -u "$redis_url" ping 2>/dev/null)" = "PONG" ] || die "Redis at $redis_url doesn't answer"
fi
require_package wrk wrk
# Something still listening on our ports (an earlier run cut short) would
# be measured instead.
for port in "$proxy_port" "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "127.0.0.1:$port is already in use: stop what listens there first"
  fi
done

work="$(mktemp -d)"
# nginx's workers run as `nobody` when started as root.
chmod 755 "$work"
mkdir -p "$work/nginx"
chmod 755 "$work/nginx"
db_name="hearth_feed_$$_$(date +%s%N)"
db_url="${admin_url%/*}/$db_name"
namespace="hearth_feed_$$_$(date +%s%N)"
pids=()
nginx_pid=""
db_created=0

cleanup() {
  local pid
  stop_pid "$nginx_pid"
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  if [ "$db_created" = 1 ]; then
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1 ||
      log "couldn't drop database $db_name"
  fi
  if [ "$instances" -gt 1 ]; then
    redis-cli -u "$redis_url" --scan --pattern "$namespace:*" 2>/dev/null |
      xargs -r -n 500 redis-cli -u "$redis_url" del >/dev/null 2>&1 || true
  fi
  if [ "${BENCH_FEED_KEEP:-0}" = "1" ]; then
    log "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_logs() {
  local i
  for i in $(seq 1 "$instances"); do
    echo "--- instance $i log (last 30 lines)" >&2
    tail -n 30 "$work/instance$i.log" >&2 || true
  done
  if [ "$use_proxy" = 1 ]; then
    echo "--- nginx error log (last 30 lines)" >&2
    tail -n 30 "$work/nginx/error.log" >&2 || true
  fi
}

# CPU time of a process (user + system, clock ticks); 0 once it is gone.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Machine-wide CPU ticks: "busy total" (busy = all but idle and iowait).
machine_ticks() {
  awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}

# PostgreSQL backends serving the run's database.
pg_backends() {
  psql -At "$admin_url" -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db_name'" 2>/dev/null || true
}

# percent TICKS: TICKS of CPU time over the wrk run, in % of one core.
percent() {
  awk -v t="$1" -v hz="$hz" -v ns="$wall_ns" 'BEGIN { printf "%.0f%%", t * 100 / hz / (ns / 1e9) }'
}

log "fresh database $db_name"
psql -q -v ON_ERROR_STOP=1 "$admin_url" -c "CREATE DATABASE $db_name"
db_created=1

log "loading the demo data (server seed-demo)"
seed_started=$(date +%s%N)
DATABASE_URL="$db_url" HEARTH_MEDIA_URL="$work/media" RUST_LOG="${RUST_LOG:-warn}" \
  "$server_bin" seed-demo | sed 's/^/[bench-feed]   /' >&2
log "seeded in $(awk -v a="$seed_started" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"

for i in $(seq 1 "$instances"); do
  port="${ports[$((i - 1))]}"
  log "instance $i on 127.0.0.1:$port"
  env_extra=()
  if [ "$instances" -gt 1 ]; then
    env_extra+=(HEARTH_REDIS_URL="$redis_url" HEARTH_REDIS_NAMESPACE="$namespace")
  fi
  if [ "$use_proxy" = 1 ]; then
    env_extra+=(HEARTH_TRUSTED_PROXIES="127.0.0.1/32")
  fi
  env DATABASE_URL="$db_url" \
    HEARTH_MEDIA_URL="$work/media" \
    HEARTH_UPLOAD_DIR="$work/uploads" \
    HEARTH_OUTBOX_DIR="$work/outbox" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    HEARTH_RATE_LIMITS=off \
    RUST_LOG="${RUST_LOG:-warn}" \
    "${env_extra[@]}" \
    "$server_bin" >"$work/instance$i.log" 2>&1 &
  pids+=("$!")
  wait_for "http://127.0.0.1:$port/readyz" "instance $i" "$!"
done

target_port="${ports[0]}"
if [ "$use_proxy" = 1 ]; then
  log "nginx on 127.0.0.1:$proxy_port (docs/deploy/nginx.conf, ports changed)"
  # The template's upstreams are 127.0.0.1:3201 and :3202 and it listens
  # on :3200; a single instance keeps only the first upstream.
  sed -e "s/127\.0\.0\.1:3200/127.0.0.1:$proxy_port/" \
    -e "s/127\.0\.0\.1:3201/127.0.0.1:${ports[0]}/" \
    -e "s/127\.0\.0\.1:3202/127.0.0.1:${ports[1]:-3302}/" \
    docs/deploy/nginx.conf >"$work/nginx.conf"
  if [ "$instances" = 1 ]; then
    sed -i "/server 127\.0\.0\.1:3302 /d" "$work/nginx.conf"
  fi
  "$nginx_bin" -t -q -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx.conf" ||
    die "nginx refused the generated configuration ($work/nginx.conf)"
  "$nginx_bin" -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx.conf" \
    -g 'daemon off;' >"$work/nginx/stdout.log" 2>&1 &
  nginx_pid=$!
  wait_for "http://127.0.0.1:$proxy_port/readyz" "nginx" "$nginx_pid"
  target_port="$proxy_port"
fi
base="http://127.0.0.1:$target_port"

cookie="$(log_in "$base" "$work" "$user" "$password")"

declare -A cpu_before
watched=("${pids[@]}")
if [ -n "$nginx_pid" ]; then
  # nginx's workers do the proxying (the master only supervises).
  mapfile -t workers < <(pgrep -P "$nginx_pid" || true)
  watched+=("${workers[@]}")
fi
mapfile -t pg_before < <(pg_backends)
watched+=("${pg_before[@]}")
for pid in "${watched[@]}"; do cpu_before[$pid]=$(cpu_ticks "$pid"); done
read -r busy_before total_before < <(machine_ticks)

log "wrk -t$threads -c$connections -d$duration --latency --timeout 30s $base/"
wrk_started=$(date +%s%N)
wrk -t"$threads" -c"$connections" -d"$duration" --latency --timeout 30s \
  -H "Cookie: $cookie" "$base/" | tee "$work/wrk.txt"
wall_ns=$(($(date +%s%N) - wrk_started))
read -r busy_after total_after < <(machine_ticks)

hz=$(getconf CLK_TCK)
cpu_report=""
for i in $(seq 1 "$instances"); do
  pid="${pids[$((i - 1))]}"
  used=$(($(cpu_ticks "$pid") - ${cpu_before[$pid]}))
  cpu_report+="instance $i $(percent "$used"), "
done
if [ -n "$nginx_pid" ]; then
  used=0
  for pid in "${workers[@]}"; do
    used=$((used + $(cpu_ticks "$pid") - ${cpu_before[$pid]}))
  done
  cpu_report+="nginx $(percent "$used"), "
fi
used=0
while read -r pid; do
  [ -n "$pid" ] || continue
  used=$((used + $(cpu_ticks "$pid") - ${cpu_before[$pid]:-0}))
done < <(pg_backends)
cpu_report+="PostgreSQL backends $(percent "$used")"
cpu_report+=" of one core; the machine was $(awk -v b=$((busy_after - busy_before)) -v t=$((total_after - total_before)) 'BEGIN { printf "%.0f%%", b * 100 / t }') busy"

rps="$(awk '/^Requests\/sec:/ { print $2 }' "$work/wrk.txt")"
p50="$(awk '$1 == "50%" { print $2 }' "$work/wrk.txt")"
p99="$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")"
non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$work/wrk.txt")"
errors="$(grep '^  Socket errors:' "$work/wrk.txt" || true)"
label="$instances instance"
[ "$instances" = 1 ] || label+="s"
[ "$use_proxy" = 0 ] || label+=" behind nginx"
echo
echo "feed (GET / signed in as $user), PostgreSQL, $label, wrk -t$threads -c$connections -d$duration on $(nproc) cores shared with the servers:"
echo "  $rps req/s, p50 $p50, p99 $p99; CPU: $cpu_report${non2xx:+; NON-2xx/3xx ANSWERS: $non2xx}${errors:+;$errors}"
if grep -qE ' (WARN|ERROR) ' "$work"/instance*.log; then
  log "warnings in the server logs:"
  grep -hE ' (WARN|ERROR) ' "$work"/instance*.log | sort | uniq -c | sort -rn | head -n 10 >&2
fi
if [ -n "$non2xx" ] || [ -n "$errors" ]; then
  exit 1
fi
