#!/usr/bin/python3
"""Writes tests/golden/grid_sample.txt: PyTorch 1.13's F.affine_grid and F.grid_sample (modes
bilinear, nearest and bicubic, padding modes zeros, border and reflection, with and without
align_corners, points outside the image and not finite), gradients for the input, the grid and
theta, and error messages, for tests/test_nn_grid_sample.cpp.

    /usr/bin/python3 tests/golden/generate_grid_sample.py
"""
import call_cases
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")

x = torch.arange(2 * 3 * 4 * 5, dtype=torch.float64).reshape(2, 3, 4, 5).sin()
g = (torch.arange(2 * 6 * 7 * 2, dtype=torch.float64).reshape(2, 6, 7, 2) * 0.37).sin() * 1.3
theta = torch.tensor([[[0.9, -0.3, 0.1], [0.2, 1.1, -0.25]], [[-0.5, 0.4, 0.3], [0.7, 0.6, 0.0]]], dtype=torch.float64)
odd = torch.tensor([[[[float("nan"), 0.2], [0.3, float("inf")], [-1.0, 1.0], [1.0, -1.0]]]], dtype=torch.float64)

VALUES = [
    "F.affine_grid(theta, (2, 3, 4, 5), align_corners=False)", "F.affine_grid(theta, (2, 1, 3, 2), align_corners=True)",
    "F.affine_grid(theta.float(), (2, 3, 1, 4), align_corners=False)", "F.affine_grid(theta, (2, 3, 5, 1), align_corners=True)",
]
for mode in ("bilinear", "nearest"):
    for padding in ("zeros", "border", "reflection"):
        for corners in (False, True):
            VALUES.append(f"F.grid_sample(x, g, mode='{mode}', padding_mode='{padding}', align_corners={corners})")
for padding in ("zeros", "border", "reflection"):
    for corners in (False, True):
        VALUES.append(f"F.grid_sample(x, g, mode='bicubic', padding_mode='{padding}', align_corners={corners})")
VALUES += [
    "F.grid_sample(x.float(), g.float(), align_corners=False)", "F.grid_sample(x[:1], odd, align_corners=False)",
    "F.grid_sample(x[:1], odd, mode='nearest', align_corners=True)",
    "F.grid_sample(x[:, :, :1], g, padding_mode='reflection', align_corners=True)",
    "F.grid_sample(x, F.affine_grid(theta, (2, 3, 3, 4), align_corners=False), align_corners=False)",
    "F.grid_sample(x[:0], g[:0], align_corners=False)",
]

GRADS = [
    ("F.grid_sample(X, g, align_corners=False)", (2, 3, 4, 5)),
    ("F.grid_sample(X, g, mode='nearest', padding_mode='reflection', align_corners=True)", (2, 3, 4, 5)),
    ("F.grid_sample(x, (X * 0.09).sin() * 1.2, align_corners=False)", (2, 6, 7, 2)),
    ("F.grid_sample(x, (X * 0.09).sin() * 1.2, padding_mode='border', align_corners=True)", (2, 6, 7, 2)),
    ("F.grid_sample(x, (X * 0.09).sin() * 1.2, padding_mode='reflection', align_corners=False)", (2, 6, 7, 2)),
    ("F.grid_sample(x, (X * 0.09).sin() * 1.2, mode='nearest', align_corners=False)", (2, 6, 7, 2)),
    ("F.grid_sample(X, g, mode='bicubic', padding_mode='reflection', align_corners=False)", (2, 3, 4, 5)),
    ("F.grid_sample(x, (X * 0.09).sin() * 1.2, mode='bicubic', align_corners=True)", (2, 6, 7, 2)),
    ("F.grid_sample(x, (X * 0.09).sin() * 1.2, mode='bicubic', padding_mode='border', align_corners=False)", (2, 6, 7, 2)),
    ("F.grid_sample(x, X, padding_mode='border', align_corners=True)", (2, 1, 3, 2)),
    ("F.grid_sample(x, X * 0.5, padding_mode='reflection', align_corners=True)", (2, 1, 3, 2)),
    ("F.affine_grid(X, (2, 3, 4, 5), align_corners=False)", (2, 2, 3)),
    ("F.affine_grid(X, (2, 3, 4, 5), align_corners=True)", (2, 2, 3)),
]

ERRORS = [
    "F.grid_sample(x, g, mode='foo', align_corners=False)", "F.grid_sample(x, g, padding_mode='foo', align_corners=False)",
    "F.grid_sample(x, g[:1], align_corners=False)", "F.grid_sample(x, g[..., :1], align_corners=False)",
    "F.grid_sample(x[:, :, :0], g, align_corners=False)", "F.grid_sample(x[0], g, align_corners=False)",
    "F.affine_grid(theta, (2, 3, 0, 5), align_corners=False)",
]

# Volumes: [N, C, D, H, W] read at grids [N, Do, Ho, Wo, 3], and 3-D affine maps.
x3 = torch.arange(2 * 2 * 3 * 4 * 5, dtype=torch.float64).reshape(2, 2, 3, 4, 5).sin()
g3 = (torch.arange(2 * 3 * 4 * 2 * 3, dtype=torch.float64).reshape(2, 3, 4, 2, 3) * 0.41).sin() * 1.3
theta3 = torch.tensor([[[0.9, -0.3, 0.1, 0.05], [0.2, 1.1, -0.25, 0.1], [0.1, 0.2, 0.8, -0.3]],
                       [[-0.5, 0.4, 0.3, 0.0], [0.7, 0.6, 0.0, 0.2], [0.0, -0.4, 1.2, 0.1]]], dtype=torch.float64)
VALUES += ["F.affine_grid(theta3, (2, 2, 3, 4, 5), align_corners=False)",
           "F.affine_grid(theta3, (2, 1, 1, 3, 2), align_corners=True)"]
for mode in ("bilinear", "nearest"):
    for padding in ("zeros", "border", "reflection"):
        for corners in (False, True):
            VALUES.append(f"F.grid_sample(x3, g3, mode='{mode}', padding_mode='{padding}', align_corners={corners})")
VALUES += [
    "F.grid_sample(x3.float(), g3.float(), align_corners=False)",
    "F.grid_sample(x3[:, :, :, :, :1], g3, padding_mode='reflection', align_corners=True)",
    "F.grid_sample(x3, F.affine_grid(theta3, (2, 2, 2, 3, 4), align_corners=True), align_corners=True)",
    "F.grid_sample(x3[:0], g3[:0], align_corners=False)",
]
GRADS += [
    ("F.grid_sample(X, g3, align_corners=False)", (2, 2, 3, 4, 5)),
    ("F.grid_sample(X, g3, mode='nearest', padding_mode='border', align_corners=True)", (2, 2, 3, 4, 5)),
    ("F.grid_sample(x3, (X * 0.09).sin() * 1.2, align_corners=False)", (2, 3, 4, 2, 3)),
    ("F.grid_sample(x3, (X * 0.09).sin() * 1.2, padding_mode='border', align_corners=True)", (2, 3, 4, 2, 3)),
    ("F.grid_sample(x3, (X * 0.09).sin() * 1.2, padding_mode='reflection', align_corners=False)", (2, 3, 4, 2, 3)),
    ("F.affine_grid(X, (2, 2, 3, 4, 5), align_corners=False)", (2, 3, 4)),
]
ERRORS += [
    "F.grid_sample(x3, g3, mode='bicubic', align_corners=False)", "F.grid_sample(x3, g, align_corners=False)",
    "F.grid_sample(x3, g3[:, 0], align_corners=False)", "F.grid_sample(x3[0], g3, align_corners=False)",
    "F.affine_grid(theta3, (2, 2, 0, 4, 5), align_corners=False)",
    "F.affine_grid(theta3, (2, 2, 3, 4, 5, 6), align_corners=False)",
]
# Volumes at points that are not finite or beyond int's range, and an affine grid PyTorch allows
# with a size of 0 beside a spatial size of 1 (align_corners).
odd3 = torch.tensor([[[[[float("nan"), 0.2, 0.1], [0.3, float("inf"), -0.5], [-1.0, 1.0, float("-inf")],
                        [1e12, -0.2, 0.4]]]]], dtype=torch.float64)
for mode in ("bilinear", "nearest"):
    for padding in ("zeros", "border", "reflection"):
        VALUES.append(f"F.grid_sample(x3[:1], odd3, mode='{mode}', padding_mode='{padding}', align_corners=False)")
VALUES += ["F.affine_grid(theta3, (2, 0, 1, 3, 2), align_corners=True)"]

call_cases.write("generate_grid_sample.py", "grid_sample.txt", VALUES, GRADS, ERRORS, globals())
