// Video data: generated labelled clips and folders of the user's own videos.
export * from "./actions.js";
export * from "./clip-captions.js";
export * from "./clips.js";
export * from "./footage.js";
export * from "./moving-mnist.js";
export * from "./panned.js";
export * from "./video-folder.js";
