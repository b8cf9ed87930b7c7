// ResNet with BasicBlocks (He et al. 2015), laid out as torchvision's resnet18/34 so the
// state-dict keys and shapes are the same (conv1, bn1, layer1.0.conv1, …, fc) and
// torchvision weights load. Options: a CIFAR-style stem (3×3 conv, no max-pool) for small
// images, a base width, the number of stages, and the input channel count.
import { argError } from "../../core/errors.js";
import type { Tensor } from "../../core/index.js";
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Identity, init, Linear, MaxPool2d, Module, ReLU, Sequential } from "../../nn/index.js";
import { initConvNet } from "./init.js";

export interface ResNetOptions {
  /** Blocks per stage: [2, 2, 2, 2] is ResNet-18, [3, 4, 6, 3] ResNet-34; 1 to 4 stages. */
  layers: readonly number[];
  numClasses?: number;
  inChannels?: number;
  /** Channels of the first stage (doubling per stage); torchvision: 64. */
  width?: number;
  /** "imagenet": 7×7/2 conv + 3×3/2 max-pool (torchvision); "cifar": 3×3/1 conv, no pool (small images). */
  stem?: "imagenet" | "cifar";
  /** Start each residual branch's last BN at zero, so blocks begin as identities. */
  zeroInitResidual?: boolean;
}

export class BasicBlock extends Module {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu = new ReLU();
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;
  constructor(inPlanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = new Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = new Conv2d(planes, planes, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(planes);
    this.downsample =
      stride !== 1 || inPlanes !== planes
        ? new Sequential(new Conv2d(inPlanes, planes, 1, { stride, bias: false }), new BatchNorm2d(planes))
        : null;
  }
  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return out.add(identity).relu();
  }
}

export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu = new ReLU();
  readonly maxpool: MaxPool2d | Identity;
  readonly stages: Sequential[] = [];
  readonly avgpool = new AdaptiveAvgPool2d(1);
  readonly fc: Linear;
  constructor(o: ResNetOptions) {
    super();
    if (!Array.isArray(o.layers) || o.layers.length < 1 || o.layers.length > 4 || o.layers.some((n) => !Number.isInteger(n) || n < 1))
      argError("ResNet", `layers must be 1 to 4 positive block counts, got ${JSON.stringify(o.layers)}`);
    const stem = o.stem ?? "imagenet";
    if (stem !== "imagenet" && stem !== "cifar") argError("ResNet", `stem must be "imagenet" or "cifar", got ${JSON.stringify(stem)}`);
    const w = o.width ?? 64;
    const inC = o.inChannels ?? 3;
    this.conv1 =
      stem === "imagenet"
        ? new Conv2d(inC, w, 7, { stride: 2, padding: 3, bias: false })
        : new Conv2d(inC, w, 3, { stride: 1, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(w);
    this.maxpool = stem === "imagenet" ? new MaxPool2d(3, { stride: 2, padding: 1 }) : new Identity();
    let inPlanes = w;
    o.layers.forEach((blocks, i) => {
      const planes = w * 2 ** i;
      const stage = new Sequential();
      for (let b = 0; b < blocks; b++) {
        stage.append(new BasicBlock(inPlanes, planes, b === 0 && i > 0 ? 2 : 1));
        inPlanes = planes;
      }
      this.stages.push(stage);
      // torchvision's names: layer1 … layer4, registered in order after the stem.
      this.registerModule(`layer${i + 1}`, stage);
    });
    this.fc = new Linear(inPlanes, o.numClasses ?? 1000);
    initConvNet(this);
    if (o.zeroInitResidual) for (const m of this.modules()) if (m instanceof BasicBlock && m.bn2.weight) init.zeros_(m.bn2.weight);
  }
  /** Pooled features before the classifier, [N, channels]. */
  features(x: Tensor): Tensor {
    let y = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x))));
    for (const s of this.stages) y = s.forward(y);
    return this.avgpool.forward(y).flatten(1);
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.features(x));
  }
}

/** torchvision.models.resnet18's architecture. */
export const resnet18 = (o: Omit<ResNetOptions, "layers"> = {}): ResNet => new ResNet({ ...o, layers: [2, 2, 2, 2] });
/** torchvision.models.resnet34's architecture. */
export const resnet34 = (o: Omit<ResNetOptions, "layers"> = {}): ResNet => new ResNet({ ...o, layers: [3, 4, 6, 3] });
