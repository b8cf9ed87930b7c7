#!/usr/bin/env python3
"""A small text-classification set unlike the built-in ones: 90 training and 60 test quotes
from each of three Debian fortune files (computers, food, law), written as CSVs whose columns are
`quote` and `topic` (so `--text-column quote --label-column topic`).

    /usr/bin/python3 scripts/own-data/fortune-topics.py OUT_DIR
"""
import csv
import os
import random
import sys

CATEGORIES = ["computers", "food", "law"]


def quotes(cat):
    with open(f"/usr/share/games/fortunes/{cat}", encoding="utf8", errors="replace") as f:
        parts = f.read().split("\n%\n")
    return [" ".join(x.split()) for x in parts if 20 < len(x.strip()) < 600]


def main(out):
    random.seed(0)
    rows = {c: quotes(c) for c in CATEGORIES}
    for v in rows.values():
        random.shuffle(v)
    train = [(x, c) for c, v in rows.items() for x in v[:90]]
    test = [(x, c) for c, v in rows.items() for x in v[90:150]]
    random.shuffle(train)
    os.makedirs(out, exist_ok=True)
    for name, data in [("train.csv", train), ("test.csv", test)]:
        with open(os.path.join(out, name), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["quote", "topic"])
            w.writerows(data)
    print(f"{len(train)} training and {len(test)} test quotes in {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fortune-topics")
