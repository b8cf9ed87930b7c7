// Speaker diarization: who speaks when. Turns, RTTM, DER, generated conversations, VAD,
// x-vector embeddings, clustering and the timeline picture.
export * from "./assignment.js";
export * from "./der.js";
export * from "./rttm.js";
export * from "./turns.js";
