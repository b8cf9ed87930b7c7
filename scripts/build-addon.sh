#!/usr/bin/env bash
# Builds the native addons (node-gyp, native/*.cc → build/Release/*.node) when they are missing or
# older than their sources; nothing to do takes milliseconds. Used by scripts/setup.sh and by
# scripts/build-package.sh (npm's prepack). libtorch: FLAMBEAU_TORCH_INCLUDE / FLAMBEAU_TORCH_LIB
# (setup.sh sets them from LIBTORCH), else Debian's. The c10d addon is built when Gloo's headers
# are installed (libgloo-dev; binding.gyp's with_gloo).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[flambeau build-addon] %s\n' "$*" >&2; }

addon=build/Release/flambeau.node
gloo=0
[ -f "${FLAMBEAU_GLOO_INCLUDE:-/usr/include}/gloo/allreduce.h" ] && gloo=1
if [ ! -f "$addon" ] || { [ "$gloo" = 1 ] && [ ! -f build/Release/flambeau_distributed.node ]; } ||
  [ -n "$(find native binding.gyp -newer "$addon" 2>/dev/null | head -n 1)" ]; then
  say "building the native addon (node-gyp; about a minute)"
  nodedir=()
  [ -f /usr/include/node/node_api.h ] && nodedir=(--nodedir=/usr)
  npx --no-install node-gyp rebuild "${nodedir[@]}" -j 2 >&2 || { say "native build failed"; exit 1; }
fi
