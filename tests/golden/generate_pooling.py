#!/usr/bin/python3
"""Writes tests/golden/pooling.txt: PyTorch 1.13's adaptive average and max pooling (1-d and 2-d,
batched and unbatched, windows that overlap, shrink and grow, NaN and ties), the layers, the
gradients and the error messages, for tests/test_nn_pooling.cpp.

    /usr/bin/python3 tests/golden/generate_pooling.py
"""
import call_cases
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")

x = torch.arange(60, dtype=torch.float32).reshape(1, 3, 4, 5).sin()
s = torch.arange(14, dtype=torch.float32).reshape(2, 7).cos()
n = torch.tensor([[[1.0, float("nan"), 3.0, 3.0, -1.0, 2.0, 2.0]]])
d = torch.arange(30, dtype=torch.float64).reshape(2, 3, 5) * 0.25 - 2

VALUES = [
    "F.adaptive_avg_pool2d(x, (2, 3))", "F.adaptive_avg_pool2d(x, 1)", "F.adaptive_avg_pool2d(x, (4, 5))",
    "F.adaptive_avg_pool2d(x, (5, 7))", "F.adaptive_avg_pool2d(x[0], (3, 2))", "F.adaptive_avg_pool2d(d, (2, 4))",
    "F.adaptive_avg_pool2d(torch.zeros(1, 0, 3, 4), (2, 2))", "F.adaptive_avg_pool2d(x, (0, 2))",
    "F.adaptive_avg_pool1d(s, 3)", "F.adaptive_avg_pool1d(d, 4)", "F.adaptive_avg_pool1d(n, 2)", "F.adaptive_avg_pool1d(s, 9)",
    "F.adaptive_max_pool2d(x, (2, 3))", "F.adaptive_max_pool2d(x, 1)", "F.adaptive_max_pool2d(x, (5, 7))",
    "F.adaptive_max_pool2d(x[0], (3, 2))", "F.adaptive_max_pool2d(d, (3, 2))", "F.adaptive_max_pool2d(x, (0, 2))",
    "F.adaptive_max_pool1d(s, 3)", "F.adaptive_max_pool1d(n, 3)", "F.adaptive_max_pool1d(d, 2)", "F.adaptive_max_pool1d(s, 10)",
    "nn.AdaptiveAvgPool2d((1, 1))(x)", "nn.AdaptiveAvgPool2d(3)(x)", "nn.AdaptiveAvgPool1d(2)(s)",
    "nn.AdaptiveMaxPool2d((2, 2))(x)", "nn.AdaptiveMaxPool1d(4)(s)",
]

GRADS = [
    ("F.adaptive_avg_pool2d(X, (2, 3))", (1, 2, 4, 5)), ("F.adaptive_avg_pool2d(X, (5, 7))", (2, 4, 5)),
    ("F.adaptive_avg_pool1d(X, 3)", (2, 7)), ("F.adaptive_max_pool2d(X.sin(), (2, 3))", (1, 2, 4, 5)),
    ("F.adaptive_max_pool2d(X.cos(), (5, 3))", (2, 4, 5)), ("F.adaptive_max_pool1d(X.sin(), 3)", (2, 7)),
    ("F.adaptive_max_pool1d(X.round(), 2)", (1, 2, 7)),
]

ERRORS = [
    "F.adaptive_avg_pool2d(x, (2, 2, 2))", "F.adaptive_avg_pool2d(x.long(), (2, 2))",
    "F.adaptive_avg_pool2d(x, (-1, 2))", "F.adaptive_max_pool2d(x, (2, 2, 2))",
    "F.adaptive_max_pool2d(torch.zeros(1, 0, 3, 4), (2, 2))", "F.adaptive_max_pool2d(x.long(), (2, 2))",
    "F.adaptive_avg_pool1d(x, 2)", "F.adaptive_avg_pool1d(x[0, 0, 0], 2)", "F.adaptive_max_pool1d(x, 2)",
    "F.adaptive_avg_pool2d(x.unsqueeze(0), (2, 2))",
]

call_cases.write("generate_pooling.py", "pooling.txt", VALUES, GRADS, ERRORS, globals())
