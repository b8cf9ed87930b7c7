// Few-shot accuracy over test episodes, with the 95 % interval of the mean over episodes
// (1.96·sd/√episodes, as the few-shot literature reports it).
import { enableGrad, noGrad, type Tensor, tidy } from "../../core/index.js";
import { Random } from "../../data/random.js";
import { type ClassPool, checkEpisodeShape, type Episode, type EpisodeShape, sampleEpisode } from "./episodes.js";
import { type Maml, type MamlOptions, mamlOptions, ProtoNet } from "./methods.js";

export interface FewShotScore {
  accuracy: number;
  ci95: number;
  episodes: number;
  ways: number;
  shots: number;
  queries: number;
}

/** Query logits of an episode: ProtoNet in eval mode; MAML adapted on the support set (`adaptSteps` steps). */
export function episodeLogits(model: ProtoNet | Maml, e: Episode, o: MamlOptions & { adaptSteps?: number } = {}): Tensor {
  if (model instanceof ProtoNet) {
    model.eval();
    return noGrad(() => model.logits(e));
  }
  const mo = mamlOptions(o);
  // The inner loop needs gradients even at test time; the adapted weights need no graph.
  const w = enableGrad(() => model.adapt(e, { ...mo, firstOrder: true }, o.adaptSteps ?? 3)).map((t) => t.detach());
  return noGrad(() => model.run(e.query, w, e.ways));
}

export function evaluateEpisodes(
  model: ProtoNet | Maml,
  pool: ClassPool,
  shape: EpisodeShape,
  count: number,
  seed: number,
  o: MamlOptions & { adaptSteps?: number } = {},
): FewShotScore {
  checkEpisodeShape("few-shot evaluate", pool, shape);
  const rng = new Random(seed, 1_000_003);
  const acc: number[] = [];
  for (let i = 0; i < count; i++)
    acc.push(
      tidy(() => {
        const e = sampleEpisode(pool, shape, rng);
        const pred = episodeLogits(model, e, o).argmax({ dim: 1 });
        return pred.eq(e.queryLabels).float().mean().item();
      }),
    );
  const mean = acc.reduce((a, b) => a + b, 0) / acc.length;
  const sd = Math.sqrt(acc.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, acc.length - 1));
  return { accuracy: mean, ci95: (1.96 * sd) / Math.sqrt(acc.length), episodes: acc.length, ...shape };
}
