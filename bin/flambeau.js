#!/usr/bin/env node
// The `flambeau` command (compiled from src/cli/main.ts; in a checkout, run `npm run setup` once to build).
import module from "node:module";

// Node ≥ 22.1 keeps V8's compiled code between runs; older Node has no such switch.
module.enableCompileCache?.();
const { main } = await import("../dist/src/cli/main.js");
process.exitCode = await main(process.argv.slice(2));
