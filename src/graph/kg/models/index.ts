// Knowledge-graph embedding models and their factory.
import { FlambeauError } from "../../../core/errors.js";
import { ComplEx } from "./complex.js";
import { DistMult } from "./distmult.js";
import { KG_MODELS, type KgModel, type KgModelHyper } from "./kg-model.js";
import { RotatE } from "./rotate.js";
import { TransE } from "./transe.js";

export { ComplEx } from "./complex.js";
export { DistMult } from "./distmult.js";
export { complexParts, idTensor, KG_MODELS, KgModel, type KgModelHyper, type KgModelName } from "./kg-model.js";
export { RotatE } from "./rotate.js";
export { TransE } from "./transe.js";

export function makeKgModel(h: KgModelHyper): KgModel {
  switch (h.arch) {
    case "transe":
      return new TransE(h);
    case "distmult":
      return new DistMult(h);
    case "complex":
      return new ComplEx(h);
    case "rotate":
      return new RotatE(h);
    default:
      throw new FlambeauError("E_ARG", `unknown knowledge-graph model "${String(h.arch)}"; models: ${KG_MODELS.join(", ")}`);
  }
}
