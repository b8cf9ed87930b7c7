// Multi-object tracking: SORT's Kalman box filter, exact Hungarian assignment, the SORT,
// DeepSORT-style and IoU-only trackers, a single-object template tracker, and CLEAR MOT / IDF1.

export { type Assignment, linearSumAssignment } from "../../train/assignment.js";
export * from "./boxes.js";
export * from "./crops.js";
export * from "./deepsort.js";
export * from "./iou-tracker.js";
export * from "./kalman.js";
export * from "./mot-metrics.js";
export * from "./sort.js";
export * from "./template.js";
export * from "./types.js";
