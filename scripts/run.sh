#!/usr/bin/env bash
# Builds Hearth (release) and serves it at http://127.0.0.1:3000 on the
# embedded SQLite default (data/hearth.db, created on first run).
# Configuration: see README.md. Installs what is missing first.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$HEARTH_ROOT"
HEARTH_SETUP_E2E=0 bash scripts/setup.sh
# --precompress: brotli and gzip copies of the site files, served as they are.
exec cargo leptos serve --release --precompress --split
