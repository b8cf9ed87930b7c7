// The data layer: datasets, the DataLoader, transforms, splits and readers of data files.

export { cacheRoot } from "./cache.js";
export { type Collated, type CollateFn, defaultCollate } from "./collate.js";
export { type CsvOptions, type CsvTable, parseCsv, readCsv, sniffDelimiter } from "./csv.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
export { ConcatDataset, type Dataset, mapDataset, Subset, TensorDataset } from "./dataset.js";
export { chunks, type EpochBatches, epochBatches, lengthBuckets } from "./epoch-batches.js";
export { FASHION_MNIST_CLASSES, FASHION_MNIST_ROOT, type FashionMnistOptions, fashionMnist, type LabelledImages } from "./fashion-mnist.js";
export { type IdxSet, idxFolder, parseIdx, readIdx, type Split } from "./idx.js";
export { parseJsonl, parseJsonlRows, readJsonl } from "./jsonl.js";
export { type ColumnarTable, readArrow, readParquet } from "./parquet.js";
export { permutation, Random } from "./random.js";
export { randomSplit } from "./split.js";
export { isTableFile, readTableFile, TABLE_EXTENSIONS, type TableRows } from "./table-file.js";
export { tokenBudgetBatches } from "./token-batches.js";
export { Compose, compose, Lambda, type Transform, type TransformLike } from "./transforms.js";
export type { JsonValue, WorkerDatasetSpec } from "./worker-protocol.js";
