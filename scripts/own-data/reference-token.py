#!/usr/bin/env python3
"""A plain PyTorch tagger reference for the own-data token-classification row (issue 25).

Reads train.conll and test.conll (`token<TAB>tag`, blank lines between sentences; e.g. the
output of scripts/own-data/changelog-tags.py) and trains, per seed, a BiLSTM tagger of the size
of Flambeau's default `bilstm-crf` (Lample et al. 2016: word
embeddings of 64 for lower-cased words with digits mapped to 0 seen at least twice, a character
CNN of 24-d characters and 48 width-3 filters max-pooled over the first and last 8 characters,
a BiLSTM of 96 units per direction, dropout 0.33, a softmax per token, or with --crf a
linear-chain CRF trained by its likelihood and decoded by Viterbi). Augmentation: word
dropout (a training word replaced by <unk> with probability 0.1, so unseen words are learnt
from their characters). AdamW (lr 3e-3, weight decay 1e-4), batch 32, gradients clipped at 5,
the learning rate decayed linearly to 10 %, at least 300 batches (2 epochs raised, at most 30);
the last 5 % of the training sentences held out for validation, the best validation epoch
(entity F1) kept, then scored once on the test file: token accuracy and entity precision,
recall and F1 by conlleval/seqeval rules (an entity is a B- (or stray I-) tag with its I- tags;
exact span and type).

    /usr/bin/python3 scripts/own-data/reference-token.py DATA_DIR [--seeds 0,1,2] [--crf]
"""
import argparse
import math
import re
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, UNK = 0, 1
MAX_CHARS = 16


def read_conll(path):
    out, cur = [], ([], [])
    for line in open(path, encoding="utf8"):
        line = line.rstrip("\n").rstrip("\r")
        if not line.strip():
            if cur[0]:
                out.append(cur)
            cur = ([], [])
            continue
        cols = line.split("\t")
        cur[0].append(cols[0])
        cur[1].append(cols[-1].strip())
    if cur[0]:
        out.append(cur)
    return out


norm = lambda w: re.sub(r"\d", "0", w.lower())  # noqa: E731


def chars_of(w):
    c = list(w)
    return c if len(c) <= MAX_CHARS else c[: MAX_CHARS // 2] + c[-MAX_CHARS // 2 :]


def spans(tags):
    """Entities (type, start, end) by conlleval's rules."""
    out, start, kind = [], None, None
    for i, t in enumerate(list(tags) + ["O"]):
        b, _, k = t.partition("-")
        ends = start is not None and (b in ("O", "B") or k != kind)
        if ends:
            out.append((kind, start, i))
            start, kind = None, None
        if b == "B" or (b == "I" and start is None):
            start, kind = i, k
    return set(out)


class CRF(nn.Module):
    """A linear-chain CRF over the emissions (start, end and transition scores)."""

    def __init__(self, tags):
        super().__init__()
        self.start = nn.Parameter(torch.zeros(tags))
        self.end = nn.Parameter(torch.zeros(tags))
        self.trans = nn.Parameter(torch.zeros(tags, tags))

    def nll(self, em, y, mask):
        """Mean negative log-likelihood of the gold paths; em [B, T, K], y [B, T], mask [B, T] bool."""
        B, T, K = em.shape
        y = y.clamp_min(0)
        gold = self.start[y[:, 0]] + em[:, 0].gather(1, y[:, :1]).squeeze(1)
        alpha = self.start + em[:, 0]
        for t in range(1, T):
            m = mask[:, t]
            step = self.trans[y[:, t - 1], y[:, t]] + em[:, t].gather(1, y[:, t : t + 1]).squeeze(1)
            gold = gold + step * m
            nxt = torch.logsumexp(alpha.unsqueeze(2) + self.trans + em[:, t].unsqueeze(1), 1)
            alpha = torch.where(m.unsqueeze(1), nxt, alpha)
        last = y.gather(1, (mask.sum(1) - 1).unsqueeze(1)).squeeze(1)
        gold = gold + self.end[last]
        return (torch.logsumexp(alpha + self.end, 1) - gold).mean()

    def decode(self, em, lengths):
        out = []
        for b in range(em.shape[0]):
            L = int(lengths[b])
            score, back = self.start + em[b, 0], []
            for t in range(1, L):
                s = score.unsqueeze(1) + self.trans
                score, idx = s.max(0)
                score = score + em[b, t]
                back.append(idx)
            best = [int((score + self.end).argmax())]
            for idx in reversed(back):
                best.append(int(idx[best[-1]]))
            out.append(best[::-1])
        return out


class Tagger(nn.Module):
    def __init__(self, words, chars, tags, wd=64, cd=24, cf=48, h=96, dropout=0.33, crf=False):
        super().__init__()
        self.crf = CRF(tags) if crf else None
        self.word = nn.Embedding(words, wd, padding_idx=PAD)
        self.char = nn.Embedding(chars, cd, padding_idx=PAD)
        self.conv = nn.Conv1d(cd, cf, 3, padding=1)
        self.lstm = nn.LSTM(wd + cf, h, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * h, tags)

    def forward(self, w, c, lengths):
        B, T, W = c.shape
        cc = c.reshape(B * T, W)
        ce = self.conv(self.char(cc).transpose(1, 2)).relu().masked_fill((cc == PAD).unsqueeze(1), 0).amax(2).reshape(B, T, -1)
        x = self.drop(torch.cat([self.word(w), ce], 2))
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=T)
        return self.fc(self.drop(out))


def encode(sents, wv, cv, tv):
    return [([wv.get(norm(t), UNK) for t in toks], [[cv.get(ch, UNK) for ch in chars_of(t)] for t in toks], [tv.get(g, 0) for g in tags]) for toks, tags in sents]


def batch(enc, idx):
    T = max(len(enc[i][0]) for i in idx)
    W = max(len(c) for i in idx for c in enc[i][1])
    w = torch.zeros(len(idx), T, dtype=torch.long)
    c = torch.zeros(len(idx), T, W, dtype=torch.long)
    y = torch.full((len(idx), T), -100, dtype=torch.long)
    for j, i in enumerate(idx):
        ws, cs, ts = enc[i]
        w[j, : len(ws)] = torch.tensor(ws)
        y[j, : len(ts)] = torch.tensor(ts)
        for k, ch in enumerate(cs):
            c[j, k, : len(ch)] = torch.tensor(ch)
    return w, c, y, torch.tensor([len(enc[i][0]) for i in idx])


def score(model, enc, sents, tags):
    model.eval()
    right = total = tp = n_pred = n_true = 0
    with torch.no_grad():
        for s in range(0, len(enc), 128):
            idx = list(range(s, min(len(enc), s + 128)))
            w, c, y, lengths = batch(enc, idx)
            em = model(w, c, lengths)
            pred = model.crf.decode(em, lengths) if model.crf else [r[: int(L)] for r, L in zip(em.argmax(2).tolist(), lengths)]
            for j, i in enumerate(idx):
                L = int(lengths[j])
                p = [tags[k] for k in pred[j]]
                g = sents[i][1]
                right += sum(a == b for a, b in zip(p, g))
                total += L
                ps, gs = spans(p), spans(g)
                tp, n_pred, n_true = tp + len(ps & gs), n_pred + len(ps), n_true + len(gs)
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_true if n_true else 0.0
    return {"accuracy": right / total, "precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0}


def run(args, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    sents = read_conll(f"{args.data}/train.conll")
    test = read_conll(f"{args.data}/test.conll")
    cut = max(1, round(len(sents) * 0.05))
    train, val = sents[:-cut], sents[-cut:]
    counts = {}
    for toks, _ in train:
        for t in toks:
            counts[norm(t)] = counts.get(norm(t), 0) + 1
    wv = {w: k + 2 for k, w in enumerate(sorted(w for w, n in counts.items() if n >= 2))}
    cv = {ch: k + 2 for k, ch in enumerate(sorted({ch for toks, _ in train for t in toks for ch in chars_of(t)}))}
    tags = sorted({g for _, gs in train for g in gs})
    tv = {g: k for k, g in enumerate(tags)}
    tr, va, te = encode(train, wv, cv, tv), encode(val, wv, cv, tv), encode(test, wv, cv, tv)
    model = Tagger(len(wv) + 2, len(cv) + 2, len(tags), crf=args.crf)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    per_epoch = math.ceil(len(tr) / 32)
    epochs = args.epochs or min(30, max(2, math.ceil(300 / per_epoch)))
    steps = epochs * per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 1 - 0.9 * min(1, k / steps))
    best, best_state = -1.0, None
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(tr), generator=gen).tolist()
        for s in range(0, len(perm), 32):
            w, c, y, lengths = batch(tr, perm[s : s + 32])
            drop = (torch.rand(w.shape, generator=gen) < 0.1) & (w != PAD)
            out = model(w.masked_fill(drop, UNK), c, lengths)
            if model.crf:
                loss = model.crf.nll(out, y, y != -100)
            else:
                loss = F.cross_entropy(out.reshape(-1, len(tags)), y.reshape(-1), ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
        v = score(model, va, val, tags)["f1"]
        if v > best:
            best, best_state = v, {k: t.clone() for k, t in model.state_dict().items()}
    model.load_state_dict(best_state)
    return score(model, te, test, tags), best, len(tr), len(te), epochs


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--epochs", type=int, default=0, help="default: at least 300 batches, 2 to 30 epochs")
    p.add_argument("--crf", action="store_true", help="decode with a linear-chain CRF (Flambeau's bilstm-crf shape)")
    args = p.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    f1s, accs = [], []
    for s in [int(x) for x in args.seeds.split(",")]:
        m, val, n_tr, n_te, epochs = run(args, s)
        f1s.append(m["f1"])
        accs.append(m["accuracy"])
        print(
            f"seed {s}: test entity F1 {m['f1']:.4f} (P {m['precision']:.4f} R {m['recall']:.4f}), token accuracy {m['accuracy']:.4f} "
            f"(validation F1 {val:.4f}; {n_tr} training, {n_te} test sentences, {epochs} epochs)",
            flush=True,
        )
    print(f"{'bilstm-crf' if args.crf else 'bilstm (softmax)'}: mean entity F1 {sum(f1s) / len(f1s):.4f}, mean token accuracy {sum(accs) / len(accs):.4f} over {len(f1s)} seeds, {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
