#!/usr/bin/env node
// The `flambeau` command (compiled from src/cli/main.ts; run `npm run setup` once to build).
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
