#!/usr/bin/env python3
"""Prints the Chebyshev coefficients of f64math.glsl's series, each with the largest relative
error of the fit in double coefficients: erfcx(x) = exp(x^2) erfc(x) on [1/2, 1], [1, 2] and
[2, 4] (f64_erfcx), of degree 21 in t = 2 (x - a) / (b - a) - 1, the constant term in two
doubles; and lgamma(x) / ((x - 1) (x - 2)) on [1, 3] (f64_lgamma), of degree 31 in t = x - 2.
Interpolated at Chebyshev points from values in 90-digit decimal arithmetic: erfc by its Taylor
series, lgamma by Stirling's series at x + 40. Python's standard library only."""
from decimal import Decimal as D, getcontext

getcontext().prec = 90
ERFCX_PIECES = [(D("0.5"), 1), (1, 2), (2, 4)]
ERFCX_DEGREE, LGAMMA_DEGREE = 21, 31  # LGAMMA_DEGREE odd: no Chebyshev point at lgamma's zero x = 2


def pi():
    getcontext().prec += 10
    # Machin: pi = 16 atan(1/5) - 4 atan(1/239)
    def atan_inv(n):
        x = D(1) / n
        s, t, k, n2 = x, x, 1, n * n
        while True:
            t = -t / n2
            term = t / (2 * k + 1)
            if abs(term) < D(10) ** -(getcontext().prec + 2):
                break
            s += term
            k += 1
        return s
    p = 16 * atan_inv(5) - 4 * atan_inv(239)
    getcontext().prec -= 10
    return +p


PI = pi()
SQRT_PI = PI.sqrt()


def erfc(x):
    x = D(x)
    s, term, n = D(0), x, 0
    while True:
        t = term / (2 * n + 1)
        s += t
        if abs(t) < D(10) ** -85:
            break
        n += 1
        term = -term * x * x / n
    return 1 - 2 / SQRT_PI * s


def erfcx(x):
    x = D(x)
    return (x * x).exp() * erfc(x)


def cos(x):
    s, term, n = D(0), D(1), 0
    while abs(term) > D(10) ** -85:
        s += term
        n += 2
        term = -term * x * x / (n * (n - 1))
    return s


# B_2k / (2k (2k - 1)), k = 1 to 12: Stirling's series
STIRLING = [(D(1), 12), (D(-1), 360), (D(1), 1260), (D(-1), 1680), (D(1), 1188), (D(-691), 360360), (D(1), 156),
            (D(-3617), 122400), (D(43867), 244188), (D(-174611), 125400), (D(77683), 5796), (D(-236364091), 1506960)]


def lgamma(x):
    x = D(x)
    y = x + 40
    s = (y - D("0.5")) * y.ln() - y + (2 * PI).ln() / 2
    for k, (num, den) in enumerate(STIRLING):
        s += num / den / y ** (2 * k + 1)
    for i in range(40):
        s -= (x + i).ln()
    return s


def lgamma_ratio(x):
    x = D(x)
    return lgamma(x) / ((x - 1) * (x - 2))


def fit(f, a, b, degree):
    n = degree + 1
    ts = [cos(PI * (k + D("0.5")) / n) for k in range(n)]
    fs = [f(D(a) + (t + 1) * (D(b) - D(a)) / 2) for t in ts]
    coeffs = []
    for j in range(n):
        c = sum(f * cos(PI * j * (k + D("0.5")) / n) for k, f in enumerate(fs)) * 2 / n
        coeffs.append(c / 2 if j == 0 else c)
    return coeffs


def clenshaw(c, t):
    b1, b2 = D(0), D(0)
    for ck in reversed(c[1:]):
        b1, b2 = 2 * t * b1 - b2 + D(ck), b1
    return t * b1 - b2 + D(c[0])


for a, b in ERFCX_PIECES:
    exact = fit(erfcx, a, b, ERFCX_DEGREE)
    c = [float(v) for v in exact]
    c0_lo = float(exact[0] - D(c[0]))  # the constant term in two doubles
    err = max(abs((clenshaw(c, D(2 * k) / 400 - 1) + D(c0_lo)) / erfcx(D(a) + D(k) * (D(b) - D(a)) / 400) - 1)
              for k in range(401))
    print("// erfcx on [%s, %s]: largest relative error %.1e, the constant term's low part %.17e" % (a, b, err, c0_lo))
    print(", ".join("%.17e" % v for v in c))
c = [float(v) for v in fit(lgamma_ratio, 1, 3, LGAMMA_DEGREE)]
err = max(abs(clenshaw(c, D(2 * k + 1) / 400 - 1) / lgamma_ratio(1 + D(2 * k + 1) / 400) - 1) for k in range(400))
print("// lgamma(x) / ((x - 1) (x - 2)) on [1, 3]: largest relative error %.1e" % err)
print(", ".join("%.17e" % v for v in c))
