// flambeau: deep learning for TypeScript on PyTorch's engine.
export * from "./core/index.js";
export * as data from "./data/index.js";
export * as io from "./io/index.js";
export { load, save } from "./io/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as train from "./train/index.js";
