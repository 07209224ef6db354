#!/usr/bin/python3
"""Writes tests/golden/functional.txt: PyTorch 1.13's torch.nn.functional calls of
nn/ not covered elsewhere (normalize, bilinear and nn.Bilinear, local_response_norm, embedding_bag, embedding), values, gradients and error messages, for
tests/test_nn.cpp.

    /usr/bin/python3 tests/golden/generate_functional.py
"""
import call_cases

import torch
import torch.nn.functional as F

x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.25 - 2.5
d = torch.tensor([[3.0, -4.0], [0.0, 0.0], [1e-13, 0.0]], dtype=torch.float64)
a = torch.arange(12, dtype=torch.float64).reshape(3, 4).sin()
b = torch.arange(15, dtype=torch.float64).reshape(3, 5).cos()
w = torch.arange(40, dtype=torch.float64).reshape(2, 4, 5).sin() * 0.5
bias = torch.tensor([0.25, -1.5], dtype=torch.float64)
c = torch.arange(120, dtype=torch.float32).reshape(2, 5, 3, 4).sin() * 2
e = torch.arange(30, dtype=torch.float64).reshape(10, 3).cos()
i = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9])
o = torch.tensor([0, 2, 2, 5])
psw = torch.arange(8, dtype=torch.float64) * 0.25 - 1


def layer(seed, *args, **kwargs):
    """nn.Bilinear built after manual_seed(seed): its weight, bias and output for a and b (float32)."""
    torch.manual_seed(seed)
    m = torch.nn.Bilinear(*args, **kwargs)
    with torch.no_grad():
        y = m(a[:, : args[0]].float(), b[:, : args[1]].float())
        return (m.weight, y) if m.bias is None else (m.weight, m.bias, y)


VALUES = [
    "F.normalize(x)", "F.normalize(x, dim=-1)", "F.normalize(x, p=1, dim=0)", "F.normalize(x, p=float('inf'), dim=2)",
    "F.normalize(x, p=3.5, dim=1, eps=0.5)", "F.normalize(d)", "F.normalize(d, dim=0)", "F.normalize(d, eps=1e-6)",
    "F.normalize(x[0, 0], dim=0)",
    "F.bilinear(a, b, w, bias)", "F.bilinear(a, b, w)", "F.bilinear(a[0], b[0], w, bias)",
    "F.bilinear(a.reshape(3, 1, 4), b.reshape(3, 1, 5), w, bias)", "F.bilinear(a[:0], b[:0], w, bias)",
    "layer(0, 4, 5, 3)", "layer(1, 2, 3, 4, bias=False)",
    "F.local_response_norm(c, 3)", "F.local_response_norm(c, 2, alpha=0.5, beta=0.5, k=2.0)",
    "F.local_response_norm(c[0], 4, 1e-2)", "F.local_response_norm(c.reshape(2, 5, 3, 2, 2), 5, 0.1)",
    "torch.nn.LocalResponseNorm(3, 0.2)(c)",
    "F.embedding_bag(i, e, o)", "F.embedding_bag(i, e, o, mode='sum')", "F.embedding_bag(i, e, o, mode='max')",
    "F.embedding_bag(i.view(2, 4), e, mode='sum')", "F.embedding_bag(i.view(4, 2), e)", "F.embedding_bag(i.view(2, 4), e, mode='max')",
    "F.embedding_bag(i, e, torch.tensor([0, 2, 2, 8]), include_last_offset=True)", "F.embedding_bag(i, e, torch.tensor([0, 3, 8]), include_last_offset=True, mode='sum')",
    "F.embedding_bag(i, e, o, mode='sum', per_sample_weights=psw)", "F.embedding_bag(i.view(2, 4), e, mode='sum', per_sample_weights=psw.view(2, 4))",
    "F.embedding_bag(i, e, o, padding_idx=4)", "F.embedding_bag(i, e, o, mode='max', padding_idx=2)",
    "F.embedding_bag(i, e, o, mode='sum', padding_idx=-1)", "F.embedding_bag(i[:0], e, torch.tensor([0, 0]))",
    "F.embedding_bag(i, e, torch.tensor([0]), mode='max')",
    "F.embedding(i.view(2, 4), e)", "F.embedding(i, e, padding_idx=4)", "F.embedding(i, e, padding_idx=-1)",
    "F.embedding(i[:0], e)",
]

GRADS = [
    ("F.normalize(X)", (2, 3, 4)), ("F.normalize(X, p=1, dim=0)", (3, 4)), ("F.normalize(X, dim=-1, eps=0.5)", (2, 5)),
    ("F.bilinear(X, b, w, bias)", (3, 4)), ("F.bilinear(a, X, w, bias)", (3, 5)), ("F.bilinear(a, b, X, bias)", (2, 4, 5)),
    ("F.bilinear(a, b, w, X)", (2,)),
    ("F.local_response_norm(X, 3, 0.1)", (2, 4, 3)), ("F.local_response_norm(X, 2, 0.5, 0.5, 2.0)", (1, 3, 2, 2)),
    ("F.embedding_bag(i, X, o)", (10, 3)), ("F.embedding_bag(i, X, o, mode='sum', padding_idx=4)", (10, 3)),
    ("F.embedding_bag(i, X.cos(), o, mode='max')", (10, 3)), ("F.embedding_bag(i.view(2, 4), X, mode='sum', per_sample_weights=psw.view(2, 4))", (10, 3)),
    # padding rows read in the forward but given no gradient: masked, so that gradcheck agrees
    ("F.embedding(i.view(2, 4), X)", (10, 3)), ("F.embedding(i, X, padding_idx=4) * (i != 4).unsqueeze(1)", (10, 3)),
    ("F.embedding(i, X.cos(), padding_idx=-1) * (i != 9).unsqueeze(1)", (10, 3)),
]

ERRORS = [
    "F.normalize(x, dim=3)", "F.normalize(x[0, 0])", "F.bilinear(a, b[:2], w)", "F.bilinear(a, b[:, :4], w)",
    "F.bilinear(a[:, :3], b, w)", "F.bilinear(a, b, w, bias[:1])", "F.bilinear(a[0], b, w)",
    "F.embedding_bag(i, e, torch.tensor([0, 9]))",
    "F.embedding_bag(i, e, o, mode='mean', per_sample_weights=psw)",
    "F.embedding_bag(i, e, o, mode='foo')", "F.embedding_bag(i, e)", "F.embedding_bag(i.view(1, 2, 4), e)",
    "F.embedding_bag(i, e, o, padding_idx=12)",
    "F.embedding(i, e, padding_idx=10)", "F.embedding(i, e, padding_idx=-11)", "F.embedding(i + 1, e)",
]

call_cases.write("generate_functional.py", "functional.txt", VALUES, GRADS, ERRORS, globals())
