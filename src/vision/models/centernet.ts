// An anchor-free CenterNet-style detector for small images, with an optional CondInst-style
// mask branch for instance segmentation.
//   backbone: a 3×3/2 stem and three ResNet stages of two BasicBlocks (strides 4, 8, 16);
//   neck: FPN-lite — 1×1 laterals, nearest-neighbour top-down upsampling to stride 4, a 3×3 conv;
//   heads (stride 4): per-class centre heatmap logits (bias −2.19: prior 0.1, as CenterNet),
//     box size (w, h) and sub-cell offset, and with masks a controller giving each location
//     the 169 weights of a tiny dynamic mask head (CondInst);
//   mask branch (stride 2): stem features plus the upsampled neck → 8 mask-feature channels.
// forward returns one flat row per image (the Trainer passes one tensor): splitCenterNet
// cuts it back into the maps.
import { argError } from "../../core/errors.js";
import { cat, stack, type Tensor, tensor } from "../../core/index.js";
import { BatchNorm2d, Conv2d, functional as F, init, Module, ReLU, Sequential } from "../../nn/index.js";
import { CENTERNET_STRIDE } from "../scenes/centernet-targets.js";
import { initConvNet } from "./init.js";
import { BasicBlock } from "./resnet.js";

/** Mask-feature channels and the dynamic head's layout: (8 + 2 coords) → 8 → 8 → 1, 1×1 convs. */
export const MASK_CHANNELS = 8;
const DYN_HIDDEN = 8;
/** Weights and biases of one instance's dynamic mask head. */
export const DYNAMIC_PARAMS = (MASK_CHANNELS + 2) * DYN_HIDDEN + DYN_HIDDEN + DYN_HIDDEN * DYN_HIDDEN + DYN_HIDDEN + DYN_HIDDEN + 1;

export interface CenterNetOptions {
  numClasses: number;
  /** Channels of the first ResNet stage (doubling per stage; the stem has half). Default 32. */
  width?: number;
  /** Channels of the neck (default 64). */
  neck?: number;
  /** Channels of each head's 3×3 conv (default 64). */
  head?: number;
  /** Add the controller and mask branch (instance segmentation). */
  masks?: boolean;
}

const convBnRelu = (i: number, o: number, k: number, stride = 1) =>
  new Sequential(new Conv2d(i, o, k, { stride, padding: (k - 1) / 2, bias: false }), new BatchNorm2d(o), new ReLU());

const headOf = (i: number, hidden: number, out: number) =>
  new Sequential(new Conv2d(i, hidden, 3, { padding: 1 }), new ReLU(), new Conv2d(hidden, out, 1));

const stage = (i: number, o: number) => new Sequential(new BasicBlock(i, o, 2), new BasicBlock(o, o));

/** Nearest-neighbour upsampling of `t` to the spatial size of `like` (the FPN's top-down path). */
const up = (t: Tensor, like: Tensor): Tensor => F.interpolate(t, { size: [like.shape[2]!, like.shape[3]!], mode: "nearest" });

export class CenterNet extends Module {
  readonly numClasses: number;
  readonly masks: boolean;
  readonly stem: Sequential;
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly lateral1: Conv2d;
  readonly lateral2: Conv2d;
  readonly lateral3: Conv2d;
  readonly smooth: Sequential;
  readonly heatmap: Sequential;
  readonly box: Sequential;
  readonly controller: Sequential | null;
  readonly maskLateral: Conv2d | null;
  readonly maskNeck: Conv2d | null;
  readonly maskTower: Sequential | null;

  constructor(o: CenterNetOptions) {
    super();
    const w = o.width ?? 32;
    const neck = o.neck ?? 64;
    const head = o.head ?? 64;
    if (!Number.isInteger(o.numClasses) || o.numClasses < 1)
      argError("CenterNet", `numClasses must be a positive integer, got ${o.numClasses}`);
    for (const [k, v] of [
      ["width", w],
      ["neck", neck],
      ["head", head],
    ] as const)
      if (!Number.isInteger(v) || v < 2 || v > 1024 || (k === "width" && v % 2 !== 0))
        argError("CenterNet", `${k} must be an${k === "width" ? " even" : ""} integer in [2, 1024], got ${v}`);
    this.numClasses = o.numClasses;
    this.masks = o.masks ?? false;
    const half = w / 2;
    this.stem = convBnRelu(3, half, 3, 2);
    this.layer1 = stage(half, w);
    this.layer2 = stage(w, 2 * w);
    this.layer3 = stage(2 * w, 4 * w);
    this.lateral1 = new Conv2d(w, neck, 1);
    this.lateral2 = new Conv2d(2 * w, neck, 1);
    this.lateral3 = new Conv2d(4 * w, neck, 1);
    this.smooth = convBnRelu(neck, neck, 3);
    this.heatmap = headOf(neck, head, o.numClasses);
    this.box = headOf(neck, head, 4);
    this.controller = this.masks ? headOf(neck, head, DYNAMIC_PARAMS) : null;
    this.maskLateral = this.masks ? new Conv2d(half, 16, 1) : null;
    this.maskNeck = this.masks ? new Conv2d(neck, 16, 1) : null;
    this.maskTower = this.masks ? new Sequential(convBnRelu(16, 16, 3), new Conv2d(16, MASK_CHANNELS, 1)) : null;
    initConvNet(this);
    // Zero-init each block's last BN (blocks start as identities), CenterNet's heatmap prior.
    for (const m of this.modules()) if (m instanceof BasicBlock && m.bn2.weight) init.zeros_(m.bn2.weight);
    // The heads' last convs start small (normal, std 0.01), so the first heatmaps sit at the prior.
    const last = (s: Sequential) => s.at(s.length - 1) as Conv2d;
    for (const h of [this.heatmap, this.box, this.controller]) {
      if (!h) continue;
      init.normal_(last(h).weight, 0, 0.01);
      init.zeros_(last(h).bias!);
    }
    init.constant_(last(this.heatmap).bias!, -2.19);
  }

  /** The stem's features s0 (stride 2) and the neck's p [N, neck, S/4, S/4] that the heads read. */
  features(x: Tensor): { s0: Tensor; p: Tensor } {
    const s0 = this.stem.forward(x);
    const c1 = this.layer1.forward(s0);
    const c2 = this.layer2.forward(c1);
    const c3 = this.layer3.forward(c2);
    const p3 = this.lateral3.forward(c3);
    const p2 = this.lateral2.forward(c2).add(up(p3, c2));
    const p1 = this.lateral1.forward(c1).add(up(p2, c1));
    return { s0, p: this.smooth.forward(p1) };
  }

  /** [N, 3, S, S] (S a multiple of 16) → [N, width] flat rows; see splitCenterNet. */
  forward(x: Tensor): Tensor {
    const { s0, p } = this.features(x);
    const n = x.shape[0]!;
    const parts = [this.heatmap.forward(p), this.box.forward(p)];
    if (this.controller) parts.push(this.controller.forward(p));
    const maps = cat(parts, 1).reshape([n, -1]);
    if (!this.masks) return maps;
    const m = this.maskLateral!.forward(s0).add(up(this.maskNeck!.forward(p), s0));
    return cat([maps, this.maskTower!.forward(m).reshape([n, -1])], 1);
  }
}

export interface CenterNetMaps {
  /** [N, C, G, G] heatmap logits. */
  heat: Tensor;
  /** [N, 2, G, G] box width and height in cells. */
  wh: Tensor;
  /** [N, 2, G, G] sub-cell offset of the centre. */
  offset: Tensor;
  /** [N, DYNAMIC_PARAMS, G, G] dynamic mask-head weights (masks only). */
  controller: Tensor | null;
  /** [N, 8, 2G, 2G] mask features (masks only). */
  maskFeatures: Tensor | null;
  grid: number;
}

/** Cuts CenterNet's flat output rows back into its maps. */
export function splitCenterNet(out: Tensor, numClasses: number, masks: boolean): CenterNetMaps {
  const n = out.shape[0]!;
  const perCell = numClasses + 4 + (masks ? DYNAMIC_PARAMS + 4 * MASK_CHANNELS : 0);
  const g = Math.round(Math.sqrt(out.shape[1]! / perCell));
  if (out.ndim !== 2 || g * g * perCell !== out.shape[1])
    argError(
      "splitCenterNet",
      `output [${out.shape.join(", ")}] is not a CenterNet output for ${numClasses} classes${masks ? " with masks" : ""}`,
    );
  const cells = g * g;
  const mapCh = numClasses + 4 + (masks ? DYNAMIC_PARAMS : 0);
  const maps = out.narrow(1, 0, mapCh * cells).reshape([n, mapCh, g, g]);
  return {
    heat: maps.narrow(1, 0, numClasses),
    wh: maps.narrow(1, numClasses, 2),
    offset: maps.narrow(1, numClasses + 2, 2),
    controller: masks ? maps.narrow(1, numClasses + 4, DYNAMIC_PARAMS) : null,
    maskFeatures: masks ? out.narrow(1, mapCh * cells, MASK_CHANNELS * 4 * cells).reshape([n, MASK_CHANNELS, 2 * g, 2 * g]) : null,
    grid: g,
  };
}

/**
 * CondInst's dynamic mask head: for instance i (image `image[i]`, centre cell `cell[i]` of
 * the G × G grid) the controller's 169 values at that cell are the weights of three 1×1
 * convs run over the mask features plus the coordinates relative to the centre (in units
 * of S / 4). Returns [n, 2G, 2G] mask logits at stride 2.
 */
export function dynamicMaskLogits(maps: CenterNetMaps, image: Tensor, cell: Tensor): Tensor {
  const { controller, maskFeatures, grid: g } = maps;
  if (!controller || !maskFeatures) argError("dynamicMaskLogits", "the model has no mask branch (built without masks)");
  const n = image.shape[0]!;
  const b = controller.shape[0]!;
  const m = 2 * g;
  const mm = m * m;
  const params = controller
    .permute([0, 2, 3, 1])
    .reshape([b * g * g, DYNAMIC_PARAMS])
    .indexSelect(0, image.mul(g * g).add(cell));
  const feats = maskFeatures.reshape([b, MASK_CHANNELS, mm]).indexSelect(0, image);
  // Pixel centres of the stride-2 mask grid and of each instance's stride-4 cell.
  const px = new Float32Array(mm);
  const py = new Float32Array(mm);
  for (let j = 0; j < mm; j++) {
    px[j] = ((j % m) + 0.5) * 2;
    py[j] = (Math.floor(j / m) + 0.5) * 2;
  }
  const c = cell.float();
  const cy = c.div(g).floor();
  const cx = c.sub(cy.mul(g));
  const rel = (pos: Float32Array, centre: Tensor) =>
    tensor(pos, { shape: [1, mm] })
      .sub(centre.add(0.5).mul(CENTERNET_STRIDE).unsqueeze(1))
      .div(g);
  const x = cat([feats, stack([rel(px, cx), rel(py, cy)], 1)], 1);
  let o = 0;
  const take = (shape: number[]) => {
    const len = shape.reduce((a, v) => a * v, 1);
    const t = params.narrow(1, o, len).reshape([n, ...shape]);
    o += len;
    return t;
  };
  const w1 = take([DYN_HIDDEN, MASK_CHANNELS + 2]);
  const b1 = take([DYN_HIDDEN, 1]);
  const w2 = take([DYN_HIDDEN, DYN_HIDDEN]);
  const b2 = take([DYN_HIDDEN, 1]);
  const w3 = take([1, DYN_HIDDEN]);
  const b3 = take([1, 1]);
  let h = w1.bmm(x).add(b1).relu();
  h = w2.bmm(h).add(b2).relu();
  return w3.bmm(h).add(b3).reshape([n, m, m]);
}
