#!/usr/bin/python3
"""Classical stereo baseline for depth-estimation: OpenCV's StereoSGBM (Hirschmuller 2008) on
Middlebury's motorcycle pair as scikit-image ships it, at the width the network is evaluated at
(256 px; disparities scaled by 256/741, ground truth resized nearest-neighbour with the same
pixel mapping as src/vision/depth/middlebury.ts). Prints end-point error and bad-2.0 over the
pixels with known ground truth, as JSON.

SGBM leaves pixels it cannot match (occlusions, the left border, failed uniqueness) invalid;
the dense figure fills each from its nearest valid neighbours on the row (the lower of the two:
occluded pixels belong to the background), the usual way to score a sparse matcher densely.

Usage: /usr/bin/python3 scripts/depth-sgbm.py [--width 256] [--block 5]
"""
import argparse
import json

import cv2
import numpy as np
from skimage import data


def resize_disparity(d, h, w):
    H, W = d.shape
    ys = np.minimum(H - 1, np.floor((np.arange(h) + 0.5) * H / h).astype(int))
    xs = np.minimum(W - 1, np.floor((np.arange(w) + 0.5) * W / w).astype(int))
    return d[ys][:, xs] * (w / W)


def fill_rows(disp, valid):
    out = disp.copy()
    h, w = disp.shape
    for y in range(h):
        row, ok = disp[y], valid[y]
        if not ok.any():
            out[y] = 0
            continue
        left = np.maximum.accumulate(np.where(ok, np.arange(w), -1))
        right = np.minimum.accumulate(np.where(ok, np.arange(w), w)[::-1])[::-1]
        lv = np.where(left >= 0, row[np.clip(left, 0, w - 1)], np.inf)
        rv = np.where(right < w, row[np.clip(right, 0, w - 1)], np.inf)
        out[y] = np.where(ok, row, np.minimum(lv, rv))
    return out


def scores(pred, gt):
    known = np.isfinite(gt) & (gt > 0)
    err = np.abs(pred[known] - gt[known])
    return float(err.mean()), float(100 * (err > 2).mean()), int(known.sum())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--block", type=int, default=5)
    a = ap.parse_args()
    left, right, disp = data.stereo_motorcycle()
    H, W = disp.shape
    w = a.width
    h = round(H * w / W)
    l = cv2.resize(left, (w, h), interpolation=cv2.INTER_AREA)
    r = cv2.resize(right, (w, h), interpolation=cv2.INTER_AREA)
    gt = resize_disparity(disp, h, w)
    max_disp = float(np.nanmax(gt[np.isfinite(gt)]))
    num = int(16 * np.ceil((max_disp + 4) / 16))
    b = a.block
    sgbm = cv2.StereoSGBM_create(
        minDisparity=0,
        numDisparities=num,
        blockSize=b,
        P1=8 * 3 * b * b,
        P2=32 * 3 * b * b,
        disp12MaxDiff=1,
        uniquenessRatio=10,
        speckleWindowSize=50,
        speckleRange=2,
        mode=cv2.STEREO_SGBM_MODE_SGBM_3WAY,
    )
    raw = sgbm.compute(cv2.cvtColor(l, cv2.COLOR_RGB2GRAY), cv2.cvtColor(r, cv2.COLOR_RGB2GRAY)).astype(np.float32) / 16
    valid = raw >= 0
    dense = fill_rows(raw, valid)
    epe, bad2, n = scores(dense, gt)
    known = np.isfinite(gt) & (gt > 0)
    epe_v, bad2_v, n_v = scores(np.where(valid, raw, np.nan), np.where(valid, gt, np.nan))
    median = float(np.median(gt[known]))
    base_epe, base_bad2, _ = scores(np.full_like(gt, median), gt)
    print(
        json.dumps(
            {
                "data": f"Middlebury motorcycle at {w}x{h}, disparities scaled by {w}/{W}",
                "validPixels": n,
                "sgbm": {"numDisparities": num, "blockSize": b, "epe": epe, "bad2": bad2},
                "sgbmMatchedOnly": {"coverage": n_v / n, "epe": epe_v, "bad2": bad2_v},
                "medianConstant": {"epe": base_epe, "bad2": base_bad2},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
