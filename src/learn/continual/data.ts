// The data sets a continual run is cut from: Fashion-MNIST (Debian's dataset-fashion-mnist),
// opencv-doc's 5,000 handwritten digits (400 per digit to train, 100 to test), or any
// IDX folder or ImageFolder the user brings. Images become flat float features in [0, 1].

import { tensor } from "../../core/index.js";
import { loadImageData } from "../../vision/image-data.js";
import { loadObjectBank } from "../../vision/scenes/objects.js";
import type { LabelledSet } from "./scenario.js";

export interface ContinualData {
  train: LabelledSet;
  test: LabelledSet;
  classes: number;
  classNames: string[];
}

export async function loadContinualData(name: string): Promise<ContinualData> {
  if (name === "digits") {
    const [tr, te] = [await loadObjectBank("digits", "train"), await loadObjectBank("digits", "test")];
    const set = (b: typeof tr): LabelledSet => ({
      x: tensor(b.pixels, { shape: [b.count, b.side * b.side] })
        .float()
        .div(255),
      y: tensor(Array.from(b.labels), { dtype: "int64" }),
    });
    return { train: set(tr), test: set(te), classes: tr.classes.length, classNames: tr.classes };
  }
  const [tr, te] = [await loadImageData(name, "train"), await loadImageData(name, "test", {})];
  const flat = (x: typeof tr.images) => x.reshape([x.shape[0]!, -1]).float().div(255);
  return {
    train: { x: flat(tr.images), y: tr.labels },
    test: { x: flat(te.images), y: te.labels },
    classes: tr.classes.length,
    classNames: tr.classes,
  };
}
