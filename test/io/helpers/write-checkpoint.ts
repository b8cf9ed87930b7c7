// Child process for the kill-mid-write test: writes a big checkpoint over `path`.
// Usage: node write-checkpoint.js <path> <megabytes>
import * as fl from "flambeau";

const [path, mb] = process.argv.slice(2);
const model = new Map<string, fl.Tensor>();
for (let i = 0; i < Number(mb); i++) model.set(`layer${i}.weight`, fl.full([256 * 1024], i));
await fl.io.saveCheckpoint(path!, { model, epoch: 99 });
