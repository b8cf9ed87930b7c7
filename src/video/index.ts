// Video: I/O through ffmpeg, generated labelled clips, user video folders, and the video tasks.
export * from "./io/index.js";
