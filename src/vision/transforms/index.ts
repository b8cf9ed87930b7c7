// Image transforms on tensors ([C, H, W] or batched [N, C, H, W]).
export * from "./color.js";
export * from "./geometry.js";
export * from "./mix.js";
export * from "./random.js";
export * from "./resize.js";
export * from "./scene-augment.js";
