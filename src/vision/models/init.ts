// torchvision's initialisation for convolutional classifiers: He-normal (fan-out) convs,
// unit/zero batch norms, small-normal linear heads. Shared by the model families here.
import { BatchNorm2d, Conv2d, init, Linear, type Module } from "../../nn/index.js";

export function initConvNet(root: Module, o: { linearStd?: number } = {}): void {
  for (const m of root.modules()) {
    if (m instanceof Conv2d) {
      init.kaimingNormal_(m.weight, { mode: "fanOut", nonlinearity: "relu" });
      if (m.bias) init.zeros_(m.bias);
    } else if (m instanceof BatchNorm2d) {
      if (m.weight) init.ones_(m.weight);
      if (m.bias) init.zeros_(m.bias);
    } else if (m instanceof Linear && o.linearStd !== undefined) {
      init.normal_(m.weight, 0, o.linearStd);
      if (m.bias) init.zeros_(m.bias);
    }
  }
}

/** Zeroes a conv's weight and bias (a residual branch that starts as the identity). */
export function zeroConv(c: Conv2d): void {
  init.zeros_(c.weight);
  if (c.bias) init.zeros_(c.bias);
}
