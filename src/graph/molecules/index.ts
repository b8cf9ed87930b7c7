// Molecules as graphs: parsing (openchemlib), atom/bond features, batching, circular
// fingerprints, Murcko scaffolds and splits, and the rdkit-data / CSV / SDF readers.
export {
  BUILTIN_MOLECULE_SETS,
  inferMode,
  loadMoleculeSet,
  type MoleculeRecord,
  type MoleculeSet,
  readMoleculeCsv,
  readMoleculeSdf,
} from "./datasets.js";
export {
  ATOM_ELEMENTS,
  ATOM_FEATURE_NAMES,
  ATOM_FEATURES,
  atomFeatures,
  BOND_FEATURE_NAMES,
  BOND_FEATURES,
  batchMolecules,
  type MoleculeArrays,
  type MoleculeBatch,
  moleculeArrays,
  moleculeToGraph,
} from "./features.js";
export { type FingerprintOptions, morganFingerprint, morganIdentifiers, tanimoto } from "./fingerprint.js";
export { decodeBonds, trainMoleculeVgae, type VgaeOptions, type VgaeReport, validMolecule } from "./generate.js";
export {
  type Atom,
  BOND_TYPES,
  type Bond,
  type BondType,
  canonicalSmiles,
  type Molecule,
  moleculeFromSmiles,
  moleculeSvg,
} from "./molecule.js";
export { murckoAtoms, murckoScaffold, randomSplit, type SplitIndices, scaffoldSplit } from "./scaffold.js";
