#!/usr/bin/python3
"""Prints the Chebyshev coefficients of floatmath.glsl's f32_bessel_i (I0 and I1 in float):
exp(-x) I0(x) and exp(-x) I1(x) / x on [0, 8] in t = x / 4 - 1, and sqrt(x) exp(-x) I0(x),
sqrt(x) exp(-x) I1(x) for x >= 8 in t = 16 / x - 1, interpolated from PyTorch's i0e and i1e in
double, with their largest relative errors (run with /usr/bin/python3: PyTorch and NumPy)."""
import numpy as np
import torch
from numpy.polynomial import chebyshev

SMALL_DEGREE, LARGE_DEGREE = 18, 8


def scaled(fn):
    return lambda x: fn(torch.tensor(x, dtype=torch.float64)).numpy()


i0e, i1e = scaled(torch.special.i0e), scaled(torch.special.i1e)
small = [i0e, lambda x: i1e(x) / np.where(x == 0, 1.0, x) + np.where(x == 0, 0.5, 0.0)]
large = [lambda u: np.sqrt(8 / u) * i0e(8 / u), lambda u: np.sqrt(8 / u) * i1e(8 / u)]


def fit(f, a, b, degree):
    c = chebyshev.chebinterpolate(lambda t: f(a + (t + 1) * (b - a) / 2), degree)
    xs = np.linspace(a, b, 20001)[1:]
    err = np.max(np.abs(chebyshev.chebval(2 * (xs - a) / (b - a) - 1, c) / f(xs) - 1))
    return c, err


def glsl(name, rows, degree):
    body = ",\n".join("  float[%d](%s)" % (degree + 1, ", ".join("%.9e" % v for v in c)) for c in rows)
    return "const float %s[2][%d] = float[2][%d](\n%s);" % (name, degree + 1, degree + 1, body)


rows_small, rows_large = [], []
for k in range(2):
    c, err = fit(small[k], 0.0, 8.0, SMALL_DEGREE)
    rows_small.append(c)
    print("// I%d, x <= 8: largest relative error %.1e" % (k, err))
    c, err = fit(large[k], 0.0, 1.0, LARGE_DEGREE)
    rows_large.append(c)
    print("// I%d, x > 8: largest relative error %.1e" % (k, err))
print(glsl("BESSEL_SMALL", rows_small, SMALL_DEGREE))
print(glsl("BESSEL_LARGE", rows_large, LARGE_DEGREE))
