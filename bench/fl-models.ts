// The models every side builds identically: the MLP (784-256-256-10) and the small CNN
// (conv 32-64 + fc 128) of the training and inference workloads.
import * as fl from "flambeau";

const nn = fl.nn;

export const mlp = (): fl.nn.Sequential =>
  new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 256),
    new nn.ReLU(),
    new nn.Linear(256, 10),
  );

export const cnn = (): fl.nn.Sequential =>
  new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(64 * 7 * 7, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
