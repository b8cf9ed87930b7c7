#!/usr/bin/env python3
"""A plain PyTorch keyword-spotting reference for the own-data audio row (issue 25).

Reads an AudioFolder (train/<class>/*.wav and test/<class>/*.wav at any rate and channel count,
e.g. the output of scripts/kws-audiofolder.mjs), mixes to mono, resamples to 16 kHz
(scipy's polyphase filter) and trains, per seed, a TC-ResNet8 (Choi et al. 2019) of the size
of Flambeau's default `tc-resnet8` (width ×1.5: 24/36/48/72 channels) on 40-band log-mels
(torchaudio's MelSpectrogram defaults: FFT 512, Hann window 400, hop 160, HTK mel scale,
power 2; dB with an 80 dB floor per clip; standardised with the training mean and std).
Standard small-set augmentation: a random placement of the clip in the window, a time shift of
up to ±10 % of the window, and SpecAugment (2 time masks of up to 10 % of the frames, 2
frequency masks of up to 8 bands). AdamW (lr 3e-3, weight decay 1e-3), 5 % warm-up then cosine,
label smoothing 0.05, batch 32, 40 epochs; 10 % of the training files held out for validation,
the best validation epoch kept, then scored once on test/.

    /usr/bin/python3 scripts/own-data/reference-audio.py DATA_DIR [--seeds 0,1,2] [--epochs 40]
"""
import argparse
import math
import os
import time
from fractions import Fraction

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy.io import wavfile
from scipy.signal import resample_poly

SR, N_FFT, WIN, HOP, N_MELS = 16000, 512, 400, 160, 40


def read_wav(path):
    rate, x = wavfile.read(path)
    if x.dtype == np.int16:
        x = x.astype(np.float32) / 32768
    elif x.dtype == np.int32:
        x = x.astype(np.float32) / 2147483648
    elif x.dtype == np.uint8:
        x = (x.astype(np.float32) - 128) / 128
    x = x.astype(np.float32)
    if x.ndim == 2:
        x = x.mean(1)
    if rate != SR:
        f = Fraction(SR, rate)
        x = resample_poly(x, f.numerator, f.denominator).astype(np.float32)
    return x


def read_folder(root, classes=None):
    classes = classes or sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    clips, labels = [], []
    for c, name in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(root, name))):
            if f.lower().endswith(".wav"):
                clips.append(read_wav(os.path.join(root, name, f)))
                labels.append(c)
    return clips, labels, classes


def mel_filters():
    """torchaudio.functional.melscale_fbanks(257, 0, 8000, 40, 16000), HTK scale, no norm: [257, 40]."""
    hz_to_mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)  # noqa: E731
    mel_to_hz = lambda m: 700.0 * (10 ** (m / 2595.0) - 1.0)  # noqa: E731
    freqs = np.linspace(0, SR / 2, N_FFT // 2 + 1)
    pts = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SR / 2), N_MELS + 2))
    diff = np.diff(pts)
    slopes = pts[None, :] - freqs[:, None]
    down = -slopes[:, :-2] / diff[:-1]
    up = slopes[:, 2:] / diff[1:]
    return torch.tensor(np.maximum(0, np.minimum(down, up)), dtype=torch.float32)


FB = mel_filters()
WINDOW = torch.hann_window(WIN)


def log_mel(wave):
    """[B, T] → [B, mels, frames]: power mel spectrogram in dB, floored 80 dB below each clip's peak."""
    spec = torch.stft(wave, N_FFT, HOP, WIN, WINDOW, center=True, pad_mode="reflect", return_complex=True).abs() ** 2
    mel = torch.matmul(spec.transpose(1, 2), FB).transpose(1, 2)
    db = 10 * torch.log10(mel.clamp_min(1e-10))
    return torch.maximum(db, db.amax(dim=(1, 2), keepdim=True) - 80)


def fit(clip, n, offset):
    out = np.zeros(n, np.float32)
    if len(clip) >= n:
        s = int((len(clip) - n) * offset)
        out[:] = clip[s : s + n]
    else:
        s = int((n - len(clip)) * offset)
        out[s : s + len(clip)] = clip
    return out


class TCBlock(nn.Module):
    def __init__(self, i, o, stride):
        super().__init__()
        self.conv1 = nn.Conv1d(i, o, 9, stride, 4, bias=False)
        self.bn1 = nn.BatchNorm1d(o)
        self.conv2 = nn.Conv1d(o, o, 9, 1, 4, bias=False)
        self.bn2 = nn.BatchNorm1d(o)
        self.shortcut = nn.Sequential(nn.Conv1d(i, o, 1, stride, bias=False), nn.BatchNorm1d(o), nn.ReLU()) if stride != 1 or i != o else nn.Identity()

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + self.shortcut(x))


class TCResNet8(nn.Module):
    def __init__(self, classes, k=1.5, dropout=0.2):
        super().__init__()
        c0, c1, c2, c3 = (round(c * k) for c in (16, 24, 32, 48))
        self.stem = nn.Conv1d(N_MELS, c0, 3, padding=1, bias=False)
        self.blocks = nn.Sequential(TCBlock(c0, c1, 2), TCBlock(c1, c2, 2), TCBlock(c2, c3, 2))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(c3, classes)

    def forward(self, x):
        return self.fc(self.dropout(self.blocks(self.stem(x)).mean(2)))


def features(clips, idx, n, gen, train, mean, std, shift):
    offsets = torch.rand(len(idx), generator=gen).tolist() if train else [0.5] * len(idx)
    w = torch.from_numpy(np.stack([fit(clips[i], n, o) for i, o in zip(idx, offsets)]))
    if train and shift > 0:
        s = torch.randint(-shift, shift + 1, (len(idx),), generator=gen)
        pos = torch.arange(n)[None, :] - s[:, None]
        w = w.gather(1, pos.clamp(0, n - 1)) * ((pos >= 0) & (pos < n)).float()
    f = (log_mel(w) - mean) / std
    if train:
        B, M, T = f.shape
        for _ in range(2):
            width = torch.randint(0, max(4, round(T / 10)) + 1, (B,), generator=gen)
            start = (torch.rand(B, generator=gen) * (T - width + 1)).long()
            t = torch.arange(T)[None, :]
            f = f.masked_fill(((t >= start[:, None]) & (t < (start + width)[:, None]))[:, None, :], 0.0)
        for _ in range(2):
            width = torch.randint(0, 9, (B,), generator=gen)
            start = (torch.rand(B, generator=gen) * (M - width + 1)).long()
            m = torch.arange(M)[None, :]
            f = f.masked_fill(((m >= start[:, None]) & (m < (start + width)[:, None]))[:, :, None], 0.0)
    return f


def accuracy(model, clips, labels, n, mean, std):
    model.eval()
    right = 0
    with torch.no_grad():
        for s in range(0, len(clips), 128):
            idx = list(range(s, min(len(clips), s + 128)))
            pred = model(features(clips, idx, n, None, False, mean, std, 0)).argmax(1)
            right += (pred == torch.tensor([labels[i] for i in idx])).sum().item()
    return right / len(clips)


def run(data, seed, epochs):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    clips, labels, classes = data["train"]
    test_clips, test_labels, _ = data["test"]
    order = torch.randperm(len(clips), generator=gen).tolist()
    n_val = max(1, round(0.1 * len(clips)))
    va, tr = order[:n_val], order[n_val:]
    lens = sorted(len(c) for c in clips)
    n = min(64000, max(4000, math.ceil(lens[int(len(lens) * 0.95)] / 160) * 160))
    tr_clips, tr_y = [clips[i] for i in tr], [labels[i] for i in tr]
    va_clips, va_y = [clips[i] for i in va], [labels[i] for i in va]
    with torch.no_grad():
        f = log_mel(torch.from_numpy(np.stack([fit(c, n, 0.5) for c in tr_clips[:512]])))
        mean, std = f.mean().item(), max(1e-3, f.std().item())
    model = TCResNet8(len(classes))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    batch = 32
    steps = math.ceil(len(tr) / batch)
    total, warm = epochs * steps, min(steps, math.ceil(epochs * steps * 0.05))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: (k + 1) / warm if k < warm else 0.5 * (1 + math.cos(math.pi * (k - warm) / max(1, total - warm)))
    )
    best, best_state = -1.0, None
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(tr), generator=gen).tolist()
        for s in range(0, len(perm), batch):
            idx = perm[s : s + batch]
            if len(idx) < 2:
                continue
            x = features(tr_clips, idx, n, gen, True, mean, std, n // 10)
            loss = F.cross_entropy(model(x), torch.tensor([tr_y[i] for i in idx]), label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        v = accuracy(model, va_clips, va_y, n, mean, std)
        if v > best:
            best, best_state = v, {k: t.clone() for k, t in model.state_dict().items()}
    model.load_state_dict(best_state)
    return accuracy(model, test_clips, test_labels, n, mean, std), best, len(tr), len(test_clips), n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--epochs", type=int, default=40)
    args = p.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    train = read_folder(os.path.join(args.data, "train"))
    data = {"train": train, "test": read_folder(os.path.join(args.data, "test"), train[2])}
    accs = []
    for s in [int(x) for x in args.seeds.split(",")]:
        acc, val, n_tr, n_te, n = run(data, s, args.epochs)
        accs.append(acc)
        print(f"seed {s}: test accuracy {acc:.4f} (validation {val:.4f}; {n_tr} training, {n_te} test clips, window {n} samples)", flush=True)
    mean = sum(accs) / len(accs)
    sd = math.sqrt(sum((a - mean) ** 2 for a in accs) / max(1, len(accs) - 1))
    print(f"tc-resnet8: mean test accuracy {mean:.4f} ± {sd:.4f} over {len(accs)} seeds, {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
