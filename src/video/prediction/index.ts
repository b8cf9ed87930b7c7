// Future frames and in-between frames: ConvLSTM / PredRNN forecasters, the flow-based
// interpolator, backward warping, their metrics, and PNG strips of frames.
export * from "./conv-lstm-cell.js";
export * from "./encoder-forecaster.js";
export * from "./flow-interpolator.js";
export * from "./frame-strip.js";
export * from "./metrics.js";
export * from "./predrnn.js";
export * from "./st-lstm-cell.js";
export * from "./warp.js";
