#!/usr/bin/python3
"""Writes tests/golden/fractional_pooling.txt: PyTorch 1.13's F.fractional_max_pool2d and
F.fractional_max_pool3d with given samples (values, indices, gradients, error messages), for
tests/test_nn_fractional_pooling.cpp.

    /usr/bin/python3 tests/golden/generate_fractional_pooling.py
"""
import call_cases
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")

x = torch.arange(2 * 3 * 7 * 6, dtype=torch.float64).reshape(2, 3, 7, 6).sin()
s = torch.tensor([[[0.1, 0.73], [0.5, 0.02], [0.99, 0.4]], [[0.25, 0.6], [0.0, 0.875], [0.33, 0.66]]], dtype=torch.float64)
xn = x.clone()
xn[0, 0, 1, 1] = float("nan")
xn[0, 0, 2, 2] = float("nan")
x3 = torch.arange(2 * 2 * 5 * 6 * 7, dtype=torch.float64).reshape(2, 2, 5, 6, 7).sin()
s3 = torch.tensor([[[0.1, 0.73, 0.3], [0.5, 0.02, 0.95]], [[0.25, 0.6, 0.0], [0.45, 0.875, 0.66]]], dtype=torch.float64)

VALUES = [
    "F.fractional_max_pool2d(x, 2, output_size=(4, 3), return_indices=True, _random_samples=s)",
    "F.fractional_max_pool2d(x, (3, 2), output_size=(3, 4), return_indices=True, _random_samples=s)",
    "F.fractional_max_pool2d(x, 2, output_ratio=0.5, return_indices=True, _random_samples=s)",
    "F.fractional_max_pool2d(x, 2, output_ratio=(0.6, 0.7), return_indices=True, _random_samples=s)",
    "F.fractional_max_pool2d(x, 2, output_size=(6, 5), return_indices=True, _random_samples=s)",
    "F.fractional_max_pool2d(x, 3, output_size=1, return_indices=True, _random_samples=s)",
    "F.fractional_max_pool2d(x[0], 2, output_size=(4, 3), return_indices=True, _random_samples=s[:1])",
    "F.fractional_max_pool2d(x.float(), 2, output_size=(5, 4), return_indices=True, _random_samples=s.float())",
    "F.fractional_max_pool2d(xn, 3, output_size=(3, 2), return_indices=True, _random_samples=s)",
    "F.fractional_max_pool2d(x, 2, output_size=(0, 3), return_indices=True, _random_samples=s)",
    "F.fractional_max_pool3d(x3, 2, output_size=(3, 4, 5), return_indices=True, _random_samples=s3)",
    "F.fractional_max_pool3d(x3, (2, 3, 2), output_size=(2, 3, 4), return_indices=True, _random_samples=s3)",
    "F.fractional_max_pool3d(x3, 2, output_ratio=0.6, return_indices=True, _random_samples=s3)",
    "F.fractional_max_pool3d(x3[1], 2, output_size=(3, 2, 5), return_indices=True, _random_samples=s3[:1])",
]

GRADS = [
    ("F.fractional_max_pool2d(X, 2, output_size=(4, 3), _random_samples=s)", (2, 3, 7, 6)),
    ("F.fractional_max_pool2d(X.sin(), (3, 2), output_size=(3, 4), _random_samples=s)", (2, 3, 7, 6)),
    ("F.fractional_max_pool3d(X.cos(), 2, output_size=(3, 4, 5), _random_samples=s3)", (2, 2, 5, 6, 7)),
]

ERRORS = [
    "F.fractional_max_pool2d(x, 2, _random_samples=s)",
    "F.fractional_max_pool2d(x, 2, output_size=(7, 3), _random_samples=s)",
    "F.fractional_max_pool2d(x, 2, output_size=(4, 6), _random_samples=s)",
    "F.fractional_max_pool2d(x[0, 0], 2, output_size=(4, 3), _random_samples=s)",
    "F.fractional_max_pool2d(x[:, :, :0], 2, output_size=(4, 3), _random_samples=s)",
    "F.fractional_max_pool2d(x.half(), 2, output_size=(4, 3), _random_samples=s.half())",
    "F.fractional_max_pool3d(x3, 2, output_size=(4, 4, 5), _random_samples=s3)",
    "F.fractional_max_pool3d(x3, 2, output_size=(3, 4, 7), _random_samples=s3)",
    "F.fractional_max_pool3d(x3[0, 0], 2, output_size=(3, 4, 5), _random_samples=s3)",
    "F.fractional_max_pool3d(x3, 2, _random_samples=s3)",
]

call_cases.write("generate_fractional_pooling.py", "fractional_pooling.txt", VALUES, GRADS, ERRORS, globals())
