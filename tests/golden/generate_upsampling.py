#!/usr/bin/python3
"""Writes tests/golden/upsampling.txt: PyTorch 1.13's F.interpolate in modes nearest, nearest-exact
(1-d and 2-d), linear (1-d) and bilinear (2-d), to a size or by a scale factor (with and without
recompute_scale_factor), align_corners true and false, shrinking and growing; the layers Upsample,
UpsamplingNearest2d and UpsamplingBilinear2d; the gradients and the error messages, for
tests/test_nn_upsampling.cpp.

    /usr/bin/python3 tests/golden/generate_upsampling.py
"""
import call_cases
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")

x = torch.arange(24, dtype=torch.float32).reshape(1, 2, 3, 4).sin()
s = torch.arange(10, dtype=torch.float32).reshape(2, 1, 5).cos()
d = torch.arange(20, dtype=torch.float64).reshape(1, 1, 4, 5) * 0.5 - 3
v = torch.arange(72, dtype=torch.float32).reshape(1, 2, 3, 4, 3).sin()
vd = torch.arange(72, dtype=torch.float64).reshape(1, 2, 3, 4, 3) * 0.25 - 9

VALUES = [
    "F.interpolate(s, size=8)", "F.interpolate(s, size=10)", "F.interpolate(s, size=3)", "F.interpolate(s, scale_factor=1.7)",
    "F.interpolate(s, scale_factor=1.7, recompute_scale_factor=True)", "F.interpolate(s, size=7, mode='nearest-exact')",
    "F.interpolate(x, size=(5, 7))", "F.interpolate(x, size=(6, 8))", "F.interpolate(x, scale_factor=(2.5, 0.6))",
    "F.interpolate(x, size=4)", "F.interpolate(x, scale_factor=1.5, mode='nearest-exact')",
    "F.interpolate(s, size=8, mode='linear')", "F.interpolate(s, size=8, mode='linear', align_corners=True)",
    "F.interpolate(s, size=3, mode='linear')", "F.interpolate(s, size=1, mode='linear', align_corners=True)",
    "F.interpolate(s, scale_factor=2.3, mode='linear')", "F.interpolate(s, scale_factor=2.3, mode='linear', recompute_scale_factor=True)",
    "F.interpolate(s, size=5, mode='linear')", "F.interpolate(s, scale_factor=1.1, mode='linear')",
    "F.interpolate(x, size=(5, 7), mode='bilinear')", "F.interpolate(x, size=(5, 7), mode='bilinear', align_corners=True)",
    "F.interpolate(x, size=(2, 3), mode='bilinear')", "F.interpolate(x, scale_factor=1.7, mode='bilinear')",
    "F.interpolate(x, scale_factor=(1.7, 0.8), mode='bilinear', align_corners=True)",
    "F.interpolate(x, scale_factor=1.7, mode='bilinear', recompute_scale_factor=True)",
    "F.interpolate(d, size=(7, 3), mode='bilinear')", "F.interpolate(d, size=(3, 9), mode='nearest')",
    "F.interpolate(d, scale_factor=0.7, mode='bilinear', align_corners=True)",
    "nn.Upsample(scale_factor=2)(x)", "nn.Upsample(size=(4, 6), mode='bilinear')(x)",
    "nn.Upsample(scale_factor=3, mode='linear', align_corners=True)(s)", "nn.UpsamplingNearest2d(size=(5, 5))(x)",
    "nn.UpsamplingNearest2d(scale_factor=2)(x)", "nn.UpsamplingBilinear2d(scale_factor=2)(x)",
    "nn.UpsamplingBilinear2d(size=(4, 7))(x)",
    # a scale factor whose size equals the input's or twice it: PyTorch's generic kernel computes the
    # pixels, its channels-last one (here the 1-channel input) copies them or halves the position
    "F.interpolate(s, scale_factor=1.1)", "F.interpolate(s, scale_factor=2.1)", "F.interpolate(x, scale_factor=1.2)",
    "F.interpolate(x, scale_factor=2.1)", "F.interpolate(x[:, :1], scale_factor=1.2)",
    "F.interpolate(x[:, :1], scale_factor=2.1)",
    "F.interpolate(x, size=(5, 7), mode='bicubic')", "F.interpolate(x, size=(5, 7), mode='bicubic', align_corners=True)",
    "F.interpolate(x, size=(2, 3), mode='bicubic')", "F.interpolate(x, scale_factor=1.7, mode='bicubic')",
    "F.interpolate(d, size=(7, 3), mode='bicubic')", "F.interpolate(d, scale_factor=(0.7, 2.2), mode='bicubic', align_corners=True)",
    "nn.Upsample(scale_factor=2, mode='bicubic')(x)",
    "F.interpolate(v, size=(4, 6, 5), mode='trilinear')", "F.interpolate(v, size=(2, 3, 7), mode='trilinear', align_corners=True)",
    "F.interpolate(v, scale_factor=(1.5, 0.5, 2.0), mode='trilinear')", "F.interpolate(v, size=(5, 3, 4))",
    "F.interpolate(v, scale_factor=1.7, mode='nearest-exact')", "F.interpolate(x, scale_factor=1.2, mode='bicubic')",
    "F.interpolate(v[:, :1], scale_factor=1.2)", "F.interpolate(v[:, :1], scale_factor=2.1)", "F.interpolate(vd, size=(3, 8, 2), mode='trilinear')",
]

GRADS = [
    ("F.interpolate(X, size=8)", (2, 1, 5)), ("F.interpolate(X, size=(5, 7))", (1, 2, 3, 4)),
    ("F.interpolate(X, size=8, mode='linear')", (2, 1, 5)), ("F.interpolate(X, size=3, mode='linear', align_corners=True)", (1, 2, 5)),
    ("F.interpolate(X, size=(5, 7), mode='bilinear')", (1, 2, 3, 4)),
    ("F.interpolate(X, scale_factor=1.7, mode='bilinear', align_corners=True)", (1, 1, 3, 4)),
    ("F.interpolate(X, size=(2, 3), mode='bilinear')", (1, 1, 4, 5)),
    ("F.interpolate(X, size=(5, 7), mode='bicubic')", (1, 2, 3, 4)),
    ("F.interpolate(X, scale_factor=1.7, mode='bicubic', align_corners=True)", (1, 1, 3, 4)),
    ("F.interpolate(X, size=(4, 6, 5), mode='trilinear')", (1, 2, 3, 4, 3)), ("F.interpolate(X, size=(5, 3, 4))", (1, 1, 3, 4, 3)),
]

ERRORS = [
    "F.interpolate(x, size=(5, 6), mode='linear')", "F.interpolate(x[0], size=5, mode='bilinear')",
    "F.interpolate(x[0, 0], size=5)", "F.interpolate(x, size=5, scale_factor=2.0)", "F.interpolate(x)",
    "F.interpolate(x, size=5, mode='nearest', align_corners=True)", "F.interpolate(x, size=5, mode='foo')",
    "F.interpolate(x, size=(5, 6, 7))", "F.interpolate(x, scale_factor=(2.0, 3.0, 1.5))",
    "F.interpolate(x.unsqueeze(0), size=5, mode='bilinear')", "F.interpolate(x, size=(0, 3))",
    "F.interpolate(x, scale_factor=0.1)", "F.interpolate(s, scale_factor=0.1, mode='linear')",
    "F.interpolate(x, size=5, recompute_scale_factor=True)", "F.interpolate(s, size=5, mode='bicubic')",
    "F.interpolate(v, size=(3, 5, 7), mode='bilinear')", "F.interpolate(v, size=(0, 5, 7), mode='trilinear')",
    "F.interpolate(x, size=(5, 7), mode='trilinear')",
]

# the nodes PyTorch records (its upsampling kernels' vec overloads), unchanged sizes included
xg, sg, vg = x.detach().requires_grad_(), s.detach().requires_grad_(), v.detach().requires_grad_()
NODES = [
    "F.interpolate(sg, scale_factor=2)", "F.interpolate(sg, size=7, mode='nearest-exact')", "F.interpolate(xg, size=(5, 7))",
    "F.interpolate(xg, size=(3, 4))", "F.interpolate(vg, size=(4, 5, 6))", "F.interpolate(vg, scale_factor=1.5, mode='nearest-exact')",
    "F.interpolate(sg, size=7, mode='linear')", "F.interpolate(xg, size=(5, 7), mode='bilinear')",
    "F.interpolate(xg, size=(3, 4), mode='bilinear', align_corners=True)", "F.interpolate(xg, scale_factor=2, mode='bicubic')",
    "F.interpolate(vg, size=(4, 5, 6), mode='trilinear')", "nn.Upsample(scale_factor=2)(xg)",
    "nn.UpsamplingBilinear2d(scale_factor=2)(xg)",
]

call_cases.write("generate_upsampling.py", "upsampling.txt", VALUES, GRADS, ERRORS, globals(), NODES)
