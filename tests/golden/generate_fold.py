#!/usr/bin/python3
"""Writes tests/golden/fold.txt: PyTorch 1.13's F.unfold and F.fold (kernel, dilation, padding and
stride as ints and pairs, batched and unbatched), the layers Unfold and Fold, gradients and error
messages, for tests/test_nn_fold.cpp.

    /usr/bin/python3 tests/golden/generate_fold.py
"""
import call_cases

import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.arange(60, dtype=torch.float32).reshape(1, 3, 4, 5) * 0.25 - 4
y = torch.arange(216, dtype=torch.float64).reshape(2, 12, 9) * 0.5 - 9


def r(*shape):
    """arange(n) * 0.5 - 3 in float32, in shape."""
    n = 1
    for s in shape:
        n *= s
    return torch.arange(n, dtype=torch.float32).reshape(shape) * 0.5 - 3


VALUES = [
    "F.unfold(x, 2)", "F.unfold(x, (2, 3))", "F.unfold(x, 3, padding=1)", "F.unfold(x, (2, 2), dilation=(2, 1))",
    "F.unfold(x, 2, stride=2)", "F.unfold(x, (3, 2), dilation=2, padding=(1, 2), stride=(2, 3))", "F.unfold(x[0], 2)",
    "F.unfold(x, 1)", "F.unfold(torch.zeros(0, 3, 4, 5), 2)",
    "F.fold(y, (4, 4), 2)", "F.fold(r(2, 12, 21), (3, 9), (1, 3))", "F.fold(y[0], (5, 5), 2, stride=2, padding=1)",
    "F.fold(r(4, 12), (4, 6), (2, 2), dilation=(1, 2))", "F.fold(r(2, 6, 18), (4, 6), (3, 1), padding=(2, 0), stride=(2, 1))",
    "nn.Unfold(2, stride=2)(x)", "nn.Unfold((2, 3), 1, 1, 2)(x)", "nn.Fold((4, 4), 2)(y.float())",
    "nn.Fold(5, 2, 1, 1, 2)(y[0].float())",
]

GRADS = [
    ("F.unfold(X, 2)", (2, 3, 4, 5)), ("F.unfold(X, (3, 2), dilation=2, padding=(1, 2), stride=(2, 3))", (1, 2, 5, 6)),
    ("F.unfold(X, 2, stride=2)", (3, 4, 4)), ("F.fold(X, (4, 4), 2)", (2, 4, 9)),
    ("F.fold(X, (5, 5), 2, stride=2, padding=1)", (8, 9)), ("F.fold(X, (4, 6), (2, 2), dilation=(1, 2))", (1, 4, 12)),
]

ERRORS = [
    "F.unfold(x, 0)", "F.unfold(x, 2, stride=0)", "F.unfold(x, 2, dilation=(1, 0))", "F.unfold(x, 2, padding=-1)",
    "F.unfold(torch.zeros(2, 0, 5, 5), 2)", "F.unfold(torch.zeros(0, 5, 5), 2)", "F.unfold(torch.zeros(2, 3, 5, 5), 7)",
    "F.fold(y, (4, 4), 0)", "F.fold(y, (4, 4), 2, stride=(0, 1))", "F.fold(y, (4, 4), 2, dilation=0)",
    "F.fold(y, (4, 4), 2, padding=-1)", "F.fold(torch.zeros(12), (4, 4), 2)", "F.fold(torch.zeros(2, 0, 3), (4, 4), 2)",
    "F.fold(y, (4, 4), (2, 2), stride=2)", "F.fold(y, (4, 4), 4)", "F.fold(r(1, 25, 9), (1, 1), 5)",
    "F.fold(y, (1, 1), 2)", "F.fold(torch.zeros(1, 4, 1), (0, 0), 2, padding=1)",
]

call_cases.write("generate_fold.py", "fold.txt", VALUES, GRADS, ERRORS, globals())
