#!/usr/bin/python3
"""Writes tests/golden/padding.txt: PyTorch 1.13's F.pad in its four modes (positive and negative
pads, batched and unbatched inputs, 1 to 3 padded dims, integer and half inputs), the padding
layers, the gradients, and the error messages, for tests/test_padding.cpp.

    /usr/bin/python3 tests/golden/generate_padding.py
"""
import call_cases
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")

x = torch.arange(6, dtype=torch.float32).reshape(1, 2, 3)
y = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.5 - 3
w = torch.arange(48, dtype=torch.float64).reshape(1, 2, 2, 3, 4)
k = torch.tensor([[1, 2, 3], [4, 5, 6]])
h = torch.tensor([[0.5, -1.5, 2.0]], dtype=torch.float16)

VALUES = [
    "F.pad(x, (1, 2))", "F.pad(x, (1, 1, 2, 0))", "F.pad(x, (0, 1, 1, 0, 1, 1), value=-1.5)", "F.pad(x, (-1, 1))",
    "F.pad(x, (-1, -1, 0, -1))", "F.pad(x, (-3, 0))", "F.pad(x, ())", "F.pad(k, (1, 1), value=2.5)",
    "F.pad(h, (2, 0), value=7)", "F.pad(torch.zeros(1, 2, 0), (1, 1))", "F.pad(y[:, 1], (1, 1, 1, 1), value=9)",
    "F.pad(x, (2, 2), mode='reflect')", "F.pad(x, (1, 0), mode='reflect')", "F.pad(x, (-1, 1), mode='reflect')",
    "F.pad(x, (1, 1, 1, 0), mode='reflect')", "F.pad(y, (3, 2, 2, 1), mode='reflect')",
    "F.pad(x[0], (2, 1), mode='reflect')", "F.pad(w, (1, 2, 1, 0, 1, 1), mode='reflect')",
    "F.pad(x, (1, 1), mode='replicate')", "F.pad(x, (-1, 2), mode='replicate')", "F.pad(y, (0, 3, 2, 1), mode='replicate')",
    "F.pad(w[0], (1, 1, 1, 1, 2, 0), mode='replicate')", "F.pad(x.double(), (4, 0), mode='replicate')",
    "F.pad(x, (3, 1), mode='circular')", "F.pad(x, (-1, 1), mode='circular')", "F.pad(x, (1, -1), mode='circular')",
    "F.pad(y.unsqueeze(0), (2, 1, 1, 3), mode='circular')", "F.pad(k.unsqueeze(0), (1, 2), mode='circular')",
    "F.pad(w, (1, 0, 0, 1, 1, 1), mode='circular')",
    "F.pad(y, (-2, -2, 0, 0), mode='replicate')", "F.pad(w, (0, 0, 0, 0, -1, -1), mode='replicate')",
    "F.pad(y, (0, 0, -2, -1), mode='reflect')", "F.pad(w, (0, 0, 0, 0, -2, 0), mode='reflect')",
    "F.pad(x, (-3, 0), mode='circular')",
    "nn.ZeroPad2d(1)(x)", "nn.ZeroPad2d((1, 0, 2, 1))(y)", "nn.ConstantPad1d(2, 3.5)(x)",
    "nn.ConstantPad2d((1, 0, 0, 1), -1)(y)", "nn.ConstantPad3d(1, 0.5)(w.float())", "nn.ReflectionPad1d((2, 1))(x)",
    "nn.ReflectionPad2d(1)(y)", "nn.ReflectionPad3d(1)(w.float())", "nn.ReplicationPad1d(2)(x)",
    "nn.ReplicationPad2d((1, 2, 0, 1))(y)", "nn.ReplicationPad3d((1, 0, 1, 0, 0, 1))(w.float())",
]

GRADS = [
    ("F.pad(X, (1, 2, 0, 1), value=3)", (2, 3, 4)), ("F.pad(X, (-1, 1))", (2, 3, 4)),
    ("F.pad(X, (2, 1, 1, 2), mode='reflect')", (2, 3, 4)), ("F.pad(X, (2, 1), mode='reflect')", (2, 3, 4)),
    ("F.pad(X, (1, 3, 2, 0), mode='replicate')", (2, 3, 4)), ("F.pad(X, (-1, 2), mode='replicate')", (2, 3, 4)),
    ("F.pad(X, (3, 1, 1, 2), mode='circular')", (1, 2, 3, 4)), ("F.pad(X, (1, -1), mode='circular')", (2, 3, 4)),
    ("F.pad(X, (1, 1, 1, 1, 1, 1), mode='reflect')", (1, 2, 3, 4)),
]

ERRORS = [
    "F.pad(x, (1,))", "F.pad(x, (1, 1, 1, 1, 1, 1, 1, 1))", "F.pad(x, (1, 1), mode='bogus')",
    "F.pad(x, (1, 1), mode='replicate', value=2.0)", "F.pad(x, (1, 1, 1, 1, 1, 1), mode='reflect')",
    "F.pad(x[0, 0], (1, 1), mode='reflect')", "F.pad(x, (3, 3), mode='reflect')", "F.pad(y, (1, 1, 3, 0), mode='reflect')",
    "F.pad(x, (4, 1), mode='circular')", "F.pad(y, (2, 1, 1, 3), mode='circular')", "F.pad(k, (1, 2), mode='circular')", "F.pad(k, (1, 1), mode='replicate')", "F.pad(k, (1, 1), mode='reflect')",
    "F.pad(torch.zeros(1, 0, 3), (1, 1), mode='reflect')", "F.pad(x, (-2, -2))", "F.pad(x, (-2, -2), mode='replicate')",
    "F.pad(w, (1, 1, 1, 1, 2, 0), mode='reflect')", "F.pad(w, (1, 1, 3, 1, 0, 0), mode='reflect')",
    "F.pad(w, (4, 1, 1, 1, 0, 0), mode='reflect')",
]

# the nodes PyTorch records (its padding kernels' own; circular padding's copies are Python code)
yg, wg = y.detach().requires_grad_(), w.detach().requires_grad_()
NODES = [
    "F.pad(yg, (1, 2, 0, 1), value=3)", "F.pad(yg, (-1, 1))", "F.pad(yg, (0, 0))", "F.pad(yg, (-1, -1))",
    "F.pad(yg, (2, 1), mode='reflect')", "F.pad(yg, (2, 1, 1, 2), mode='reflect')", "F.pad(wg[0, 0], (1, 1, 2, 1), mode='reflect')",
    "F.pad(wg, (1, 1, 1, 1, 1, 1), mode='reflect')", "F.pad(yg, (1, 3), mode='replicate')",
    "F.pad(yg, (1, 3, 2, 0), mode='replicate')", "F.pad(wg, (1, 0, 1, 0, 0, 1), mode='replicate')",
    "nn.ReflectionPad1d(1)(yg)", "nn.ReplicationPad2d((1, 2, 0, 1))(yg)", "nn.ConstantPad1d(2, 3.5)(yg)", "nn.ZeroPad2d(1)(yg)",
]

call_cases.write("generate_padding.py", "padding.txt", VALUES, GRADS, ERRORS, globals(), NODES)
