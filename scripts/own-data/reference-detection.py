"""A plain PyTorch CenterNet reference for the own-data detection table (issue 25).

The same network size as Flambeau's centernet-small (stem + three stages of two BasicBlocks,
FPN-lite neck to stride 4, heatmap and box heads of 64 channels), CenterNet's focal loss with
its Gaussian radius and L1 size/offset losses, trained with the standard augmentation of
fixed detection sets: horizontal and vertical flips, transposes and brightness jitter.
Scored by COCO-style mAP@0.5 (101-point interpolation per class, then the mean).

With --masks (instance segmentation: COCO `segmentation` as RLE or polygons are not needed,
the generator writes uncompressed RLE) the network gains a mask branch of the size of
Flambeau's instance-segmentation head (models/centernet.ts): a controller head of 64 channels
giving each centre cell the 169 weights of a CondInst dynamic mask head ((8 mask features +
2 relative coordinates) → 8 → 8 → 1, 1×1 convs), and mask features at stride 2 (the stem's
features through a 1×1 conv to 16 channels plus the neck's through another, upsampled, then a
3×3 conv-BN-ReLU and a 1×1 conv to 8). Each object's mask is learnt with CondInst's dice loss
against its mask pooled to stride 2, and moves with the flips and transposes. Masks are scored
by COCO-style mask AP (mask IoU, the same matching and interpolation) at 0.5 and over
[.5:.95]; the box mAP@0.5 is scored as without --masks.

Reads a COCO folder as COCO writes it (train/ and test/, each annotations.json + images/),
e.g. the output of scripts/own-data/detection-shapes.mjs:
    /usr/bin/python3 scripts/own-data/reference-detection.py DATA [--epochs 20] [--seed 0] [--masks]
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 4


def rle_decode(seg, h, w):
    """COCO's uncompressed RLE (column-major runs, background first) as a uint8 [h, w] mask."""
    counts = seg["counts"]
    if isinstance(counts, str):
        raise SystemExit("reference-detection: compressed RLE strings are not read here; write uncompressed counts")
    flat = np.zeros(h * w, np.uint8)
    at, value = 0, 0
    for c in counts:
        flat[at : at + c] = value
        at, value = at + c, 1 - value
    return flat.reshape(w, h).T.copy()


def read_split(folder, masks=False):
    """Images [N, 3, S, S] uint8, boxes per image [(category index, x, y, w, h)], class names
    (and with masks, per image a uint8 [K, S, S] tensor of the objects' masks in box order)."""
    from torchvision.io import read_image  # noqa: PLC0415 (torchvision only for PNG decoding)

    ann = json.load(open(os.path.join(folder, "annotations.json")))
    cats = sorted(c["id"] for c in ann["categories"])
    index = {c: i for i, c in enumerate(cats)}
    names = {c["id"]: c["name"] for c in ann["categories"]}
    by_image, masks_of = {}, {}
    sizes = {im["id"]: (im["height"], im["width"]) for im in ann["images"]}
    for a in ann["annotations"]:
        by_image.setdefault(a["image_id"], []).append((index[a["category_id"]], *a["bbox"]))
        if masks:
            masks_of.setdefault(a["image_id"], []).append(rle_decode(a["segmentation"], *sizes[a["image_id"]]))
    images, boxes, ms = [], [], []
    for im in ann["images"]:
        path = os.path.join(folder, im["file_name"])
        if not os.path.exists(path):
            path = os.path.join(folder, "images", im["file_name"])
        images.append(read_image(path)[:3])
        boxes.append(by_image.get(im["id"], []))
        if masks:
            m = masks_of.get(im["id"], [])
            ms.append(torch.from_numpy(np.stack(m)) if m else torch.zeros(0, im["height"], im["width"], dtype=torch.uint8))
    if masks:
        return torch.stack(images), boxes, [names[c] for c in cats], ms
    return torch.stack(images), boxes, [names[c] for c in cats]


class BasicBlock(nn.Module):
    def __init__(self, i, o, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(i, o, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(o)
        self.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(o)
        nn.init.zeros_(self.bn2.weight)
        self.down = None if stride == 1 and i == o else nn.Sequential(nn.Conv2d(i, o, 1, stride, bias=False), nn.BatchNorm2d(o))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.down is None else self.down(x)))


def cbr(i, o, k, s=1):
    return nn.Sequential(nn.Conv2d(i, o, k, s, (k - 1) // 2, bias=False), nn.BatchNorm2d(o), nn.ReLU())


def head(i, h, o):
    return nn.Sequential(nn.Conv2d(i, h, 3, 1, 1), nn.ReLU(), nn.Conv2d(h, o, 1))


MASK_CHANNELS, DYN_HIDDEN = 8, 8
DYNAMIC_PARAMS = (MASK_CHANNELS + 2) * DYN_HIDDEN + DYN_HIDDEN + DYN_HIDDEN * DYN_HIDDEN + DYN_HIDDEN + DYN_HIDDEN + 1  # 169


class CenterNet(nn.Module):
    def __init__(self, classes, w=32, neck=64, hid=64, masks=False):
        super().__init__()
        self.masks = masks
        self.stem = cbr(3, w // 2, 3, 2)
        self.l1 = nn.Sequential(BasicBlock(w // 2, w, 2), BasicBlock(w, w))
        self.l2 = nn.Sequential(BasicBlock(w, 2 * w, 2), BasicBlock(2 * w, 2 * w))
        self.l3 = nn.Sequential(BasicBlock(2 * w, 4 * w, 2), BasicBlock(4 * w, 4 * w))
        self.lat1, self.lat2, self.lat3 = nn.Conv2d(w, neck, 1), nn.Conv2d(2 * w, neck, 1), nn.Conv2d(4 * w, neck, 1)
        self.smooth = cbr(neck, neck, 3)
        self.heat, self.box = head(neck, hid, classes), head(neck, hid, 4)
        heads = [self.heat, self.box]
        if masks:
            self.controller = head(neck, hid, DYNAMIC_PARAMS)
            self.mask_lat, self.mask_neck = nn.Conv2d(w // 2, 16, 1), nn.Conv2d(neck, 16, 1)
            self.mask_tower = nn.Sequential(cbr(16, 16, 3), nn.Conv2d(16, MASK_CHANNELS, 1))
            heads.append(self.controller)
        for h in heads:
            nn.init.normal_(h[-1].weight, 0, 0.01)
            nn.init.zeros_(h[-1].bias)
        nn.init.constant_(self.heat[-1].bias, -2.19)

    def forward(self, x):
        s0 = self.stem(x)
        c1 = self.l1(s0)
        c2 = self.l2(c1)
        c3 = self.l3(c2)
        p2 = self.lat2(c2) + F.interpolate(self.lat3(c3), size=c2.shape[2:])
        p = self.smooth(self.lat1(c1) + F.interpolate(p2, size=c1.shape[2:]))
        if not self.masks:
            return self.heat(p), self.box(p)
        m = self.mask_tower(self.mask_lat(s0) + F.interpolate(self.mask_neck(p), size=s0.shape[2:]))
        return self.heat(p), self.box(p), self.controller(p), m


def dynamic_mask_logits(ctrl, feats, image, cell):
    """CondInst's dynamic head: instance i (image[i], centre cell[i] of the G × G grid) runs the
    controller's 169 values there as three 1×1 convs over the mask features plus the pixel
    coordinates relative to the centre (in units of G). Returns [n, 2G, 2G] mask logits."""
    b, _, g, _ = ctrl.shape
    m = feats.shape[-1]
    n = image.shape[0]
    params = ctrl.permute(0, 2, 3, 1).reshape(b * g * g, DYNAMIC_PARAMS)[image * g * g + cell]
    f = feats.reshape(b, MASK_CHANNELS, m * m)[image]
    pos = (torch.arange(m, dtype=torch.float32) + 0.5) * 2
    py, px = pos.view(m, 1).expand(m, m).reshape(-1), pos.view(1, m).expand(m, m).reshape(-1)
    cy, cx = (cell // g).float(), (cell % g).float()
    rx = (px.view(1, -1) - ((cx + 0.5) * STRIDE).view(-1, 1)) / g
    ry = (py.view(1, -1) - ((cy + 0.5) * STRIDE).view(-1, 1)) / g
    x = torch.cat([f, torch.stack([rx, ry], 1)], 1)
    sizes = [DYN_HIDDEN * (MASK_CHANNELS + 2), DYN_HIDDEN, DYN_HIDDEN * DYN_HIDDEN, DYN_HIDDEN, DYN_HIDDEN, 1]
    w1, b1, w2, b2, w3, b3 = params.split(sizes, 1)
    h = F.relu(w1.reshape(n, DYN_HIDDEN, MASK_CHANNELS + 2).bmm(x) + b1.reshape(n, DYN_HIDDEN, 1))
    h = F.relu(w2.reshape(n, DYN_HIDDEN, DYN_HIDDEN).bmm(h) + b2.reshape(n, DYN_HIDDEN, 1))
    return (w3.reshape(n, 1, DYN_HIDDEN).bmm(h) + b3.reshape(n, 1, 1)).reshape(n, m, m)


def dice_loss(logits, target):
    """CondInst's dice loss 1 − 2Σpt / (Σp² + Σt²) per instance, averaged."""
    p = logits.sigmoid().flatten(1)
    t = target.flatten(1)
    return (1 - 2 * (p * t).sum(1) / (p.pow(2).sum(1) + t.pow(2).sum(1) + 1e-5)).mean()


def gaussian_radius(h, w, min_overlap=0.7):
    """CenterNet's gaussian_radius (the three cases of its reference code)."""
    b1, c1 = h + w, w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1**2 - 4 * c1)) / 2
    b2, c2 = 2 * (h + w), (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2**2 - 16 * c2)) / 2
    a3, b3, c3 = 4 * min_overlap, -2 * min_overlap * (h + w), (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3**2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def targets(boxes, classes, g):
    """Heatmaps [C, G, G], and per object (cell index, w, h, offset x, offset y) in cells."""
    heat = np.zeros((classes, g, g), np.float32)
    objs = []
    ys, xs = np.mgrid[0:g, 0:g]
    for c, x, y, w, h in boxes:
        cx, cy, cw, ch = (x + w / 2) / STRIDE, (y + h / 2) / STRIDE, w / STRIDE, h / STRIDE
        ix, iy = min(g - 1, int(cx)), min(g - 1, int(cy))
        r = max(0, int(gaussian_radius(math.ceil(ch), math.ceil(cw))))
        sigma = (2 * r + 1) / 6
        gauss = np.exp(-((xs - ix) ** 2 + (ys - iy) ** 2) / (2 * sigma * sigma))
        gauss[(np.abs(xs - ix) > r) | (np.abs(ys - iy) > r)] = 0
        heat[c] = np.maximum(heat[c], gauss)
        objs.append((iy * g + ix, cw, ch, cx - ix, cy - iy))
    return heat, objs


def augment(img, boxes, s, rng, masks=None):
    """Flips, transposes (boxes and masks [K, S, S] moved alike) and brightness jitter of one uint8 [3, S, S] image."""
    boxes = list(boxes)
    if rng.random() < 0.5:
        img = img.transpose(1, 2)
        boxes = [(c, y, x, h, w) for c, x, y, w, h in boxes]
        masks = None if masks is None else masks.transpose(1, 2)
    if rng.random() < 0.5:
        img = img.flip(2)
        boxes = [(c, s - x - w, y, w, h) for c, x, y, w, h in boxes]
        masks = None if masks is None else masks.flip(2)
    if rng.random() < 0.5:
        img = img.flip(1)
        boxes = [(c, x, s - y - h, w, h) for c, x, y, w, h in boxes]
        masks = None if masks is None else masks.flip(1)
    img = (img.float() * rng.uniform(0.75, 1.25)).clamp(0, 255)
    if masks is None:
        return img, boxes
    return img, boxes, masks


def loss_fn(heat, box, t_heat, objs):
    p = heat.sigmoid().clamp(1e-4, 1 - 1e-4)
    pos = t_heat.eq(1).float()
    neg = (1 - t_heat).pow(4)
    focal = -(pos * (1 - p).pow(2) * p.log() + (1 - pos) * neg * p.pow(2) * (1 - p).log()).sum()
    n = max(1.0, pos.sum().item())
    l1 = heat.new_zeros(())
    g = heat.shape[-1]
    for b, obs in enumerate(objs):
        if not obs:
            continue
        idx = torch.tensor([o[0] for o in obs])
        want = torch.tensor([o[1:] for o in obs], dtype=torch.float32)
        got = box[b].reshape(4, g * g)[:, idx].t()
        l1 = l1 + F.l1_loss(got[:, :2], want[:, :2], reduction="sum") * 0.1 + F.l1_loss(got[:, 2:], want[:, 2:], reduction="sum")
    return (focal + l1) / n


def mask_loss(ctrl, feats, objs, masks):
    """Dice loss of every object's dynamic mask (at stride 2) against its mask pooled to stride 2."""
    image = torch.tensor([b for b, obs in enumerate(objs) for _ in obs], dtype=torch.long)
    if image.numel() == 0:
        return ctrl.new_zeros(())
    cell = torch.tensor([o[0] for obs in objs for o in obs], dtype=torch.long)
    target = F.avg_pool2d(torch.cat([m for m in masks if m.shape[0]]).float().unsqueeze(1), 2).squeeze(1)
    return dice_loss(dynamic_mask_logits(ctrl, feats, image, cell), target)


def iou(a, b):
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw, ih = max(0, min(ax2, bx2) - max(a[0], b[0])), max(0, min(ay2, by2) - max(a[1], b[1]))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter + 1e-9)


@torch.no_grad()
def detect(model, x, mean, std, top_k=100, thr=0.05, nms=0.5):
    """Per image [(category, score, box)], and with a mask branch (category, score, box, mask) with
    the mask a bool [S, S] (the dynamic head's logits upsampled bilinearly, above 0)."""
    out = model((x.float() - mean) / std)
    heat, box = out[0], out[1]
    heat = heat.sigmoid()
    cells = []
    peaks = heat * (F.max_pool2d(heat, 3, 1, 1) == heat)
    found = []
    n, c, g, _ = heat.shape
    for b in range(n):
        scores, idx = peaks[b].reshape(-1).topk(min(top_k, c * g * g))
        dets = []
        for s, i in zip(scores.tolist(), idx.tolist()):
            if s < thr:
                break
            cat, cell = divmod(i, g * g)
            iy, ix = divmod(cell, g)
            w, h, ox, oy = box[b, :, iy, ix].tolist()
            cx, cy = (ix + ox) * STRIDE, (iy + oy) * STRIDE
            bx = (cx - w * STRIDE / 2, cy - h * STRIDE / 2, w * STRIDE, h * STRIDE)
            if all(d[0] != cat or iou(d[2], bx) <= nms for d in dets):
                dets.append((cat, s, bx))
                cells.append((b, cell))
        found.append(dets)
    if len(out) == 2 or not cells:
        return found
    _, _, ctrl, feats = out
    image = torch.tensor([b for b, _ in cells], dtype=torch.long)
    cell = torch.tensor([c for _, c in cells], dtype=torch.long)
    logits = dynamic_mask_logits(ctrl, feats, image, cell)
    ms = F.interpolate(logits.unsqueeze(1), size=x.shape[2:], mode="bilinear", align_corners=False).squeeze(1) > 0
    k = 0
    for dets in found:
        for j, d in enumerate(dets):
            dets[j] = (*d, ms[k])
            k += 1
    return found


def interpolated_ap(tp, total):
    """COCO's 101-point interpolated AP of detections in descending score order (tp: 1 matched, 0 not)."""
    tp = np.array(tp, np.float64)
    ctp, cfp = np.cumsum(tp), np.cumsum(1 - tp)
    rec = ctp / total
    prec = ctp / np.maximum(ctp + cfp, 1e-9)
    prec = np.maximum.accumulate(prec[::-1])[::-1] if len(prec) else prec
    return float(np.mean([prec[rec >= r].max() if (rec >= r).any() else 0 for r in np.linspace(0, 1, 101)]))


def map50(dets, truth, classes):
    aps = []
    for c in range(classes):
        gts = {i: [b[1:] for b in t if b[0] == c] for i, t in enumerate(truth)}
        total = sum(len(v) for v in gts.values())
        if total == 0:
            continue
        found = sorted(((s, i, bx) for i, ds in enumerate(dets) for cat, s, bx, *_ in ds if cat == c), key=lambda d: -d[0])
        used = {i: [False] * len(v) for i, v in gts.items()}
        tp = []
        for s, i, bx in found:
            best, j = 0.5, -1
            for k, g in enumerate(gts[i]):
                o = iou(bx, g)
                if o >= best and not used[i][k]:
                    best, j = o, k
            if j >= 0:
                used[i][j] = True
            tp.append(1 if j >= 0 else 0)
        aps.append(interpolated_ap(tp, total))
    return float(np.mean(aps))


def mask_maps(dets, truth, truth_masks, classes, thresholds=tuple(np.linspace(0.5, 0.95, 10))):
    """COCO-style mask AP per IoU threshold (the matching and interpolation of map50, mask IoU
    in place of box IoU), each the mean over classes: {threshold: mAP}."""
    out = {t: [] for t in thresholds}
    for c in range(classes):
        gts = {i: [k for k, b in enumerate(t) if b[0] == c] for i, t in enumerate(truth)}
        total = sum(len(v) for v in gts.values())
        if total == 0:
            continue
        found = sorted(((d[1], i, d[3]) for i, ds in enumerate(dets) for d in ds if d[0] == c), key=lambda d: -d[0])
        ious = []
        for _, i, m in found:
            g = truth_masks[i][gts[i]].bool() if gts[i] else torch.zeros(0, *m.shape, dtype=torch.bool)
            inter = (g & m).flatten(1).sum(1).double()
            union = (g | m).flatten(1).sum(1).double()
            ious.append(torch.where(union > 0, inter / union.clamp(min=1), torch.zeros_like(union)).tolist())
        for t in thresholds:
            used = {i: [False] * len(v) for i, v in gts.items()}
            tp = []
            for (_, i, _), row in zip(found, ious):
                best, j = min(t, 1 - 1e-10), -1
                for k, o in enumerate(row):
                    if o >= best and not used[i][k]:
                        best, j = o, k
                if j >= 0:
                    used[i][j] = True
                tp.append(1 if j >= 0 else 0)
            out[t].append(interpolated_ap(tp, total))
    return {t: float(np.mean(v)) for t, v in out.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--masks", action="store_true", help="instance segmentation: add the mask branch, score mask AP too")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    if a.masks:
        x, boxes, names, masks = read_split(os.path.join(a.data, "train"), True)
        tx, tboxes, _, tmasks = read_split(os.path.join(a.data, "test"), True)
    else:
        x, boxes, names = read_split(os.path.join(a.data, "train"))
        tx, tboxes, _ = read_split(os.path.join(a.data, "test"))
    if a.limit:
        x, boxes = x[: a.limit], boxes[: a.limit]
    s, c = x.shape[-1], len(names)
    mean = x.float().mean((0, 2, 3), keepdim=True)
    std = x.float().std((0, 2, 3), keepdim=True)
    model = CenterNet(c, masks=a.masks)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    steps = a.epochs * math.ceil(len(x) / a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=steps, pct_start=0.05)
    t0 = time.time()
    for e in range(a.epochs):
        model.train()
        order = rng.permutation(len(x))
        total = 0.0
        for i in range(0, len(x), a.batch):
            ims, hs, objs, ms = [], [], [], []
            for j in order[i : i + a.batch]:
                if a.masks:
                    im, bx, m = augment(x[j], boxes[j], s, rng, masks[j])
                    ms.append(m)
                else:
                    im, bx = augment(x[j], boxes[j], s, rng)
                h, ob = targets(bx, c, s // STRIDE)
                ims.append(im)
                hs.append(torch.from_numpy(h))
                objs.append(ob)
            out = model((torch.stack(ims) - mean) / std)
            loss = loss_fn(out[0], out[1], torch.stack(hs), objs)
            if a.masks:
                loss = loss + mask_loss(out[2], out[3], objs, ms)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print(f"epoch {e + 1}/{a.epochs} loss {total / math.ceil(len(x) / a.batch):.4f} ({time.time() - t0:.0f}s)", flush=True)
    model.eval()
    dets = [d for i in range(0, len(tx), 64) for d in detect(model, tx[i : i + 64], mean, std)]
    result = {"map50": round(map50(dets, tboxes, c), 4)}
    if a.masks:
        mm = mask_maps(dets, tboxes, tmasks, c)
        result.update(maskMap50=round(mm[0.5], 4), maskMap=round(float(np.mean(list(mm.values()))), 4))
    print(json.dumps({**result, "test": len(tx), "epochs": a.epochs, "seconds": round(time.time() - t0)}))


if __name__ == "__main__":
    main()
