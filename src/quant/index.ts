// fl.quantization: int8 inference on libtorch's quantized kernels (torch.ao.quantization's names).
export { quantizedEngine, reduceRangeFor, setQuantizedEngine, supportedQuantizedEngines } from "./engine.js";
export { fakeQuantizePerChannel, fakeQuantizePerTensor, fakeQuantizeWeight } from "./fake-quant.js";
export { DeQuantStub, DynamicQuantizedLinear, QuantizedConv2d, QuantizedLinear, QuantStub, quantizeWeight } from "./modules.js";
export { calculateQParams, MinMaxObserver, MovingAverageMinMaxObserver, type QParams } from "./observer.js";
export { PackedParams, qcall } from "./ops.js";
export { type PrepareQatOptions, prepareQat } from "./qat.js";
export {
  applyQuantizationPlan,
  convert,
  dynamicLayers,
  observedPlan,
  prepare,
  type QuantizationPlan,
  type QuantizedGroup,
  quantizeDynamic,
  quantizedModuleOf,
} from "./quantize.js";
export { DynamicQuantizedRNN, dynamicRnnProblem } from "./rnn.js";
export {
  dequantize,
  intRepr,
  isQuantized,
  type QDType,
  qdtype,
  qPerChannelAxis,
  qPerChannelScales,
  qPerChannelZeroPoints,
  qScale,
  quantizePerChannel,
  quantizePerTensor,
  qZeroPoint,
} from "./tensor.js";
