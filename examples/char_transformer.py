"""The model and recipe of char_transformer.cpp in PyTorch 1.13 (run with /usr/bin/python3).

    char_transformer.py [fortunes folder] [--steps N] [--seed S] [--threads N] [--eval-every K]
    char_transformer.py [fortunes folder] --load weights.safetensors   (validation loss of saved weights)

Same corpus, split, model, initialisation order, AdamW with warm-up and cosine decay, clipping and
validation windows as the C++ program; with the same seed the C++ program's --rng pytorch run
draws the same initial weights and batches.
"""
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCK, D_MODEL, HEADS, LAYERS, BATCH = 64, 128, 4, 2, 32
WARMUP, EVAL_BATCHES = 50, 8
LR, MIN_LR_RATIO, WEIGHT_DECAY, CLIP = 2e-3, 0.1, 0.1, 1.0


def read_corpus(folder):
    names = sorted(n for n in os.listdir(folder)
                   if os.path.isfile(os.path.join(folder, n)) and "." not in n)
    return b"".join(open(os.path.join(folder, n), "rb").read() for n in names)


class CharGPT(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.tok = nn.Embedding(vocab, D_MODEL)
        self.pos = nn.Embedding(BLOCK, D_MODEL)
        layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, 4 * D_MODEL, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False)
        self.ln_f = nn.LayerNorm(D_MODEL)
        self.register_buffer("causal", torch.triu(torch.ones(BLOCK, BLOCK, dtype=torch.bool), 1), persistent=False)
        nn.init.normal_(self.tok.weight, 0.0, 0.02)
        nn.init.normal_(self.pos.weight, 0.0, 0.02)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(t))
        x = self.blocks(x, self.causal[:t, :t])
        return F.linear(self.ln_f(x), self.tok.weight)


def rows(data, starts):
    offsets = starts[:, None] + torch.arange(BLOCK)
    return data[offsets], data[offsets + 1]


@torch.no_grad()
def validation_loss(model, val):
    windows, span = EVAL_BATCHES * BATCH, len(val) - BLOCK - 1
    total = 0.0
    for b in range(EVAL_BATCHES):
        k = torch.arange(b * BATCH, (b + 1) * BATCH)
        x, y = rows(val, torch.div(k * span, windows, rounding_mode="floor"))
        logits = model(x)
        total += F.cross_entropy(logits.reshape(-1, logits.shape[2]), y.reshape(-1)).item()
    return total / EVAL_BATCHES


def load_safetensors(path):
    import json
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype=np.float32).reshape(e["shape"]).copy())
    return out


def main():
    args = sys.argv[1:]
    folder, steps, seed, eval_every, load = "/usr/share/games/fortunes", 500, 0, 100, None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--steps", "--seed", "--threads", "--eval-every", "--load"):
            v = args[i + 1]
            i += 1
            if a == "--steps": steps = int(v)
            elif a == "--seed": seed = int(v)
            elif a == "--threads": torch.set_num_threads(int(v))
            elif a == "--eval-every": eval_every = int(v)
            else: load = v
        else:
            folder = a
        i += 1
    torch.manual_seed(seed)
    text = read_corpus(folder)
    vocab = sorted(set(text))
    lookup = np.zeros(256, dtype=np.int64)
    lookup[vocab] = np.arange(len(vocab))
    data = torch.from_numpy(lookup[np.frombuffer(text, dtype=np.uint8)])
    n_train = len(data) * 9 // 10
    train, val = data[:n_train], data[n_train:]
    print(f"corpus: {len(text)} bytes, {len(vocab)} symbols, {len(train)} train / {len(val)} validation")

    model = CharGPT(len(vocab))
    if load:
        model.load_state_dict(load_safetensors(load))
        print(f"validation loss {validation_loss(model, val):.4f}")
        return
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.99), weight_decay=WEIGHT_DECAY)

    def lr_lambda(step):
        if step < WARMUP:
            return (step + 1) / WARMUP
        progress = min((step - WARMUP) / max(1, steps - WARMUP), 1.0)
        return MIN_LR_RATIO + (1 - MIN_LR_RATIO) * 0.5 * (1 + math.cos(math.pi * progress))

    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    start = time.perf_counter()
    for step in range(1, steps + 1):
        x, y = rows(train, torch.randint(0, len(train) - BLOCK - 1, (BATCH,)))
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[2]), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        schedule.step()
        if step % eval_every == 0 or step == steps:
            ms = 1000 * (time.perf_counter() - start) / step
            print(f"step {step:5d}  train loss {loss.item():.4f}  validation loss {validation_loss(model, val):.4f}"
                  f"  ({ms:.1f} ms/step)", flush=True)


if __name__ == "__main__":
    main()
