"""Shared pieces of the plain PyTorch references for the own-data scene rows (issue 25):
seeding, reading label-mask folders and COCO folders, the standard augmentation of fixed
scene sets (horizontal flips, random scale with crop or pad, colour jitter) moving masks and
boxes with the image, a warm-up + cosine schedule, and a train / validation loop that keeps
the best validation epoch. Used by reference-segmentation.py and reference-localization.py.
"""
import copy
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


def seed_all(seed, threads=1):
    """One thread (the machine is shared), torch's generator and a numpy Generator from `seed`."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def _png(path, mode):
    with Image.open(path) as im:
        return np.asarray(im.convert(mode))


def read_mask_folder(folder):
    """A label-mask folder (images/*.png, masks/*.png of class ids, classes.txt): uint8 images [N, 3, S, S], int64 masks [N, S, S], class names."""
    names = [l.strip() for l in open(os.path.join(folder, "classes.txt")) if l.strip()]
    files = sorted(os.listdir(os.path.join(folder, "images")))
    images = np.stack([_png(os.path.join(folder, "images", f), "RGB") for f in files]).transpose(0, 3, 1, 2)
    masks = np.stack([_png(os.path.join(folder, "masks", f), "L") for f in files])
    return torch.from_numpy(images.copy()), torch.from_numpy(masks.astype(np.int64)), names


def read_coco(folder):
    """A COCO folder (annotations.json, images/): uint8 images [N, 3, S, S], per image [(category index, x, y, w, h)], class names."""
    ann = json.load(open(os.path.join(folder, "annotations.json")))
    cats = sorted(c["id"] for c in ann["categories"])
    index = {c: i for i, c in enumerate(cats)}
    names = {c["id"]: c["name"] for c in ann["categories"]}
    by_image = {}
    for a in ann["annotations"]:
        by_image.setdefault(a["image_id"], []).append((index[a["category_id"]], *a["bbox"]))
    images, boxes = [], []
    for im in ann["images"]:
        path = os.path.join(folder, im["file_name"])
        if not os.path.exists(path):
            path = os.path.join(folder, "images", im["file_name"])
        images.append(_png(path, "RGB").transpose(2, 0, 1))
        boxes.append(by_image.get(im["id"], []))
    return torch.from_numpy(np.stack(images).copy()), boxes, [names[c] for c in cats]


def split(n, rng, val_fraction=0.1):
    """Shuffled training and validation indices (a tenth held out, as Flambeau does)."""
    order = rng.permutation(n)
    k = max(1, round(n * val_fraction))
    return torch.from_numpy(order[k:]), torch.from_numpy(order[:k])


def colour_jitter(x, rng, amount=0.25):
    """Brightness, contrast and saturation of float [B, 3, S, S] pixels in 0–255, each scaled by a factor in [1 − amount, 1 + amount] per image."""
    b, c, s = (torch.from_numpy(rng.uniform(1 - amount, 1 + amount, (3, x.shape[0]))).float().view(3, -1, 1, 1, 1))
    grey = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
    mean = grey.mean((2, 3), keepdim=True)
    x = grey + s * (x - grey)
    return (b * (mean + c * (x - mean))).clamp(0, 255)


def sample_geometry(n, side, rng, scale=(0.75, 1.25), hflip=True):
    """Per image: a mirror flag, a scale and an offset (pixels) so the scaled picture covers the canvas (scale > 1: crop) or lies inside it (< 1: pad)."""
    flip = (rng.random(n) < 0.5) & hflip
    s = rng.uniform(scale[0], scale[1], n)
    room = (1 - s) * side
    lo, hi = np.minimum(0, room), np.maximum(0, room)
    dx = lo + (hi - lo) * rng.random(n)
    dy = lo + (hi - lo) * rng.random(n)
    return flip, s, dx, dy


def warp(x, geometry, side, mode):
    """Applies `geometry` (output = scale · flip(input) + offset) to [B, C, S, S] tensors; outside the picture is 0 (the mean of normalised images, background of masks)."""
    flip, s, dx, dy = geometry
    a = np.where(flip, -1.0, 1.0)
    theta = np.zeros((len(s), 2, 3), np.float32)
    theta[:, 0, 0] = a / s
    theta[:, 0, 2] = a * (1 / s - 1 - 2 * dx / (s * side))
    theta[:, 1, 1] = 1 / s
    theta[:, 1, 2] = 1 / s - 1 - 2 * dy / (s * side)
    grid = F.affine_grid(torch.from_numpy(theta), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode=mode, padding_mode="zeros", align_corners=False)


def warp_box(box, flip, s, dx, dy, side):
    """A [x, y, w, h] box under one image's geometry, clipped to the canvas; None when under 30 % of it stays visible."""
    x, y, w, h = box
    if flip:
        x = side - x - w
    x0, y0, bw, bh = s * x + dx, s * y + dy, s * w, s * h
    cx0, cy0 = max(0.0, x0), max(0.0, y0)
    cw, ch = min(side, x0 + bw) - cx0, min(side, y0 + bh) - cy0
    if cw < 1 or ch < 1 or cw * ch < 0.3 * bw * bh:
        return None
    return [cx0, cy0, cw, ch]


def warmup_cosine(opt, total, warmup):
    """Linear warm-up to the peak over `warmup` steps, then cosine to 0 at `total`."""

    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup))))

    return torch.optim.lr_scheduler.LambdaLR(opt, f)


def fit(model, n_train, make_batch, loss_fn, validate, epochs, batch, lr, rng, monitor, weight_decay=1e-4, warmup_fraction=0.05, on_best=None):
    """AdamW with warm-up + cosine; `make_batch(indices, rng)` gives augmented (inputs, targets),
    `validate(model)` a dict of metrics; the weights of the epoch with the highest `monitor` are
    loaded back at the end. `on_best(model)`, when given, is printed at each new best epoch (the
    test score of the model kept so far, so that a run cut short still says what it had; it
    plays no part in the choice). Returns (best epoch, its metrics, seconds)."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = math.ceil(n_train / batch)
    total = epochs * steps
    sched = warmup_cosine(opt, total, min(steps, math.ceil(total * warmup_fraction)))
    best, best_epoch, best_state = -math.inf, 0, None
    best_metrics = {}
    t0 = time.time()
    for e in range(epochs):
        model.train()
        order = rng.permutation(n_train)
        run = 0.0
        for i in range(0, n_train, batch):
            x, y = make_batch(order[i : i + batch], rng)
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            run += loss.item()
        model.eval()
        with torch.no_grad():
            m = validate(model)
        mark = ""
        if m[monitor] > best:
            best, best_epoch, best_metrics, best_state = m[monitor], e + 1, m, copy.deepcopy(model.state_dict())
            mark = " *"
        shown = " ".join(f"{k} {v:.4f}" for k, v in m.items() if isinstance(v, float))
        print(f"epoch {e + 1}/{epochs} loss {run / steps:.4f} val {shown} ({time.time() - t0:.0f}s){mark}", flush=True)
        if mark and on_best is not None:
            with torch.no_grad():
                print(f"  kept so far (epoch {e + 1}): test {json.dumps(on_best(model))}", flush=True)
    model.load_state_dict(best_state)
    model.eval()
    return best_epoch, best_metrics, time.time() - t0
