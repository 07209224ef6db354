#!/usr/bin/python3
"""PyTorch's run of examples/fashion_mnist.cpp's MLP recipe, for `fashion_mnist ... --rng pytorch`:
the same data normalisation, model, optimizer, batch size and seed, printing each step's loss in
the example's format.

    /usr/bin/python3 tools/fashion_mnist_reference.py [data folder] [seed] [steps]

Defaults: /usr/share/datasets/fashion-mnist, seed 0, 200 steps. Single-threaded, as the losses are
compared to 1e-3 and a thread split changes PyTorch's sums in the last bits. Needs python3-torch
and python3-numpy (Debian). The recipe, in PyTorch's words:

    torch.manual_seed(seed)
    model = Sequential(Linear(784, 256), ReLU(), Linear(256, 128), ReLU(), Linear(128, 10))
    loader = DataLoader(TensorDataset(images, labels), batch_size=64, shuffle=True)
    Adam(lr=1e-3), cross_entropy
"""
import gzip
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

data = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 200


def read_idx(path):
    raw = gzip.open(path).read()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)


torch.set_num_threads(1)
images = torch.from_numpy(read_idx(os.path.join(data, "train-images-idx3-ubyte.gz")).astype(np.float32))
labels = torch.from_numpy(read_idx(os.path.join(data, "train-labels-idx1-ubyte.gz")).astype(np.int64))
images = ((images / 255.0 - 0.2860) / 0.3530).unsqueeze(1).flatten(1)  # float32 throughout, as the example

torch.manual_seed(seed)
nn = torch.nn
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels), batch_size=64, shuffle=True)
step = 0
while step < steps:
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        print(f"step {step} loss {loss.item():.9g}")
        if step == steps:
            break
