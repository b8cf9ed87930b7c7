// The scene generator and scene sets on disk.
export * from "./centernet-decode.js";
export * from "./centernet-loss.js";
export * from "./centernet-targets.js";
export { COLOR_NAMES, type ColorName, colorName } from "./colors.js";
export * from "./dataset.js";
export * from "./demo-html.js";
export * from "./detection-metrics.js";
export * from "./draw.js";
export * from "./generate.js";
export * from "./loader.js";
export * from "./metrics.js";
export * from "./objects.js";
export { cropResize, maskBox, renderSprite, type Sprite } from "./raster.js";
export * from "./scene-graph.js";
export * from "./task-data.js";
