// Video I/O through ffmpeg: probe, streamed decode, atomic encode.

export { VIDEO_TOOLS } from "./ffmpeg.js";
export * from "./probe.js";
export * from "./read.js";
export * from "./write.js";
