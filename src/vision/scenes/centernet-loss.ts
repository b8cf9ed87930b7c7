// CenterNet's losses: the penalty-reduced pixel-wise focal loss on the centre heatmap
// (CenterNet's _neg_loss: α = 2, β = 4, sigmoid clamped to [1e-4, 1 − 1e-4], normalised by the
// number of objects), L1 on box size (weight 0.1) and offset (weight 1) at the centre cells
// only (RegL1Loss), GIoU of the box those give at the centre cells (weight 1, as TTFNet adds
// it: L1 on sizes alone lets thin boxes miss IoU 0.5 by a pixel), and for instance masks
// CondInst's dice loss on each object's mask.
import { cat, type Tensor, tensor } from "../../core/index.js";
import { type CenterNetMaps, dynamicMaskLogits, splitCenterNet } from "../models/centernet.js";
import { GT_FIELDS, objectsPerRow, targetSizes } from "./centernet-targets.js";
import { cxcywhIou } from "./metrics.js";

/** CenterNet's focal loss between heatmap logits and Gaussian targets of the same shape. */
export function centernetFocalLoss(logits: Tensor, target: Tensor): Tensor {
  const pred = logits.sigmoid().clamp(1e-4, 1 - 1e-4);
  const pos = target.eq(1).float();
  const neg = target.lt(1).float();
  const negWeight = target.neg().add(1).pow(4);
  const posLoss = pred.log().mul(pred.neg().add(1).square()).mul(pos).sum();
  const negLoss = pred.neg().add(1).log().mul(pred.square()).mul(negWeight).mul(neg).sum();
  // With no object the positive term is 0, so dividing by max(#objects, 1) is CenterNet's rule.
  return posLoss.add(negLoss).neg().div(pos.sum().clamp(1));
}

/** Dice loss 1 − 2Σpt / (Σp² + Σt²) per row of probabilities p and targets t, averaged with `weight`. */
export function diceLoss(logits: Tensor, target: Tensor, weight: Tensor): Tensor {
  const p = logits.sigmoid();
  const num = p.mul(target).sum({ dim: 1 }).mul(2);
  const den = p
    .square()
    .sum({ dim: 1 })
    .add(target.square().sum({ dim: 1 }))
    .add(1e-5);
  return num.div(den).neg().add(1).mul(weight).sum().div(weight.sum().clamp(1));
}

export interface CenterNetLossWeights {
  wh?: number;
  offset?: number;
  giou?: number;
  mask?: number;
}

/** The training loss for CenterNet's flat outputs and packed targets (scenes/centernet-targets.ts). */
export function centernetLoss(numClasses: number, masks: boolean, w: CenterNetLossWeights = {}) {
  const [ww, wo, wg, wm] = [w.wh ?? 0.1, w.offset ?? 1, w.giou ?? 1, w.mask ?? 1];
  return (out: Tensor, y: Tensor): Tensor => {
    const maps = splitCenterNet(out, numClasses, masks);
    const n = out.shape[0]!;
    const g = maps.grid;
    const cells = g * g;
    const layout = { numClasses, size: 4 * g, masks };
    const k = objectsPerRow(layout, y.shape[1]!);
    const { dense, maskSide } = targetSizes(layout, k);
    const heat = y.narrow(1, 0, numClasses * cells).reshape([n, numClasses, g, g]);
    const reg = y.narrow(1, numClasses * cells, 5 * cells).reshape([n, 5, g, g]);
    const at = reg.narrow(1, 4, 1);
    const l1 = (pred: Tensor, t: Tensor) => pred.sub(t).abs().mul(at).sum().div(at.sum().mul(2).add(1e-4));
    // Boxes as (cx, cy, w, h) rows in grid units, relative to their cell.
    const boxes = (offset: Tensor, wh: Tensor) =>
      cat([offset, wh], 1)
        .permute([0, 2, 3, 1])
        .reshape([n * cells, 4]);
    const { giou } = cxcywhIou(boxes(maps.offset, maps.wh.relu()), boxes(reg.narrow(1, 2, 2), reg.narrow(1, 0, 2)));
    const centres = at.reshape([n * cells]);
    let loss = centernetFocalLoss(maps.heat, heat)
      .add(l1(maps.wh, reg.narrow(1, 0, 2)).mul(ww))
      .add(l1(maps.offset, reg.narrow(1, 2, 2)).mul(wo))
      .add(giou.neg().add(1).mul(centres).sum().div(centres.sum().clamp(1)).mul(wg));
    if (masks) loss = loss.add(maskLoss(maps, y, n, k, dense, maskSide).mul(wm));
    return loss;
  };
}

function maskLoss(maps: CenterNetMaps, y: Tensor, n: number, k: number, dense: number, side: number): Tensor {
  const gt = y.narrow(1, dense, k * GT_FIELDS).reshape([n * k, GT_FIELDS]);
  const image = tensor(
    BigInt64Array.from({ length: n * k }, (_, i) => BigInt(Math.floor(i / k))),
    { shape: [n * k] },
  );
  const logits = dynamicMaskLogits(maps, image, gt.select(1, 6).long()).reshape([n * k, side * side]);
  const target = y.narrow(1, dense + k * GT_FIELDS, k * side * side).reshape([n * k, side * side]);
  return diceLoss(logits, target, gt.select(1, 0));
}
