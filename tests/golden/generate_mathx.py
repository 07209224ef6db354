#!/usr/bin/python3
"""Writes tests/golden/mathx.txt: PyTorch 1.13's results for gcd, lcm, rsub, addr and the in-place
products (addmm_, addmv_, baddbmm_, addbmm_, addr_), cumsum_, cov, corrcoef, cosine_similarity,
pairwise_distance, pdist, trapezoid, trapz, cumulative_trapezoid, renorm, isin, frobenius_norm,
cumprod, cummax, cummin and logcumsumexp, their gradients and their error messages, for
tests/test_mathx.cpp.

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
y = torch.tensor([[1.0, 2.0, 4.0], [3.0, 0.0, 5.0]])
x = torch.tensor([0.0, 1.0, 3.0])
q = torch.tensor([[1.0, 2.0, 4.0, 7.0, 11.0], [0.5, -1.0, 3.0, 2.0, 8.0], [2.0, 2.5, -3.0, 1.0, 0.0], [4.0, 1.0, 0.5, 6.0, -2.0]])
P = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -2.0], [0.5, -1.0, 2.0], [3.0, 1.0, 0.25]])
C = torch.tensor([[1.0, 3.0, 3.0, float("nan"), 2.0, float("nan"), 5.0], [0.0, -0.0, -1.0, -1.0, 4.0, 4.0, -2.0]])
h = torch.tensor([2.0, float("nan"), 1.0, float("nan"), 3.0])
L = torch.tensor([-float("inf"), -float("inf"), 1.0, float("inf"), float("inf"), 2.0, float("nan"), 0.0])
Q = torch.tensor([[1.0, 5.0, 2.0, 8.0, 7.0], [3.0, float("nan"), 0.0, 4.0, 4.0], [float("nan"), float("nan"), 1.0, 2.0, 9.0]])
q2 = torch.tensor([0.0, 0.25, 0.5, 0.9, 1.0])
G = torch.tensor([0.5, 1.0, 2.5, 7.0, 30.0, 0.1, 12.0])
Gx = torch.tensor([0.2, 1.0, 4.0, 3.0, 31.0, 5.0, 0.5])
E = torch.tensor([0.0, -1.0, float("inf"), 2.0, float("nan"), 0.0, float("inf"), 3.0])

def mpmath_gammainc(a, x, upper, dtype):
    """Regularized incomplete gamma by mpmath (40 digits) for every pair of a and x, rounded to dtype:
    the truth where PyTorch's own values lose their digits (a near 0, float32's cancellation)."""
    import mpmath
    mpmath.mp.dps = 40
    a, x = torch.tensor(a, dtype=dtype).tolist(), torch.tensor(x, dtype=dtype).tolist()  # the values dtype holds
    f = lambda u, v: mpmath.gammainc(u, v, mpmath.inf, regularized=True) if upper else mpmath.gammainc(u, 0, v, regularized=True)
    return torch.tensor([[float(f(u, v)) for v in x] for u in a], dtype=torch.float64).to(dtype)


W = torch.tensor([-float("inf"), -3e38, -2.5, -1.0, -1e-45, -0.0, 0.0, 1e-45, 1e-4, 0.5, 3.0, 7.99, 1e13, 3e38, float("inf"), float("nan")])

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
    # statistics, distances, integration, norms, membership
    "torch.cov(y)", "torch.cov(y.long())", "torch.cov(y[0])", "torch.cov(y, correction=0)", "y.t().cov()",
    "torch.cov(y, fweights=torch.tensor([1, 2, 3]))", "torch.cov(y.long(), fweights=torch.tensor([1, 2, 3], dtype=torch.int32))",
    "torch.cov(y, aweights=torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))",
    "torch.cov(y, fweights=torch.tensor([1, 2, 3]), aweights=torch.tensor([1.0, 0.5, 3.0]))",
    "torch.cov(y, fweights=torch.tensor([1, 2, 3]), aweights=torch.tensor([1.0, 0.5, 3.0]), correction=0)",
    "torch.cov(y, correction=5)", "torch.cov(y[:, :1])",
    "torch.corrcoef(y)", "torch.corrcoef(y.long())", "torch.corrcoef(y[0])", "P.corrcoef()", "torch.corrcoef(P.t())",
    "torch.cosine_similarity(y, y.flip(0))", "torch.cosine_similarity(y, x, dim=-1)", "torch.cosine_similarity(y, x.double(), 0)",
    "torch.cosine_similarity(torch.zeros(3), x, dim=0)", "torch.cosine_similarity(P, P[:1], 1, 0.5)",
    "torch.nn.functional.cosine_similarity(P, P.flip(0))",
    "torch.pairwise_distance(y, y.flip(0))", "torch.pairwise_distance(y, x, p=1)", "torch.pairwise_distance(y.long(), y.long())",
    "torch.pairwise_distance(P, P[0], 3, 0.5, True)", "torch.pairwise_distance(x, x.flip(0), float('inf'))",
    "torch.pairwise_distance(torch.tensor(1.0), torch.tensor(2.0))", "torch.nn.functional.pairwise_distance(P, P.flip(0), 0)",
    "torch.pdist(P)", "torch.pdist(P, 1)", "torch.pdist(P.double(), 0.5)", "torch.pdist(P, float('inf'))", "torch.pdist(P, 0)",
    "torch.pdist(P[:1])", "torch.nn.functional.pdist(y)",
    "torch.trapezoid(y)", "torch.trapezoid(y, x)", "torch.trapezoid(y, dx=0.5, dim=0)", "torch.trapezoid(y.long())",
    "torch.trapezoid(y.long(), dx=2)", "torch.trapezoid(y, x.double())", "torch.trapezoid(y, torch.tensor([[0.0, 1.0, 3.0]]))",
    "torch.trapezoid(y, y.long())", "torch.trapezoid(torch.zeros(2, 0))", "torch.trapz(y, x)", "torch.trapz(y, dx=2, dim=0)",
    "torch.cumulative_trapezoid(y)", "torch.cumulative_trapezoid(y, x)", "torch.cumulative_trapezoid(y.long())",
    "torch.cumulative_trapezoid(y, dx=2, dim=0)", "torch.cumulative_trapezoid(P, P, dim=0)",
    "torch.renorm(y, 2, 0, 3)", "torch.renorm(y, 1, 1, 2.5)", "y.clone().renorm_(float('inf'), 0, 2)", "P.renorm(2, -1, 1.0)",
    "torch.renorm(P.double(), 3, 0, 100)",
    "torch.isin(torch.tensor([1, 2, 3, 4]), torch.tensor([2, 4, 6]))", "torch.isin(torch.tensor([1, 2, 3, 4]), 2)",
    "torch.isin(2, torch.tensor([1, 2]))", "torch.isin(torch.tensor([1.0, float('nan')]), torch.tensor([float('nan'), 1.0]))",
    "torch.isin(torch.tensor([1, 2]), torch.tensor([2.0]))", "torch.isin(torch.tensor([1, 2]), torch.tensor([2.5]), invert=True)",
    "torch.isin(l, k)", "torch.isin(l, k, invert=True)", "torch.isin(y, torch.zeros(0))", "torch.isin(P, P[0], assume_unique=True)",
    "torch.isin(i8, l)",
    "torch.frobenius_norm(y)", "torch.frobenius_norm(y, (0,))", "torch.frobenius_norm(y, (0, 1), True)",
    "torch.frobenius_norm(y, 1)", "torch.frobenius_norm(P.double(), (1, 0))",
    # the cumulative family
    "torch.cumprod(y, 1)", "torch.cumprod(P, 0)", "P.t().cumprod(-1)", "torch.cumprod(k, 0)", "torch.cumprod(l, 1)",
    "torch.cumprod(m, 0)", "torch.cumprod(i8, 0)", "torch.cumprod(torch.tensor(2.5), 0)", "torch.cumprod(torch.zeros(0, 2), 0)",
    "P.clone().cumprod_(1)", "k.clone().cumprod_(0)", "torch.cumprod(torch.full((40,), 3, dtype=torch.int64), 0)",
    "torch.cummax(C, 0)", "torch.cummax(C, 1)", "torch.cummin(C, 0)", "C.t().cummin(1)", "torch.cummax(l, 1)",
    "torch.cummin(i8, 0)", "torch.cummax(m, 0)", "torch.cummin(m, 0)", "torch.cummax(torch.tensor(2.0), 0)",
    "torch.cummax(torch.zeros(2, 0), 1)", "torch.cummax(h, 0)", "torch.cummin(h.double(), 0)",
    "torch.logcumsumexp(y, 1)", "torch.logcumsumexp(P, 0)", "P.t().logcumsumexp(1)", "torch.logcumsumexp(y.double(), -1)",
    "torch.logcumsumexp(L, 0)", "torch.logcumsumexp(torch.tensor(2.0), 0)", "torch.logcumsumexp(y * 100, 1)",
    # quantiles, frexp, i0, mvlgamma
    "torch.quantile(Q[0], 0.5)", "torch.quantile(Q, 0.3, dim=1)", "torch.quantile(Q[:1], q2, dim=1, keepdim=True)",
    "torch.quantile(Q[0], q2, interpolation='lower')", "torch.quantile(Q[0], q2, interpolation='higher')",
    "torch.quantile(Q[0], q2, interpolation='midpoint')", "torch.quantile(Q[0], q2, interpolation='nearest')",
    "torch.quantile(Q[0].double(), torch.tensor(0.4, dtype=torch.float64))", "torch.quantile(P, q2[1:3], dim=0)",
    "torch.quantile(P, 0.75, keepdim=True)", "torch.quantile(P, q2[:2], keepdim=True)", "P.quantile(0.6, -1)",
    "torch.quantile(torch.tensor(3.0), 0.5)", "torch.quantile(torch.tensor(3.0), 0.5, dim=0, keepdim=True)",
    "torch.nanquantile(Q, 0.5, dim=1)", "torch.nanquantile(Q, q2, dim=1)", "Q.nanquantile(0.25)",
    "torch.nanquantile(torch.tensor([float('nan'), float('nan')]), 0.5)", "torch.nanquantile(Q.t(), q2[1:4], 0, True, interpolation='nearest')",
    "torch.nanquantile(Q, 0.5, dim=1, interpolation='midpoint')", "torch.quantile(torch.tensor([0.0, 1.0, 2.0, 3.0]), torch.tensor([1/6, 0.5]), interpolation='nearest')",
    "torch.frexp(torch.tensor([0.0, -0.0, 1.0, -6.5, 1e-40, 3e38, float('inf'), float('nan'), 0.75]))",
    "torch.frexp(d)", "d.frexp()", "torch.frexp(h)", "torch.frexp(torch.tensor([1e-310, 1.7e308, -5e-324], dtype=torch.float64))",
    "torch.i0(y)", "torch.i0(torch.tensor([-3.0, -0.5, 0.0, 0.5, 8.0, 30.0, 100.0, float('nan')]))", "l.i0()", "m.i0()",
    "torch.i0(d * 20)", "y.clone().i0_()",
    "torch.i0(torch.tensor([-7.99, 8.01, 1e-20, 88.5, 88.8, -89.0, 91.0, 1e10, -1e12, float('inf'), float('-inf')]))",
    "torch.i0(torch.tensor([-7.99, 8.01, 1e-300, 700.0, 709.5, -709.8, 710.0, 713.0, 1e10, -1e300, float('inf'), float('-inf')], dtype=torch.float64))",
    "torch.mvlgamma(torch.tensor([2.5, 3.0, 10.0]), 2)", "torch.mvlgamma(torch.tensor([2.5, 3.0, 10.0]), 1)",
    "torch.mvlgamma(torch.tensor([2.5, 3.0, 10.0]).double(), 6)", "torch.mvlgamma(l.abs() + 3, 3)", "(y + 2).mvlgamma(2)",
    "(y + 3).mvlgamma_(4)",
    "torch.igamma(G, Gx)", "torch.igammac(G, Gx)", "G.igamma(Gx.double())", "torch.igammac(G.double(), torch.tensor([2]))",
    "G.clone().igamma_(Gx)", "G.clone().igammac_(Gx)", "torch.igamma(E, E.flip(0))", "torch.igammac(E, E.flip(0))",
    "torch.igamma(torch.tensor([0.5, 3.0, 40.0, 100.0, 1000.0]), torch.tensor([[0.4], [3.5], [45.0]]))",
    "mpmath_gammainc([1e-300, 1e-30, 1e-8, 0.3, 1.5, 30.0, 1000.0], [1e-300, 1e-8, 0.3, 1.0, 1.5, 31.0, 900.0, 1000.0], False, torch.float64)",
    "mpmath_gammainc([1e-300, 1e-30, 1e-8, 0.3, 1.5, 30.0, 1000.0], [1e-300, 1e-8, 0.3, 1.0, 1.5, 31.0, 900.0, 1000.0], True, torch.float64)",
    "mpmath_gammainc([1e-45, 1e-30, 1e-8, 0.3, 1.5, 30.0, 1000.0], [1e-45, 1e-8, 0.3, 1.0, 1.5, 31.0, 900.0, 1000.0], False, torch.float32)",
    "mpmath_gammainc([1e-45, 1e-30, 1e-8, 0.3, 1.5, 30.0, 1000.0], [1e-45, 1e-8, 0.3, 1.0, 1.5, 31.0, 900.0, 1000.0], True, torch.float32)",
    # pow by the scalars PyTorch computes with other ops (sqrt, rsqrt, reciprocal, products)
    "torch.pow(W, 0.5)", "torch.pow(W, -0.5)", "torch.pow(W, -1)", "torch.pow(W, 2)", "torch.pow(W, 3)", "torch.pow(W, -2)",
    "torch.square(W)", "W.double().pow(0.5)", "W.double().pow(-0.5)", "W.double().pow(3)", "W.double().pow(-2.0)",
    "(W.double() * 1e280).pow(2)", "(W.double() * 1e-300).pow(-2)", "torch.pow(W.bfloat16(), 0.5)", "torch.pow(W.bfloat16(), -1)",
    "torch.pow(k, 0.5)", "torch.pow(W, 0.5000001)",
    # div with a rounding mode
    "torch.div(l, k, rounding_mode='trunc')", "torch.div(l, k, rounding_mode='floor')", "torch.div(a, v3, rounding_mode='trunc')",
    "torch.div(a, v3, rounding_mode='floor')", "torch.div(l, 2.5, rounding_mode='floor')", "torch.div(a, -0.75, rounding_mode='trunc')",
    "torch.div(i8, -1, rounding_mode='trunc')", "torch.div(i8, j8 + 1, rounding_mode='trunc')", "torch.div(u8, 7, rounding_mode='floor')",
    "torch.divide(E, E.flip(0), rounding_mode='trunc')", "torch.divide(E, E.flip(0), rounding_mode='floor')",
    "l.clone().div_(k, rounding_mode='floor')", "a.clone().div_(2, rounding_mode='trunc')", "torch.div(a.double(), v3, rounding_mode='floor')",
    "torch.div(a.bfloat16(), 0.3, rounding_mode='trunc')", "torch.div(M.half(), c.half() + 0.5, rounding_mode='trunc')", "a.div(v3, rounding_mode='trunc')",
    "torch.divide(l, 4, rounding_mode='trunc')",
    # lerp's fused multiply-adds, from either end
    "torch.lerp(M, c * 0.7, 0.3)", "torch.lerp(M.double(), c.double() * 0.7, 0.3)", "torch.lerp(M, c * 0.7, 0.8)",
    "torch.lerp(M, c * 0.7, q2[1:5])", "torch.lerp(M.bfloat16(), c.bfloat16(), 0.3)",
    # narrow's start wraps as a dim does: on an empty dim -1 is 0, and the end is a start
    "torch.empty(0, 3).narrow(0, -1, 0)", "torch.zeros(3).narrow(0, 3, 0)", "a.narrow(1, -3, 2)",
    # norms of empty tensors: torch.norm's are 0 for every p; vector_norm has no identity for inf or p < 0
    "torch.norm(torch.zeros(0), float('inf'))", "torch.norm(torch.zeros(0, 3), float('-inf'), 0)",
    "torch.norm(torch.zeros(0), -1)", "torch.norm(torch.zeros(0, 3), -0.5, 0)", "torch.norm(torch.zeros(0, 3), 0.5)",
    "torch.linalg.vector_norm(torch.zeros(0, 3), float('inf'), 1)", "torch.linalg.vector_norm(torch.zeros(0), 0.5)",
    # all and any keep uint8
    "u8.all()", "u8.any()", "torch.all(u8.view(2, 2), 0)", "torch.any(u8.view(2, 2), 1, True)", "(u8 * 0).any()",
    # masked_fill_ writes an expanded tensor (PyTorch warns that this is deprecated)
    "torch.zeros(3).expand(2, 3).masked_fill_(torch.tensor([[True, False, False], [False, False, True]]), 1.0)",
    # gradient: every dim or some, a spacing per dim, coordinates, edge_order 2, integers
    "torch.gradient(q)", "torch.gradient(q, spacing=2.5)", "torch.gradient(q, spacing=[0.5, 3.], edge_order=2)",
    "torch.gradient(q, dim=1)", "torch.gradient(q, spacing=[4., 0.5], dim=[-1, 0])", "torch.gradient(q, spacing=4., dim=[-1, 0])",
    "torch.gradient(q, spacing=[4.], dim=1)", "torch.gradient(q.long(), edge_order=2)",
    "torch.gradient(q.double(), spacing=(torch.tensor([0., 1.5, 4., 4.5]),), dim=0)",
    "torch.gradient(q, spacing=(torch.tensor([0., 1.5, 4., 4.5]), torch.tensor([-1., 0., 2., 3., 7.])), edge_order=2)",
    "torch.gradient(q.long(), spacing=(torch.tensor([0, 2, 3, 7, 8]),), dim=1)", "torch.gradient(torch.tensor(3.))",
    "torch.gradient(q.T, spacing=3., dim=0, edge_order=2)",
]

GRADS = [  # (call on X, X's shape)
    ("torch.div(X, X.flip(0) + 3, rounding_mode='trunc')", (2, 3)), ("torch.div(X, 0.7, rounding_mode='floor')", (2, 3)),
    ("torch.rsub(X, X * X)", (2, 3)), ("torch.rsub(X, X.flip(0), alpha=2)", (3,)), ("torch.rsub(X, 1.5, alpha=-3)", (2, 3)),
    ("torch.addr(X, X[0], X[:, 1])", (3, 3)), ("torch.addr(X[:, :1], X[0], X[1], beta=2, alpha=0.5)", (3, 3)),
    ("(X * 1).addr_(X[:, 0], X[1], alpha=2)", (3, 3)), ("(X * 1).addmm_(X, X.t(), beta=0.5)", (3, 3)),
    ("(X[:, 0] * 1).addmv_(X, X[1], alpha=-1)", (3, 3)), ("(X * 1).baddbmm_(X, X.transpose(1, 2))", (2, 3, 3)),
    ("(X[0] * 1).addbmm_(X, X.transpose(1, 2), beta=2)", (2, 3, 3)), ("(X * 1).cumsum_(1)", (2, 3)),
    ("(X * 1).cumsum_(0)", (3, 2)),
    ("torch.cov(X)", (2, 4)), ("torch.cov(X, fweights=torch.tensor([1, 2, 1, 3]), aweights=torch.tensor([0.5, 1.0, 2.0, 1.0], dtype=torch.float64))", (2, 4)),
    ("torch.corrcoef(X * X)", (3, 4)), ("torch.cosine_similarity(X, X * X + 1)", (2, 3)),
    ("torch.cosine_similarity(X, X.flip(1), dim=-1)", (2, 3)), ("torch.pairwise_distance(X, X * X)", (2, 3)),
    ("torch.pairwise_distance(X, X.flip(0), p=1, keepdim=True)", (2, 3)), ("torch.pdist(X)", (4, 3)),
    ("torch.pdist(X, 3)", (4, 3)), ("torch.trapezoid(X)", (2, 3)), ("torch.trapezoid(X, X * X)", (2, 3)),
    ("torch.trapezoid(X, dx=0.5, dim=0)", (3, 2)), ("torch.cumulative_trapezoid(X, X.exp())", (2, 3)),
    ("torch.cumulative_trapezoid(X, dx=2)", (2, 3)), ("torch.renorm(X, 2, 0, 1.5)", (3, 2)),
    ("(X * 1).renorm_(1, 1, 2)", (3, 2)), ("torch.frobenius_norm(X)", (2, 3)), ("torch.frobenius_norm(X, (1,))", (2, 3)),
    ("torch.cumprod(X, 1)", (2, 4)), ("torch.cumprod(X, 0)", (4, 2)), ("torch.cumprod(X - 0.25, 1)", (2, 4)),
    ("torch.cumprod(X * (X + 0.5), 1)", (3, 4)), ("(X * 1).cumprod_(1)", (2, 4)),
    ("torch.cummax(X * X, 1)[0]", (2, 4)), ("torch.cummin(X.flip(1), 1)[0]", (2, 4)), ("torch.cummax((X * 2).round(), 0)[0]", (4, 2)),
    ("torch.logcumsumexp(X, 1)", (2, 4)), ("torch.logcumsumexp(X * 3, 0)", (4, 2)),
    ("torch.quantile(X * X, 0.3, dim=1)", (2, 5)), ("torch.quantile(X.flip(0), torch.tensor([0.1, 0.5, 1.0], dtype=torch.float64))", (3, 3)),
    ("torch.quantile(X * X, 0.6, dim=0, interpolation='midpoint')", (4, 3)), ("torch.quantile(X, 0.6, interpolation='lower')", (5,)),
    ("torch.nanquantile(X.exp(), 0.4, dim=1)", (3, 4)), ("torch.frexp(X)[0]", (2, 3)), ("torch.frexp(X * 7)[0]", (2, 3)),
    ("torch.i0(X)", (2, 3)), ("torch.i0(X * 4)", (2, 3)), ("torch.i0(X * 40)", (2, 3)), ("torch.i0(X * 300)", (2, 3)), ("torch.mvlgamma(X * X + 2, 3)", (2, 3)), ("(X + 5).mvlgamma_(2)", (2, 3)),
    ("torch.igamma(G[:6].double(), X * X + 0.5)", (6,)), ("torch.igammac(G[:6].double(), X.exp())", (6,)),
    ("torch.gradient(X * X, spacing=[0.5, 2.], edge_order=2)[1]", (3, 4)),
    ("torch.gradient(X.exp(), spacing=(torch.tensor([0., 1.5, 4.]).double(),), dim=0, edge_order=2)[0]", (3, 2)),
]

ERRORS = [
    "torch.div(a, a, rounding_mode='round')", "torch.div(l, l * 0, rounding_mode='trunc')", "torch.div(l, 0, rounding_mode='floor')",
    "l.clone().div_(2.5, rounding_mode='floor')",
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
    "torch.cov(m)", "torch.cov(torch.ones(2, 2, 2))", "torch.cov(y, fweights=torch.tensor([1.0, 2.0, 3.0]))",
    "torch.cov(y, fweights=torch.tensor([1, -2, 3]))", "torch.cov(y, fweights=torch.tensor([[1, 2, 3]]))",
    "torch.cov(y, fweights=torch.tensor([1, 2]))", "torch.cov(y, aweights=torch.tensor([1, 2, 3]))",
    "torch.cov(y, aweights=torch.tensor([1.0, 2.0]))", "torch.cov(y, aweights=torch.tensor([1.0, -2.0, 3.0]))",
    "torch.cov(y, aweights=torch.tensor([[1.0, 2.0, 3.0]]))", "torch.cov(y, fweights=torch.tensor([0, 0, 0]))",
    "torch.corrcoef(torch.ones(2, 2, 2))",
    "torch.cosine_similarity(l, l)", "torch.cosine_similarity(y, y, dim=2)",
    "torch.pdist(torch.ones(2, 3, 3))", "torch.pdist(P, p=-1)", "torch.pdist(l)",
    "torch.trapezoid(torch.tensor(1.0))", "torch.trapezoid(y, torch.tensor([0.0, 1.0]))", "torch.trapezoid(m)",
    "torch.cumulative_trapezoid(y, torch.tensor([0.0, 1.0]))", "torch.trapezoid(y, dim=3)",
    "torch.renorm(y, -1, 0, 3)", "torch.renorm(y, 2, 0, -3)", "torch.renorm(l, 2, 0, 3)", "torch.renorm(x, 2, 0, 3)",
    "y.clone().renorm_(0, 0, 1)",
    "torch.isin(m, m)", "torch.isin(l, m)",
    "torch.frobenius_norm(l)", "torch.frobenius_norm(y, (0, 1, 1))", "torch.frobenius_norm(y, (0, -2))",
    "torch.cumprod(y, 2)", "torch.cummax(y, 2)", "torch.cummin(x, -2)", "torch.logcumsumexp(l, 0)", "torch.logcumsumexp(y, 3)",
    "torch.quantile(l, 0.5)", "torch.quantile(y, torch.tensor([0.5], dtype=torch.float64))", "torch.quantile(y, torch.ones(2, 2) * 0.5)",
    "torch.quantile(y, 1.5)", "torch.quantile(y, -0.1)", "torch.quantile(y, torch.tensor([0.5, 1.5]))", "torch.quantile(torch.zeros(0), 0.5)",
    "torch.quantile(y, 0.5, interpolation='foo')", "torch.quantile(y, 0.5, dim=2)", "torch.nanquantile(y, 2.0)",
    "torch.frexp(l)", "torch.i0(h.half())", "torch.mvlgamma(y, 0)",
    "torch.igamma(l, l)", "torch.igammac(k, l)", "torch.igamma(m, m)", "l.clone().igamma_(l)",
    "torch.mm(m.view(3, 1), m.view(1, 3))", "torch.bmm(m.view(1, 3, 1), m.view(1, 1, 3))", "torch.mv(m.view(1, 3), m)",
    "torch.dot(m, m)", "torch.matmul(m, m)", "torch.matmul(m.view(3, 1), m.view(1, 3))",
    "torch.clamp(m, False, True)", "torch.clamp(m, min=True)", "torch.clamp(m, max=True)", "m.clone().clamp_(False, True)",
    # a bool operand of a subtraction, tensor or scalar
    "m - m", "m - 1", "1 - m", "m - 1.5", "a - m", "l - m", "m.clone().sub_(m)", "l.clone().sub_(m)",
    # dtypes PyTorch's kernels refuse
    "m.argmax()", "m.argmin()", "m.view(1, 3).argmax(1)", "l.softmax(1)", "l.softmax(0)", "l.log_softmax(1)",
    "m.softmax(0)", "torch.tensor(1).softmax(0)", "k.norm()", "l.norm(1)", "l.norm(2, 1)", "l.norm('fro')",
    "torch.dist(l, l)", "torch.cdist(l, l)", "torch.linalg.vector_norm(l)",
    # roll of a 0-dim tensor along a dim, narrow's start out of range
    "torch.tensor(2.).roll(1, 0)", "torch.zeros(3).narrow(0, 5, 0)", "torch.zeros(3).narrow(0, -4, 0)",
    "torch.empty(0, 3).narrow(0, -2, 0)",
    "torch.linalg.vector_norm(torch.zeros(0), float('inf'))", "torch.linalg.vector_norm(torch.zeros(0, 3), -1, 0)",
    "torch.linalg.vector_norm(torch.zeros(0, 3), float('-inf'), (1, 0))",
    "torch.gradient(q, edge_order=3)", "torch.gradient(q[:, :2], edge_order=2)", "torch.gradient(q, spacing=[1., 2., 3.])",
    "torch.gradient(q, spacing=[1., 2.], dim=0)", "torch.gradient(q, spacing=[4.], dim=[-1, 0])", "torch.gradient(q.byte())", "torch.gradient(q, dim=(0, 0))",
    "torch.gradient(q, dim=2)", "torch.gradient(q, spacing=(torch.tensor([[0., 1., 3., 4.]]),), dim=0)",
]

if __name__ == "__main__":
    call_cases.write("generate_mathx.py", "mathx.txt", VALUES, GRADS, ERRORS, globals())
