#!/usr/bin/python3
"""Writes tests/golden/pooling.txt: PyTorch 1.13's max and average pooling (1-d and 2-d, kernel,
stride, padding and dilation as ints and pairs, ceil_mode, count_include_pad, divisor_override,
return_indices, NaN, -inf and ties), max_unpool1d and max_unpool2d, lp_pool1d and lp_pool2d, adaptive average and max pooling (1-d and 2-d,
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
q = torch.arange(70, dtype=torch.float32).reshape(2, 5, 7).sin()
t = torch.arange(54, dtype=torch.float32).reshape(2, 3, 9).cos()
inf = float("inf")
z = torch.tensor([[[[1.0, 3.0, float("nan"), float("nan"), 0.0], [2.0, 3.0, 4.0, -inf, -inf],
                    [float("nan"), 1.0, 4.0, -inf, -inf]]]])
u = torch.tensor([[[[0, 3], [9, 14]]]])
v = torch.tensor([[[0, 4], [2, 5]]])
w = torch.arange(2 * 3 * 4 * 5 * 6, dtype=torch.float32).reshape(2, 3, 4, 5, 6).sin()
e = (torch.arange(2 * 3 * 4 * 5 * 6, dtype=torch.float64).reshape(2, 3, 4, 5, 6) % 17) / 8 - 1  # exact in double

VALUES = [
    "F.max_pool2d(x, 2)", "F.max_pool2d(x, 3, 2, 1)", "F.max_pool2d(x, (2, 3), (1, 2), (1, 1))",
    "F.max_pool2d(x, 3, 2, 1, ceil_mode=True)", "F.max_pool2d(x, 2, 2, 0, 2)",
    "F.max_pool2d(x, (3, 2), 2, (1, 0), (1, 2), ceil_mode=True)", "F.max_pool2d(q, 3, 2, ceil_mode=True)",
    "F.max_pool2d(x, 3, 2, 1, return_indices=True)", "F.max_pool2d(q, (2, 3), 2, 1, ceil_mode=True, return_indices=True)",
    "F.max_pool2d(z, 2, 1, 1, return_indices=True)", "F.max_pool2d(z, (3, 2), 1, (1, 1), 1, True, return_indices=True)",
    "F.avg_pool2d(x, 2)", "F.avg_pool2d(x, 3, 2, 1)", "F.avg_pool2d(x, 3, 2, 1, ceil_mode=True)",
    "F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)",
    "F.avg_pool2d(x, (2, 3), (3, 1), (1, 1), count_include_pad=False)", "F.avg_pool2d(q, 2, ceil_mode=True)",
    "F.avg_pool2d(x, 3, 1, 1, divisor_override=5)", "F.avg_pool2d(d, 2, 1, 1, ceil_mode=True, count_include_pad=False)",
    "F.avg_pool2d(q, (3, 2), (2, 3), (1, 1), True, True, 4)",
    "F.max_pool1d(t, 3)", "F.max_pool1d(t, 3, 2, 1, ceil_mode=True)", "F.max_pool1d(t, 2, 1, 1, 2)",
    "F.max_pool1d(t, 4, 3, 2, ceil_mode=True, return_indices=True)", "F.max_pool1d(s, 3, return_indices=True)",
    "F.max_pool1d(n, 2, 1, 1, return_indices=True)", "F.max_pool1d(n, 3, 1, 1)",
    "F.avg_pool1d(t, 3)", "F.avg_pool1d(t, 4, 3, 2, ceil_mode=True)", "F.avg_pool1d(t, 4, 3, 2, ceil_mode=True, count_include_pad=False)",
    "F.avg_pool1d(s, 2, 1, 1)",
    "F.max_unpool2d(*F.max_pool2d(x[..., :4], 2, return_indices=True), 2)",
    "F.max_unpool2d(*F.max_pool2d(x, 3, 2, 1, return_indices=True), 3, 2, 1, output_size=(4, 5))",
    "F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2, output_size=(5, 5))",
    "F.max_unpool2d(*F.max_pool2d(q, 2, return_indices=True), 2, output_size=(5, 7))",
    "nn.MaxPool2d(2, 2)(x)", "nn.MaxPool2d((3, 2), stride=1, padding=1, ceil_mode=True)(x)",
    "nn.MaxPool2d(3, 2, 1, return_indices=True)(x)", "nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)(x)",
    "nn.AvgPool2d(2)(q)", "nn.MaxPool1d(3, 2, 1)(t)", "nn.MaxPool1d(3, return_indices=True)(t)", "nn.AvgPool1d(2)(t)",
    "nn.MaxUnpool2d(2)(*F.max_pool2d(x[..., :4], 2, return_indices=True))",
    "F.adaptive_avg_pool2d(x, (2, 3))", "F.adaptive_avg_pool2d(x, 1)", "F.adaptive_avg_pool2d(x, (4, 5))",
    "F.adaptive_avg_pool2d(x, (5, 7))", "F.adaptive_avg_pool2d(x[0], (3, 2))", "F.adaptive_avg_pool2d(d, (2, 4))",
    "F.adaptive_avg_pool2d(torch.zeros(1, 0, 3, 4), (2, 2))", "F.adaptive_avg_pool2d(x, (0, 2))",
    "F.adaptive_avg_pool1d(s, 3)", "F.adaptive_avg_pool1d(d, 4)", "F.adaptive_avg_pool1d(n, 2)", "F.adaptive_avg_pool1d(s, 9)",
    "F.adaptive_max_pool2d(x, (2, 3))", "F.adaptive_max_pool2d(x, 1)", "F.adaptive_max_pool2d(x, (5, 7))",
    "F.adaptive_max_pool2d(x[0], (3, 2))", "F.adaptive_max_pool2d(d, (3, 2))", "F.adaptive_max_pool2d(x, (0, 2))",
    "F.adaptive_max_pool1d(s, 3)", "F.adaptive_max_pool1d(n, 3)", "F.adaptive_max_pool1d(d, 2)", "F.adaptive_max_pool1d(s, 10)",
    "nn.AdaptiveAvgPool2d((1, 1))(x)", "nn.AdaptiveAvgPool2d(3)(x)", "nn.AdaptiveAvgPool1d(2)(s)",
    "nn.AdaptiveMaxPool2d((2, 2))(x)", "nn.AdaptiveMaxPool1d(4)(s)",
    "F.adaptive_max_pool2d(x, (2, 3), return_indices=True)", "F.adaptive_max_pool2d(x[0], (3, 2), return_indices=True)",
    "F.adaptive_max_pool2d(x, (5, 7), return_indices=True)", "F.adaptive_max_pool2d(z, (2, 3), return_indices=True)",
    "F.adaptive_max_pool2d(x, (0, 2), return_indices=True)", "F.adaptive_max_pool1d(n, 3, return_indices=True)",
    "F.adaptive_max_pool1d(s, 10, return_indices=True)", "nn.AdaptiveMaxPool2d((2, 2), return_indices=True)(x)",
    "nn.AdaptiveMaxPool1d(4, return_indices=True)(s)",
    "F.max_unpool1d(*F.max_pool1d(t, 2, return_indices=True), 2)",
    "F.max_unpool1d(*F.max_pool1d(t, 3, 2, 1, return_indices=True), 3, 2, 1, output_size=(10,))",
    "F.max_unpool1d(*F.max_pool1d(t[0], 2, return_indices=True), 2, output_size=(9,))",
    "nn.MaxUnpool1d(2)(*F.max_pool1d(t, 2, return_indices=True))",
    "F.lp_pool1d(t, 2, 3)", "F.lp_pool1d(t, 1.5, 2, 3, ceil_mode=True)", "F.lp_pool1d(t[0], 3, 4, 2)",
    "F.lp_pool2d(x, 2, 2)", "F.lp_pool2d(x, 1, (2, 3), (1, 2))", "F.lp_pool2d(x.abs(), 2.5, 3, 2, ceil_mode=True)",
    "F.lp_pool2d(x[0], 3, 2)", "nn.LPPool1d(2, 3)(t)", "nn.LPPool2d(1.5, (3, 2), 2)(x.abs())",
    "F.adaptive_avg_pool3d(w, (2, 3, 4))", "F.adaptive_avg_pool3d(w[0], 3)", "F.adaptive_avg_pool3d(w, (1, 1, 1))",
    "F.adaptive_avg_pool3d(w, (5, 7, 2))", "F.adaptive_max_pool3d(w, (2, 3, 4))", "F.adaptive_max_pool3d(w[0], (3, 2, 5))",
    "nn.AdaptiveAvgPool3d((2, 2, 3))(w)", "nn.AdaptiveMaxPool3d(2)(w)",
    "F.max_pool3d(w, 2)", "F.max_pool3d(w, (2, 3, 2), (1, 2, 3), (1, 1, 0))", "F.max_pool3d(w[0], 3, 2, 1, ceil_mode=True)",
    "F.max_pool3d(w, 2, 1, 0, (2, 1, 2), return_indices=True)", "F.max_pool3d(w, 3, 2, 1, return_indices=True)",
    "F.max_pool3d(torch.stack([z, z.flip(-1)], 2), 2, 1, 1, return_indices=True)",
    "F.max_pool3d(torch.stack([z, z.flip(-1)], 2), (2, 3, 2), 1, 1, ceil_mode=True, return_indices=True)",
    "F.avg_pool3d(w, 2)", "F.avg_pool3d(w, (2, 3, 2), (1, 2, 3), (1, 1, 0))", "F.avg_pool3d(w[0], 3, 2, 1, ceil_mode=True)",
    "F.avg_pool3d(w, 3, 2, 1, ceil_mode=True, count_include_pad=False)", "F.avg_pool3d(w, (2, 2, 3), 2, 1, divisor_override=5)",
    "F.avg_pool3d(e, 3, (2, 3, 2), 1, count_include_pad=False)",
    "nn.MaxPool3d(2, 1)(w)", "nn.MaxPool3d((2, 2, 3), stride=2, padding=1, ceil_mode=True)(w)", "nn.AvgPool3d(3, 2, 1)(w)",
    "nn.AvgPool3d(2, stride=(1, 2, 2), ceil_mode=True, count_include_pad=False)(w)",
    # windows with no element inside the image: -inf, and the index of their first taps past 0
    "F.max_pool2d(torch.tensor([[[[5., 7.]]]]), (1, 2), padding=(0, 1), dilation=(1, 3), return_indices=True)",
    "F.max_pool3d(torch.tensor([[[[[5., 7.]]]]]), (1, 1, 2), padding=(0, 0, 1), dilation=(1, 1, 3), return_indices=True)",
    "F.max_pool2d((x * 2).round(), 3, 1, 1, return_indices=True)",
    "F.max_pool3d((w * 2).round(), 2, 1, 1, return_indices=True)",
]

GRADS = [
    ("F.max_pool2d(X.sin(), 3, 2, 1)", (1, 2, 5, 5)), ("F.max_pool2d(X.sin(), (2, 3), (1, 2), 1, ceil_mode=True)", (2, 4, 5)),
    ("F.max_pool2d(X.cos(), 2, 1, 1, 2)", (1, 1, 5, 6)), ("F.max_pool2d(X.round(), 2, 1)", (1, 1, 4, 4)),
    ("F.avg_pool2d(X, 3, 2, 1, ceil_mode=True)", (1, 2, 5, 5)),
    ("F.avg_pool2d(X, (2, 3), 2, (1, 1), ceil_mode=True, count_include_pad=False)", (2, 4, 5)),
    ("F.avg_pool2d(X, 2, divisor_override=3)", (1, 1, 4, 4)), ("F.max_pool1d(X.sin(), 3, 2, 1, ceil_mode=True)", (2, 3, 8)),
    ("F.avg_pool1d(X, 4, 3, 2, ceil_mode=True, count_include_pad=False)", (2, 3, 8)),
    ("F.max_unpool2d(X, u, 2, output_size=(4, 4))", (1, 1, 2, 2)),
    ("F.adaptive_avg_pool2d(X, (2, 3))", (1, 2, 4, 5)), ("F.adaptive_avg_pool2d(X, (5, 7))", (2, 4, 5)),
    ("F.adaptive_avg_pool1d(X, 3)", (2, 7)), ("F.adaptive_max_pool2d(X.sin(), (2, 3))", (1, 2, 4, 5)),
    ("F.adaptive_max_pool2d(X.cos(), (5, 3))", (2, 4, 5)), ("F.adaptive_max_pool1d(X.sin(), 3)", (2, 7)),
    ("F.adaptive_max_pool1d(X.round(), 2)", (1, 2, 7)),
    ("F.adaptive_max_pool2d(X.cos(), (3, 2), return_indices=True)[0]", (1, 2, 4, 5)),
    ("F.max_unpool1d(X, v, 3)", (1, 2, 2)), ("F.lp_pool1d(X.sin() + 2, 2, 3)", (2, 3, 7)),
    ("F.lp_pool2d(X.cos() + 2, 1.5, (2, 3), (1, 2))", (1, 2, 4, 5)),
    ("F.adaptive_avg_pool3d(X, (2, 3, 2))", (1, 2, 3, 4, 5)), ("F.adaptive_max_pool3d(X.sin(), (2, 2, 3))", (1, 2, 3, 4, 5)),
    ("F.adaptive_max_pool3d(X.round(), (1, 2, 2))", (1, 1, 2, 3, 4)),
    ("F.max_pool3d(X.sin(), 2, 1, 1)", (1, 2, 3, 4, 5)), ("F.max_pool3d(X.round(), (2, 3, 2), 2, 1, ceil_mode=True)", (2, 4, 5, 3)),
    ("F.max_pool3d(X.cos(), 2, 1, 0, 2)", (1, 1, 4, 5, 5)),
    ("F.avg_pool3d(X, 3, 2, 1, ceil_mode=True)", (1, 2, 4, 5, 5)),
    ("F.avg_pool3d(X, (2, 3, 2), 2, (1, 1, 0), ceil_mode=True, count_include_pad=False)", (2, 4, 5, 3)),
    ("F.avg_pool3d(X, 2, divisor_override=3)", (1, 1, 4, 4, 4)),
]

ERRORS = [
    "F.max_pool2d(x, 2, 2, 2)", "F.max_pool2d(torch.ones(1, 1, 1, 1), 2)", "F.max_pool2d(x[0, 0], 2)",
    "F.max_pool2d(x, (2, 2, 2))", "F.max_pool2d(x, 2, 0)", "F.max_pool2d(x, 2, dilation=0)", "F.max_pool2d(x, 2, padding=-1)",
    "F.max_pool2d(x, 3, dilation=2)", "F.max_pool2d(x, 2, 2, 2, return_indices=True)", "F.max_pool2d(x, (3, 2), 1, (2, 1))",
    "F.max_pool2d(torch.ones(1, 0, 4, 4), 2)",
    "F.avg_pool2d(x, 2, 2, 2)", "F.avg_pool2d(torch.ones(1, 1, 1, 1), 2)", "F.avg_pool2d(x, 2, divisor_override=0)",
    "F.avg_pool2d(x[0, 0], 2)", "F.avg_pool2d(x, (2, 2, 2))",
    "F.max_pool1d(x[0, 0, 0], 2)", "F.max_pool1d(t, 2, 1, 2)", "F.max_pool1d(t, 2, 1, 0, 0)", "F.max_pool1d(t, 0)",
    "F.max_pool1d(x[0, 0, 0], 2, return_indices=True)", "F.max_pool1d(t, 2, 1, 2, return_indices=True)",
    "F.avg_pool1d(x[0, 0, 0], 2)", "F.avg_pool1d(t, 2, 1, 2)", "F.avg_pool1d(torch.ones(1, 1, 1), 2)",
    "F.max_unpool2d(x, torch.zeros(1, 3, 4, 4, dtype=torch.long), 2)", "F.max_unpool2d(x, torch.full((1, 3, 4, 5), 100), 2)",
    "F.max_unpool2d(x[0, 0], torch.zeros(4, 5, dtype=torch.long), 2)",
    "F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2, output_size=(7, 4))",
    "F.max_unpool2d(*F.max_pool2d(q, 2, return_indices=True), 2, output_size=(2, 5, 7))",
    "F.adaptive_avg_pool2d(x, (2, 2, 2))", "F.adaptive_avg_pool2d(x.long(), (2, 2))",
    "F.adaptive_avg_pool2d(x, (-1, 2))", "F.adaptive_max_pool2d(x, (2, 2, 2))",
    "F.adaptive_max_pool2d(torch.zeros(1, 0, 3, 4), (2, 2))", "F.adaptive_max_pool2d(x.long(), (2, 2))",
    "F.adaptive_avg_pool1d(x, 2)", "F.adaptive_avg_pool1d(x[0, 0, 0], 2)", "F.adaptive_max_pool1d(x, 2)",
    "F.adaptive_avg_pool2d(x.unsqueeze(0), (2, 2))",
    "F.max_unpool1d(*F.max_pool1d(t, 2, return_indices=True), 2, output_size=(11,))",
    "F.max_unpool1d(*F.max_pool1d(t, 2, return_indices=True), 2, output_size=(2, 8))",
    "F.max_unpool1d(t, torch.full((2, 3, 9), 30), 2)",
    "F.adaptive_avg_pool3d(w, (2, 3))", "F.adaptive_avg_pool3d(w.unsqueeze(0), (2, 3, 4))",
    "F.adaptive_max_pool3d(torch.zeros(1, 0, 3, 4, 5), (1, 3, 4))",
    "F.adaptive_avg_pool3d(w.long(), (2, 3, 4))",
    "F.max_pool3d(w, 2, 2, 2)", "F.max_pool3d(torch.ones(1, 1, 1, 1, 1), 2)", "F.max_pool3d(w[0, 0], 2)", "F.max_pool3d(w, (2, 2))",
    "F.max_pool3d(w, 2, 0)", "F.max_pool3d(w, 2, dilation=0)", "F.max_pool3d(w, 2, padding=-1)", "F.max_pool3d(w, 3, dilation=3)",
    "F.max_pool3d(torch.ones(1, 0, 4, 4, 4), 2)", "F.max_pool3d(w, 2, 2, (1, 2))", "F.max_pool3d(w, 2, (1, 2))",
    "F.max_pool3d(w, 2, dilation=(1, 2))", "F.max_pool3d(w, (1, 0, 2), 1)", "F.max_pool3d(w, 3, 1, 1, dilation=(1, 0, 1))",
    "F.avg_pool3d(w, 2, 2, 2)", "F.avg_pool3d(torch.ones(1, 1, 1, 1, 1), 2)", "F.avg_pool3d(w, 2, divisor_override=0)",
    "F.avg_pool3d(w[0, 0], 2)", "F.avg_pool3d(w, (2, 2))", "F.avg_pool3d(w, 2, 0)", "F.avg_pool3d(w, 2, padding=-1)",
    "F.avg_pool3d(torch.ones(1, 0, 4, 4, 4), 2)", "F.avg_pool3d(w, 2, (1, 2))", "F.avg_pool3d(w, 2, 2, (1, 2))",
    "F.avg_pool3d(w, (1, 0, 2), 1)", "F.avg_pool3d(w[0, :, :1], 2, 1, 1)",
]

# the nodes PyTorch records (its pooling kernels' own, MeanBackward1 for a 1 x 1 average)
xg, tg, wg = x.detach().requires_grad_(), t.detach().requires_grad_(), w.detach().requires_grad_()
NODES = [
    "F.max_pool2d(xg, 2)", "F.max_pool2d(xg[0], 3, 2, 1)", "F.max_pool2d(xg, 3, 2, 1, return_indices=True)[0]",
    "F.max_pool1d(tg, 3)", "F.max_pool3d(wg, 2)", "F.max_pool3d(wg[0], 3, 2, 1, return_indices=True)[0]",
    "F.avg_pool2d(xg, 2)", "F.avg_pool2d(xg[0], 3, 2, 1, ceil_mode=True)", "F.avg_pool1d(tg, 3)", "F.avg_pool3d(wg, 2)",
    "F.adaptive_avg_pool2d(xg, (2, 3))", "F.adaptive_avg_pool2d(xg, 1)", "F.adaptive_avg_pool2d(xg[0], (3, 2))",
    "F.adaptive_avg_pool1d(tg, 4)", "F.adaptive_avg_pool1d(tg, 1)", "F.adaptive_avg_pool3d(wg, (2, 3, 4))",
    "F.adaptive_avg_pool3d(wg, 1)", "F.adaptive_max_pool2d(xg, (2, 3))", "F.adaptive_max_pool2d(xg, 1)",
    "F.adaptive_max_pool2d(xg[0], (3, 2), return_indices=True)[0]", "F.adaptive_max_pool1d(tg, 4)",
    "F.adaptive_max_pool3d(wg, 2)", "F.lp_pool2d(xg, 2, 2)", "nn.MaxPool2d(2)(xg)", "nn.AdaptiveAvgPool2d((1, 1))(xg)",
]

call_cases.write("generate_pooling.py", "pooling.txt", VALUES, GRADS, ERRORS, globals(), NODES)
