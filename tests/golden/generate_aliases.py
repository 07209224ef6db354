#!/usr/bin/python3
"""Writes tests/golden/aliases.txt: PyTorch 1.13's results for its aliases and one-bound forms
(absolute, negative, divide, multiply, subtract, true_divide, greater, less, not_equal, clip,
clamp_min, clamp_max, concat, row_stack, ravel, view_as, reshape_as, byte, ndimension, nelement)
and for the in-place comparisons (eq_, lt_, logical_and_, ...), their gradients and their error
messages, for tests/test_aliases.cpp.

    /usr/bin/python3 tests/golden/generate_aliases.py

A value case gives each result's dtype, shape and elements (hexadecimal floats, integers for
integral and bool results); a `grad` case runs backward from sum(result * w), w = 1, 2, 3, ...
in the result's shape, and gives X's gradient; an `error` case gives PyTorch's message.
"""
import call_cases
import warnings

import torch

warnings.filterwarnings("ignore")

a = torch.arange(6, dtype=torch.float32).reshape(2, 3) - 2.5
b = torch.tensor([[1, -2, 3], [0, 5, -6]])
t = a.t()  # non-contiguous: [3, 2]
v = torch.tensor([1.0, float("nan"), -0.0, 4.0])
h = torch.tensor([0.5, -1.5, 2.0], dtype=torch.float16)
m = torch.tensor([True, False, True])
z = torch.tensor(-2.0)
u = torch.tensor([-0.9, -0.25, 0.0, 0.5, 0.75, 2.0, float("nan")])  # 2.0 is outside asin's and atanh's domain
g = torch.tensor([1.0, 1.5, 3.0, 10.0, 0.5])
S = torch.tensor([0.5, float("nan"), -1.25], dtype=torch.float64)  # acosh's domain starts at 1

VALUES = [
    "torch.absolute(a)", "b.absolute()", "a.clone().absolute_()", "torch.absolute(h)",
    "torch.negative(b)", "a.negative()", "b.clone().negative_()", "torch.negative(v)",
    "torch.divide(b, 4)", "torch.divide(a, b)", "b.divide(b)", "a.clone().divide_(b)",
    "torch.true_divide(b, 2)", "b.true_divide(a)", "a.clone().true_divide_(2)",
    "torch.multiply(b, 2.5)", "a.multiply(b)", "b.clone().multiply_(3)", "torch.multiply(m, m)",
    "torch.subtract(b, a)", "a.subtract(1)", "a.clone().subtract_(b)", "torch.subtract(h, 1)",
    "torch.greater(a, 0)", "torch.greater_equal(b, a)", "torch.less(a, b)", "torch.less_equal(b, 0)",
    "torch.not_equal(b, 0)", "a.greater(b)", "b.less_equal(1)", "v.not_equal(v)", "a.greater_equal(z)",
    "b.clone().greater_(0)", "a.clone().less_(b)", "a.clone().less_equal_(-0.5)", "b.clone().greater_equal_(a)",
    "a.clone().not_equal_(z)",
    "a.clone().eq_(b)", "b.clone().ne_(0)", "a.clone().lt_(0.5)", "b.clone().le_(a)", "a.clone().gt_(b)",
    "b.clone().ge_(3)", "v.clone().eq_(v)", "h.clone().lt_(1)", "m.clone().ne_(torch.tensor([True, True, False]))",
    "a.clone().logical_and_(b)", "b.clone().logical_or_(a)", "a.clone().logical_not_()", "b.clone().logical_not_()",
    "v.clone().logical_not_()", "h.clone().logical_and_(m)",
    "torch.clip(a, -1, 1)", "a.clip(0.5)", "b.clip(-1, 2.5)", "a.clone().clip_(-1, 1)", "b.clip(max=2)",
    "torch.clip(v, -1, 1)",
    "torch.clamp_min(b, 0)", "torch.clamp_max(a, 0)", "b.clamp_max(2)", "b.clamp_min(0.5)", "a.clone().clamp_min_(0)",
    "a.clone().clamp_max_(-1)", "torch.clamp_max(v, 2)",
    "torch.concat((a, a), 1)", "torch.concat([b, b])", "torch.concatenate([a, t.t()], -2)",
    "torch.row_stack((v, v))", "torch.row_stack([a, a])",
    "torch.ravel(t)", "a.ravel()", "z.ravel()",
    "a.view_as(torch.zeros(3, 2))", "t.reshape_as(torch.zeros(6))", "b.view_as(torch.zeros(6, 1))",
    "b.byte()", "torch.tensor([0.5, 3.7, 255.]).byte()", "m.byte()",
    "torch.tensor(a.ndimension())", "torch.tensor(z.ndimension())", "torch.tensor(a.nelement())",
    "torch.tensor(torch.zeros(0, 3).nelement())",
    # inverse trigonometric and hyperbolic functions and their numpy names
    "torch.asin(u)", "torch.acos(u)", "torch.atan(u)", "torch.sinh(u)", "torch.cosh(u)", "torch.asinh(u)",
    "torch.acosh(g)", "torch.atanh(u)", "u.asin()", "u.double().acos()", "b.atan()", "torch.sinh(b)", "m.cosh()",
    "torch.asinh(h.bfloat16())", "g.bfloat16().acosh()", "torch.atanh(h.bfloat16())", "u.clone().asin_()", "u.clone().acos_()", "a.clone().atan_()",
    "a.clone().sinh_()", "a.clone().cosh_()", "a.clone().asinh_()", "g.clone().acosh_()", "u.double().atanh_()",
    "torch.arcsin(u)", "u.arccos()", "torch.arctan(b)", "torch.arcsinh(a)", "g.arccosh()", "torch.arctanh(u)",
    "u.clone().arcsin_()", "u.clone().arccos_()", "a.clone().arctan_()", "a.clone().arcsinh_()", "g.clone().arccosh_()",
    "u.clone().arctanh_()", "torch.asin(torch.zeros(0, 2))", "torch.atan(z)",
    # compositions
    "torch.broadcast_to(v, (2, 4))", "a.broadcast_to((3, 2, 3))", "torch.broadcast_to(z, (2,))",
    "torch.unbind(a)", "a.unbind(1)", "torch.unbind(t, -1)", "torch.unbind(torch.zeros(0, 2), 1)",
    "torch.atleast_1d(z)", "torch.atleast_1d(v)", "torch.atleast_2d(z)", "torch.atleast_2d(v)", "torch.atleast_2d(a)",
    "torch.atleast_3d(z)", "torch.atleast_3d(v)", "torch.atleast_3d(a)", "torch.atleast_3d(a.unsqueeze(0))",
    "torch.dstack((a, a))", "torch.dstack([v, v])", "torch.dstack((z, z))",
    "torch.column_stack((v, v))", "torch.column_stack([a.t(), t, a[0]])", "torch.column_stack((z, z))",
    "torch.broadcast_tensors(v, a[:, :1])", "torch.broadcast_tensors(z, a)",
    "torch.split_with_sizes(a, [1, 2], 1)", "a.split_with_sizes([2, 0])",
    "torch.fmax(v, torch.tensor([0.5, 2.0, float('nan'), float('nan')]))", "torch.fmin(v, torch.tensor([0.5, 2.0, float('nan'), float('nan')]))",
    "torch.fmax(b, a)", "b.fmin(a)", "torch.fmax(b, b.flip(0))",
    "torch.logical_xor(a, b)", "b.logical_xor(v[:3])", "torch.logical_xor(m, m.flip(0))", "a.clone().logical_xor_(b)",
    "torch.isposinf(torch.tensor([1.0, float('inf'), -float('inf'), float('nan')]))",
    "torch.isneginf(torch.tensor([1.0, float('inf'), -float('inf'), float('nan')]))", "torch.isposinf(b)", "b.isneginf()",
    "torch.isreal(a)", "b.isreal()",
    "torch.tensor(torch.is_signed(a))", "torch.tensor(b.is_signed())", "torch.tensor(b.byte().is_signed())",
    "torch.tensor(m.is_signed())", "torch.tensor(torch.is_nonzero(z))", "torch.tensor(torch.tensor([0]).is_nonzero())",
    "torch.tensor(torch.tensor([[float('nan')]]).is_nonzero())",
    "torch.nansum(v)", "torch.nansum(b)", "torch.nansum(v.reshape(2, 2), 1)", "torch.nansum(v.reshape(2, 2), (0,), True)",
    "torch.nanmean(v)", "torch.nanmean(v.reshape(2, 2), 0)", "torch.nanmean(torch.tensor([float('nan')]))",
    "torch.nanmean(a.double(), (0, 1), True)",
    "torch.diagflat(v)", "a.diagflat(1)", "torch.diagflat(z, -1)", "torch.diagflat(t, -2)",
    "torch.aminmax(a)", "torch.aminmax(b, dim=1)", "a.aminmax(dim=0, keepdim=True)", "torch.aminmax(v)",
    "torch.inner(a, a)", "torch.inner(v, v.flip(0))", "torch.inner(a, z)", "torch.inner(t, a[:, :2])",
    "torch.meshgrid(v, a[0], indexing='ij')", "torch.meshgrid(v, a[0], indexing='xy')", "torch.meshgrid(z, v, indexing='ij')",
    "torch.meshgrid(v[:2], a[0], z, indexing='xy')", "torch.meshgrid(v, indexing='xy')",
    "torch.dist(a, b)", "torch.dist(a, torch.zeros(3), 1)", "torch.dist(a, a.flip(0), 0)", "torch.dist(a.double(), z, float('inf'))",
]

GRADS = [  # (call on X, X's shape)
    ("torch.absolute(X)", (2, 3)), ("X.negative()", (2, 3)), ("torch.divide(X, 2)", (2, 3)),
    ("torch.divide(X, X + 10)", (2, 3)), ("X.true_divide(3)", (4,)), ("torch.multiply(X, X)", (2, 3)),
    ("X.multiply(2.5)", (2, 3)), ("torch.subtract(X, X * X)", (3,)), ("X.subtract(1)", (3,)),
    ("torch.clip(X, -1, 1)", (2, 3)), ("X.clip(0.5)", (2, 3)), ("torch.clamp_min(X, 0)", (2, 3)),
    ("torch.clamp_max(X, 0)", (2, 3)), ("X.clamp_max(-1)", (2, 3)),
    ("torch.concat((X, X * 2), 1)", (2, 3)), ("torch.concatenate([X, X], 0)", (2, 3)),
    ("torch.row_stack((X, X))", (3,)), ("torch.ravel(X.t())", (2, 3)), ("X.ravel()", (2, 3)),
    ("X.view_as(torch.zeros(3, 2))", (2, 3)), ("X.t().reshape_as(torch.zeros(6))", (2, 3)),
    ("torch.asin(X * 0.1)", (2, 3)), ("torch.acos(X * 0.1)", (2, 3)), ("torch.atan(X)", (2, 3)), ("torch.sinh(X)", (2, 3)),
    ("torch.cosh(X)", (2, 3)), ("torch.asinh(X)", (2, 3)), ("torch.acosh(X * X + 1.5)", (2, 3)),
    ("torch.atanh(X * 0.1)", (2, 3)), ("torch.arcsin(X * 0.1)", (2, 3)), ("(X * 0.1).arccos()", (3,)), ("torch.arctan(X)", (3,)),
    ("torch.broadcast_to(X, (2, 3))", (3,)), ("X.unbind(1)[1]", (2, 3)), ("torch.atleast_3d(X)", (3,)),
    ("torch.dstack((X, X * 2))", (2, 3)), ("torch.column_stack((X, X))", (3,)), ("torch.broadcast_tensors(X, S)[0]", (3,)),
    ("torch.split_with_sizes(X, [1, 2], 1)[1]", (2, 3)), ("torch.fmax(X, S)", (3,)), ("torch.fmin(X, S)", (3,)),
    ("torch.fmax(X, X.flip(0))", (3,)), ("torch.nansum(torch.log(X + 1.5))", (4,)), ("torch.nanmean(X)", (2, 3)),
    ("torch.nanmean(X, (1,))", (2, 3)), ("torch.dist(X, S.nan_to_num())", (3,)), ("torch.dist(X, S.nan_to_num(), 1)", (3,)),
    ("torch.diagflat(X, 1)", (2, 2)), ("torch.inner(X, X.flip(1))", (2, 3)),
    ("torch.meshgrid(X, X[:2] * 2, indexing='xy')[1]", (3,)), ("torch.meshgrid(X, X[:2], indexing='ij')[0]", (3,)),
    ("X.arcsinh()", (3,)), ("torch.arccosh(X + 5)", (3,)), ("(X * 0.1).arctanh()", (3,)),
]

ERRORS = [
    "a.clone().eq_(torch.zeros(2, 2, 3))", "a.clone().logical_and_(torch.ones(3, 2, 3))",
    "a.clone().greater_(torch.zeros(3, 2, 3))",
    "b.clone().divide_(2)", "b.clone().true_divide_(a)", "b.clone().multiply_(a)", "b.clone().subtract_(1.5)",
    "b.clone().clip_(0.5)", "b.clone().clamp_min_(0.5)", "torch.tensor([1, 2], dtype=torch.int8).clamp_max(300)",
    "torch.concat((a, b[:, :2].float()), 0)", "torch.concat((a, a), 2)",
    "b.clone().asin_()", "b.clone().arccosh_()", "torch.asin(h)", "h.acos()", "torch.atan(h)", "h.sinh()",
    "torch.cosh(h)", "torch.asinh(h)", "torch.acosh(h)", "h.clone().atanh_()", "torch.arctanh(h)",
    "torch.inner(a, v)", "torch.meshgrid(v, v, indexing='foo')", "torch.unbind(z)", "torch.unbind(a, 2)",
    "torch.is_nonzero(a)", "torch.is_nonzero(torch.zeros(0))", "torch.split_with_sizes(a, [1, 1], 1)",
    "torch.column_stack((v, a))", "torch.dstack((v, a))",
    "a.view_as(torch.zeros(4))", "t.view_as(torch.zeros(6))", "a.reshape_as(torch.zeros(5))",
]



if __name__ == "__main__":
    call_cases.write("generate_aliases.py", "aliases.txt", VALUES, GRADS, ERRORS, globals())
