// The io layer: safetensors files, training checkpoints and ONNX export.

export { writeTextAtomic } from "./atomic.js";
export { CHECKPOINT_FORMAT, type Checkpoint, loadCheckpoint, type OptimizerStateDictLike, saveCheckpoint } from "./checkpoint.js";
export { describeWeightsReport, type KeyRename, type LoadWeightsOptions, loadWeights, type WeightsReport } from "./load-weights.js";
export { type ExportOptions as OnnxExportOptions, exportOnnx, OPSET as ONNX_OPSET, readOnnxMetadata } from "./onnx/index.js";
export { dequantizeInt8, dequantizeWeights, INT8_SCALE_SUFFIX, quantizeInt8 } from "./quantized-weights.js";
export {
  type Deserialized,
  deserialize,
  load,
  loadWithMetadata,
  MAX_HEADER_BYTES,
  type Metadata,
  save,
  serialize,
  type TensorMap,
} from "./safetensors.js";
