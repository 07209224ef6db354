#!/usr/bin/python3
"""Writes tests/golden/splits.txt: PyTorch 1.13's results for its splitting functions
(tensor_split with sections, indices or a tensor, hsplit, vsplit, dsplit, unsafe_chunk,
unsafe_split, unsafe_split_with_sizes) and for the functions that write into a copy of a tensor
(select_scatter, slice_scatter, diagonal_scatter, as_strided_scatter, scatter_add, index_put,
index_reduce), for the in-place view ops (squeeze_, unsqueeze_, t_, transpose_, swapaxes_,
swapdims_, as_strided_, detach_) and fill_diagonal_, and for block_diag, cartesian_prod and
combinations, and for pixel_shuffle, pixel_unshuffle and channel_shuffle (torch. and F.), their
gradients and their error messages, for tests/test_splits.cpp.

slice_scatter's cases give every argument: torch 1.13's Python binding reads its omitted
optional arguments wrongly (torch.slice_scatter(a, src) takes a slice of one row); the defaults
follow its documentation and ATen (dim 0, the whole dim, step 1). as_strided_scatter's gradients
come from what it is defined as, a clone with src copied into its as_strided view (`asscatter`):
torch 1.13's own backward is wrong (X.grad of torch.as_strided_scatter(X, X[0] * 2, (3,), (2,), 1)
is [[4, 10, 12], [4, 0, 6]] where [[5, 8, 15], [0, 5, 0]] is right, and its gradcheck fails as
not reentrant).

    /usr/bin/python3 tests/golden/generate_splits.py

The format is call_cases.py's: a value case gives each result's dtype, shape and elements; a
`grad` case runs backward from sum(result * w), w = 1, 2, 3, ... in the result's shape, and gives
X's gradient; an `error` case gives PyTorch's message.
"""
import call_cases
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")

a = torch.arange(10, dtype=torch.float32).reshape(2, 5) - 2.5
b = torch.arange(24).reshape(2, 3, 4)
t = a.t()  # non-contiguous: [5, 2]
v = torch.tensor([1.0, -2.0, 3.5, 0.0, 7.0, -0.5, 2.0])
z = torch.tensor(-2.0)
m = torch.tensor([True, False, True, True])
e = torch.zeros(0, 3)
s3 = torch.tensor([10.0, 20.0, 30.0])
s2 = torch.tensor([[10.0, 20.0], [30.0, 40.0]])
ti = torch.tensor([[1, 2, 3], [4, 5, 6]])


q = torch.tensor([[2.0, 3.0, 4.0, 5.0], [1.0, -1.0, 7.0, 0.5]])
ia = torch.tensor([[0, 1, 1, 0], [1, 1, 0, 1]])
i2 = torch.tensor([0, 2])
i11 = torch.tensor([1, 1])
c = torch.arange(12, dtype=torch.float32).reshape(3, 4)  # c's row 2 and q's row 1 tie in column 1 with amax
c[2, 1] = -1.0


def asscatter(x, src, size, stride, offset):
    out = x.clone()
    out.as_strided(size, stride, offset).copy_(src)
    return out


VALUES = [
    "torch.tensor_split(v, 3)", "torch.tensor_split(v, 7)", "torch.tensor_split(v, 9)", "a.tensor_split(2, 1)",
    "torch.tensor_split(a, 3, -1)", "torch.tensor_split(t, 4)", "torch.tensor_split(b, 2, 2)", "m.tensor_split(3)",
    "torch.tensor_split(e, 2)", "torch.tensor_split(e, 2, 1)",
    "torch.tensor_split(v, [2, 5])", "torch.tensor_split(v, [-2])", "torch.tensor_split(v, [4, 2, 9])",
    "torch.tensor_split(a, [1, -1, 4, 2], 1)", "t.tensor_split([1, 3])", "torch.tensor_split(b, [], 1)",
    "torch.tensor_split(v, [0, 0, 7])", "b.tensor_split([1], -1)",
    "torch.tensor_split(v, torch.tensor(3))", "torch.tensor_split(a, torch.tensor([1, 3]), 1)",
    "a.tensor_split(torch.tensor(2))", "torch.tensor_split(v, torch.tensor([-3, 6]))",
    "torch.hsplit(v, 7)", "torch.hsplit(a, 5)", "a.hsplit([2, 3])", "torch.hsplit(b, 3)", "torch.hsplit(b, [1])",
    "torch.hsplit(v, [3, -1])",
    "torch.vsplit(a, 2)", "a.vsplit([1])", "torch.vsplit(t, [2, 3])", "torch.vsplit(b, 1)",
    "torch.dsplit(b, 2)", "b.dsplit([1, 3])", "torch.dsplit(b.transpose(0, 2), 2)", "torch.dsplit(b, 4)",
    "torch.unsafe_chunk(v, 3)", "a.unsafe_chunk(2, 1)", "torch.unsafe_chunk(b, 4, -1)",
    "torch.unsafe_split(v, 3)", "a.unsafe_split(2, 1)",
    "torch.unsafe_split_with_sizes(v, [2, 0, 5])", "b.unsafe_split_with_sizes([1, 2], 1)",
    # a copy with one view written
    "torch.select_scatter(t, s2[0], 0, 3)", "a.select_scatter(a[1] * 2, 0, -1)",
    "torch.select_scatter(t, s3[:2].double(), 0, -5)", "torch.select_scatter(ti, torch.tensor([1.5, 2.5]), 1, 2)",
    "torch.select_scatter(v, torch.tensor(9.0), 0, 2)", "b.select_scatter(torch.zeros(2, 3, dtype=torch.long), 2, 1)",
    "torch.select_scatter(a, torch.tensor([True, False]), 1, 1)",
    "torch.slice_scatter(a, torch.ones(2, 2), 1, 1, 3, 1)", "torch.slice_scatter(t, s2 + 0.5, 0, None, None, 3)",
    "torch.slice_scatter(v, s3, 0, -3, None, 1)", "a.slice_scatter(torch.zeros(2, 3), 1, 0, 10, 2)",
    "torch.slice_scatter(a, torch.zeros(2, 0), 1, 4, 2, 1)", "torch.slice_scatter(ti, torch.tensor([[7], [8]]), -1, 2, 3, 1)",
    "torch.diagonal_scatter(a, s2[0])", "torch.diagonal_scatter(a, s2[1], 3)", "a.diagonal_scatter(torch.ones(1), -1)",
    "torch.diagonal_scatter(t, s2[0], 0, 1, 0)", "torch.diagonal_scatter(b, torch.ones(3, 2, dtype=torch.long), 1, 0, 2)",
    "torch.diagonal_scatter(a, torch.ones(0), 5)",
    "torch.as_strided_scatter(a, s3, (3,), (3,))", "a.as_strided_scatter(s2, (2, 2), (1, 5), 1)",
    "torch.as_strided_scatter(t, s3, (3,), (1,), 2)", "torch.as_strided_scatter(a[:, 1:], s2, (2, 2), (1, 2))",
    "torch.as_strided_scatter(ti, torch.tensor([0.5, 9.5]), (2,), (4,), 0)",
    # scatter_add, index_put, index_reduce
    "torch.scatter_add(c, 0, ia, q)", "c.scatter_add(1, ia, q)", "c.clone().scatter_add_(0, ia[:1, :3], q)",
    "torch.scatter_add(ti, 1, torch.tensor([[0, 0], [2, 2]]), ti)", "torch.scatter_add(z, 0, torch.tensor([0, 0]), s3[:2])",
    "torch.scatter_add(c, 0, torch.zeros(0, 4, dtype=torch.long), q)", "torch.scatter_add(c.t(), -1, ia.t(), q.t())",
    "torch.index_put(c, (i11,), q[0])", "c.index_put((i2, torch.tensor([1, 3])), s3[:2], True)",
    "torch.index_put(c, (torch.tensor([0, 2, 0]),), torch.tensor(1.0), True)", "c.index_put((i11, i2), s3[:2] * 2)",
    "torch.index_put(ti, (torch.tensor([True, False]),), torch.tensor([7, 8, 9]), True)",
    "torch.index_put(c.t(), (i2,), q[1, :3], False)",
    "c.index_reduce(0, i2, q, 'prod')", "torch.index_reduce(c, 0, i11, q, 'mean')", "c.index_reduce(0, i11, q, 'mean', include_self=False)",
    "c.index_reduce(0, i2, q, 'amax')", "c.index_reduce(0, i11, q, 'amin', include_self=False)",
    "torch.index_reduce(c, 1, torch.tensor([3, 0, 3, 1]), c.flip(0) * 0.5, 'amax')", "c.clone().index_reduce_(0, i2, q, 'amin')",
    "c.long().index_reduce(0, i11, q.long(), 'mean')", "c.long().index_reduce(1, torch.tensor([1, 1, 2, 0]), c.long().flip(0) - 5, 'prod', include_self=False)",
    "c.index_reduce(0, torch.zeros(0, dtype=torch.long), q[:0], 'prod')", "z.index_reduce(0, torch.tensor([0]), torch.tensor(3.0), 'prod')",
    "c.t().index_reduce(-1, i2, q.t(), 'amax', include_self=False)",
]

GRADS = [  # (call on X, X's shape)
    ("torch.tensor_split(X, 3)[1]", (7,)), ("torch.tensor_split(X, 2, 1)[0]", (2, 5)),
    ("torch.tensor_split(X, [1, 3], 1)[1]", (2, 5)), ("X.tensor_split([-2])[1]", (7,)),
    ("torch.tensor_split(X, torch.tensor([1, 3]), 1)[2]", (2, 5)),
    ("torch.hsplit(X, 5)[3]", (2, 5)), ("torch.vsplit(X, [1])[1]", (3, 2)), ("torch.dsplit(X, 2)[1]", (2, 3, 4)),
    ("torch.unsafe_chunk(X, 2, 1)[1]", (2, 5)), ("torch.unsafe_split(X, 2)[1]", (7,)),
    ("torch.unsafe_split_with_sizes(X, [1, 2], 1)[1]", (2, 3)),
    ("torch.select_scatter(X, X[0] * X[1], 0, 1)", (2, 3)), ("torch.select_scatter(X * 2, X[:, 0], 1, -1)", (3, 3)),
    ("torch.select_scatter(torch.zeros(2, 3, dtype=torch.float64), X, 0, 0)", (3,)),
    ("torch.slice_scatter(X, X[:, :2] ** 2, 1, 1, None, 1)", (2, 3)), ("torch.slice_scatter(X, X[::2] * 3, 0, 0, None, 2)", (3, 2)),
    ("torch.diagonal_scatter(X, X[0] * X[1], 0)", (2, 2)), ("torch.diagonal_scatter(X, X[1, :2] * 3, 1)", (2, 3)),
    ("asscatter(X, X[0] * 2, (3,), (2,), 1)", (2, 3)), ("asscatter(X, X[1] ** 2, (3,), (3,), 0)", (3, 3)),
    ("torch.scatter_add(X, 0, ia[:, :3], X[:2] * X[1:])", (3, 3)), ("torch.scatter_add(X * 2, 1, ia, X[:, :4] ** 2)", (2, 5)),
    ("torch.index_put(X, (i2,), X[0] * 3)", (3, 4)), ("torch.index_put(X, (i2, i11), X[1, :2] ** 2, True)", (3, 4)),
    ("torch.index_reduce(X, 0, i2, X[:2] * 2, 'prod')", (3, 3)), ("X.index_reduce(0, i11, X[1:] ** 2, 'mean')", (3, 3)),
    ("X.index_reduce(0, i11, X[:2] * -1, 'amax', include_self=False)", (3, 3)),
    ("X.index_reduce(1, i2, X[:, :2] + 1, 'amin')", (2, 3)),
]

ERRORS = [
    "torch.tensor_split(z, 2)", "torch.tensor_split(z, [1])", "torch.tensor_split(a, 0)", "torch.tensor_split(a, -1)",
    "torch.tensor_split(a, 2, 2)", "torch.tensor_split(a, torch.zeros(2, 2, dtype=torch.long))",
    "torch.hsplit(z, 2)", "torch.hsplit(a, 2)", "torch.hsplit(a, 0)", "torch.hsplit(z, [1])",
    "torch.vsplit(v, 2)", "torch.vsplit(a, 3)", "torch.vsplit(v, [1])",
    "torch.dsplit(a, 2)", "torch.dsplit(b, 3)", "torch.dsplit(a, [1])",
    "torch.unsafe_chunk(a, 0)", "torch.unsafe_chunk(z, 1)", "torch.unsafe_split(a, -1)",
    "torch.unsafe_split_with_sizes(a, [1, 2])", "torch.unsafe_split_with_sizes(v, [8, -1])",
    "torch.select_scatter(a, s3, 0, 0)", "torch.select_scatter(a, s3, 1, 5)", "torch.select_scatter(a, s3, 2, 0)",
    "torch.select_scatter(z, z, 0, 0)", "torch.slice_scatter(a, s3, 0, None, None, 1)",
    "torch.slice_scatter(a, a, 1, None, None, 0)", "torch.slice_scatter(z, z, 0, None, None, 1)",
    "torch.diagonal_scatter(a, s3, 0, 0, 1)", "torch.diagonal_scatter(a, s2[0], 0, 0, 0)", "torch.diagonal_scatter(v, v, 0, 0, 1)",
    "torch.as_strided_scatter(a, s2[0], (3,), (1,))", "torch.as_strided_scatter(a, s3, (3,), (1, 1))",
    "torch.as_strided_scatter(a[1:], s3, (3,), (4,))", "torch.as_strided_scatter(t.detach().requires_grad_(), s3, (3,), (1,))",
]
ERRORS += [
    "torch.scatter_add(c, 0, ia, q[:1])", "torch.scatter_add(c, 0, ia[0], q)", "torch.scatter_add(c, 0, ia + 2, q)",
    "torch.scatter_add(c, 2, ia, q)", "c[:1].scatter_add(0, ia, q)",
    "torch.index_put(c, (torch.tensor([5]),), q[0])", "torch.index_put(c, (i2,), q[:, :3])", "c.index_put((i2, i2, i2), q[0])",
    "c.index_reduce(0, i2, q, 'sum')", "torch.index_reduce(c, 0, i2.reshape(2, 1), q, 'prod')",
    "c.index_reduce(0, torch.tensor([0, 1, 2]), q, 'prod')", "c.index_reduce(0, torch.tensor([0, 5]), q, 'amax')",
    "c.index_reduce(0, torch.tensor([0, -1]), q, 'amax')", "c.index_reduce(1, i2, q, 'amax')", "c.index_reduce(2, i2, q, 'amax')",
    "c.bool().index_reduce(0, i2, q.bool(), 'mean')",
]
VALUES += [
    "a.clone().unsqueeze(1).squeeze_()", "b.clone()[:, :1].squeeze_()", "z.clone().squeeze_()", "b.clone()[:1].squeeze_(0)",
    "a.clone().squeeze_(-1)", "a.clone().unsqueeze_(0)", "a.clone().unsqueeze_(-1)", "z.clone().unsqueeze_(0)",
    "a.clone().t_()", "v.clone().t_()", "t.clone().t_()", "b.clone().transpose_(0, 2)", "b.clone().transpose_(-1, 1)",
    "a.clone().swapaxes_(0, 1)", "b.clone().swapdims_(2, 0)", "torch.arange(6.0).as_strided_((2, 2), (1, 2), 1)",
    "a.clone().as_strided_((3,), (4,))", "b.clone().as_strided_((2, 2), (12, 1), 5)", "a.clone().detach_()",
    "torch.zeros(3, 3).fill_diagonal_(5)", "torch.zeros(7, 3).fill_diagonal_(1, wrap=True)",
    "torch.zeros(7, 3).fill_diagonal_(1)", "torch.zeros(3, 7).fill_diagonal_(2, True)", "a.clone().t().fill_diagonal_(-1.5)",
    "torch.zeros(3, 3, 3, dtype=torch.long).fill_diagonal_(4)", "torch.zeros(2, 4, dtype=torch.bool).fill_diagonal_(True)",
    "torch.zeros(4, 1).fill_diagonal_(3, True)", "torch.zeros(8, 2).fill_diagonal_(1, True)",
]
GRADS += [
    ("(X * 1).squeeze_()", (2, 1, 3)), ("(X * 2).unsqueeze_(1)", (2, 3)), ("(X * X).t_()", (2, 3)),
    ("(X + 1).transpose_(0, 2)", (2, 3, 2)), ("(X * 3).swapaxes_(1, 0)", (3, 2)), ("(X * 1).as_strided_((2, 2), (1, 3), 1)", (2, 3)),
    ("(X * X).fill_diagonal_(0.5)", (3, 3)), ("(X * 2).fill_diagonal_(1, wrap=True)", (5, 2)),
    ("(X * 1).squeeze_(1).t_().unsqueeze_(0)", (2, 1, 3)),
]
ERRORS += [
    "a.clone().squeeze_(2)", "a.clone().unsqueeze_(3)", "b.clone().t_()", "a.clone().transpose_(0, 2)",
    "torch.zeros(3).as_strided_((2, 2), (1, 2), 5)", "a.clone().as_strided_((2,), (1, 1))",
    "a.detach().requires_grad_().t_()", "a.detach().requires_grad_().squeeze_()",
    "a.detach().requires_grad_()[0].unsqueeze_(0)", "torch.zeros(3)[0].detach_()",
    "torch.zeros(3).fill_diagonal_(1)", "torch.zeros(2, 2, 3).fill_diagonal_(1)",
    "torch.zeros(3, 3, dtype=torch.int8).fill_diagonal_(300)", "a.detach().requires_grad_().fill_diagonal_(1)",
]
VALUES += [
    "torch.block_diag(a, v, z, e)", "torch.block_diag(b[0], b[1, :2])", "torch.block_diag(v)", "torch.block_diag(t, torch.zeros(0))",
    "torch.block_diag(m, m[:2].reshape(2, 1))",
    "torch.cartesian_prod(v[:2], s3)", "torch.cartesian_prod(i2, i11, i2)", "torch.cartesian_prod(v)",
    "torch.cartesian_prod(s3, torch.zeros(0))",
    "torch.combinations(v[:4])", "torch.combinations(s3, 3)", "torch.combinations(s3, 2, with_replacement=True)",
    "torch.combinations(i2, 1)", "torch.combinations(v[:3], 0)", "torch.combinations(v[:2], 4)",
    "torch.combinations(m, 2, True)", "torch.combinations(v[:4], 3, True)",
]
GRADS += [
    ("torch.block_diag(X, X[0] * 2, X[1, 1])", (2, 3)), ("torch.cartesian_prod(X, X[:2] ** 2)", (3,)),
    ("torch.combinations(X, 3)", (4,)), ("torch.combinations(X * X, with_replacement=True)", (3,)),
]
ERRORS += [
    "torch.block_diag(a, b)", "torch.cartesian_prod(v, a)", "torch.combinations(a)", "torch.combinations(v, -1)",
]
p4 = torch.arange(32, dtype=torch.float32).reshape(1, 8, 2, 2)
VALUES += [
    "torch.pixel_shuffle(p4, 2)", "F.pixel_shuffle(p4.reshape(2, 4, 2, 2), 2)", "F.pixel_shuffle(p4.reshape(8, 2, 2), 1)",
    "F.pixel_shuffle(p4.reshape(2, 1, 4, 2, 2).long(), 2)", "F.pixel_shuffle(p4.transpose(2, 3), 2)",
    "torch.pixel_unshuffle(p4.reshape(1, 2, 4, 4), 2)", "F.pixel_unshuffle(p4.reshape(2, 4, 4), 4)",
    "F.pixel_unshuffle(p4.reshape(1, 2, 2, 4, 2), 2)", "F.pixel_unshuffle(p4.reshape(2, 1, 4, 4).transpose(2, 3), 2)",
    "torch.channel_shuffle(p4, 2)", "F.channel_shuffle(p4.reshape(2, 4, 4), 4)", "F.channel_shuffle(p4.reshape(2, 16, 1), 4)",
    "F.channel_shuffle(p4.reshape(1, 8, 4).long(), 1)",
]
GRADS += [
    ("F.pixel_shuffle(X * X, 2)", (1, 4, 2, 3)), ("F.pixel_unshuffle(X * 2, 2)", (2, 1, 2, 4)),
]
ERRORS += [
    "F.pixel_shuffle(torch.zeros(4, 3), 2)", "F.pixel_shuffle(p4, 0)", "F.pixel_shuffle(p4, 3)",
    "F.pixel_unshuffle(torch.zeros(4, 3), 2)", "F.pixel_unshuffle(p4, 0)", "F.pixel_unshuffle(torch.zeros(1, 5, 4), 2)",
    "F.pixel_unshuffle(torch.zeros(1, 4, 3), 2)", "F.channel_shuffle(p4, 3)", "F.channel_shuffle(p4, 0)",
    "F.channel_shuffle(torch.zeros(2, 4), 2)",
]

pg = p4.detach().requires_grad_()
NODES = ["F.pixel_shuffle(pg, 2)", "F.pixel_unshuffle(pg.reshape(1, 2, 4, 4), 2)", "torch.nn.PixelShuffle(2)(pg)", "torch.nn.PixelUnshuffle(2)(pg.reshape(1, 2, 4, 4))"]

if __name__ == "__main__":
    call_cases.write("generate_splits.py", "splits.txt", VALUES, GRADS, ERRORS, globals(), NODES)
