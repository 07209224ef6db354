#!/usr/bin/python3
"""Writes tests/golden/shape.txt: PyTorch 1.13's results of its shape and indexing functions
(movedim, unflatten, narrow_copy, T/mT/mH, new_*, diag_embed, nonzero, masked_select,
masked_scatter, take, take_along_dim, repeat_interleave, scatter_reduce, index_add/copy/fill, and
the layouts that take gather's, scatter's and index_add's fast and parallel loops), their
gradients and their error messages, for tests/test_shape_ops.cpp.

    /usr/bin/python3 tests/golden/generate_shape.py

Each case is a Python call on the inputs below. A value case gives each result's dtype, shape
and elements (hexadecimal floats, integers for integral and bool results); a `grad` case runs
backward from sum(result * w), w = 1, 2, 3, ... in the result's shape, and gives X's gradient;
an `error` case gives PyTorch's message.
"""
import call_cases
import warnings

import torch

warnings.filterwarnings("ignore")

a = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
b = torch.arange(6).reshape(2, 3)
z = torch.tensor(3.0)
v = torch.arange(4, dtype=torch.float32)
m = torch.tensor([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
h = torch.arange(12, dtype=torch.float16).reshape(3, 4) / 4
e = torch.zeros(0, 3)
t = a.transpose(0, 2)  # non-contiguous: [4, 3, 2]
f = torch.tensor([0.0, float("nan"), -0.0, 2.5, float("inf")])
i8 = torch.arange(-3, 3, dtype=torch.int8)
ix = torch.tensor([[0, 2, 1, 2], [1, 0, 0, 2]])  # indices along dim 0 of a [3, 4] tensor
src = torch.arange(8, dtype=torch.float32).reshape(2, 4) + 1
s34 = torch.tensor([[5.0, -1.0, 2.0, 7.0], [0.5, 3.0, -2.0, 1.0], [4.0, 4.0, 6.0, -3.0]])
n34 = torch.arange(12).reshape(3, 4)
x34 = torch.arange(12, dtype=torch.float32).reshape(3, 4)
srci = torch.arange(8).reshape(2, 4) + 1
S = torch.tensor([[0.5, -1.5, 2.0, 1.25], [3.0, 0.75, -2.5, 1.5]], dtype=torch.float64)  # scatter sources for X
ixs = torch.tensor([[0, 1, 1, 0], [1, 0, 0, 1]])  # indices along dim 0 of a [2, 4] tensor
S3 = torch.tensor([[1.0, -2.0, 0.5, 3.0], [0.25, 1.5, -1.0, 2.0], [-0.5, 4.0, 1.0, -3.0]], dtype=torch.float64)
Z = torch.tensor([[0.0, 2.0, 1.0, 0.0], [1.5, 0.0, -1.0, 2.0], [1.0, 1.0, 0.0, 3.0]], dtype=torch.float64)
# group 4: the layouts of gather's and scatter's loops (Note [Scatter and gather loops] in
# backend/cpu/index.hpp): 1-D, dim last, first and in the middle, smaller indices, strided values
# and x; the large ones (int64, exact) split over threads, their results sampled every 61st element.
i5 = torch.tensor([4, 0, 4, 2, 0, 4])  # indices into 5 bins, repeated
big = torch.tensor([1e8, 1.0, -1e8, 1.0, 0.5, 3.0])  # sums that depend on their order
w46 = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 4 - 2
j46 = (torch.arange(24).reshape(4, 6) * 7) % 4  # indices along dim 0 of [4, 6]
k46 = (torch.arange(24).reshape(4, 6) * 5) % 6  # indices along dim 1 of [4, 6]
n46 = torch.arange(24).reshape(4, 6) - 7
j3 = (torch.arange(72).reshape(3, 4, 6) * 5) % 4  # indices in [0, 4)
w3 = torch.arange(72, dtype=torch.float32).reshape(3, 4, 6) / 8
L = torch.arange(65536).reshape(64, 1024)
IL = (L * 7919) % 1024  # indices along dim 1 of [64, 1024]
IL0 = (L * 7919) % 64  # indices along dim 0
SL = L % 13

VALUES = [
    # group 1: views and small ones
    "torch.movedim(a, 0, 2)", "torch.movedim(a, -1, 0)", "torch.movedim(a, (0, 1), (2, 0))", "torch.moveaxis(t, (2,), (0,))",
    "a.movedim(1, 1)", "torch.movedim(z, 0, 0)", "torch.movedim(b, (0, 1), (1, 0))",
    "torch.swapaxes(a, 0, 2)", "a.swapdims(-1, 1)", "torch.swapdims(m, 0, 1)", "z.swapaxes(0, -1)",
    "a.unflatten(1, (3, 1))", "a.unflatten(2, (-1, 2))", "a.unflatten(-1, (2, 1, 2))", "e.unflatten(1, (1, 3))",
    "t.unflatten(0, (2, 2))", "b.unflatten(1, (-1,))",
    "a.narrow_copy(2, 1, 2)", "a.narrow_copy(0, -1, 1)", "t.narrow_copy(1, 1, 2)", "b.narrow_copy(1, 0, 0)",
    "torch.narrow_copy(h, 1, 2, 2)",
    "a.T", "b.T", "v.T", "z.T", "t.T", "a.mT", "b.mT", "z.mT", "a.mH", "m.mH", "t.mT",
    "a.new_zeros((2, 1))", "b.new_ones((3,))", "a.new_full((2,), 7)", "b.new_full((2, 2), 2.7)",
    "torch.arange(3, dtype=torch.uint8).new_full((2,), -1)", "m.new_full((2,), 5)", "h.new_full((1,), 0.1)",
    "a.new_zeros(())", "b.new_ones((0, 2))",
    "torch.diagonal(a)", "torch.diagonal(a, 1, 2, 0)", "torch.diagonal(t, -1, -1, -2)",
    "torch.diag_embed(torch.arange(6.).reshape(2, 3))", "torch.diag_embed(torch.arange(6.).reshape(2, 3), 1, 0, 2)",
    "torch.diag_embed(v, -2)", "torch.diag_embed(b, 0, -1, 0)", "torch.diag_embed(m[0])", "torch.diag_embed(t, 1)",
    "torch.diag_embed(e)",
    # group 2: selecting by mask and index
    "torch.nonzero(m)", "torch.nonzero(z)", "torch.nonzero(torch.tensor(0.))", "torch.nonzero(e)", "torch.nonzero(f)",
    "torch.nonzero(i8)", "t.nonzero()", "torch.nonzero(b > 2)", "torch.nonzero(h)",
    "torch.nonzero(m, as_tuple=True)", "torch.nonzero(z, as_tuple=True)", "torch.nonzero(torch.tensor(0), as_tuple=True)",
    "torch.nonzero(e, as_tuple=True)",
    "torch.argwhere(m)", "torch.argwhere(z)", "torch.argwhere(t - 5)",
    "torch.where(m)", "torch.where(b)", "torch.where(z)",
    "a.masked_select(m)", "torch.masked_select(a, m[0])", "torch.masked_select(z, torch.tensor(True))",
    "torch.masked_select(v, m)", "torch.masked_select(b, torch.tensor([True, False, True]))",
    "torch.masked_select(t, torch.tensor([True, False]))", "torch.masked_select(h, m)",
    "torch.masked_select(e, torch.tensor(True))", "m.masked_select(m)",
    "torch.zeros(3, 4).masked_scatter(m, torch.arange(10.))", "torch.zeros(3, 4).masked_scatter(m[0], torch.arange(10.))",
    "torch.zeros(4).masked_scatter(m, torch.arange(12.).reshape(3, 4))", "n34.masked_scatter(m, -n34)",
    "torch.masked_scatter(a, m, -t)", "torch.zeros(2, 2, dtype=torch.bool).masked_scatter(torch.tensor([True, False]), torch.tensor([True, True]))",
    "a.take(torch.tensor([[0, 23], [-1, -24]]))", "torch.take(t, torch.tensor([1, 2, 3]))", "z.take(torch.tensor([0, -1]))",
    "torch.take(b, torch.tensor(5))", "torch.take(m, torch.tensor([[0], [5]]))", "torch.take(a, torch.zeros(0, dtype=torch.long))",
    "torch.take_along_dim(a, torch.tensor([[[0], [3], [1]]]), 2)", "torch.take_along_dim(a, torch.tensor([5, 1]))",
    "torch.take_along_dim(s34, torch.argsort(s34, 1), 1)", "torch.take_along_dim(s34, torch.argmax(s34, 0, keepdim=True), 0)",
    "torch.take_along_dim(t, torch.tensor([[[1, 0]]]), -1)", "torch.take_along_dim(b, torch.tensor([[2], [0]]), 1)",
    "torch.take_along_dim(z, torch.tensor(0))", "torch.take_along_dim(s34, torch.tensor([[0], [2]]), 0)", "torch.take_along_dim(torch.tensor([1., 2., 3.]).reshape(3, 1), torch.tensor([[0, 2, 1]]), 0)",
    "torch.repeat_interleave(torch.tensor([1, 0, 2]))", "torch.repeat_interleave(torch.tensor([0, 0]))",
    "torch.repeat_interleave(torch.tensor([2, 1]), output_size=3)",
    "v.repeat_interleave(2)", "a.repeat_interleave(2, 1)", "a.repeat_interleave(torch.tensor([1, 0, 2]), 1)",
    "a.repeat_interleave(torch.tensor([2]), 1)", "a.repeat_interleave(torch.tensor(2), -1)", "z.repeat_interleave(3)",
    "a.repeat_interleave(torch.tensor([1, 0, 2]), 1, output_size=3)", "v.repeat_interleave(torch.tensor([1, 2, 3, 4]))",
    "torch.repeat_interleave(b, 2)", "torch.repeat_interleave(m, torch.tensor([1, 0, 3]), 0)", "t.repeat_interleave(0, 1)",
    "torch.repeat_interleave(h, 2, 0, output_size=6)",
    # group 3: reducing scatters and index updates
    "x34.scatter_reduce(0, ix, src, 'sum')", "x34.scatter_reduce(0, ix, src, 'sum', include_self=False)",
    "x34.scatter_reduce(0, ix, src, 'prod')", "x34.scatter_reduce(0, ix, src, 'prod', include_self=False)",
    "x34.scatter_reduce(0, ix, src, 'mean')", "x34.scatter_reduce(0, ix, src, 'mean', include_self=False)",
    "x34.scatter_reduce(0, ix, src, 'amax')", "x34.scatter_reduce(0, ix, -src, 'amax', include_self=False)",
    "x34.scatter_reduce(0, ix, src, 'amin')", "x34.scatter_reduce(0, ix, -src, 'amin', include_self=False)",
    "n34.scatter_reduce(0, ix, srci, 'mean')", "n34.scatter_reduce(0, ix, -srci, 'mean')",
    "n34.scatter_reduce(0, ix, -srci, 'mean', include_self=False)", "n34.scatter_reduce(1, ix.T[:3, :2], -srci.T[:3, :2], 'amax', include_self=False)",
    "torch.ones(3, dtype=torch.uint8).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([1, 2, 4]).byte(), 'mean', include_self=False)",
    "torch.tensor([1., float('nan'), 0.]).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([float('nan'), 2., 1.]), 'amax')",
    "torch.zeros(3, dtype=torch.bool).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([True, False, True]), 'sum')",
    "torch.zeros(3, dtype=torch.bool).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([True, False, True]), 'amin', include_self=False)",
    "torch.zeros(3, dtype=torch.float16).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([1., 2., 3.]).half(), 'mean')",
    "torch.scatter_reduce(t, 2, torch.tensor([[[1], [0], [1]]]), -t[:1, :, :1], 'prod')",
    "torch.tensor(3.).scatter_reduce(0, torch.tensor(0), torch.tensor(2.), 'prod')",
    "x34.scatter_reduce(1, torch.zeros(3, 0, dtype=torch.long), src, 'amax')",
    "x34.scatter(0, ix, src, reduce='add')", "x34.scatter(0, ix, src, reduce='multiply')",
    "x34.scatter(0, ix, 2.0, reduce='multiply')", "n34.scatter(1, ix[:, :2], 5, reduce='add')",
    "x34.index_add(0, torch.tensor([0, 2, 0]), torch.ones(3, 4), alpha=2)",
    "n34.index_add(1, torch.tensor([0, 3]), torch.ones(3, 2, dtype=torch.long), alpha=2)",
    "x34.index_add(0, torch.tensor([0, 1]), torch.ones(2, 4), alpha=1.5)",
    "n34.index_add(0, torch.tensor([0, 1]), torch.ones(2, 4).long(), alpha=1.5)",
    "torch.tensor(3.).index_add(0, torch.tensor([0, 0]), torch.tensor([1., 2.]))",
    "torch.index_add(t, 1, torch.tensor([2, 2]), torch.ones(4, 2, 2))", "h.index_add(1, torch.tensor([3]), h[:, :1])",
    "x34.index_copy(0, torch.tensor([2, 0]), torch.ones(2, 4))", "x34.index_copy(0, torch.tensor([0, 0]), torch.arange(8.).reshape(2, 4))",
    "torch.index_copy(t, 2, torch.tensor([1]), -t[:, :, :1])", "m.index_copy(1, torch.tensor([1, 0]), m[:, 2:])",
    "torch.tensor(3.).index_copy(0, torch.tensor([0]), torch.tensor([7.]))",
    "x34.index_fill(1, torch.tensor([0, 2]), -1)", "x34.index_fill(1, torch.tensor([0, -1]), -1)",
    "n34.index_fill(1, torch.tensor([0, 2]), 2.5)", "torch.index_fill(t, 0, torch.tensor(3), 9)",
    "torch.ones(3).bool().index_fill(0, torch.tensor([1]), False)", "torch.tensor(3.).index_fill(0, torch.tensor([0, 0]), 1)",
    "e.index_fill(1, torch.tensor([2]), 1)", "n34.index_fill(1, torch.tensor([0]), torch.tensor(2.5))",
    "x34.index_fill(0, torch.tensor([2, 0]), torch.tensor(-3, dtype=torch.int8))",
    # group 4: gather's and scatter's loops
    "torch.zeros(5).scatter_add(0, i5, big)", "torch.zeros(5).scatter(0, i5, big)", "torch.arange(5.).gather(0, i5)",
    "torch.zeros(4, 6).scatter_add(1, k46, w46)", "torch.zeros(4, 6).scatter_add(0, j46, w46)",
    "torch.zeros(3, 4, 6).scatter_add(1, j3, w3)", "torch.zeros(3, 4, 6).scatter_add(2, j3, w3)",
    "torch.zeros(4, 6).scatter_add(1, k46[:, :3], w46)", "torch.zeros(5, 6).scatter_add(1, k46[:3], w46)",
    "torch.zeros(4, 6).scatter_add(0, j46[:2, 1:], w46)", "torch.zeros(6, 4).scatter_add(0, k46.T, w46.T)",
    "torch.zeros(6, 4).T.scatter_add(1, k46, w46)", "torch.zeros(4, 12)[:, ::2].scatter_add_(1, k46, w46)",
    "torch.zeros(4, 6).scatter(1, k46, 2.5)", "torch.zeros(4, 6).scatter(0, j46, w46)", "n46.scatter(1, k46, -n46)",
    "torch.zeros(4, 6).scatter_reduce(0, j46, w46, 'amax')", "torch.ones(4, 6).scatter_reduce(1, k46, w46, 'prod')",
    "w46.gather(1, k46)", "w46.gather(0, j46)", "w46.T.gather(0, k46.T)", "w3.gather(2, j3 + 1)", "w3.gather(0, j3[:, :2] % 3)",
    "w46.gather(1, k46[:, :2])", "n46.gather(1, k46[1:, 2:])",
    "torch.zeros(3, 6).index_add(0, torch.tensor([2, 0, 2, 1]), w46)",
    "torch.zeros(4, 3).index_add(1, torch.tensor([2, 0, 2, 1, 0, 2]), w46)",
    "torch.zeros(6, 3).T.index_add(0, torch.tensor([2, 0, 2, 1]), w46)",
    "torch.zeros(3, 6, dtype=torch.long).index_add(0, torch.tensor([1, 1, 0, 1]), n46, alpha=3)",
    "torch.zeros(5).index_add(0, i5, big)",
    "torch.zeros(64, 1024, dtype=torch.long).scatter_add(1, IL, SL).flatten()[::61]",
    "torch.zeros(64, 1024, dtype=torch.long).scatter_add(0, IL0, SL).flatten()[::61]",
    "torch.zeros(64, 1024, dtype=torch.long).scatter(1, IL, L).flatten()[::61]",
    "torch.zeros(64, 1024).scatter_add(1, IL, SL / 8.).flatten()[::61]",
    "L.gather(1, IL).flatten()[::61]", "L.gather(0, IL0).flatten()[::61]",
    "torch.zeros(64, 1024, dtype=torch.long).index_add(0, (torch.arange(512) * 37) % 64, SL.repeat(8, 1)).flatten()[::61]",
    "torch.zeros(4, 20000, dtype=torch.long).index_add(0, i5 % 4, torch.arange(120000).reshape(6, 20000) % 13 - 6).flatten()[::61]",
    "torch.zeros(4, 20000).index_add(0, i5 % 4, (torch.arange(120000).reshape(6, 20000) % 13) / 8.).flatten()[::61]",
    # group 5: put, ldexp, lerp_
    "x34.put(torch.tensor([0, 11, -1, 5]), torch.tensor([1., 2., 3., 4.]))",
    "x34.put(torch.tensor([[0, 11], [-1, 0]]), torch.tensor([[1., 2.], [3., 4.]]), accumulate=True)",
    "x34.T.put(torch.tensor([1, 4, -2]), torch.tensor([7., 8., 9.]))", "torch.put(x34, torch.tensor([0]), torch.tensor([-5.]))",
    "torch.tensor(3.).put(torch.tensor([0]), torch.tensor([5.]))", "n34.put(torch.tensor([2, 2, 7]), torch.tensor([1, 2, 3]), accumulate=True)",
    "x34.put(torch.zeros(0, dtype=torch.long), torch.zeros(0))", "torch.zeros(0).put(torch.zeros(0, dtype=torch.long), torch.zeros(0))",
    "torch.ldexp(torch.tensor([1, 2, -3]), torch.tensor([1, 2, 3]))", "torch.tensor([1., 2.]).ldexp(torch.tensor([1.5, -2.]))",
    "torch.tensor([1., 2.]).half().ldexp(torch.tensor([3, 4]))", "torch.tensor([1., 2.]).ldexp(torch.tensor([3, 4], dtype=torch.float64))",
    "torch.tensor([1., 2.]).ldexp_(torch.tensor([3, 4]))", "torch.tensor([1., 3.]).ldexp_(torch.tensor([-1., 0.5]))",
    "torch.tensor([1., 2.]).lerp_(torch.tensor([3., 5.]), 0.25)", "x34.clone().lerp_(torch.ones(4), torch.full((3, 1), 0.5))",
]

GRADS = [  # (call on X, X's shape)
    ("torch.movedim(X, (0, 1), (2, 0))", (2, 3, 4)), ("X.swapaxes(0, 2)", (2, 3, 4)), ("X.unflatten(1, (3, 1))", (2, 3, 4)),
    ("X.T", (2, 3, 4)), ("X.mT", (2, 3, 4)), ("X.mH", (3, 4)), ("torch.diag_embed(X, 1, 0, 2)", (2, 3)),
    ("torch.diag_embed(X)", (2, 3)),
    ("X.masked_select(m)", (3, 4)), ("torch.masked_select(X, m)", (4,)), ("torch.masked_select(X, m[0])", (2, 3, 4)),
    ("X.masked_scatter(m, torch.arange(20.).double())", (3, 4)),
    ("torch.zeros(3, 4).double().masked_scatter(m, X)", (2, 5)),
    ("torch.zeros(3, 4).double().masked_scatter(m[0], X)", (3, 3)),
    ("X.take(torch.tensor([[0, 11], [-1, 5], [0, 0]]))", (3, 4)),
    ("torch.take_along_dim(X, torch.tensor([[0, 2, 1, 2], [0, 0, 0, 2]]), 0)", (3, 4)),
    ("torch.take_along_dim(X, torch.tensor([5, 1, 5]))", (3, 4)),
    ("torch.take_along_dim(X, torch.tensor([[1], [0], [1]]), 1)", (3, 4)),
    ("X.repeat_interleave(2, 1)", (2, 3, 4)), ("X.repeat_interleave(torch.tensor([1, 0, 2]), 0)", (3, 4)),
    ("X.repeat_interleave(3)", (2, 2)),
    ("X.scatter_reduce(0, ix, S, 'sum')", (3, 4)), ("X.scatter_reduce(0, ix, S, 'sum', include_self=False)", (3, 4)),
    ("X.scatter_reduce(0, ix, S, 'prod')", (3, 4)), ("X.scatter_reduce(0, ix, S, 'prod', include_self=False)", (3, 4)),
    ("X.scatter_reduce(0, ix, S, 'mean')", (3, 4)), ("X.scatter_reduce(0, ix, S, 'mean', include_self=False)", (3, 4)),
    ("X.scatter_reduce(0, ix, S, 'amax')", (3, 4)), ("X.scatter_reduce(0, ix, S, 'amin', include_self=False)", (3, 4)),
    ("S.scatter_reduce(0, ixs, X, 'sum')", (2, 4)), ("S.scatter_reduce(0, ixs, X, 'prod')", (2, 4)),
    ("S.scatter_reduce(0, ixs, X, 'mean', include_self=False)", (2, 4)), ("S.scatter_reduce(0, ixs, X, 'amax')", (2, 4)),
    ("S.scatter_reduce(0, ixs, X.round(), 'amin')", (2, 4)),
    ("Z.scatter_reduce(0, ix, X, 'prod')", (2, 4)), ("Z.scatter_reduce(0, ix, X * (X != -0.5), 'prod', include_self=False)", (2, 4)),
    ("X.index_add(0, torch.tensor([0, 2, 0]), S3, alpha=2)", (3, 4)), ("S3.index_add(1, torch.tensor([3, 0]), X, alpha=-1.5)", (3, 2)),
    ("X.index_copy(0, torch.tensor([2, 0]), S3[:2])", (3, 4)), ("S3.index_copy(1, torch.tensor([3, 0]), X)", (3, 2)),
    ("X.index_fill(1, torch.tensor([0, -1]), 5)", (3, 4)),
    ("X.gather(0, j46)", (4, 6)), ("torch.zeros(4, 6).double().scatter_add(0, j46, X)", (4, 6)),
    ("X.scatter_add(1, k46[:, :3], w46.double())", (4, 6)), ("X.T.gather(0, k46.T)", (4, 6)),
    ("S3.index_fill(1, torch.tensor([0, 2, 0]), X[0])", (1,)), ("X.index_fill(0, torch.tensor([1]), X[2, 3])", (3, 4)),
    ("X.put(torch.tensor([0, 10, -1, 5]), torch.arange(4.).double())", (3, 4)),
    ("torch.zeros(3, 4).double().put(torch.tensor([0, 10, 0, 5]), X, accumulate=True)", (4,)),
    ("torch.zeros(3, 4).double().put(torch.tensor([[0, 10], [1, 5]]), X)", (2, 2)),
    ("X.put(torch.tensor([1, 1]), torch.ones(2).double(), accumulate=True)", (2, 3)),
    ("X.T.put(torch.tensor([1, 4]), torch.ones(2).double())", (2, 3)),
    ("torch.ldexp(X, torch.tensor([1, -2, 3]))", (3,)), ("X.ldexp(torch.tensor([0.5, 2.]).double())", (2,)),
    ("X.clone().lerp_(torch.ones(4).double(), 0.25)", (3, 4)), ("torch.ones(3, 4).double().lerp_(X, 0.25)", (4,)),
    ("torch.ones(3, 4).double().lerp_(torch.zeros(4).double(), X)", (3, 1)),
    ("X.clone().lerp_(torch.zeros(4).double(), torch.full((3, 1), 0.5).double())", (3, 4)),
]

ERRORS = [
    "torch.movedim(a, (0, 1), (2,))", "torch.movedim(a, (0, 0), (1, 2))", "torch.movedim(a, (0, 1), (1, 1))",
    "torch.movedim(a, (0, -3), (1, 2))",
    "a.unflatten(2, (5, 1))", "a.unflatten(2, ())", "a.unflatten(2, (-1, 0))", "a.unflatten(2, (-2, 2))",
    "z.unflatten(0, (1,))",
    "a.narrow_copy(2, 3, 2)", "a.narrow_copy(2, -5, 1)", "z.narrow_copy(0, 0, 1)",
    "v.mT", "v.mH",
    "torch.arange(3, dtype=torch.int8).new_full((2,), 300)",
    "torch.diag_embed(v, 0, 0, 0)", "torch.diag_embed(v, 0, 0, 2)", "torch.diag_embed(z)",
    "torch.masked_select(a[0], m[:2])", "torch.masked_select(a, m[:2])",
    "torch.zeros(3, 4).masked_scatter(m, torch.arange(3.))",
    "a.take(torch.tensor([24]))", "a.take(torch.tensor([-25]))", "torch.zeros(0).take(torch.tensor([0]))",
    "torch.take_along_dim(a, torch.tensor([5, -1]))", "torch.take_along_dim(a, torch.tensor([[0]]), 2)",
    "torch.take_along_dim(a, torch.tensor([[[4]]]), 2)", "torch.take_along_dim(a, torch.tensor([[[-1]]]), 2)",
    "torch.take_along_dim(a, torch.tensor([[[0]], [[1]], [[2]]]), 2)",
    "torch.repeat_interleave(torch.tensor([1, -1, 2]))", "torch.repeat_interleave(torch.tensor([[1]]))",
    "torch.repeat_interleave(torch.tensor(2))",
    "a.repeat_interleave(torch.tensor([1, 0]), 1)", "a.repeat_interleave(torch.tensor([1, -1, 2]), 1)",
    "v.repeat_interleave(-1)", "a.repeat_interleave(torch.tensor([1, 0, 2]), 1, output_size=4)",
    "a.repeat_interleave(2, 1, output_size=5)", "a.repeat_interleave(torch.tensor([[1, 0, 2]]), 1)",
    "a.repeat_interleave(2, 3)",
    "x34.scatter_reduce(0, ix, src, 'foo')", "x34.scatter_reduce(0, torch.tensor([[3]]), src, 'sum')",
    "x34.scatter_reduce(0, torch.tensor([[-1]]), src, 'amax')", "x34.scatter_reduce(0, torch.zeros(4, 1).long(), src, 'sum')",
    "x34.scatter_reduce(0, torch.zeros(1, 5).long(), torch.ones(3, 5), 'sum')",
    "torch.zeros(3, dtype=torch.bool).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([True, False, True]), 'mean')",
    "x34.scatter(0, ix, 2.0, reduce='sum')", "x34.scatter(0, torch.tensor([[3]]), src, reduce='multiply')",
    "x34.index_add(0, torch.tensor([0, 3]), torch.ones(2, 4))", "x34.index_add(0, torch.tensor([0, -1]), torch.ones(2, 4))",
    "x34.index_add(0, torch.tensor([0, 1]), torch.ones(3, 4))", "x34.index_add(0, torch.tensor([[0, 1]]), torch.ones(2, 4))",
    "x34.index_copy(0, torch.tensor([3, 0]), torch.ones(2, 4))", "x34.index_copy(0, torch.tensor([-1, 0]), torch.ones(2, 4))",
    "x34.index_copy(0, torch.tensor([0, 1]), torch.ones(3, 4))", "x34.index_copy(1, torch.tensor([0, 1]), torch.ones(3, 4))",
    "x34.index_fill(1, torch.tensor([0, 4]), -1)", "x34.index_fill(1, torch.tensor([-5]), -1)", "x34.index_fill(2, torch.tensor([0]), 1)",
    "torch.arange(3, dtype=torch.int8).index_fill(0, torch.tensor([0]), 300)",
    "x34.index_fill(1, torch.tensor([0]), torch.tensor([2.]))",
    "torch.zeros(5).scatter_add(0, torch.tensor([0, 5, -1]), torch.ones(3))", "w46.gather(0, j46 - 1)",
    "torch.zeros(64, 1024, dtype=torch.long).scatter_add(1, IL + L // 1024, SL)", "L.gather(1, IL + L // 1024)",
    "torch.zeros(64, 1024, dtype=torch.long).scatter_add(0, IL0 + L % 1024 // 16, SL)", "L.gather(0, IL0 + L % 1024 // 16)",
    "x34.put(torch.tensor([12]), torch.tensor([1.]))", "x34.put(torch.tensor([-13]), torch.tensor([1.]))",
    "x34.put(torch.tensor([0, 1]), torch.tensor([1.]))", "torch.zeros(0).put(torch.tensor([0]), torch.tensor([1.]))",
    "torch.zeros(3).expand(2, 3).put_(torch.tensor([0]), torch.tensor([1.]))",
    "(lambda t: t.put_(torch.tensor([0, 1]), t.view(-1)[:2]))(torch.zeros(2, 3))",
    "torch.tensor([1, 2]).ldexp_(torch.tensor([1, 2]))", "torch.tensor([1., 2.]).lerp_(torch.tensor([[1.5, 2.]]), 0.5)",
    "torch.tensor([1., 2.]).lerp_(torch.tensor([1.5, 2.]), torch.ones(2, 2))",
    "torch.ones(2, requires_grad=True).clone().ldexp_(torch.tensor([1, 2]))",
]



if __name__ == "__main__":
    call_cases.write("generate_shape.py", "shape.txt", VALUES, GRADS, ERRORS, globals())
