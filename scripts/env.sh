# Shared environment for Hearth's scripts; source it, don't run it.
# One build cache outside the clone (CARGO_TARGET_DIR), so fresh clones
# (and CI) reuse it, and the tools that scripts/setup.sh installs on PATH.
HEARTH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HEARTH_TOOLS_DIR="${HEARTH_TOOLS_DIR:-$HOME/.cache/hearth-tools}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hearth-target}"
export PATH="$HEARTH_TOOLS_DIR/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export HEARTH_ROOT HEARTH_TOOLS_DIR
