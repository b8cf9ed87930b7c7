// Speaker diarization: who speaks when. Turns, RTTM, DER, generated conversations, VAD,
// x-vector embeddings, clustering and the timeline picture.
export { maxWeightAssignment } from "../../train/assignment.js";
export * from "./cluster.js";
export * from "./conversation.js";
export * from "./conversation-set.js";
export * from "./data.js";
export * from "./der.js";
export * from "./diarize.js";
export * from "./folder.js";
export * from "./rttm.js";
export * from "./timeline-svg.js";
export * from "./turns.js";
export * from "./vad.js";
export * from "./xvector.js";
