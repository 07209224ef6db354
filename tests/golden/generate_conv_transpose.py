#!/usr/bin/python3
"""Writes tests/golden/conv_transpose.txt: PyTorch 1.13's conv_transpose1d and conv_transpose2d
(float32 and float64, strides, paddings, output paddings, dilations, groups, bias or none,
unbatched and empty batches; for 2-D rectangular kernels and each of those an int or a pair),
nn.ConvTranspose2d's initial weights (torch.manual_seed, the mt19937 generator), the gradients for
input, weight and bias, and the error messages (padding_mode too), for tests/test_nn_conv_transpose.cpp.

    /usr/bin/python3 tests/golden/generate_conv_transpose.py
"""
import call_cases
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")

x = torch.arange(40, dtype=torch.float32).reshape(2, 4, 5).sin()          # 1-d input, 4 channels
w = torch.arange(36, dtype=torch.float32).reshape(4, 3, 3).cos()          # [in, out / groups, k]
y = torch.arange(120, dtype=torch.float32).reshape(2, 4, 3, 5).sin()      # 2-d input, 4 channels
v = torch.arange(72, dtype=torch.float32).reshape(4, 2, 3, 3).cos()       # [in, out / groups, k, k]
v2 = torch.arange(48, dtype=torch.float32).reshape(4, 3, 2, 2).cos()      # an even kernel
vr = torch.arange(48, dtype=torch.float32).reshape(4, 2, 2, 3).sin()      # a rectangular kernel
b = torch.arange(12, dtype=torch.float32) * 0.25 - 1.5
# float64 inputs computed in float64 (a float32 sin that differs in its last bit would show)
xd = torch.arange(40, dtype=torch.float64).reshape(2, 4, 5).sin()
wd = torch.arange(36, dtype=torch.float64).reshape(4, 3, 3).cos()
yd = torch.arange(120, dtype=torch.float64).reshape(2, 4, 3, 5).sin()
vd = torch.arange(72, dtype=torch.float64).reshape(4, 2, 3, 3).cos()
vrd = torch.arange(48, dtype=torch.float64).reshape(4, 2, 2, 3).sin()
bd = b.double()
z = torch.arange(240, dtype=torch.float32).reshape(2, 4, 3, 2, 5).sin()   # 3-d input, 4 channels
u = torch.arange(96, dtype=torch.float32).reshape(4, 2, 2, 3, 2).cos()    # [in, out / groups, kd, kh, kw]
zd = torch.arange(240, dtype=torch.float64).reshape(2, 4, 3, 2, 5).sin()
ud = torch.arange(96, dtype=torch.float64).reshape(4, 2, 2, 3, 2).cos()
m4 = nn.ConvTranspose3d(4, 2, (2, 3, 2), stride=(2, 1, 3), padding=(1, 1, 0), output_padding=(1, 0, 2))
with torch.no_grad():
    m4.weight.copy_(u), m4.bias.copy_(b[:2])

# Layers with the weights above, for forward(input, output_size).
m1 = nn.ConvTranspose1d(4, 3, 3, stride=3, padding=1)
m2 = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, dilation=2)
m3 = nn.ConvTranspose2d(4, 2, (2, 3), stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(2, 1))
with torch.no_grad():
    m1.weight.copy_(w), m1.bias.copy_(b[:3]), m2.weight.copy_(v), m2.bias.copy_(b[:2])
    m3.weight.copy_(vr), m3.bias.copy_(b[:2])


def layer(seed, *args, **kwargs):
    """nn.ConvTranspose2d built after manual_seed(seed): its weight, bias and output for y."""
    torch.manual_seed(seed)
    m = nn.ConvTranspose2d(*args, **kwargs)
    with torch.no_grad():
        return m.weight, m.bias, m(y)


VALUES = [
    "F.conv_transpose1d(x, w)", "F.conv_transpose1d(x, w, b[:3])", "F.conv_transpose1d(x, w, b[:3], stride=2)",
    "F.conv_transpose1d(x, w, None, stride=3, padding=1, output_padding=2)",
    "F.conv_transpose1d(x, w, b[:3], stride=2, padding=2, output_padding=1, dilation=2)",
    "F.conv_transpose1d(x, w, b[:6], groups=2)", "F.conv_transpose1d(x, w, b, stride=2, padding=1, groups=4)",
    "F.conv_transpose1d(x[0], w, b[:3], stride=2, padding=1)", "F.conv_transpose1d(x, w, padding=3)",
    "F.conv_transpose1d(x, w, output_padding=1, dilation=2)",
    "F.conv_transpose1d(x, w, stride=2, padding=4, output_padding=2, dilation=3)",
    "F.conv_transpose1d(x[:, :, :1], w[:, :, :1], padding=2, output_padding=4, dilation=5)",
    "F.conv_transpose1d(x[:0], w)", "F.conv_transpose1d(x[:0, :, :0], w, b[:3])",
    "F.conv_transpose1d(xd, wd, bd[:3], stride=2, padding=1, output_padding=1)",
    "F.conv_transpose1d(xd, wd, bd[:6], stride=3, groups=2, dilation=2)",
    "F.conv_transpose1d(xd.transpose(0, 1)[1:3], wd[:2], None, stride=2)",
    "F.conv_transpose2d(y, v)", "F.conv_transpose2d(y, v, b[:2], stride=2)",
    "F.conv_transpose2d(y, v, b[:2], stride=2, padding=1, output_padding=1)",
    "F.conv_transpose2d(y, v, None, stride=3, padding=2, output_padding=2, dilation=2)",
    "F.conv_transpose2d(y, v, b[:4], groups=2)", "F.conv_transpose2d(y, v, b[:8], stride=2, groups=4)",
    "F.conv_transpose2d(y[0], v, b[:2], stride=2, padding=1)", "F.conv_transpose2d(y, v, output_padding=1, dilation=2)",
    "F.conv_transpose2d(y, v2, b[:3], stride=2, padding=1)", "F.conv_transpose2d(y, v, padding=2)",
    "F.conv_transpose2d(y[:0], v)",
    "F.conv_transpose2d(yd, vd, bd[:2], stride=2, padding=1, output_padding=1, dilation=2)",
    "F.conv_transpose2d(yd, vd, bd[:4], stride=2, groups=2)",
    "F.conv_transpose2d(yd.transpose(2, 3), vd, None, stride=2, padding=1)",
    "m1(x)", "m1(x, output_size=[14])", "m1(x, output_size=[2, 3, 15])", "m1(x[0], output_size=[13])",
    "m2(y)", "m2(y, output_size=[7, 12])", "m2(y[0], output_size=[2, 8, 11])", "m2(y, output_size=[2, 2, 8, 12])",
    # rectangular kernels, each option an int or a pair (height, width)
    "F.conv_transpose2d(y, vr)", "F.conv_transpose2d(y, vr, b[:2], stride=(2, 3), padding=(1, 0))",
    "F.conv_transpose2d(y, vr, None, stride=(2, 1), padding=(0, 2), output_padding=(1, 0))",
    "F.conv_transpose2d(y, vr, b[:4], (1, 3), (1, 1), (0, 2), 2, (2, 1))",
    "F.conv_transpose2d(y, vr, None, stride=(1, 2), output_padding=(1, 2), dilation=(2, 3))",
    "F.conv_transpose2d(y, vr, b[:8], stride=(3, 2), padding=(2, 1), output_padding=(2, 1), groups=4)",
    "F.conv_transpose2d(y[0], vr, b[:2], stride=(2, 1), padding=(1, 2), dilation=(1, 2))",
    "F.conv_transpose2d(y, vr, b[:2], stride=[2], padding=[1], output_padding=[1], dilation=[2])",
    "F.conv_transpose2d(y, v, b[:2], stride=(1, 2), padding=(2, 0), output_padding=(0, 1))",
    "F.conv_transpose2d(y[:0], vr, None, stride=(2, 3))",
    "F.conv_transpose2d(yd, vrd, bd[:4], stride=(2, 3), padding=(1, 2), output_padding=(1, 2), groups=2, dilation=(2, 1))",
    "F.conv_transpose2d(yd.transpose(2, 3), vrd, None, stride=(3, 1), padding=(0, 1))",
    "m3(y)", "m3(y, output_size=[6, 15])", "m3(y[0], output_size=[5, 17])", "m3(y, output_size=[2, 2, 6, 16])",
    "layer(7, 4, 6, (2, 3), stride=(2, 1), padding=(0, 1), output_padding=(1, 0), groups=2, dilation=(1, 2))",
    "F.conv_transpose3d(z, u)", "F.conv_transpose3d(z, u, b[:2], stride=2)",
    "F.conv_transpose3d(z, u, b[:2], stride=(2, 1, 3), padding=(1, 1, 0), output_padding=(1, 0, 2))",
    "F.conv_transpose3d(z, u, None, stride=2, padding=1, output_padding=1, dilation=2)",
    "F.conv_transpose3d(z, u, b[:4], stride=(1, 2, 1), groups=2)", "F.conv_transpose3d(z[0], u, b[:2], stride=2, padding=1)",
    "F.conv_transpose3d(z, u, padding=(1, 1, 1))", "F.conv_transpose3d(z[:0], u)",
    "F.conv_transpose3d(zd, ud, bd[:8], stride=(3, 2, 1), padding=(1, 0, 1), output_padding=(2, 1, 0), groups=4, dilation=(1, 2, 2))",
    "m4(z)", "m4(z, output_size=[5, 2, 15])", "m4(z[0], output_size=[2, 4, 2, 16])",
]

GRADS = [
    ("F.conv_transpose1d(X, wd, bd[:3], stride=2, padding=1, output_padding=1)", (2, 4, 5)),
    ("F.conv_transpose1d(X, wd, None, stride=3, padding=2, output_padding=1, groups=2, dilation=2)", (2, 4, 5)),
    ("F.conv_transpose1d(X, wd, bd[:3])", (4, 6)),
    ("F.conv_transpose1d(xd[0], X, bd[:6], stride=2, groups=2)", (4, 3, 3)),
    ("F.conv_transpose1d(xd, X, None, stride=2, padding=3, output_padding=1, dilation=2)", (4, 2, 3)),
    ("F.conv_transpose1d(xd[:, :, :1], X, padding=2, output_padding=4, dilation=5)", (4, 3, 1)),
    ("F.conv_transpose1d(xd, wd, X, stride=2, padding=1)", (3,)),
    ("F.conv_transpose2d(X, vd, bd[:2], stride=2, padding=1, output_padding=1)", (2, 4, 3, 5)),
    ("F.conv_transpose2d(X, vd, None, stride=3, padding=2, output_padding=2, groups=2, dilation=2)", (1, 4, 3, 4)),
    ("F.conv_transpose2d(X, vd, bd[:2], output_padding=1, dilation=2)", (4, 2, 3)),
    ("F.conv_transpose2d(yd, X, bd[:4], stride=2, groups=2)", (4, 2, 3, 3)),
    ("F.conv_transpose2d(yd[0], X, None, stride=2, padding=1, output_padding=1)", (4, 3, 2, 2)),
    ("F.conv_transpose2d(yd, vd, X, stride=2)", (2,)),
    ("F.conv_transpose2d(X, vrd, bd[:2], stride=(2, 3), padding=(1, 0), output_padding=(1, 2))", (2, 4, 3, 5)),
    ("F.conv_transpose2d(X, vrd, None, stride=(1, 2), padding=(0, 1), output_padding=(1, 0), groups=2, dilation=(2, 1))",
     (1, 4, 3, 4)),
    ("F.conv_transpose2d(X, vrd, bd[:2], stride=(3, 1), output_padding=(2, 1), dilation=(1, 2))", (4, 2, 3)),
    ("F.conv_transpose2d(yd, X, bd[:4], stride=(2, 1), padding=(1, 1), groups=2, dilation=(1, 2))", (4, 2, 2, 3)),
    ("F.conv_transpose2d(yd[0], X, None, stride=(3, 2), output_padding=(2, 1), dilation=(1, 2))", (4, 2, 3, 2)),
    ("F.conv_transpose2d(yd, vrd, X, stride=(2, 3), padding=(0, 1))", (2,)),
    ("F.conv_transpose3d(X, ud, bd[:2], stride=(2, 1, 3), padding=(1, 1, 0), output_padding=(1, 0, 2))", (2, 4, 3, 2, 5)),
    ("F.conv_transpose3d(X, ud, None, stride=2, padding=1, output_padding=1, groups=2, dilation=2)", (1, 4, 2, 3, 2)),
    ("F.conv_transpose3d(zd, X, bd[:4], stride=(1, 2, 1), groups=2)", (4, 2, 2, 3, 2)),
    ("F.conv_transpose3d(zd[0], X, None, stride=2, padding=(1, 0, 1), dilation=(2, 1, 1))", (4, 1, 3, 2, 2)),
    ("F.conv_transpose3d(zd, ud, X, stride=2)", (2,)),
    ("F.conv_transpose3d(X, ud[:, :, :1], bd[:2], stride=3, padding=1, output_padding=2)", (1, 4, 1, 2, 2)),
]

ERRORS = [
    "F.conv_transpose1d(x, w, stride=2, output_padding=2)", "F.conv_transpose1d(x, w, output_padding=1)",
    "F.conv_transpose1d(x, w, stride=2, output_padding=3, dilation=3)",
    "F.conv_transpose2d(y, v, stride=2, output_padding=2)", "F.conv_transpose2d(y, v, stride=2, output_padding=3, dilation=3)",
    "F.conv_transpose1d(x[:, :3], w)", "F.conv_transpose1d(x[0, :3], w)", "F.conv_transpose2d(y[:, :3], v)",
    "F.conv_transpose2d(y[0, :3], v)",
    "F.conv_transpose1d(x, w, groups=3)", "F.conv_transpose2d(y, v, groups=3)", "F.conv_transpose1d(x, w, groups=0)",
    "F.conv_transpose1d(x[:, :0], w[:0])",
    "F.conv_transpose1d(x, w, b[:4])", "F.conv_transpose1d(x, w, b[:6])", "F.conv_transpose2d(y, v, b[:2].reshape(2, 1))",
    "F.conv_transpose1d(x, w, stride=0)", "F.conv_transpose1d(x, w, padding=-1)", "F.conv_transpose1d(x, w, output_padding=-1)",
    "F.conv_transpose1d(x, w, dilation=0)", "F.conv_transpose2d(y, v, dilation=0)", "F.conv_transpose2d(y, v, stride=-1)",
    "F.conv_transpose1d(x, w, groups=0, stride=0)", "F.conv_transpose1d(x, w, padding=-1, output_padding=-1)",
    "F.conv_transpose1d(x, w[:, :, :0])", "F.conv_transpose2d(y, v[:, :, :0, :0])", "F.conv_transpose1d(x, w[:, :0])",
    "F.conv_transpose2d(y, v[:, :0])",
    "F.conv_transpose1d(x[:, :, :0], w)", "F.conv_transpose2d(y[:, :, :0], v)",
    "F.conv_transpose1d(x, w, padding=4)", "F.conv_transpose1d(x[:, :, :4], w, padding=3)", "F.conv_transpose2d(y, v, padding=3)",
    "F.conv_transpose1d(x.unsqueeze(0), w)", "F.conv_transpose1d(x[0, 0], w)", "F.conv_transpose2d(y[0, 0], v)",
    "F.conv_transpose2d(y.unsqueeze(0), v)", "F.conv_transpose1d(x, w[0])",
    # per axis: output_padding against that axis's stride and dilation, pairs of the wrong length
    "F.conv_transpose2d(y, vr, stride=(2, 1), output_padding=(0, 1))",
    "F.conv_transpose2d(y, vr, stride=(2, 1), output_padding=(2, 0))",
    "F.conv_transpose2d(y, vr, stride=(1, 2), output_padding=(1, 1), dilation=(1, 3))",
    "F.conv_transpose2d(y, vr, stride=(1, 2, 3))", "F.conv_transpose2d(y, vr, padding=(1, 2, 3))",
    "F.conv_transpose2d(y, vr, output_padding=(1, 2, 3))", "F.conv_transpose2d(y, vr, dilation=(1, 2, 3))",
    "F.conv_transpose2d(y, vr, stride=())", "F.conv_transpose2d(y, vr, stride=(1, 2, 3), padding=(1, 2, 3))",
    "F.conv_transpose2d(y, vr, stride=(1, 0))", "F.conv_transpose2d(y, vr, padding=(1, -1))",
    "F.conv_transpose2d(y, vr, output_padding=(0, -1))", "F.conv_transpose2d(y, vr, dilation=(1, 0))",
    "F.conv_transpose2d(y, vr, dilation=(0, 1))", "F.conv_transpose2d(y, vr, padding=(2, 3))",
    "F.conv_transpose2d(y, vr, padding=(1, 4))", "F.conv_transpose2d(y, vr[:, :, :0])", "F.conv_transpose2d(y, vr[:, :, :, :0])",
    "F.conv_transpose2d(y[:, :3], vr, stride=(2, 1))", "F.conv_transpose2d(y, vr, b[:3], stride=(1, 2))",
    "m3(y[:, :, :0])",
    # only "zeros" padding, checked before the other arguments
    "nn.ConvTranspose2d(4, 2, 3, padding_mode='reflect')", "nn.ConvTranspose2d(4, 2, (2, 3), padding_mode='circular')",
    "nn.ConvTranspose1d(4, 2, 3, padding_mode='replicate')", "nn.ConvTranspose2d(4, 2, 3, groups=3, padding_mode='zero')",
    "F.conv_transpose3d(z, u, groups=3)", "F.conv_transpose3d(z, u, stride=0)", "F.conv_transpose3d(z, u, padding=-1)",
    "F.conv_transpose3d(z, u, output_padding=2)", "F.conv_transpose3d(z, u[:, :, :0])", "F.conv_transpose3d(z, u, dilation=0)",
    "F.conv_transpose3d(z[0, 0], u)", "F.conv_transpose3d(z, u, b[:3])", "F.conv_transpose3d(z[:, :3], u)",
    "F.conv_transpose3d(z[:, :, :1, :1, :1], u, padding=2)", "F.conv_transpose3d(z, u, stride=(1, 2))",
    "F.conv_transpose3d(z, u, stride=(1, 2, 2), output_padding=(1, 0, 0))", "F.conv_transpose3d(z[:, :, :0], u)",
    "nn.ConvTranspose3d(4, 2, 2, padding_mode='reflect')",
]

# the node PyTorch records: ConvolutionBackward0 (SqueezeBackward1 for an unbatched input)
xg, yg, vg = x.detach().requires_grad_(), y.detach().requires_grad_(), v.detach().requires_grad_()
NODES = [
    "F.conv_transpose1d(xg, w)", "F.conv_transpose2d(yg, v)", "F.conv_transpose2d(y, vg, b[:2])",
    "F.conv_transpose2d(yg, v, stride=2, padding=1, output_padding=1)", "F.conv_transpose2d(yg[0], v)",
    "F.conv_transpose2d(yg, v2, groups=2, dilation=2)",
]

call_cases.write("generate_conv_transpose.py", "conv_transpose.txt", VALUES, GRADS, ERRORS, globals(), NODES)
