#!/usr/bin/python3
"""Writes tests/golden/mathx.txt: PyTorch 1.13's results for gcd, lcm, rsub, addr and the in-place
products (addmm_, addmv_, baddbmm_, addbmm_, addr_) and cumsum_, their gradients and their error
messages, for tests/test_mathx.cpp.

    /usr/bin/python3 tests/golden/generate_mathx.py

The format is call_cases.py's (as generate_aliases.py): each value case's dtype, shape and
elements, each `grad` case's gradient of sum(result * w), w = 1, 2, 3, ..., and each `error`
case's message.
"""
import call_cases
import warnings

import torch

warnings.filterwarnings("ignore")

i8 = torch.tensor([12, -18, 0, 7, -128, 5], dtype=torch.int8)
j8 = torch.tensor([8, 12, 0, -21, 6, 0], dtype=torch.int8)
l = torch.tensor([[12, -18, 0], [7, 100, -35]])
k = torch.tensor([4, 27, -14], dtype=torch.int32)
u8 = torch.tensor([12, 255, 0, 9], dtype=torch.uint8)
a = torch.arange(6, dtype=torch.float32).reshape(2, 3) - 2.5
d = torch.tensor([1.5, -2.0, 0.25], dtype=torch.float64)
m = torch.tensor([True, False, True])
v2 = torch.tensor([1.0, -2.0])
v3 = torch.tensor([0.5, 3.0, -1.0])
M = torch.arange(12, dtype=torch.float32).reshape(3, 4) * 0.5 - 2
B1 = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.25 - 3
B2 = torch.arange(16, dtype=torch.float32).reshape(2, 4, 2) * 0.5 - 4
c = torch.arange(12, dtype=torch.float32).reshape(3, 4) - 5

VALUES = [
    # gcd and lcm: integers only, PyTorch's promotion, the most negative value
    "torch.gcd(i8, j8)", "torch.lcm(i8, j8)", "torch.gcd(l, k)", "l.lcm(k)", "torch.gcd(k, l)", "torch.lcm(u8, u8.flip(0))",
    "torch.gcd(u8, i8[:4])", "i8.clone().gcd_(j8)", "k.clone().lcm_(l[1])", "torch.lcm(l, torch.tensor(6))",
    "torch.gcd(torch.tensor([-9223372036854775808, 12]), torch.tensor([0, -8]))",
    "torch.lcm(torch.tensor([2**40, 3]), torch.tensor([2**30 * 3, 5]))", "torch.gcd(l.t(), k[:2])",
    # rsub
    "torch.rsub(a, d[:3])", "torch.rsub(a, a.t().t(), alpha=2)", "torch.rsub(l, k)", "torch.rsub(l, k, alpha=3)",
    "torch.rsub(a, 3)", "torch.rsub(l, 2.5)", "torch.rsub(l, 7, alpha=2)", "torch.rsub(l, a, alpha=2)",
    "torch.rsub(a, 1.5, alpha=0.5)", "torch.rsub(k, l, alpha=-1)", "torch.rsub(i8, 3)",
    # addr and the in-place products
    "torch.addr(a, v2, v3)", "torch.addr(a, v2, v3, beta=0.5, alpha=2)", "torch.addr(v3, v2, v3)",
    "torch.addr(a, v2.double(), v3)", "torch.addr(l, l[0][:2], k.long(), beta=2, alpha=3)",
    "torch.addr(torch.tensor([[True, False, False]]), m[:2], m, beta=2)", "torch.addr(a, v2, v3, beta=0)",
    "torch.addr(a * float('nan'), v2, v3, beta=0)",
    "a.addr(v2, v3, alpha=-1)", "a.clone().addr_(v2, v3)", "a.clone().addr_(v2, v3, beta=2, alpha=0.5)",
    "torch.zeros(2, 3, dtype=torch.float64).addr_(v2, v3)",
    "torch.zeros(3, 3).addmm_(M, M.t())",
    "c[:, :3].clone().addmm_(M, M.t(), beta=2, alpha=-0.5)", "c[:, :3].addmm(M, M.t())",
    "c[:, 0].clone().addmv_(M, v3.repeat(2)[:4])", "c[:, 0].clone().addmv_(M, v3.repeat(2)[:4], beta=0, alpha=3)",
    "c[:, 0].addmv(M, v3.repeat(2)[:4])",
    "torch.ones(2, 3, 2).baddbmm_(B1, B2, alpha=2)", "torch.ones(2, 3, 2).baddbmm(B1, B2)",
    "torch.ones(3, 2).addbmm_(B1, B2, beta=-1)", "torch.ones(3, 2).addbmm(B1, B2)",
    "a.clone().cumsum_(1)", "a.clone().cumsum_(-2)", "torch.tensor([100, 100, 100], dtype=torch.int8).cumsum_(0)",
    "l.clone().cumsum_(0)", "torch.tensor(2.5).cumsum_(0)",
]

GRADS = [  # (call on X, X's shape)
    ("torch.rsub(X, X * X)", (2, 3)), ("torch.rsub(X, X.flip(0), alpha=2)", (3,)), ("torch.rsub(X, 1.5, alpha=-3)", (2, 3)),
    ("torch.addr(X, X[0], X[:, 1])", (3, 3)), ("torch.addr(X[:, :1], X[0], X[1], beta=2, alpha=0.5)", (3, 3)),
    ("(X * 1).addr_(X[:, 0], X[1], alpha=2)", (3, 3)), ("(X * 1).addmm_(X, X.t(), beta=0.5)", (3, 3)),
    ("(X[:, 0] * 1).addmv_(X, X[1], alpha=-1)", (3, 3)), ("(X * 1).baddbmm_(X, X.transpose(1, 2))", (2, 3, 3)),
    ("(X[0] * 1).addbmm_(X, X.transpose(1, 2), beta=2)", (2, 3, 3)), ("(X * 1).cumsum_(1)", (2, 3)),
    ("(X * 1).cumsum_(0)", (3, 2)),
]

ERRORS = [
    "torch.gcd(a, a)", "torch.lcm(a, a)", "torch.gcd(m, m)", "torch.lcm(k, a)", "torch.gcd(d, l)",
    "l.clone().gcd_(l.unsqueeze(0).expand(2, 2, 3))", "k.clone().lcm_(l)",
    "torch.rsub(m, m)", "torch.rsub(m, a)", "torch.rsub(a, m)", "torch.rsub(m, 2)", "torch.rsub(a, True)",
    "torch.rsub(a, a, alpha=True)", "torch.rsub(l, 3, alpha=2.5)", "torch.rsub(l, k, alpha=0.5)",
    "torch.addr(a, a, v3)", "torch.addr(a, v2, a)", "torch.addr(torch.ones(3, 3), v2, v3)",
    "torch.addr(l, l[0][:2], k.long(), beta=0.5)", "torch.addr(l, l[0][:2], k.long(), alpha=1.5)",
    "torch.ones(1, 3).addr_(v2, v3)", "torch.ones(3).addr_(v2, v3)", "torch.ones(2, 3, dtype=torch.int32).addr_(v2, v3)",
    "torch.ones(2, 2).addmm_(torch.ones(2, 3), torch.ones(3, 3))", "torch.ones(1, 2).addmm_(torch.ones(2, 3), torch.ones(3, 2))",
    "torch.ones(2, 2).addmm_(torch.ones(2, 3), torch.ones(2, 2))",
    "torch.ones(1).addmv_(torch.ones(3, 3), torch.ones(3))", "torch.ones(3, 1).addmv_(torch.ones(3, 3), torch.ones(3))",
    "torch.ones(3, 1).addmv(torch.ones(3, 3), torch.ones(3))",
    "torch.ones(2, 2).baddbmm_(torch.ones(2, 2, 3), torch.ones(2, 3, 2))",
    "torch.ones(2, 3).addbmm_(torch.ones(2, 2, 3), torch.ones(2, 3, 2))", "torch.ones(2, dtype=torch.int32).cumsum_(1)",
]

if __name__ == "__main__":
    call_cases.write("generate_mathx.py", "mathx.txt", VALUES, GRADS, ERRORS, globals())
