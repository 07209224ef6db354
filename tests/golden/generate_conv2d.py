#!/usr/bin/python3
"""Writes tests/golden/conv2d.txt: PyTorch 1.13's F.conv2d and nn.Conv2d with rectangular kernels,
stride, padding and dilation as ints and pairs, padding="same" (odd and even kernels, dilation:
the odd padding goes below and to the right) and "valid", groups, unbatched inputs, the layers'
initial weights (torch.manual_seed, the mt19937 generator), F.conv1d and nn.Conv1d with
padding="valid", nn.Conv1d and nn.Conv2d with every padding_mode (conv1 and conv2: the layer with
given weights, through its own forward), the gradients for the input, the weight and the bias, the
error messages, and the nodes the convolutions record, for tests/test_nn_conv2d.cpp.

    /usr/bin/python3 tests/golden/generate_conv2d.py
"""
import call_cases
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import stateless

warnings.filterwarnings("ignore")  # padding="same" with an even kernel: "may require a zero-padded copy"

# Not here: the layers' messages for a bad padding string or padding_mode, which print a Python set
# (its order changes from run to run); tests/test_nn_conv2d.cpp checks them.

x = torch.arange(2 * 4 * 6 * 7, dtype=torch.float32).reshape(2, 4, 6, 7).sin()
w23 = torch.arange(3 * 4 * 2 * 3, dtype=torch.float32).reshape(3, 4, 2, 3).cos()
w33 = torch.arange(3 * 4 * 3 * 3, dtype=torch.float32).reshape(3, 4, 3, 3).sin() * 0.5
w44 = torch.arange(2 * 4 * 4 * 4, dtype=torch.float32).reshape(2, 4, 4, 4).cos() * 0.25
w14 = torch.arange(2 * 4 * 1 * 4, dtype=torch.float32).reshape(2, 4, 1, 4).sin()
wg = torch.arange(4 * 2 * 3 * 2, dtype=torch.float32).reshape(4, 2, 3, 2).cos()
b = torch.tensor([0.5, -1.0, 0.25])
bg = torch.tensor([1.0, -0.5, 0.0, 2.0])
xd = torch.arange(1 * 4 * 5 * 6, dtype=torch.float64).reshape(1, 4, 5, 6).cos()
w23d = torch.arange(3 * 4 * 2 * 3, dtype=torch.float64).reshape(3, 4, 2, 3).cos()
wgd = torch.arange(4 * 2 * 3 * 2, dtype=torch.float64).reshape(4, 2, 3, 2).cos()
w44d = torch.arange(2 * 4 * 4 * 4, dtype=torch.float64).reshape(2, 4, 4, 4).cos() * 0.25
bd = b.double()
s = torch.arange(2 * 4 * 9, dtype=torch.float32).reshape(2, 4, 9).cos()
sd = torch.arange(2 * 4 * 9, dtype=torch.float64).reshape(2, 4, 9).cos()
w1 = torch.arange(3 * 4 * 3, dtype=torch.float32).reshape(3, 4, 3).sin()
w1d = torch.arange(3 * 4 * 3, dtype=torch.float64).reshape(3, 4, 3).sin()


def layer(seed, *args, **kwargs):
    """nn.Conv2d built after manual_seed(seed): its weight, bias and output for x."""
    torch.manual_seed(seed)
    m = nn.Conv2d(*args, **kwargs)
    with torch.no_grad():
        return (m.weight, m(x)) if m.bias is None else (m.weight, m.bias, m(x))


def layer1d(seed, *args, **kwargs):
    """nn.Conv1d built after manual_seed(seed): its weight, bias and output for s."""
    torch.manual_seed(seed)
    m = nn.Conv1d(*args, **kwargs)
    with torch.no_grad():
        return m.weight, m.bias, m(s)


def conv(layer, x, w, b, kwargs):
    """The layer (nn.Conv1d or nn.Conv2d, its padding_mode too) with weight w and bias b, run on x."""
    m = layer(w.size(1) * kwargs.get("groups", 1), w.size(0), tuple(w.shape[2:]), bias=b is not None, dtype=w.dtype,
              **kwargs)
    return stateless.functional_call(m, {"weight": w} if b is None else {"weight": w, "bias": b}, (x,))


def conv1(x, w, b=None, **kwargs):
    return conv(nn.Conv1d, x, w, b, kwargs)


def conv2(x, w, b=None, **kwargs):
    return conv(nn.Conv2d, x, w, b, kwargs)


v = torch.arange(2 * 4 * 5 * 6 * 7, dtype=torch.float32).reshape(2, 4, 5, 6, 7).sin()
w3 = torch.arange(3 * 4 * 2 * 3 * 2, dtype=torch.float32).reshape(3, 4, 2, 3, 2).cos() * 0.5
w3g = torch.arange(4 * 2 * 3 * 1 * 2, dtype=torch.float32).reshape(4, 2, 3, 1, 2).sin()
b3 = torch.tensor([0.5, -1.0, 0.25])
vd = torch.arange(2 * 4 * 5 * 6 * 7, dtype=torch.float64).reshape(2, 4, 5, 6, 7).sin()
w3d = torch.arange(3 * 4 * 2 * 3 * 2, dtype=torch.float64).reshape(3, 4, 2, 3, 2).cos() * 0.5


def conv3(x, w, b=None, **kwargs):
    return conv(nn.Conv3d, x, w, b, kwargs)


def layer3d(seed, *args, **kwargs):
    """nn.Conv3d built after manual_seed(seed): its weight, bias and output for v."""
    torch.manual_seed(seed)
    m = nn.Conv3d(*args, **kwargs)
    with torch.no_grad():
        return (m.weight, m(v)) if m.bias is None else (m.weight, m.bias, m(v))


VALUES = [
    "F.conv2d(x, w23)", "F.conv2d(x, w23, b)", "F.conv2d(x, w23, b, stride=(2, 1))", "F.conv2d(x, w23, b, (1, 2), (2, 1))",
    "F.conv2d(x, w23, None, 1, (0, 2), (2, 1))", "F.conv2d(x, w23, b, (2, 3), (1, 0), (1, 2))",
    "F.conv2d(x, w23, b, 2, (1, 1), 2)", "F.conv2d(x, w14, None, (3, 1), (0, 3))", "F.conv2d(x, w33, b, 1, 2, (1, 3))",
    "F.conv2d(x, wg, bg, (1, 2), 1, (2, 1), 2)", "F.conv2d(x, wg, None, (2, 2), (2, 0), 1, 2)",
    "F.conv2d(x, w23, b, padding='same')", "F.conv2d(x, w33, b, padding='same')", "F.conv2d(x, w44, None, padding='same')",
    "F.conv2d(x, w14, None, padding='same')", "F.conv2d(x, w23, b, padding='same', dilation=(2, 3))",
    "F.conv2d(x, w44, None, padding='same', dilation=2)", "F.conv2d(x, w33, b, 1, 'same', (1, 2))",
    "F.conv2d(x, wg, bg, padding='same', groups=2)", "F.conv2d(x, wg, None, (1, 1), 'same', (2, 3), 2)",
    "F.conv2d(x, w23, b, padding='valid')", "F.conv2d(x, w23, b, (2, 1), 'valid', (2, 1))",
    "F.conv2d(x[0], w23, b, (2, 1), (1, 0))", "F.conv2d(x[1], w44, None, padding='same')",
    "F.conv2d(xd, w23d, bd, (1, 2), (1, 2), (2, 1))", "F.conv2d(xd, w44d, None, padding='same', dilation=(1, 2))",
    "F.conv2d(x, torch.zeros(3, 4, 6, 7), b)",
    "layer(0, 4, 3, (2, 3), stride=(1, 2), padding=(1, 0))", "layer(1, 4, 6, (3, 2), padding='same', dilation=(1, 2), groups=2)",
    "layer(2, 4, 2, 3, padding='valid', bias=False)", "layer(3, 4, 2, (4, 1), 2, 1, 2)",
    "F.conv1d(s, w1, None, padding='valid')", "F.conv1d(s, w1, None, 2, 'valid', 2)", "F.conv1d(s[0], w1, None, padding='same')",
    "layer1d(4, 4, 3, 3, padding='valid')", "layer1d(5, 4, 2, 4, padding='same', dilation=2, groups=2)",
    # padding_mode: F.pad(input, the padding, mode), then the convolution without padding
    "conv2(x, w23, b, padding=(1, 2), padding_mode='reflect')", "conv2(x, w23, b, padding=(2, 1), padding_mode='replicate')",
    "conv2(x, w23, b, padding=(1, 2), padding_mode='circular')", "conv2(x, w23, None, padding=(0, 3), padding_mode='zeros')",
    "conv2(x, wg, bg, stride=(2, 1), padding=(2, 1), dilation=(1, 2), groups=2, padding_mode='reflect')",
    "conv2(x, wg, None, stride=(1, 3), padding=(1, 3), groups=2, padding_mode='circular')",
    "conv2(x, w44, None, padding='same', padding_mode='reflect')",
    "conv2(x, w23, b, padding='same', dilation=(2, 3), padding_mode='circular')",
    "conv2(x, w14, None, padding='same', padding_mode='replicate')", "conv2(x, w23, b, padding='valid', padding_mode='reflect')",
    "conv2(x, w33, b, padding=6, padding_mode='circular')", "conv2(x, w33, b, padding=5, padding_mode='reflect')",
    "conv2(x, w33, b, padding=(4, 9), padding_mode='replicate')",
    "conv2(x[0], w23, b, padding=(1, 2), padding_mode='reflect')", "conv2(x[1], w23, None, padding=(2, 0), padding_mode='replicate')",
    "conv2(xd, w23d, bd, stride=(1, 2), padding=(1, 2), dilation=(2, 1), padding_mode='circular')",
    "conv2(xd, w44d, None, padding='same', padding_mode='reflect')",
    "conv1(s, w1, None, padding=2, padding_mode='reflect')", "conv1(s, w1, b, padding=3, padding_mode='replicate')",
    "conv1(s, w1, None, stride=2, padding=4, dilation=2, padding_mode='circular')",
    "conv1(s, w1, b, padding='same', dilation=3, padding_mode='reflect')", "conv1(s, w1[:, :, :2], b, padding='same', padding_mode='circular')",
    "conv1(s, w1[:2, :2], None, padding=1, groups=2, padding_mode='circular')", "conv1(s, w1, b, padding=8, padding_mode='reflect')",
    "conv1(s[0], w1, None, padding=1, padding_mode='replicate')", "conv1(sd, w1d, bd, padding=2, padding_mode='reflect')",
    "layer(8, 4, 3, (2, 3), padding=(1, 2), padding_mode='reflect')", "layer1d(9, 4, 2, 3, padding=2, padding_mode='circular')",
    "F.conv3d(v, w3)", "F.conv3d(v, w3, b3, stride=(2, 1, 2), padding=(1, 0, 2), dilation=(1, 2, 1))",
    "F.conv3d(v, w3, b3, padding='same')", "F.conv3d(v, w3, None, padding='same', dilation=(2, 1, 3))",
    "F.conv3d(v, w3g, None, stride=2, padding=1, groups=2)", "F.conv3d(v[0], w3, b3, padding='valid')",
    "F.conv3d(vd, w3d, b3.double(), (1, 2, 1), 1)", "conv3(v, w3, b3, padding=(1, 1, 2), padding_mode='reflect')",
    "conv3(v, w3, None, padding='same', padding_mode='circular')", "conv3(v, w3g, None, padding=1, groups=2, padding_mode='replicate')",
    "layer3d(10, 4, 3, (2, 3, 2), stride=(1, 2, 1), padding=(1, 0, 1))", "layer3d(11, 4, 2, 3, bias=False)",
]

GRADS = [
    ("F.conv2d(X, w23d, bd, (2, 1), (1, 2), (1, 2))", (2, 4, 5, 6)), ("F.conv2d(X, w23d, bd, padding='same')", (1, 4, 5, 6)),
    ("F.conv2d(X, w44d, None, padding='same', dilation=(1, 2))", (1, 4, 6, 7)),
    ("F.conv2d(X, wgd, None, 1, 'same', 1, 2)", (2, 4, 5, 6)), ("F.conv2d(X, w23d, bd, 2, 1)", (4, 5, 6)),
    ("F.conv2d(X, w23d, None, padding='valid', dilation=(2, 1))", (1, 4, 5, 6)),
    ("F.conv2d(xd, X, bd, 1, 'same', (2, 1))", (3, 4, 2, 3)), ("F.conv2d(xd, X, None, (1, 2), (1, 0), (1, 2))", (3, 4, 2, 3)),
    ("F.conv2d(xd, X, None, (2, 1), 1, (1, 2), 2)", (4, 2, 3, 2)), ("F.conv2d(xd, X, None, padding='same')", (2, 4, 4, 4)),
    ("F.conv2d(xd, w23d, X, (1, 2), (0, 1))", (3,)), ("F.conv2d(xd, wgd, X, 1, 'same', 1, 2)", (4,)),
    ("F.conv1d(X, w1d, None, 1, 'valid', 2)", (2, 4, 9)),
    ("conv2(X, w23d, bd, padding=(1, 2), padding_mode='reflect')", (2, 4, 5, 6)),
    ("conv2(X, w23d, bd, padding=(2, 1), padding_mode='replicate')", (1, 4, 5, 6)),
    ("conv2(X, wgd, None, stride=(1, 2), padding=(2, 3), groups=2, padding_mode='circular')", (1, 4, 5, 6)),
    ("conv2(X, w44d, None, padding='same', dilation=(1, 2), padding_mode='reflect')", (1, 4, 6, 7)),
    ("conv2(X, w23d, None, padding=(1, 1), padding_mode='replicate')", (4, 3, 4)),
    ("conv2(xd, X, bd, padding=(1, 2), dilation=(2, 1), padding_mode='circular')", (3, 4, 2, 3)),
    ("conv2(xd, X, None, padding='same', padding_mode='replicate')", (2, 4, 4, 4)),
    ("conv2(xd, w23d, X, stride=2, padding=(1, 0), padding_mode='reflect')", (3,)),
    ("conv1(X, w1d, None, padding=2, padding_mode='reflect')", (2, 4, 9)),
    ("conv1(X, w1d, bd, stride=2, padding=3, padding_mode='circular')", (2, 4, 9)),
    ("conv1(sd, X, bd, padding='same', dilation=2, padding_mode='replicate')", (3, 4, 3)),
    ("conv1(sd, w1d, X, padding=1, padding_mode='circular')", (3,)),
    ("F.conv3d(X, w3d, None, (1, 2, 1), (1, 1, 0), (2, 1, 1))", (1, 4, 5, 6, 7)),
    ("F.conv3d(vd, X, None, 1, 'same')", (3, 4, 2, 3, 2)), ("F.conv3d(vd[:1], X, b3.double(), 2, 1)", (3, 4, 2, 3, 2)),
    ("F.conv3d(vd[:1], w3d, X, padding=(0, 1, 0))", (3,)),
    ("conv3(X, w3d, None, padding=(1, 2, 1), padding_mode='reflect')", (1, 4, 4, 5, 4)),
]

ERRORS = [
    "F.conv2d(x, w23, padding='same', stride=2)", "F.conv2d(x, w23, padding='same', stride=(1, 2))",
    "F.conv2d(x, w23, padding='foo')", "F.conv2d(x, w23, padding='')", "F.conv2d(x, w23, padding=-1)", "F.conv2d(x, w23, padding=(1, -1))",
    "F.conv2d(x, w23, stride=0)", "F.conv2d(x, w23, stride=(1, -1))", "F.conv2d(x, w23, dilation=(1, 0))",
    "F.conv2d(x, w23, dilation=0)",
    "F.conv2d(x, w23, stride=(1, 2, 3))", "F.conv2d(x, w23, padding=(1, 2, 3))", "F.conv2d(x, w23, dilation=(1, 2, 3))",
    "F.conv2d(x, w23, groups=0)", "F.conv2d(x, w23, groups=2)", "F.conv2d(x, w23, groups=4)", "F.conv2d(x, wg)",
    "F.conv2d(x, w23, torch.zeros(4))", "F.conv2d(x, w23, torch.zeros(1, 3))", "F.conv2d(x, torch.zeros(3, 4, 7, 2))",
    "F.conv2d(x, w23, None, 1, (0, 1), (6, 1))", "F.conv2d(x, w44, None, (1, 1), (1, 0), (1, 3))", "F.conv2d(x[0, 0], w23)",
    "nn.Conv2d(4, 3, (2, 3), padding='same', stride=(2, 1))",
    "nn.Conv2d(4, 3, 3, groups=0)", "nn.Conv2d(4, 3, 3, groups=3)", "nn.Conv2d(4, 3, 3, groups=2)",
    "F.conv1d(s, w1, padding='foo')", "F.conv1d(s, w1, padding='same', stride=2)",
    "nn.Conv1d(4, 3, 3, padding='same', stride=2)",
    # padding_mode: F.pad's errors, then the convolution's, which names the padded input
    "conv2(x, w23, b, padding=(1, 7), padding_mode='reflect')", "conv2(x, w23, b, padding=(7, 1), padding_mode='circular')",
    "conv2(x[0], w23, b, padding=1, padding_mode='circular')", "conv2(x[0, 0], w23, b, padding=1, padding_mode='reflect')",
    "conv2(x[:, :3], w23, b, padding=1, padding_mode='replicate')", "conv2(x[:, :, :0], w23, b, padding=1, padding_mode='reflect')",
    "conv2(x, w23, b, padding=(0, 3), dilation=(7, 1), padding_mode='circular')",
    "conv1(s, w1, None, padding=9, padding_mode='reflect')", "conv1(s[0], w1, None, padding=1, padding_mode='circular')",
    "nn.Conv2d(4, 3, 3, padding='same', stride=2, padding_mode='reflect')", "nn.Conv2d(4, 3, 3, groups=2, padding_mode='foo')",
    "nn.Conv1d(4, 3, 3, padding='same', stride=2, padding_mode='circular')",
    "F.conv3d(v, w3[:, :3], b3)", "F.conv3d(v[0, 0], w3, b3)", "F.conv3d(v, w3, b3[:2])",
    "F.conv3d(v, w3, b3, padding='same', stride=2)", "F.conv3d(v, w3, b3, stride=0)", "F.conv3d(v, w3, b3, padding=-1)",
    "F.conv3d(v, w3, b3, dilation=0)", "F.conv3d(v[:, :, :1], w3, b3)", "F.conv3d(v, w3, b3, groups=2)",
    "F.conv3d(v, w3, b3, stride=(1, 2))",
]

# The node each convolution records (ConvolutionBackward0, which saves the input and the weight;
# an unbatched input's output is a squeeze of the batched one's).
xr, w23r, br, wgr, sr, w1r, vr, w3r = (t.clone().requires_grad_() for t in (x, w23, b, wg, s, w1, v, w3))


def modified_input(op, x, w):
    """The convolution's backward after its input was changed in place (PyTorch's node saved it)."""
    x = x.clone()
    y = op(x, w.clone().requires_grad_())
    x.add_(1)
    y.sum().backward()


ERRORS += ["modified_input(F.conv2d, x, w23)", "modified_input(F.conv1d, s, w1)", "modified_input(F.conv3d, v, w3)"]

NODES = [
    "F.conv2d(xr, w23r, br)", "F.conv2d(xr, w23r, None, 2, 1)", "F.conv2d(x, w23r)", "F.conv2d(xr, w23, b)",
    "F.conv2d(xr, wgr, None, groups=2)", "F.conv2d(xr[0], w23r, br)", "conv2(xr, w23r, br, padding=1, padding_mode='reflect')",
    "F.conv1d(sr, w1r, None, padding='same')", "F.conv1d(sr[0], w1r)", "F.conv3d(vr, w3r, b3)", "F.conv3d(v, w3r, None, 2, 1)",
    "F.conv3d(vr[0], w3r)",
]

call_cases.write("generate_conv2d.py", "conv2d.txt", VALUES, GRADS, ERRORS, globals(), NODES)
