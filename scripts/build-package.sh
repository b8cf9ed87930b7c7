#!/usr/bin/env bash
# npm's prepack: what the npm package ships, built from a checkout. dist/src from src/ alone
# (tsconfig.build.json: no tests, no benchmarks), the task catalog beside it, the browser page
# of `flambeau export --web` and the studio's (dist/web/onnx, dist/web/studio), and the native
# addons prebuilt for linux-x64 against Debian's libtorch 1.13 (prebuilds/linux-x64), which
# an installed package loads without building anything (scripts/install.js rebuilds only when
# they do not load there).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[flambeau prepack] %s\n' "$*" >&2; }

say "compiling src/ (tsconfig.build.json)"
rm -rf dist/src
npx --no-install tsc -p tsconfig.build.json >&2
node --input-type=module -e 'await (await import("./dist/src/tasks/catalog.js")).taskCatalog()' >&2
[ -f dist/src/tasks/catalog.json ] || { say "the task catalog was not written"; exit 1; }
# The pages of `flambeau export --web` and `flambeau studio`, bundled here (esbuild is a
# devDependency), so an installed package needs no esbuild.
rm -rf dist/web
node scripts/build-web.js
for f in onnx/index.html onnx/app.js studio/index.html studio/app.js studio/app.css; do
  [ -f "dist/web/$f" ] || { say "the browser page's dist/web/$f was not built"; exit 1; }
done

bash scripts/build-addon.sh
# Only an addon linked against Debian's libtorch is a prebuilt for others; one built against
# $LIBTORCH would point at this machine's copy.
# ldd names the directory as ld.so.cache lists it: /lib/x86_64-linux-gnu on some merged-/usr
# machines, /usr/lib/x86_64-linux-gnu on others, so compare the resolved directories.
torch_cpu=$(ldd build/Release/flambeau.node | awk '$1 == "libtorch_cpu.so.1.13" { print $3 }')
if [ -z "$torch_cpu" ] || [ "$(readlink -f "$(dirname "$torch_cpu")")" != "$(readlink -f /usr/lib/x86_64-linux-gnu)" ]; then
  say "build/Release/flambeau.node is not linked against Debian's libtorch 1.13 (ldd: '${torch_cpu:-not found}'; built with LIBTORCH?): rebuild without LIBTORCH to pack"
  exit 1
fi
rm -rf prebuilds
mkdir -p prebuilds/linux-x64
cp build/Release/flambeau.node prebuilds/linux-x64/
[ -f build/Release/flambeau_distributed.node ] && cp build/Release/flambeau_distributed.node prebuilds/linux-x64/
say "dist/src and prebuilds/linux-x64 ready"
