#!/usr/bin/env node
// npm's install step for the flambeau package. npm 11 runs it only once approved
// (`npm install-scripts approve flambeau`, or "allowScripts" in package.json), and nothing
// depends on it where the shipped addon works: prebuilds/linux-x64 is built against Debian's
// libtorch 1.13 and loads as is. When it does not load here (another libtorch, another
// platform) or LIBTORCH / FLAMBEAU_BUILD_FROM_SOURCE=1 is set, this builds build/Release/*.node
// with node-gyp against $LIBTORCH or the system's libtorch. No libtorch at all: one message
// with the line that installs it, and a failed install (npm prints a failed script's output only).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const say = (s) => process.stderr.write(`[flambeau install] ${s}\n`);
const FIX =
  "install libtorch (Debian/Ubuntu: sudo apt-get install libtorch-dev) or point LIBTORCH at a libtorch 1.13 distribution, " +
  "then run: npm install-scripts approve flambeau && npm rebuild flambeau";

// A source checkout (npm ci runs the root project's own install script) builds with scripts/setup.sh.
if (existsSync(join(root, "src")) && existsSync(join(root, "tsconfig.json"))) process.exit(0);

/** Whether `file` loads in a fresh process (libtorch and its libraries found, same ABI). */
const loads = (file) =>
  existsSync(file) && spawnSync(process.execPath, ["-e", `require(${JSON.stringify(file)})`], { stdio: "ignore" }).status === 0;

const platform = `${process.platform}-${process.arch}`;
const fromSource = Boolean(process.env.LIBTORCH) || process.env.FLAMBEAU_BUILD_FROM_SOURCE === "1";
if (!fromSource) {
  if (loads(join(root, "build", "Release", "flambeau.node"))) process.exit(0);
  if (loads(join(root, "prebuilds", platform, "flambeau.node"))) {
    say(`using the prebuilt addon (${platform}, Debian's libtorch 1.13)`);
    process.exit(0);
  }
}

const TRIPLET = { x64: "x86_64-linux-gnu", arm64: "aarch64-linux-gnu" }[process.arch] ?? "";
const include = process.env.LIBTORCH ? join(process.env.LIBTORCH, "include") : "/usr/include";
const lib = process.env.LIBTORCH ? join(process.env.LIBTORCH, "lib") : `/usr/lib/${TRIPLET}`;
if (!existsSync(join(include, "torch", "script.h"))) {
  say(`libtorch not found (no ${join(include, "torch", "script.h")}): ${FIX}`);
  process.exit(1);
}

// npm hands its own node-gyp to lifecycle scripts; a plain `node scripts/install.js` looks for one.
let gyp = process.env.npm_config_node_gyp;
if (!gyp) {
  try {
    gyp = createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
  } catch {
    say(
      "node-gyp not found: run this through npm (npm install-scripts approve flambeau && npm rebuild flambeau) or npm install -g node-gyp",
    );
    process.exit(1);
  }
}
// Node's headers: Debian's nodejs package or an official build's own include/ (no download).
const prefix = dirname(dirname(process.execPath));
const nodedir = existsSync("/usr/include/node/node_api.h") ? "/usr" : existsSync(join(prefix, "include/node/node_api.h")) ? prefix : "";

say(`building the native addon against ${include} (node-gyp; a few minutes)`);
const r = spawnSync(process.execPath, [gyp, "rebuild", "-j", "max", ...(nodedir ? [`--nodedir=${nodedir}`] : [])], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, FLAMBEAU_TORCH_INCLUDE: include, FLAMBEAU_TORCH_LIB: lib },
});
if (r.status !== 0 || !loads(join(root, "build", "Release", "flambeau.node"))) {
  say(`building the native addon failed (see above): ${FIX}`);
  process.exit(1);
}
say("built build/Release/flambeau.node");
