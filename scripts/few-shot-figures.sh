#!/usr/bin/env bash
# The README's few-shot figures at a CPU budget (about 25 minutes on one core): ProtoNet and
# first-order MAML meta-trained on the glyphs' background alphabets, each tested on the
# held-out alphabets at 5- and 20-way, 1- and 5-shot, 1,000 episodes of 5 queries per class.
# usage: bash scripts/few-shot-figures.sh [out] [protonet episodes per epoch] [maml episodes per epoch]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/few-shot}
PROTO_EPISODES=${2:-500}
MAML_EPISODES=${3:-1000}
F="node bin/flambeau.js"
# ProtoNet trains at a higher way than it is tested at (Snell et al. 2017: 20-way episodes for 5-way tests).
$F train few-shot --data glyphs --model protonet --ways 20 --shots 1 --queries 5 --episodes "$PROTO_EPISODES" --epochs 4 --out "$OUT/protonet" --json
$F train few-shot --data glyphs --model maml --first-order --ways 5 --shots 1 --queries 5 --episodes "$MAML_EPISODES" --epochs 6 --out "$OUT/maml" --json
for m in protonet maml; do
  for w in 5 20; do
    for s in 1 5; do
      $F eval "$OUT/$m" --data glyphs --ways $w --shots $s --queries 5 --test-episodes 1000 --json
    done
  done
done
