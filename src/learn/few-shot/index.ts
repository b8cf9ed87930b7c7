// Few-shot learning: the glyphs set, N-way K-shot episodes, ProtoNet and MAML, the task.
export { type FewShotData, glyphOptions, loadFewShotData, readGlyphImage } from "./data.js";
export { type ClassPool, checkEpisodeShape, type Episode, type EpisodeShape, episodes, imagesTensor, sampleEpisode } from "./episodes.js";
export { episodeLogits, evaluateEpisodes, type FewShotScore } from "./evaluate.js";
export {
  type GlyphAlphabet,
  type GlyphClass,
  type GlyphSet,
  type GlyphSetOptions,
  generateGlyphSet,
  loadGlyphSet,
  scriptFonts,
  scriptLetters,
} from "./glyphs.js";
export { FEW_SHOT_MODELS, type FewShotModelName, Maml, type MamlOptions, mamlOptions, ProtoNet, protoLogits } from "./methods.js";
export { readQueries, readSupportFolder, type SupportSet } from "./support.js";
export { type FewShotPrediction, fewShot } from "./task.js";
