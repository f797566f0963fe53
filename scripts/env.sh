# Sourced by the other scripts: the environment every build and test step shares.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
# npm's binaryen (wasm-opt 132) must win over any Debian wasm-opt: Debian's 108 breaks the wasm.
export PATH="$ROOT/scripts/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Trunk would otherwise look online for a newer version of itself.
export TRUNK_SKIP_VERSION_CHECK=true
export CHROMEDRIVER=/usr/bin/chromedriver
