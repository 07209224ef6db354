#!/usr/bin/python3
"""Loads the weights examples/fashion_mnist saved into the same models in PyTorch and measures
their Fashion-MNIST test accuracy, proving the weights move from tessera to PyTorch.

    /usr/bin/python3 examples/fashion_mnist_check.py [data folder] [weights folder]

Needs python3-torch and python3-numpy (Debian). Reads safetensors without the safetensors
package: an 8-byte header length, a JSON header, then the raw little-endian data.
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch

data = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
weights = sys.argv[2] if len(sys.argv) > 2 else "."


def read_idx(path):
    raw = gzip.open(path).read()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)


def load_safetensors(path):
    blob = open(path, "rb").read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", entry
        begin, end = entry["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(blob[8 + n + begin:8 + n + end], dtype="<f4").copy()).reshape(entry["shape"])
    return out


images = torch.from_numpy(read_idx(os.path.join(data, "t10k-images-idx3-ubyte.gz")).astype(np.float32))
labels = torch.from_numpy(read_idx(os.path.join(data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))
images = ((images / 255.0 - 0.2860) / 0.3530).unsqueeze(1)

nn = torch.nn
models = {
    "mlp": (nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)), True),
    "cnn": (nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 7 * 7, 10)), False),
}
found = False
for name, (model, flatten) in models.items():
    path = os.path.join(weights, f"fashion_mnist_{name}.safetensors")
    if not os.path.exists(path):
        continue
    found = True
    model.load_state_dict(load_safetensors(path))
    model.eval()
    with torch.no_grad():
        x = images.flatten(1) if flatten else images
        accuracy = (model(x).argmax(1) == labels).float().mean().item()
    print(f"{name}: PyTorch test accuracy with tessera's weights {100 * accuracy:.2f} %")
if not found:
    sys.exit(f"no fashion_mnist_*.safetensors in {weights}: run examples/fashion_mnist first")
