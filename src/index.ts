// flambeau: deep learning for TypeScript on PyTorch's engine.
export * from "./core/index.js";
