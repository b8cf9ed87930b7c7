// `npm run bench`: every benchmark in one run, each printing its table of ratios.
await import("./engine.js");
await import("./training.js");
await import("./graph.js");
await import("./kv-cache.js");
