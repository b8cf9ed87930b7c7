#!/usr/bin/env python3
"""A plain PyTorch reference for the own-data text-classification row (issue 25).

Reads the CSVs of scripts/own-data/fortune-topics.py (columns `quote`, `topic`; or any
--text-column/--label-column) and trains, per seed, a TextCNN of the deep branch's size in
Flambeau's default wide-deep model (Kim 2014: embedding 64, widths 3/4/5 × 64 filters,
max over time, dropout 0.1 on embeddings and 0.5 before the classifier) with AdamW (lr 3e-3,
weight decay 0.01), batch 32, clipped gradients. The same split rule as `flambeau train`: 10 % of
the training file carved for validation (stratified, seeded), the epoch with the best
validation accuracy kept, then scored once on the test file. Augmentation: word dropout
(each training token replaced by <unk> with probability 0.1), the text analogue of crops.

With --model fasttext it trains a bag of embeddings instead (fastText, Joulin et al. 2016:
mean of word and bigram embeddings → linear), and with --model tfidf a TF-IDF logistic
regression (the wide branch alone); --model widedeep sums the TF-IDF logistic and the TextCNN
(Flambeau's default wide-deep shape, the wide side at lr 2e-2 without weight decay).

    /usr/bin/python3 scripts/own-data/reference-text.py DATA_DIR [--seeds 0,1,2,3,4] [--epochs 32]
"""
import argparse
import csv
import math
import random
import re
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# Flambeau's word split (src/text/vocab.ts WORD_PATTERN), lower-cased: runs of letters/digits
# with inner ' or -, or single other symbols.
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[^\s\w]|_", re.UNICODE)
PAD, UNK = 0, 1


def read(path, text_col, label_col):
    with open(path, newline="", encoding="utf8") as f:
        rows = list(csv.DictReader(f))
    return [r[text_col] for r in rows], [r[label_col] for r in rows]


def tokens(text, max_tokens):
    return WORD.findall(text.lower())[:max_tokens]


def carve(labels, fraction, seed):
    """Stratified seeded validation indices: round(fraction × n_c) (≥ 1) of every class."""
    rnd = random.Random(seed)
    val = []
    for c in sorted(set(labels)):
        members = [i for i, l in enumerate(labels) if l == c]
        rnd.shuffle(members)
        val += members[: max(1, round(fraction * len(members)))]
    val = set(val)
    return [i for i in range(len(labels)) if i not in val], sorted(val)


class TextCnn(nn.Module):
    def __init__(self, vocab, classes, embed=64, filters=64, widths=(3, 4, 5), dropout=0.5):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed, padding_idx=PAD)
        self.convs = nn.ModuleList(nn.Conv1d(embed, filters, w, padding=w // 2) for w in widths)
        self.embed_dropout = nn.Dropout(0.1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(filters * len(widths), classes)

    def forward(self, ids):
        x = self.embed_dropout(self.embedding(ids)).transpose(1, 2)
        pad = (ids == PAD).unsqueeze(1)
        T = ids.shape[1]
        pooled = [conv(x)[:, :, :T].relu().masked_fill(pad, 0).amax(2) for conv in self.convs]
        return self.fc(self.dropout(torch.cat(pooled, 1)))


class FastText(nn.Module):
    def __init__(self, vocab, classes, embed=64, buckets=20000):
        super().__init__()
        self.buckets = buckets
        self.embedding = nn.EmbeddingBag(vocab + buckets, embed, mode="mean")
        self.vocab = vocab
        self.fc = nn.Linear(embed, classes)

    def forward(self, ids):
        rows = []
        for r in ids.tolist():
            w = [i for i in r if i != PAD]
            bigrams = [self.vocab + (a * 1000003 + b) % self.buckets for a, b in zip(w, w[1:])]
            rows.append(torch.tensor((w + bigrams) or [UNK]))
        offsets = torch.tensor([0] + [len(r) for r in rows[:-1]]).cumsum(0)
        return self.fc(self.embedding(torch.cat(rows), offsets))


class TfidfLogistic(nn.Module):
    def __init__(self, vocab, classes, idf):
        super().__init__()
        self.register_buffer("idf", idf)
        self.fc = nn.Linear(vocab, classes)

    def forward(self, ids):
        counts = torch.zeros(ids.shape[0], self.idf.shape[0]).scatter_add_(1, ids, torch.ones(ids.shape))
        counts[:, PAD] = 0
        x = counts.log1p() * self.idf
        return self.fc(x / x.norm(dim=1, keepdim=True).clamp_min(1e-8))


class WideDeep(nn.Module):
    """Flambeau's default shape: TF-IDF logistic + TextCNN, logits summed, trained jointly."""

    def __init__(self, vocab, classes, idf):
        super().__init__()
        self.wide = TfidfLogistic(vocab, classes, idf)
        self.deep = TextCnn(vocab, classes)

    def forward(self, ids):
        return self.wide(ids) + self.deep(ids)


def batches(ids, labels, size, shuffle, gen):
    order = torch.randperm(len(ids), generator=gen).tolist() if shuffle else list(range(len(ids)))
    for s in range(0, len(order), size):
        part = order[s : s + size]
        T = max(1, max(len(ids[i]) for i in part))
        x = torch.zeros(len(part), T, dtype=torch.long)
        for j, i in enumerate(part):
            x[j, : len(ids[i])] = torch.tensor(ids[i], dtype=torch.long)
        yield x, torch.tensor([labels[i] for i in part])


def accuracy(model, ids, labels):
    model.eval()
    right = 0
    with torch.no_grad():
        for x, y in batches(ids, labels, 64, False, None):
            right += (model(x).argmax(1) == y).sum().item()
    return right / len(ids)


def run(args, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    texts, names = read(f"{args.data}/train.csv", args.text_column, args.label_column)
    test_texts, test_names = read(f"{args.data}/test.csv", args.text_column, args.label_column)
    classes = sorted(set(names))
    labels = [classes.index(n) for n in names]
    test_labels = [classes.index(n) for n in test_names]
    tr, va = carve(labels, 0.1, seed)
    toks = [tokens(t, args.max_tokens) for t in texts]
    counts = {}
    for i in tr:
        for w in toks[i]:
            counts[w] = counts.get(w, 0) + 1
    words = sorted((w for w, c in counts.items() if c >= 2), key=lambda w: (-counts[w], w))
    index = {w: k + 2 for k, w in enumerate(words)}
    enc = lambda t: [index.get(w, UNK) for w in t]  # noqa: E731
    tr_ids, va_ids = [enc(toks[i]) for i in tr], [enc(toks[i]) for i in va]
    te_ids = [enc(tokens(t, args.max_tokens)) for t in test_texts]
    tr_y, va_y = [labels[i] for i in tr], [labels[i] for i in va]
    V = len(words) + 2
    if args.model == "textcnn":
        model, lr, wd = TextCnn(V, len(classes)), 3e-3, 1e-2
    elif args.model == "fasttext":
        model, lr, wd = FastText(V, len(classes)), 1e-2, 0.0
    else:
        df = torch.zeros(V)
        for d in tr_ids:
            for i in set(d):
                df[i] += 1
        idf = torch.log((1 + len(tr_ids)) / (1 + df)) + 1
        if args.model == "tfidf":
            model, lr, wd = TfidfLogistic(V, len(classes), idf), 2e-2, 0.0
        else:
            model, lr, wd = WideDeep(V, len(classes), idf), 3e-3, 1e-2
    if args.model == "widedeep":
        # The wide side at the logistic's pace (2e-2), without weight decay.
        groups = [{"params": model.deep.parameters()}, {"params": model.wide.parameters(), "lr": 2e-2, "weight_decay": 0.0}]
    else:
        groups = model.parameters()
    opt = torch.optim.AdamW(groups, lr=lr, weight_decay=wd)
    best, best_state = -1.0, None
    for epoch in range(args.epochs):
        model.train()
        for x, y in batches(tr_ids, tr_y, 32, True, gen):
            if args.word_dropout > 0:
                drop = (torch.rand(x.shape, generator=gen) < args.word_dropout) & (x != PAD)
                x = x.masked_fill(drop, UNK)
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
        v = accuracy(model, va_ids, va_y)
        if v > best:
            best, best_state = v, {k: t.clone() for k, t in model.state_dict().items()}
    model.load_state_dict(best_state)
    return accuracy(model, te_ids, test_labels), best, len(tr_ids), len(te_ids)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--seeds", default="0,1,2,3,4")
    p.add_argument("--epochs", type=int, default=32)
    p.add_argument("--model", choices=["textcnn", "widedeep", "fasttext", "tfidf"], default="textcnn")
    p.add_argument("--word-dropout", type=float, default=0.1)
    p.add_argument("--max-tokens", type=int, default=256)
    p.add_argument("--text-column", default="quote")
    p.add_argument("--label-column", default="topic")
    args = p.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    accs = []
    for s in [int(x) for x in args.seeds.split(",")]:
        acc, val, n_tr, n_te = run(args, s)
        accs.append(acc)
        print(f"seed {s}: test accuracy {acc:.4f} (validation {val:.4f}; {n_tr} training, {n_te} test texts)", flush=True)
    mean = sum(accs) / len(accs)
    sd = math.sqrt(sum((a - mean) ** 2 for a in accs) / max(1, len(accs) - 1))
    print(f"{args.model}: mean test accuracy {mean:.4f} ± {sd:.4f} over {len(accs)} seeds, {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
