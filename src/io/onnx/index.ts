// ONNX export: trace a module's forward, write the graph with its weights and metadata.

export { readOnnxMetadata } from "./metadata.js";
export { encodeModel, type ModelProto, ONNX_DTYPE } from "./proto.js";
export { type ExportOptions, exportOnnx, IR_VERSION, OPSET } from "./trace.js";
