#!/usr/bin/python3
"""Writes tests/golden/functional.txt: PyTorch 1.13's torch.nn.functional calls of
nn/functional.hpp not covered elsewhere (normalize), values, gradients and error messages, for
tests/test_nn.cpp.

    /usr/bin/python3 tests/golden/generate_functional.py
"""
import call_cases

import torch
import torch.nn.functional as F

x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.25 - 2.5
d = torch.tensor([[3.0, -4.0], [0.0, 0.0], [1e-13, 0.0]], dtype=torch.float64)

VALUES = [
    "F.normalize(x)", "F.normalize(x, dim=-1)", "F.normalize(x, p=1, dim=0)", "F.normalize(x, p=float('inf'), dim=2)",
    "F.normalize(x, p=3.5, dim=1, eps=0.5)", "F.normalize(d)", "F.normalize(d, dim=0)", "F.normalize(d, eps=1e-6)",
    "F.normalize(x[0, 0], dim=0)",
]

GRADS = [
    ("F.normalize(X)", (2, 3, 4)), ("F.normalize(X, p=1, dim=0)", (3, 4)), ("F.normalize(X, dim=-1, eps=0.5)", (2, 5)),
]

ERRORS = ["F.normalize(x, dim=3)", "F.normalize(x[0, 0])"]

call_cases.write("generate_functional.py", "functional.txt", VALUES, GRADS, ERRORS, globals())
