// Small models shared by several test files.
import * as fl from "flambeau";

/** The CNN of scripts/fixtures/interop_cnn.py and nn.py's structure fixture. */
export const smallCnn = (): fl.nn.Sequential =>
  new fl.nn.Sequential(
    new fl.nn.Conv2d(1, 8, 3, { padding: 1 }),
    new fl.nn.BatchNorm2d(8),
    new fl.nn.ReLU(),
    new fl.nn.MaxPool2d(2),
    new fl.nn.Flatten(),
    new fl.nn.Linear(128, 10),
  );
