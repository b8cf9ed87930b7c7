export * from "./mask-folder.js";
export * from "./open.js";
export * from "./palette.js";
export * from "./scene-builder.js";
export * from "./voc.js";
export * from "./yolo.js";
