// Model simplification: pruning (masks through nn.utils.prune, unstructured and structured,
// iterative with fine-tuning), weight quantization (int8 per channel, float16, bfloat16),
// knowledge distillation, and the runner behind `flambeau compress`.
export { checkDistillation, type DistillationOptions, distillationLoss, parseStudent, type StudentSpec } from "./distill.js";
export { FeatureDistiller, type FeatureDistillerOptions, featurePair, hintLoss } from "./feature-distill.js";
export { type Latency, measureLatency } from "./latency.js";
export { isPrunable, layersByName, type PrunableWeight, prunableWeights } from "./layers.js";
export { applyMasks, foldMasks, loadPruned, prunedParameters, pruningMasks, removePruning } from "./masks.js";
export { annotate, weightsSize, writeVariant } from "./model-dir.js";
export { checkAmount, type IterativePruneOptions, iterativePrune, type PruneOptions, pruneModel, stepAmount } from "./pruning.js";
export { type QatOptions, quantizationAwareTrain } from "./qat.js";
export { type QuantizedLayer, type QuantizeOptions, quantizedStateDict, WEIGHT_STORAGES, type WeightStorage } from "./quantize.js";
export { type CompressOptions, compressModelDir, type VariantResult } from "./runner.js";
export { canShrink, maskFollowers, type ShrunkLayer, shrinkStateDict, writeShrunkConfig } from "./shrink.js";
export { formatSparsity, type LayerSparsity, type SparsityReport, sparsity } from "./sparsity.js";
export { compressionTable } from "./table.js";
