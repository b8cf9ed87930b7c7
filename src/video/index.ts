// Video: I/O through ffmpeg, generated labelled clips, user video folders, and the video tasks.

export * from "./annotate.js";
export * from "./data/index.js";
export * from "./io/index.js";
export * from "./models/factorised-cnn.js";
export * from "./models/frame-transformer.js";
export * from "./models/window-sr.js";
export * from "./prediction/index.js";
export * as tracking from "./tracking/index.js";
export * from "./upscale.js";
