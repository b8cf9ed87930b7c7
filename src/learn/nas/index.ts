// Architecture search over a small conv cell space: regularized evolution and DARTS (first
// order), and the found cell's comparison with small-cnn. The cell, its ops and networks live
// in src/vision/models/nas (the image-classification zoo's "nas-cell" builds them too).

export { checkGenotype, type DeriveOptions, derive, edgeCount, edgeIndex, type Genotype } from "../../vision/models/nas/genotype.js";
export { GENOTYPE_FILE, loadGenotype, parseGenotype, saveGenotype } from "../../vision/models/nas/genotype-file.js";
export {
  CellNetwork,
  DEFAULT_CELL,
  DiscreteCell,
  MixedCell,
  type NetworkOptions,
  nasCellNetwork,
  SearchNetwork,
} from "../../vision/models/nas/network.js";
export { makeOp, OPS, type OpName } from "../../vision/models/nas/ops.js";
export { matchChannels, type NasMethod, type NasOptions, type NasReport, runNas } from "./compare.js";
export { accuracy, type DartsOptions, type DartsResult, dartsSearch, type ImageSet } from "./darts.js";
export {
  type Candidate,
  CELL_OPS,
  type EvolutionOptions,
  type EvolutionResult,
  evolutionSearch,
  mutate,
  randomGenotype,
} from "./evolution.js";
export { type FitOptions, trainClassifier } from "./fit.js";
