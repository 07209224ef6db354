#!/usr/bin/python3
"""Writes tests/golden/splits.txt: PyTorch 1.13's results for its splitting functions
(tensor_split with sections, indices or a tensor, hsplit, vsplit, dsplit, unsafe_chunk,
unsafe_split, unsafe_split_with_sizes), their gradients and their error messages, for
tests/test_splits.cpp.

    /usr/bin/python3 tests/golden/generate_splits.py

The format is call_cases.py's: a value case gives each result's dtype, shape and elements; a
`grad` case runs backward from sum(result * w), w = 1, 2, 3, ... in the result's shape, and gives
X's gradient; an `error` case gives PyTorch's message.
"""
import call_cases
import warnings

import torch

warnings.filterwarnings("ignore")

a = torch.arange(10, dtype=torch.float32).reshape(2, 5) - 2.5
b = torch.arange(24).reshape(2, 3, 4)
t = a.t()  # non-contiguous: [5, 2]
v = torch.tensor([1.0, -2.0, 3.5, 0.0, 7.0, -0.5, 2.0])
z = torch.tensor(-2.0)
m = torch.tensor([True, False, True, True])
e = torch.zeros(0, 3)

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
]

GRADS = [  # (call on X, X's shape)
    ("torch.tensor_split(X, 3)[1]", (7,)), ("torch.tensor_split(X, 2, 1)[0]", (2, 5)),
    ("torch.tensor_split(X, [1, 3], 1)[1]", (2, 5)), ("X.tensor_split([-2])[1]", (7,)),
    ("torch.tensor_split(X, torch.tensor([1, 3]), 1)[2]", (2, 5)),
    ("torch.hsplit(X, 5)[3]", (2, 5)), ("torch.vsplit(X, [1])[1]", (3, 2)), ("torch.dsplit(X, 2)[1]", (2, 3, 4)),
    ("torch.unsafe_chunk(X, 2, 1)[1]", (2, 5)), ("torch.unsafe_split(X, 2)[1]", (7,)),
    ("torch.unsafe_split_with_sizes(X, [1, 2], 1)[1]", (2, 3)),
]

ERRORS = [
    "torch.tensor_split(z, 2)", "torch.tensor_split(z, [1])", "torch.tensor_split(a, 0)", "torch.tensor_split(a, -1)",
    "torch.tensor_split(a, 2, 2)", "torch.tensor_split(a, torch.zeros(2, 2, dtype=torch.long))",
    "torch.hsplit(z, 2)", "torch.hsplit(a, 2)", "torch.hsplit(a, 0)", "torch.hsplit(z, [1])",
    "torch.vsplit(v, 2)", "torch.vsplit(a, 3)", "torch.vsplit(v, [1])",
    "torch.dsplit(a, 2)", "torch.dsplit(b, 3)", "torch.dsplit(a, [1])",
    "torch.unsafe_chunk(a, 0)", "torch.unsafe_chunk(z, 1)", "torch.unsafe_split(a, -1)",
    "torch.unsafe_split_with_sizes(a, [1, 2])", "torch.unsafe_split_with_sizes(v, [8, -1])",
]

if __name__ == "__main__":
    call_cases.write("generate_splits.py", "splits.txt", VALUES, GRADS, ERRORS, globals())
