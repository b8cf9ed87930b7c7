#!/usr/bin/env python3
"""A plain PyTorch image-classification reference for the own-data image row (issue 25).

Reads an ImageFolder with train/<class>/ and test/<class>/ (e.g. the output of
scripts/own-data/glyph-shapes.py) and trains, per seed, the network of Flambeau's default
`small-cnn` (two conv3×3-BN-ReLU-maxpool blocks of 32 and 64 channels, average-pooled to a 7×7
grid, dropout 0.3, a 128-unit hidden layer, dropout 0.3, linear) with the standard CIFAR
augmentation: random crops of the picture padded by 4 pixels (zeros) and horizontal flips.
Inputs are scaled to [0, 1] and standardised per channel with the training mean and std.
AdamW (lr 2e-3, weight decay 1e-4), 5 % warm-up then cosine, batch 32, 50 epochs; 10 % of
the training pictures held out for validation, the best validation epoch kept, then scored
once on test/.

    /usr/bin/python3 scripts/own-data/reference-image.py DATA_DIR [--seeds 0,1] [--epochs 50] [--no-flip]
"""
import argparse
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image


def read_folder(root, classes=None):
    classes = classes or sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    images, labels = [], []
    for c, name in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(root, name))):
            if f.lower().endswith((".png", ".jpg", ".jpeg", ".bmp")):
                images.append(np.asarray(Image.open(os.path.join(root, name, f)).convert("RGB")))
                labels.append(c)
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()
    return x, torch.tensor(labels), classes


class SmallCNN(nn.Module):
    def __init__(self, classes, size, width=32, dropout=0.3):
        super().__init__()
        layers, c, pooled = [], 3, size
        for b in range(2):
            out = width * 2**b
            layers += [nn.Conv2d(c, out, 3, padding=1, bias=False), nn.BatchNorm2d(out), nn.ReLU(), nn.MaxPool2d(2)]
            c, pooled = out, pooled // 2
        grid = min(7, pooled)
        if pooled > grid:
            layers.append(nn.AdaptiveAvgPool2d(grid))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(c * grid * grid, 4 * width), nn.ReLU(), nn.Dropout(dropout), nn.Linear(4 * width, classes)
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def augment(x, gen, flip):
    """Random 4-pixel-padded crops and (optionally) horizontal flips of a float batch [B, C, H, W]."""
    B, _, H, W = x.shape
    pad = F.pad(x, (4, 4, 4, 4))
    dy = torch.randint(0, 9, (B,), generator=gen).tolist()
    dx = torch.randint(0, 9, (B,), generator=gen).tolist()
    out = torch.stack([pad[i, :, dy[i] : dy[i] + H, dx[i] : dx[i] + W] for i in range(B)])
    if flip:
        f = torch.rand(B, generator=gen) < 0.5
        out[f] = out[f].flip(3)
    return out


def accuracy(model, x, y, norm):
    model.eval()
    right = 0
    with torch.no_grad():
        for s in range(0, len(x), 256):
            right += (model(norm(x[s : s + 256])).argmax(1) == y[s : s + 256]).sum().item()
    return right / len(x)


def run(data, seed, epochs, flip):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x, y, classes = data["train"]
    tx, ty, _ = data["test"]
    order = torch.randperm(len(x), generator=gen)
    n_val = max(1, round(0.1 * len(x)))
    va, tr = order[:n_val], order[n_val:]
    xf = x[tr].float() / 255
    mean = xf.mean((0, 2, 3), keepdim=True)
    std = xf.std((0, 2, 3), keepdim=True).clamp_min(1e-3)
    norm = lambda b: (b.float() / 255 - mean) / std  # noqa: E731
    model = SmallCNN(len(classes), x.shape[2])
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    batch = 32
    steps = math.ceil(len(tr) / batch)
    total, warm = epochs * steps, min(steps, math.ceil(epochs * steps * 0.05))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: (k + 1) / warm if k < warm else 0.5 * (1 + math.cos(math.pi * (k - warm) / max(1, total - warm)))
    )
    best, best_state = -1.0, None
    for _ in range(epochs):
        model.train()
        perm = tr[torch.randperm(len(tr), generator=gen)]
        for s in range(0, len(perm), batch):
            idx = perm[s : s + batch]
            if len(idx) < 2:
                continue
            loss = F.cross_entropy(model(augment(norm(x[idx]), gen, flip)), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        v = accuracy(model, x[va], y[va], norm)
        if v > best:
            best, best_state = v, {k: t.clone() for k, t in model.state_dict().items()}
    model.load_state_dict(best_state)
    return accuracy(model, tx, ty, norm), best, len(tr), len(tx)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--seeds", default="0,1")
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--no-flip", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    train = read_folder(os.path.join(args.data, "train"))
    data = {"train": train, "test": read_folder(os.path.join(args.data, "test"), train[2])}
    accs = []
    for s in [int(v) for v in args.seeds.split(",")]:
        acc, val, n_tr, n_te = run(data, s, args.epochs, not args.no_flip)
        accs.append(acc)
        print(f"seed {s}: test accuracy {acc:.4f} (validation {val:.4f}; {n_tr} training, {n_te} test images)", flush=True)
    mean = sum(accs) / len(accs)
    sd = math.sqrt(sum((a - mean) ** 2 for a in accs) / max(1, len(accs) - 1))
    print(f"small-cnn: mean test accuracy {mean:.4f} ± {sd:.4f} over {len(accs)} seeds, {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
