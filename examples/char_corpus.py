"""What the character-level PyTorch scripts share, as char_corpus.hpp for the C++ examples:
the corpus, its windows, the validation loss, the command line and the training loop."""
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read(folder):
    """Every regular file without an extension, in name order: (vocab size, train, val)."""
    names = sorted(n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n)) and "." not in n)
    text = b"".join(open(os.path.join(folder, n), "rb").read() for n in names)
    vocab = sorted(set(text))
    lookup = np.zeros(256, dtype=np.int64)
    lookup[vocab] = np.arange(len(vocab))
    data = torch.from_numpy(lookup[np.frombuffer(text, dtype=np.uint8)])
    n_train = len(data) * 9 // 10
    print(f"corpus: {len(text)} bytes, {len(vocab)} symbols, {n_train} train / {len(data) - n_train} validation")
    return len(vocab), data[:n_train], data[n_train:]


def windows(data, starts, block):
    offsets = starts[:, None] + torch.arange(block)
    return data[offsets], data[offsets + 1]


def loss(model, x, y):
    logits = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[2]), y.reshape(-1))


@torch.no_grad()
def validation_loss(model, val, block, batch, batches=8):
    count, span = batches * batch, len(val) - block - 1
    total = 0.0
    for b in range(batches):
        k = torch.arange(b * batch, (b + 1) * batch)
        total += loss(model, *windows(val, torch.div(k * span, count, rounding_mode="floor"), block)).item()
    return total / batches


def load_safetensors(path):
    import json
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name != "__metadata__":
            a, b = e["data_offsets"]
            out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype=np.float32).reshape(e["shape"]).copy())
    return out


def options():
    """folder [--steps N] [--seed S] [--threads N] [--eval-every K] [--load weights.safetensors]"""
    o = {"folder": "/usr/share/games/fortunes", "steps": 500, "seed": 0, "eval_every": 100, "load": None}
    args = sys.argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--steps", "--seed", "--threads", "--eval-every", "--load"):
            v = args[i + 1]
            i += 1
            if a == "--threads": torch.set_num_threads(int(v))
            elif a == "--load": o["load"] = v
            else: o[a[2:].replace("-", "_")] = int(v)
        else:
            o["folder"] = a
        i += 1
    torch.manual_seed(o["seed"])
    return o


def warmup_cosine(o, step, warmup=50, min_ratio=0.1):
    if step < warmup:
        return (step + 1) / warmup
    progress = min((step - warmup) / max(1, o["steps"] - warmup), 1.0)
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def run(o, model, train, val, make_optimizer, block, batch):
    """With --load: the validation loss of saved weights. Otherwise the training loop of char_corpus.hpp."""
    if o["load"]:
        model.load_state_dict(load_safetensors(o["load"]))
        print(f"validation loss {validation_loss(model, val, block, batch):.4f}")
        return
    opt = make_optimizer(model.parameters())
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: warmup_cosine(o, step))
    start = time.perf_counter()
    for step in range(1, o["steps"] + 1):
        l = loss(model, *windows(train, torch.randint(0, len(train) - block - 1, (batch,)), block))
        opt.zero_grad()
        l.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        schedule.step()
        if step % o["eval_every"] == 0 or step == o["steps"]:
            ms = 1000 * (time.perf_counter() - start) / step
            print(f"step {step:5d}  train loss {l.item():.4f}  validation loss "
                  f"{validation_loss(model, val, block, batch):.4f}  ({ms:.1f} ms/step)", flush=True)
