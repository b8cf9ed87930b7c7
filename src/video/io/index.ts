// Video I/O through ffmpeg: probe, streamed decode, atomic encode.

export { FFMPEG_TOOLS } from "../../io/ffmpeg.js";
export * from "./probe.js";
export * from "./read.js";
export * from "./write.js";
