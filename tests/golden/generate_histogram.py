"""torch.histogram's counts, edges and densities, and its error messages, for tests/test_sort.cpp.
Run with /usr/bin/python3 (torch 1.13)."""
import torch

import call_cases

# inputs of exactly rounded operations, so that the C++ test makes the same bits
x = torch.tensor([1., 2., 1., 2.5, 4., -1., 5.])
u = ((torch.arange(200) * 37) % 101).float() / 101 * 6 - 3
w = torch.arange(7.)
d = ((torch.arange(50) * 13) % 29).double() / 14.5

VALUES = [
    "torch.histogram(x, 4)", "torch.histogram(x, 4, range=(0., 4.))", "torch.histogram(torch.tensor([3., 3.]), 2)",
    "torch.histogram(x, torch.tensor([0., 1., 3., 4.]), weight=w, density=True)",
    "torch.histogram(x, torch.tensor([0., 1., 3., 4.]))", "torch.histogram(torch.zeros(0), 3)",
    "torch.histogram(torch.zeros(0), 3, range=(1., 2.))", "torch.histogram(x, torch.tensor([1., 0.]))",
    "torch.histogram(u, 17)", "torch.histogram(u, 10, range=(-1., 2.))", "torch.histogram(u, 7, density=True)",
    "torch.histogram(u.reshape(10, 20).T, 9, weight=u.reshape(10, 20).T.abs())", "torch.histogram(d, 11)",
    "torch.histogram(d, 5, range=(0.5, 1.5), density=True)", "torch.histogram(x, 3, range=(1., 1.))",
    "x.histogram(3)", "x.histogram(torch.tensor([-1., 2., 5.]), weight=w)",
    "torch.histogram(u.reshape(10, 20), 4, weight=u.abs())",
]

ERRORS = [
    "torch.histogram(x, 0)", "torch.histogram(x, 3, range=(2., 1.))", "torch.histogram(x.long(), 3)",
    "torch.histogram(x, torch.tensor([[0., 1.]]))", "torch.histogram(x, 3, weight=torch.ones(3))",
    "torch.histogram(x, torch.tensor([0.]))", "torch.histogram(torch.tensor([float('nan')]), 2)",
    "torch.histogram(x, 3, range=(0., float('inf')))", "torch.histogram(x, torch.tensor([]))",
    "torch.histogram(x, 3, range=(float('inf'), 0.))",
]

# torch.histogramdd, its (hist, bin_edges) flattened to hist then each dim's edges
p = torch.tensor([[0., 1.], [0.5, 0.2], [1., 1.], [0.25, 0.75], [2., -1.]])
pw = torch.tensor([1., 2., 3., 4., 5.])
v = (((torch.arange(300) * 37) % 101).float() / 101 * 6 - 3).reshape(100, 3)


def dd(*args, **kwargs):
    r = torch.histogramdd(*args, **kwargs)
    return [r.hist, *r.bin_edges]


VALUES += [
    "dd(p, bins=2)", "dd(p, bins=[2, 3])", "dd(p, bins=[2, 3], range=[0., 1., 0., 1.])",
    "dd(p, bins=[2, 3], weight=pw, density=True)",
    "dd(p, bins=[torch.tensor([0., 0.5, 2.]), torch.tensor([-1., 0., 1.])])", "dd(p.unsqueeze(0), bins=2)",
    "dd(p[:0], bins=2)", "dd(torch.tensor([[1., 1.], [1., 2.]]), bins=2)", "dd(v, bins=[4, 3, 5])",
    "dd(v, bins=3, range=[-1., 1., -2., 2., 0., 3.], weight=v[:, 0].abs(), density=True)",
    "dd(v.double(), bins=[2, 6, 3])", "dd(p, bins=[2, 3, 4])",
]
ERRORS += [
    "dd(p[0], bins=2)", "dd(p, bins=[2])", "dd(p, bins=0)", "dd(p, bins=2, range=[0., 1.])",
    "dd(p, bins=2, weight=pw[:3])", "dd(p.int(), bins=2)", "dd(p, bins=2, range=[1., 0., 0., 1.])",
    "dd(p, bins=[torch.tensor([0., 0.5, 2.]), torch.tensor([1.])])",
    "dd(p, bins=[torch.tensor([0., 0.5, 2.]), torch.tensor([[1., 2.]])])", "dd(p, bins=[torch.tensor([0., 0.5, 2.])])",
    "dd(torch.tensor([[float('nan'), 1.]]), bins=2)", "dd(p, bins=2, range=[0., float('inf'), 0., 1.])",
]

if __name__ == "__main__":
    call_cases.write("generate_histogram.py", "histogram.txt", VALUES, [], ERRORS, globals())
