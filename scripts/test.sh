#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, clippy (server and wasm
# builds, warnings denied), unit and integration tests (SQLite, and
# PostgreSQL when reachable; required when CI=true), then the Playwright
# suite in Debian's Chromium against a freshly built server on a fresh
# database. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$HEARTH_ROOT"

step() { printf '\n=== %s\n' "$*"; }

step "set-up"
bash scripts/setup.sh

export HEARTH_TEST_POSTGRES_URL="${HEARTH_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if [ "${CI:-}" = "true" ]; then
  export HEARTH_REQUIRE_POSTGRES=1
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    step "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi

step "cargo fmt --check, leptosfmt --check"
cargo fmt --all -- --check
# rustfmt leaves macro bodies alone; leptosfmt formats the view! ones.
leptosfmt --check app frontend

step "clippy (ssr)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets -- -D warnings
cargo clippy -p bench --all-targets -- -D warnings

step "clippy (hydrate, wasm32)"
cargo clippy -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

step "unit and integration tests"
# Build first, then run each suite under a deadline: a test that hangs
# fails its suite in minutes instead of using up CI's time. (-k: the test
# servers treat SIGTERM as "shut down gracefully", so follow with SIGKILL.)
cargo test -p app --features ssr --no-run
cargo test -p server --no-run
cargo test -p bench --no-run
timeout -k 10 10m cargo test -p app --features ssr
timeout -k 10 15m cargo test -p server
# The same integration suite again with every test app on a fresh
# PostgreSQL database of its own (server/tests/api/helpers.rs): only the
# backend differs. Always under CI; elsewhere skipped without PostgreSQL.
if [ "${CI:-}" = "true" ] || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  HEARTH_TEST_BACKEND=postgres timeout -k 10 15m cargo test -p server
else
  echo "PostgreSQL unreachable at 127.0.0.1:5432: skipping the PostgreSQL run of the server tests"
fi
timeout -k 10 10m cargo test -p bench

step "end-to-end (Playwright, Chromium), one instance on SQLite"
# The site and the server binary Playwright uses go to target/e2e/ in this
# clone: target/site stays whatever `scripts/run.sh` (release) last built,
# so a running site is never disturbed, and a later cargo build in the
# shared $CARGO_TARGET_DIR (another clone's, or `cargo test`) can't swap
# the binary under the tests.
e2e_root="$HEARTH_ROOT/target/e2e"
mkdir -p "$e2e_root"
LEPTOS_SITE_ROOT="$e2e_root/site" cargo leptos build --split
cp "$CARGO_TARGET_DIR/debug/server" "$e2e_root/server"
# The hashed names of the wasm, JS and CSS files (Cargo.toml's hash-files),
# which the server reads beside its binary.
cp "$CARGO_TARGET_DIR/debug/hash.txt" "$e2e_root/hash.txt"
export LEPTOS_SITE_ROOT="$e2e_root/site" HEARTH_SERVER_BIN="$e2e_root/server"
e2e_dir="$(mktemp -d)"
port="${HEARTH_E2E_PORT:-3100}"
smtp_port="${HEARTH_E2E_SMTP_PORT:-2525}"
export HEARTH_BASE_URL="http://127.0.0.1:$port"
# Mail goes through a real SMTP server (Debian's python3-aiosmtpd), which
# keeps it in a Maildir the browser tests read.
export HEARTH_E2E_MAILDIR="$e2e_dir/Maildir"
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$HEARTH_E2E_MAILDIR" \
  >"$e2e_dir/smtp.log" 2>&1 &
smtp_pid=$!
DATABASE_URL="sqlite://$e2e_dir/e2e.db?mode=rwc" HEARTH_MEDIA_URL="$e2e_dir/media" HEARTH_UPLOAD_DIR="$e2e_dir/uploads" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  HEARTH_SMTP_URL="smtp://127.0.0.1:$smtp_port?tls=none" HEARTH_PUBLIC_URL="$HEARTH_BASE_URL" \
  HEARTH_SIGNUPS_PER_IP_HOUR=100000 \
  RUST_LOG="${RUST_LOG:-warn}" "$HEARTH_SERVER_BIN" >"$e2e_dir/server.log" 2>&1 &
server_pid=$!
cleanup() {
  kill "$server_pid" "$smtp_pid" 2>/dev/null || true
  wait "$server_pid" "$smtp_pid" 2>/dev/null || true
  rm -rf "$e2e_dir"
}
trap cleanup EXIT
# The single-instance suite runs in the background, its lines marked
# "[one instance]", while scripts/e2e-cluster.sh runs the same suite through
# nginx in front of two instances on PostgreSQL and Redis (its own ports,
# database, Redis and SMTP sink); the script then waits for the first to end
# before its `cluster` project (end2end/tests/cluster.spec.ts, which stops
# Redis and an instance on the way), so that one runs alone. Each suite
# drives one browser at a time; the two together fit the 2 cores.
(
  cd end2end
  npx playwright test --project chromium 2>&1 | sed -u 's/^/[one instance] /'
  exit "${PIPESTATUS[0]}"
) &
single_pid=$!

step "end-to-end, two instances behind nginx on PostgreSQL and Redis (docs/deploy.md)"
cluster_status=0
HEARTH_CLUSTER_AFTER_PID="$single_pid" bash scripts/e2e-cluster.sh || cluster_status=$?
status=0
wait "$single_pid" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- single-instance server log (last 50 lines)"
  tail -n 50 "$e2e_dir/server.log"
fi
[ "$status" -ne 0 ] || status="$cluster_status"
exit "$status"
