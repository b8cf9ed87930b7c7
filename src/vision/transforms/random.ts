// Random augmentations as Transform objects (usable in data's Compose). Each draws its
// parameters from its own seeded generator (data's Random), so an augmented data set is
// reproducible and does not disturb libtorch's global RNG. Batches get one draw per image.
import { argError } from "../../core/errors.js";
import { cat, type Tensor, tensor } from "../../core/index.js";
import { Random } from "../../data/random.js";
import type { Transform } from "../../data/transforms.js";
import { adjustBrightness, adjustContrast, adjustSaturation } from "./color.js";
import { type AffineParams, affine, crop, padCrop } from "./geometry.js";
import { asBatch, heightWidth, imageSize } from "./shape.js";

export interface RandomOptions {
  seed?: number;
}

const uniform = (rng: Random, lo: number, hi: number): number => lo + (hi - lo) * rng.nextFloat();

/** Applies `f` to each image of a batch (or to the one image) and restacks. */
function perImage(op: string, x: Tensor, f: (img: Tensor) => Tensor): Tensor {
  imageSize(op, x);
  if (x.ndim === 3) return f(x);
  const n = x.shape[0]!;
  return cat(
    Array.from({ length: n }, (_, i) => f(x.select(0, i)).unsqueeze(0)),
    0,
  );
}

abstract class RandomTransform implements Transform<Tensor> {
  protected readonly rng: Random;
  constructor(o: RandomOptions) {
    this.rng = new Random(o.seed ?? 0);
  }
  abstract apply(x: Tensor): Tensor;
}

/** A random size × size crop, after optional padding (the CIFAR recipe: pad 4, crop 32). */
export class RandomCrop extends RandomTransform {
  readonly size: [number, number];
  readonly padding: number;
  constructor(size: number | readonly [number, number], o: RandomOptions & { padding?: number } = {}) {
    super(o);
    this.size = typeof size === "number" ? [size, size] : [size[0], size[1]];
    this.padding = o.padding ?? 0;
  }
  apply(x: Tensor): Tensor {
    const p = this.padding;
    const [h, w] = imageSize("RandomCrop", x);
    const [ch, cw] = this.size;
    if (ch > h + 2 * p || cw > w + 2 * p)
      argError("RandomCrop", `crop ${ch}×${cw} is larger than the ${h + 2 * p}×${w + 2 * p} (padded) image`);
    // With padding, padding and cropping are one signed constant pad per image; without, a view.
    return perImage("RandomCrop", x, (img) => {
      const top = this.rng.int(h + 2 * p - ch + 1);
      const left = this.rng.int(w + 2 * p - cw + 1);
      return p ? padCrop(img, p, top, left, ch, cw) : crop(img, top, left, ch, cw);
    });
  }
}

export class RandomHorizontalFlip extends RandomTransform {
  constructor(
    readonly p = 0.5,
    o: RandomOptions = {},
  ) {
    super(o);
  }
  apply(x: Tensor): Tensor {
    return perImage("RandomHorizontalFlip", x, (img) => (this.rng.nextFloat() < this.p ? img.flip(-1) : img));
  }
}

export class RandomVerticalFlip extends RandomTransform {
  constructor(
    readonly p = 0.5,
    o: RandomOptions = {},
  ) {
    super(o);
  }
  apply(x: Tensor): Tensor {
    return perImage("RandomVerticalFlip", x, (img) => (this.rng.nextFloat() < this.p ? img.flip(-2) : img));
  }
}

export interface RandomAffineOptions extends RandomOptions {
  /** Rotation range in degrees: ±degrees. */
  degrees?: number;
  /** Largest shift as a fraction of width and height. */
  translate?: readonly [number, number];
  scale?: readonly [number, number];
  /** Shear range in degrees along x: ±shear. */
  shear?: number;
  interpolation?: "nearest" | "bilinear";
}

/** torchvision's RandomAffine: one draw per image, one batched grid-sample for the batch. */
export class RandomAffine extends RandomTransform {
  constructor(readonly options: RandomAffineOptions = {}) {
    super(options);
  }
  draw(h: number, w: number): AffineParams {
    const o = this.options;
    const deg = o.degrees ?? 0;
    const [fx, fy] = o.translate ?? [0, 0];
    const [s0, s1] = o.scale ?? [1, 1];
    const sh = o.shear ?? 0;
    return {
      angle: uniform(this.rng, -deg, deg),
      translate: [Math.round(uniform(this.rng, -fx * w, fx * w)), Math.round(uniform(this.rng, -fy * h, fy * h))],
      scale: uniform(this.rng, s0, s1),
      shear: [uniform(this.rng, -sh, sh), 0],
    };
  }
  apply(x: Tensor): Tensor {
    const b = asBatch("RandomAffine", x);
    const [h, w] = heightWidth(b.x);
    const ps = Array.from({ length: b.x.shape[0]! }, () => this.draw(h, w));
    return affine(x, x.ndim === 3 ? ps[0]! : ps, { interpolation: this.options.interpolation });
  }
}

export class RandomRotation extends RandomAffine {
  constructor(degrees: number, o: RandomOptions & { interpolation?: "nearest" | "bilinear" } = {}) {
    super({ ...o, degrees });
  }
}

export interface ColorJitterOptions extends RandomOptions {
  /** Factor drawn from [1 − b, 1 + b]. */
  brightness?: number;
  contrast?: number;
  saturation?: number;
}

/** Random brightness, contrast and saturation on float images in [0, 1] (in a random order per image, as torchvision). */
export class ColorJitter extends RandomTransform {
  constructor(readonly options: ColorJitterOptions = {}) {
    super(options);
  }
  apply(x: Tensor): Tensor {
    const o = this.options;
    const fns: [number | undefined, (t: Tensor, f: number) => Tensor][] = [
      [o.brightness, adjustBrightness],
      [o.contrast, adjustContrast],
      [o.saturation, adjustSaturation],
    ];
    return perImage("ColorJitter", x, (img) => {
      let y = img.float();
      for (const k of this.rng.permutation(3)) {
        const [amount, fn] = fns[k]!;
        if (amount) y = fn(y, uniform(this.rng, Math.max(0, 1 - amount), 1 + amount));
      }
      return y;
    });
  }
}

export interface RandomErasingOptions extends RandomOptions {
  p?: number;
  /** Erased area as a fraction of the image. */
  scale?: readonly [number, number];
  /** Aspect ratio range of the erased box. */
  ratio?: readonly [number, number];
  value?: number;
}

/** torchvision's RandomErasing (Zhong et al. 2017): blanks a random box of each chosen image. */
export class RandomErasing extends RandomTransform {
  constructor(readonly options: RandomErasingOptions = {}) {
    super(options);
  }
  apply(x: Tensor): Tensor {
    const o = this.options;
    const [s0, s1] = o.scale ?? [0.02, 0.33];
    const [r0, r1] = o.ratio ?? [0.3, 3.3];
    return perImage("RandomErasing", x, (img) => {
      if (this.rng.nextFloat() >= (o.p ?? 0.5)) return img;
      const [h, w] = heightWidth(img);
      for (let attempt = 0; attempt < 10; attempt++) {
        const area = h * w * uniform(this.rng, s0, s1);
        const ratio = Math.exp(uniform(this.rng, Math.log(r0), Math.log(r1)));
        const eh = Math.round(Math.sqrt(area * ratio));
        const ew = Math.round(Math.sqrt(area / ratio));
        if (eh >= h || ew >= w || eh < 1 || ew < 1) continue;
        const top = this.rng.int(h - eh + 1);
        const left = this.rng.int(w - ew + 1);
        const mask = tensor(0, { dtype: "bool" }).expand([h, w]).clone();
        mask.narrow(0, top, eh).narrow(1, left, ew).fill_(1);
        return img.maskedFill(mask, o.value ?? 0);
      }
      return img;
    });
  }
}
