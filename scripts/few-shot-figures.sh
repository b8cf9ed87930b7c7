#!/usr/bin/env bash
# The README's few-shot figures at a CPU budget (a few minutes on 2 cores): ProtoNet and
# first-order MAML meta-trained on the glyphs' background alphabets, tested on held-out ones.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/few-shot}
F="node bin/flambeau.js"
$F train few-shot --data glyphs --model protonet --ways 5 --shots 1 --queries 5 --episodes 100 --epochs 2 --out "$OUT/protonet" --json
for s in 1 5; do
  $F eval "$OUT/protonet" --data glyphs --ways 5 --shots $s --queries 5 --test-episodes 1000 --json
  $F eval "$OUT/protonet" --data glyphs --ways 20 --shots $s --queries 1 --test-episodes 300 --json
done
$F train few-shot --data glyphs --model maml --first-order --ways 5 --shots 1 --queries 5 --episodes 60 --epochs 1 --out "$OUT/maml" --json
$F eval "$OUT/maml" --data glyphs --ways 5 --shots 1 --queries 5 --test-episodes 300 --json
