// The image-classification model zoo: a name → a constructor taking the data's shape.
// Stems and widths are picked from the image size so one name works for 28 px and 224 px.
import { MobileNetV2 } from "./mobilenetv2.js";
import type { Genotype } from "./nas/genotype.js";
import { nasCellNetwork } from "./nas/network.js";
import { ResNet, resnet18, resnet34 } from "./resnet.js";
import { LeNet5, MLP, SmallCNN, type SmallCNNOptions } from "./small-cnn.js";
import { VGG } from "./vgg.js";

/** What every zoo constructor receives: the data's channels, classes and side length. */
export type ImageClassifierOptions = SmallCNNOptions & { genotype?: Genotype };

const stemFor = (size: number): "cifar" | "imagenet" => (size <= 64 ? "cifar" : "imagenet");

export const IMAGE_CLASSIFIERS = {
  "small-cnn": (o: ImageClassifierOptions) => new SmallCNN(o),
  /** The cell `flambeau nas` found (hyper.genotype), `width` channels per node, `depth` cells. */
  "nas-cell": (o: ImageClassifierOptions) => nasCellNetwork(o),
  lenet5: (o: ImageClassifierOptions) => new LeNet5(o),
  mlp: (o: ImageClassifierOptions) => new MLP(o),
  /** A ResNet for 28–32 px images: 3 stages of 2 BasicBlocks, 16/32/64 channels, CIFAR stem. */
  "resnet-small": (o: ImageClassifierOptions) =>
    new ResNet({ layers: [2, 2, 2], width: 16, stem: "cifar", inChannels: o.inChannels, numClasses: o.numClasses, zeroInitResidual: true }),
  resnet18: (o: ImageClassifierOptions) => resnet18({ stem: stemFor(o.size), inChannels: o.inChannels, numClasses: o.numClasses }),
  resnet34: (o: ImageClassifierOptions) => resnet34({ stem: stemFor(o.size), inChannels: o.inChannels, numClasses: o.numClasses }),
  mobilenetv2: (o: ImageClassifierOptions) =>
    new MobileNetV2({ inChannels: o.inChannels, numClasses: o.numClasses, smallInput: o.size <= 64, widthMult: o.size <= 64 ? 0.5 : 1 }),
  vgg: (o: ImageClassifierOptions) =>
    new VGG({
      config: o.size <= 64 ? "small" : "vgg11",
      batchNorm: true,
      inChannels: o.inChannels,
      numClasses: o.numClasses,
      poolSize: o.size <= 64 ? 3 : 7,
      hidden: o.size <= 64 ? 256 : 4096,
    }),
} as const;
export type ImageClassifierName = keyof typeof IMAGE_CLASSIFIERS;
