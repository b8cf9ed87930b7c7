// The baseline every image generator here must beat: one diagonal Gaussian per class in pixel
// space, fitted to the training images (each pixel's mean and standard deviation within its
// class). Its samples are the class's mean image under independent per-pixel noise: the right
// silhouette and brightness, none of the correlations between pixels that make an edge or a
// texture — what a generator learns beyond first and second moments per pixel.
import { FlambeauError } from "../../core/errors.js";
import { randn, stack, type Tensor, tidy } from "../../core/index.js";

export class PixelGaussian {
  /** float32 [K, C, S, S] in [0, 1]. */
  readonly mean: Tensor;
  readonly std: Tensor;
  private constructor(mean: Tensor, std: Tensor) {
    this.mean = mean;
    this.std = std;
  }

  /** Fits K classes to uint8 images [N, C, S, S] with int64 labels [N]; every class needs ≥ 2 images. */
  static fit(images: Tensor, labels: Tensor, classes: number): PixelGaussian {
    const counts = Array.from({ length: classes }, () => 0);
    for (const l of labels.data() as BigInt64Array) counts[Number(l)]! += 1;
    const thin = counts.findIndex((c) => c < 2);
    if (thin >= 0) throw new FlambeauError("E_ARG", `PixelGaussian: class ${thin} has ${counts[thin]} image(s); each class needs ≥ 2`);
    const [mean, std] = tidy(() => {
      const x = images.float().div(255);
      const parts = Array.from({ length: classes }, (_, k) => x.index([labels.eq(k)]));
      return [stack(parts.map((p) => p.mean({ dim: [0] }))), stack(parts.map((p) => p.std({ dim: [0] })))];
    });
    return new PixelGaussian(mean!, std!);
  }

  /** One sample per label [B] as uint8 [B, C, S, S]: mean + std·ε, clipped to [0, 1]. */
  sample(labels: Tensor): Tensor {
    return tidy(() => {
      const m = this.mean.indexSelect(0, labels);
      return m
        .add(this.std.indexSelect(0, labels).mul(randn(m.shape)))
        .clamp(0, 1)
        .mul(255)
        .round()
        .byte();
    });
  }

  dispose(): void {
    this.mean.dispose();
    this.std.dispose();
  }
}
