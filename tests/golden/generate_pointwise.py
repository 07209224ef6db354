#!/usr/bin/python3
"""Writes tests/golden/pointwise.txt: the pointwise functions of ops/pointwise.hpp (log10, erf,
erfinv, lgamma, digamma, polygamma, sinc, logit, nan_to_num, ...; atan2, hypot, logaddexp, xlogy,
copysign, nextafter, heaviside, float_power, fmod, remainder, the bitwise ops and shifts, addcmul,
addcdiv) as torch 1.13 computes them, over edge values (0, -0, inf, nan, large, denormal, negative
integers, shift counts past the width) in every dtype PyTorch accepts, broadcast and with scalar
operands, and their gradients in float64, for tests/test_pointwise.cpp.

    /usr/bin/python3 tests/golden/generate_pointwise.py

Record fields: op, params (the op's extra arguments), a_dtype / a_shape / a_values (the input;
b_ and c_ for the second and third), scalar (tensor_scalar or scalar_tensor and its value),
result_dtype / result_shape / result; for gradients g_values (the incoming gradient) and grad,
grad_b, grad_c (the inputs' gradients). Floating values are written with float.hex(), so they are exact.
"""
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {
    "bool": torch.bool, "uint8": torch.uint8, "int8": torch.int8, "int16": torch.int16,
    "int32": torch.int32, "int64": torch.int64, "float16": torch.float16,
    "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64,
}
NAME = {v: k for k, v in DTYPES.items()}
FLOATS = ["float32", "float64", "float16", "bfloat16"]

# Edge values: signed zeros, infinities, NaN, integers (poles of lgamma and digamma), halves,
# values near 1 (erfinv, logit), large and denormal magnitudes.
EDGE = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 2.5, -2.5, 3.0, -3.7, 0.25, 0.75, 0.999, -0.999,
        1e-3, -1e-3, 1.4616321449683622, 7.25, 10.0, 12.5, -10.3, 100.0, 1e10, -1e10,
        float("inf"), float("-inf"), float("nan")]
DENORMAL = {"float32": [1e-40, -1e-40], "float64": [5e-324, -1e-310], "float16": [1e-7, -3e-6],
            "bfloat16": [1e-40, -1e-40]}
INTS = {"int64": [-3, -2, -1, 0, 1, 2, 3, 7, 100], "int32": [-5, 0, 1, 4, 9], "int16": [-2, 0, 3],
        "int8": [-128, -1, 0, 1, 127], "uint8": [0, 1, 2, 5, 200, 255], "bool": [False, True]}

# (name, call, dtypes): call(x) runs the op; every dtype PyTorch accepts.
ALL = list(DTYPES)
NOBOOL = [d for d in ALL if d != "bool"]
OPS = [
    ("log10", {}, lambda x: torch.log10(x), ALL),
    ("erf", {}, lambda x: torch.erf(x), ALL),
    ("erfc", {}, lambda x: torch.erfc(x), ALL),
    ("erfinv", {}, lambda x: torch.erfinv(x), ALL),
    ("lgamma", {}, lambda x: torch.lgamma(x), ALL),
    ("digamma", {}, lambda x: torch.digamma(x), ALL),
    ("polygamma", {"n": 0}, lambda x: torch.polygamma(0, x), ALL),
    ("polygamma", {"n": 1}, lambda x: torch.polygamma(1, x), ALL),
    ("polygamma", {"n": 2}, lambda x: torch.polygamma(2, x), ALL),
    ("polygamma", {"n": 3}, lambda x: torch.polygamma(3, x), ["float32", "float64", "int64"]),
    ("sinc", {}, lambda x: torch.sinc(x), ALL),
    ("deg2rad", {}, lambda x: torch.deg2rad(x), ALL),
    ("rad2deg", {}, lambda x: torch.rad2deg(x), ALL),
    ("reciprocal", {}, lambda x: torch.reciprocal(x), ALL),
    ("exp2", {}, lambda x: torch.exp2(x), ALL),
    ("trunc", {}, lambda x: torch.trunc(x), NOBOOL),
    ("fix", {}, lambda x: torch.fix(x), NOBOOL),
    ("frac", {}, lambda x: torch.frac(x), FLOATS),
    ("sgn", {}, lambda x: torch.sgn(x), ALL),
    ("signbit", {}, lambda x: torch.signbit(x), ALL),
    ("square", {}, lambda x: torch.square(x), ALL),
    ("positive", {}, lambda x: torch.positive(x), NOBOOL),
    ("logit", {}, lambda x: torch.logit(x), ALL),
    ("logit", {"eps": 0.125}, lambda x: torch.logit(x, 0.125), ALL),
    ("nan_to_num", {}, lambda x: torch.nan_to_num(x), ALL),
    ("nan_to_num", {"nan": 1.5, "posinf": 1e6, "neginf": -2.0},
     lambda x: torch.nan_to_num(x, 1.5, 1e6, -2.0), ALL),
]
NO_GRAD = {"signbit", "positive"}

# Binary ops over every pair of a small edge set (so each (a, b) combination appears once).
BIN_EDGE = [0.0, -0.0, 1.0, -1.0, 2.5, -3.5, 1e-3, 100.0, float("inf"), float("-inf"), float("nan")]
BIN_DENORMAL = {"float32": 1e-40, "float64": 5e-324, "float16": 1e-7, "bfloat16": 1e-40}
BIN_INTS = {"int64": [-7, -3, -1, 0, 1, 2, 5, 64, 70], "int32": [-9, -1, 0, 1, 3, 31, 33], "int16": [-4, 0, 3, 17],
            "int8": [-128, -8, -1, 0, 1, 5, 7, 70, 127], "uint8": [0, 1, 2, 7, 9, 200, 255], "bool": [False, True]}
BIN_PAIRS = [("float32", "float32"), ("float64", "float64"), ("bfloat16", "bfloat16"), ("float16", "float16"),
             ("int64", "int64"), ("int32", "int32"), ("int16", "int16"), ("int8", "int8"), ("uint8", "uint8"),
             ("bool", "bool"), ("int32", "float32"), ("uint8", "int8"), ("float32", "float64"), ("bool", "int64"),
             ("float16", "bfloat16"), ("uint8", "int64")]
BINARY = [
    ("atan2", lambda a, b: torch.atan2(a, b)), ("arctan2", lambda a, b: torch.arctan2(a, b)),
    ("hypot", lambda a, b: torch.hypot(a, b)), ("logaddexp", lambda a, b: torch.logaddexp(a, b)),
    ("logaddexp2", lambda a, b: torch.logaddexp2(a, b)), ("xlogy", lambda a, b: torch.xlogy(a, b)),
    ("copysign", lambda a, b: torch.copysign(a, b)), ("nextafter", lambda a, b: torch.nextafter(a, b)),
    ("heaviside", lambda a, b: torch.heaviside(a, b)), ("float_power", lambda a, b: torch.float_power(a, b)),
    ("fmod", lambda a, b: torch.fmod(a, b)), ("remainder", lambda a, b: torch.remainder(a, b)),
    ("bitwise_and", lambda a, b: torch.bitwise_and(a, b)), ("bitwise_or", lambda a, b: a | b),
    ("bitwise_xor", lambda a, b: a ^ b), ("bitwise_left_shift", lambda a, b: a << b),
    ("bitwise_right_shift", lambda a, b: torch.bitwise_right_shift(a, b)),
]
BIN_GRAD = {"atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "copysign", "float_power"}


def bin_values(dname):
    if dname in BIN_DENORMAL:
        return BIN_EDGE + [BIN_DENORMAL[dname]]
    return BIN_INTS[dname]


def bin_inputs(da, db):
    va, vb = bin_values(da), bin_values(db)
    a = torch.tensor([x for x in va for _ in vb], dtype=torch.float64 if DTYPES[da].is_floating_point else torch.int64)
    b = torch.tensor([y for _ in va for y in vb], dtype=torch.float64 if DTYPES[db].is_floating_point else torch.int64)
    a, b = a.to(DTYPES[da]), b.to(DTYPES[db])
    # PyTorch's bfloat16 NaN has its sign bit set, which the golden file cannot say ("nan"):
    # positive NaNs throughout, as the test parses them (copysign reads the sign).
    return positive_nan(a), positive_nan(b)


def positive_nan(t):
    if t.dtype in (torch.float16, torch.bfloat16):
        return torch.where(t.isnan(), (t.view(torch.int16) & 0x7FFF).view(t.dtype), t)
    return t


def binary_records(lines, count):
    for name, call in BINARY:
        for da, db in BIN_PAIRS:
            a, b = bin_inputs(da, db)
            if name in ("fmod", "remainder") and not (a.dtype.is_floating_point or b.dtype.is_floating_point):
                b = torch.where(b == 0, torch.ones_like(b), b)  # integer division by zero throws
            if name in ("fmod", "remainder") and b.dtype.is_floating_point:
                # PyTorch's vector fmod (Sleef) gives NaN where a / b overflows, as for a denormal
                # divisor, and std::fmod in the loop's tail: no divisor of that kind here.
                b = torch.where((b != 0) & (b.abs() < 1e-30), torch.full_like(b, 3.0), b)
            try:
                out = call(a, b)
            except RuntimeError:
                continue
            lines += [f"case {name}_{da}_{db}_{count}", f"op {name}", "params", f"a_dtype {da}",
                      "a_shape " + " ".join(map(str, a.shape)), line("a_values", a), f"b_dtype {db}",
                      "b_shape " + " ".join(map(str, b.shape)), line("b_values", b),
                      f"result_dtype {NAME[out.dtype]}", "result_shape " + " ".join(map(str, out.shape)),
                      line("result", out)]
            if da == db == "float64" and name in BIN_GRAD:
                ag, bg = a.clone().requires_grad_(True), b.clone().requires_grad_(True)
                y = call(ag, bg)
                g = torch.linspace(-1.5, 2.0, a.numel(), dtype=torch.float64)
                ga, gb = torch.autograd.grad(y, (ag, bg), g)
                lines += [line("g_values", g), line("grad", ga.clone()), line("grad_b", gb.clone()),
                          f"grad_fn {type(y.grad_fn).__name__}"]
            lines.append("end")
            count += 1
    # Broadcasting: a column against a row.
    a = torch.tensor([[-2.5], [0.0], [3.0]])
    b = torch.tensor([1.5, -0.0, 2.0, float("nan")])
    for name, call in BINARY[:8]:
        out = call(a, b)
        lines += [f"case {name}_broadcast_{count}", f"op {name}", "params", "a_dtype float32", "a_shape 3 1",
                  line("a_values", a), "b_dtype float32", "b_shape 4", line("b_values", b), "result_dtype float32",
                  "result_shape 3 4", line("result", out), "end"]
        count += 1
    # Scalar operands.
    x = torch.tensor([-3.0, -0.0, 0.0, 0.5, 2.0, float("inf"), float("nan")])
    i = torch.tensor([-5, -1, 0, 3, 6])
    scalar_cases = [
        ("xlogy", "tensor_scalar 2.5", x, lambda t: torch.xlogy(t, 2.5)),
        ("xlogy", "scalar_tensor 3", x, lambda t: torch.xlogy(3, t)),
        ("xlogy", "tensor_scalar 2", i, lambda t: torch.xlogy(t, 2)),
        ("copysign", "tensor_scalar -1.0", x, lambda t: torch.copysign(t, -1.0)),
        ("copysign", "tensor_scalar -0.0", i, lambda t: torch.copysign(t, -0.0)),
        ("float_power", "tensor_scalar 2.5", x, lambda t: torch.float_power(t, 2.5)),
        ("float_power", "scalar_tensor 2", i, lambda t: torch.float_power(2, t)),
        ("bitwise_and", "tensor_scalar 6", i, lambda t: t & 6),
        ("bitwise_or", "scalar_tensor 6", i, lambda t: 6 | t),
        ("bitwise_xor", "tensor_scalar 3", i, lambda t: t ^ 3),
        ("bitwise_left_shift", "tensor_scalar 3", i, lambda t: t << 3),
        ("bitwise_right_shift", "tensor_scalar 1", i, lambda t: t >> 1),
        ("bitwise_right_shift", "scalar_tensor 100", i.abs(), lambda t: 100 >> t),
    ]
    for name, scalar, t, call in scalar_cases:
        out = call(t)
        lines += [f"case {name}_scalar_{count}", f"op {name}", "params", f"scalar {scalar}",
                  f"a_dtype {NAME[t.dtype]}", "a_shape " + " ".join(map(str, t.shape)), line("a_values", t),
                  f"result_dtype {NAME[out.dtype]}", "result_shape " + " ".join(map(str, out.shape)),
                  line("result", out), "end"]
        count += 1
    # Unary bitwise not.
    for dname in ["int64", "int8", "uint8", "bool"]:
        t = torch.tensor(BIN_INTS[dname], dtype=DTYPES[dname])
        out = torch.bitwise_not(t)
        lines += [f"case bitwise_not_{dname}_{count}", "op bitwise_not", "params", f"a_dtype {dname}",
                  "a_shape " + " ".join(map(str, t.shape)), line("a_values", t), f"result_dtype {NAME[out.dtype]}",
                  "result_shape " + " ".join(map(str, out.shape)), line("result", out), "end"]
        count += 1
    # addcmul and addcdiv, with broadcasting and a value.
    s = torch.tensor([[1.0], [-2.0]])
    t1 = torch.tensor([0.5, -1.5, 3.0])
    t2 = torch.tensor([[2.0, 0.25, -4.0], [1.0, -0.0, 8.0]])
    for name, value in [("addcmul", 0.5), ("addcdiv", -2.0), ("addcmul", 1.0), ("addcdiv", 1.0)]:
        for dname in ["float32", "float64"]:
            a, b, c = (v.to(DTYPES[dname]) for v in (s, t1, t2))
            out = getattr(torch, name)(a, b, c, value=value)
            rec = [f"case {name}_{dname}_{count}", f"op {name}", f"params value={value}", f"a_dtype {dname}",
                   "a_shape 2 1", line("a_values", a), f"b_dtype {dname}", "b_shape 3", line("b_values", b),
                   f"c_dtype {dname}", "c_shape 2 3", line("c_values", c), f"result_dtype {NAME[out.dtype]}",
                   "result_shape 2 3", line("result", out)]
            if dname == "float64":
                ag, bg, cg = (v.clone().requires_grad_(True) for v in (a, b, c))
                y = getattr(torch, name)(ag, bg, cg, value=value)
                g = torch.linspace(-1.5, 2.0, 6, dtype=torch.float64).reshape(2, 3)
                ga, gb, gc = torch.autograd.grad(y, (ag, bg, cg), g)
                rec += [line("g_values", g), line("grad", ga), line("grad_b", gb), line("grad_c", gc)]
            lines += rec + ["end"]
            count += 1
    ia, ib = torch.tensor([1, 2]), torch.tensor([3, -1])
    out = torch.addcmul(ia, ib, ib, value=0.5)  # the value truncated to the integer result type
    lines += [f"case addcmul_int64_{count}", "op addcmul", "params value=0.5", "a_dtype int64", "a_shape 2",
              line("a_values", ia), "b_dtype int64", "b_shape 2", line("b_values", ib), "c_dtype int64", "c_shape 2",
              line("c_values", ib), "result_dtype int64", "result_shape 2", line("result", out), "end"]
    count += 1
    # Operands of three dtypes: each is converted to the result's dtype first (257 as bfloat16 is 256).
    mixed = [("addcmul", "bfloat16", "int64", "bfloat16", 1.0), ("addcmul", "float32", "int64", "float64", 0.5),
             ("addcdiv", "bfloat16", "int64", "bfloat16", 1.0), ("addcdiv", "float32", "int32", "float64", -2.0),
             ("addcmul", "int32", "int64", "uint8", 2.0)]
    for k, (name, da, db, dc, value) in enumerate(mixed):
        a = torch.tensor([0.0, 1.0, -3.0]).to(DTYPES[da])
        b = torch.tensor([257, 259, 1025]).to(DTYPES[db])
        c = torch.tensor([1.0, 3.0, 2.0]).to(DTYPES[dc])
        out = getattr(torch, name)(a, b, c, value=value)
        lines += [f"case {name}_mixed_{k}", f"op {name}", f"params value={value}", f"a_dtype {da}", "a_shape 3",
                  line("a_values", a), f"b_dtype {db}", "b_shape 3", line("b_values", b), f"c_dtype {dc}",
                  "c_shape 3", line("c_values", c), f"result_dtype {NAME[out.dtype]}", "result_shape 3",
                  line("result", out), "end"]
    return count


def fmt(v, dtype):
    if dtype.is_floating_point:
        return float(v).hex()
    if dtype == torch.bool:
        return "1" if v else "0"
    return str(int(v))


def line(key, t):
    return f"{key} " + " ".join(fmt(v, t.dtype) for v in t.contiguous().reshape(-1).tolist())


def inputs(dname):
    if dname in DENORMAL:
        return torch.tensor(EDGE + DENORMAL[dname], dtype=torch.float64).to(DTYPES[dname])
    return torch.tensor(INTS[dname], dtype=DTYPES[dname])


def params_line(params):
    return "params " + " ".join(f"{k}={v}" for k, v in params.items()) if params else "params"


def diff_records(lines, count):
    """torch.diff over dims, orders (past the length too), prepend and append, bool, and gradients."""
    x = torch.tensor([[1.5, -3.0, 6.25, 0.0], [2.0, 2.0, float("inf"), -1.0], [0.5, 8.0, -2.0, 4.0]])
    cases = [("float64", x, 1, -1, None, None), ("float64", x, 2, 1, None, None), ("float64", x, 1, 0, None, None),
             ("float64", x, 3, 0, None, None), ("float64", x, 5, 1, None, None), ("float64", x, 0, 1, None, None),
             ("float64", x, 1, 1, x[:, :1] * 2, x[:, 1:3]), ("float64", x, 2, 0, None, x[:1]),
             ("float32", x, 1, 0, x[2:], None), ("int64", torch.tensor([[1, 3, 6], [2, 2, 9]]), 1, 1, None, None),
             ("int8", torch.tensor([100, -100, 27, 0]), 2, 0, None, None),
             ("bool", torch.tensor([True, False, False, True, True]), 1, 0, None, None),
             ("bool", torch.tensor([True, False, False, True, True]), 3, 0, torch.tensor([False]), None)]
    for dname, t, n, dim, pre, app in cases:
        t = t.to(DTYPES[dname])
        pre = None if pre is None else pre.to(DTYPES[dname])
        app = None if app is None else app.to(DTYPES[dname])
        out = torch.diff(t, n, dim, pre, app)
        rec = [f"case diff_{dname}_{count}", "op diff", f"params n={n} dim={dim}", f"a_dtype {dname}",
               "a_shape " + " ".join(map(str, t.shape)), line("a_values", t)]
        for key, extra in (("p_", pre), ("q_", app)):
            if extra is not None:
                rec += [f"{key}shape " + " ".join(map(str, extra.shape)), line(f"{key}values", extra)]
        rec += [f"result_dtype {NAME[out.dtype]}", "result_shape " + " ".join(map(str, out.shape)),
                line("result", out)]
        if dname == "float64" and out.numel() > 0 and n > 0:
            tg = t.clone().requires_grad_(True)
            y = torch.diff(tg, n, dim, pre, app)
            g = torch.linspace(-1.5, 2.0, y.numel(), dtype=torch.float64).reshape(y.shape)
            (grad,) = torch.autograd.grad(y, tg, g)
            rec += [line("g_values", g), line("grad", grad.clone())]
        lines += rec + ["end"]
        count += 1
    return count


def isclose_records(lines, count):
    """torch.isclose in every dtype: pairs on both sides of the tolerance (where rounding each step
    in the tensors' dtype decides), differences that overflow, infinities and NaN."""
    gen = torch.Generator().manual_seed(7)
    for dname in ALL:
        dtype = DTYPES[dname]
        for rtol, atol, equal_nan in [(1e-2, 1e-3, False), (1e-5, 1e-8, True), (0.5, 0.0, False), (0.0, 0.0, True),
                                      (0.1, 60.0, False)]:
            if dtype.is_floating_point:
                b = (torch.randn(48, generator=gen, dtype=torch.float64) * 10).to(dtype).double()
                tol = atol + rtol * b.abs()
                # within a few of the dtype's ulps of the tolerance
                a = b + tol * (1 + (torch.rand(48, generator=gen, dtype=torch.float64) * 2 - 1) * 4 * torch.finfo(dtype).eps)
                big = torch.finfo(dtype).max
                a = torch.cat([a, torch.tensor([big, -big, math.inf, math.inf, -math.inf, math.nan, math.nan, 1.0, 0.0])])
                b = torch.cat([b, torch.tensor([-big, big, math.inf, -math.inf, 1.0, math.nan, 1.0, math.nan, -0.0])])
                a, b = positive_nan(a.to(dtype)), positive_nan(b.to(dtype))
            elif dtype == torch.bool:
                a = torch.tensor([False, False, True, True])
                b = torch.tensor([False, True, False, True])
            else:
                info = torch.iinfo(dtype)
                b = torch.randint(info.min, info.max, (40,), generator=gen, dtype=torch.int64)
                a = b + torch.randint(-80, 80, (40,), generator=gen, dtype=torch.int64)
                a = torch.cat([a.clamp(info.min, info.max), torch.tensor([info.max, info.min, info.min])])
                b = torch.cat([b, torch.tensor([info.min, info.max, info.min])])
                a, b = a.to(dtype), b.to(dtype)
            out = torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
            lines += [f"case isclose_{dname}_{count}", "op isclose",
                      f"params rtol={rtol!r} atol={atol!r} equal_nan={int(equal_nan)}", f"a_dtype {dname}",
                      "a_shape " + " ".join(map(str, a.shape)), line("a_values", a), f"b_dtype {dname}",
                      "b_shape " + " ".join(map(str, b.shape)), line("b_values", b),
                      f"result_dtype {NAME[out.dtype]}", "result_shape " + " ".join(map(str, out.shape)),
                      line("result", out), "end"]
            count += 1
    # Integers are compared as floats (the default dtype), as PyTorch does: neighbours beyond
    # 2^24 round to one float and are close with a tolerance below 1.
    for dname in ["int32", "int64"]:
        b = torch.randint(2**24, 2**26, (40,), generator=gen, dtype=torch.int64)
        a = b + torch.randint(-3, 4, (40,), generator=gen, dtype=torch.int64)
        a, b = a.to(DTYPES[dname]), b.to(DTYPES[dname])
        out = torch.isclose(a, b, rtol=0.0, atol=0.5)
        lines += [f"case isclose_{dname}_{count}", "op isclose", "params rtol=0.0 atol=0.5 equal_nan=0",
                  f"a_dtype {dname}", "a_shape 40", line("a_values", a), f"b_dtype {dname}", "b_shape 40",
                  line("b_values", b), "result_dtype bool", "result_shape 40", line("result", out), "end"]
        count += 1
    return count


def main():
    lines = [f"# generated by tests/golden/generate_pointwise.py with torch {torch.__version__}; do not edit"]
    count = 0
    for name, params, call, dtypes in OPS:
        for dname in dtypes:
            x = inputs(dname)
            try:
                out = call(x)
            except RuntimeError:  # no CPU kernel for this dtype in PyTorch (half log10, ...)
                continue
            lines += [f"case {name}_{dname}_{count}", f"op {name}", params_line(params), f"a_dtype {dname}",
                      "a_shape " + " ".join(map(str, x.shape)), line("a_values", x),
                      f"result_dtype {NAME[out.dtype]}", "result_shape " + " ".join(map(str, out.shape)),
                      line("result", out)]
            if dname == "float64" and name not in NO_GRAD:
                xg = x.clone().requires_grad_(True)
                y = call(xg)
                g = torch.linspace(-1.5, 2.0, x.numel(), dtype=torch.float64)
                (grad,) = torch.autograd.grad(y, xg, g)
                lines += [line("g_values", g), line("grad", grad.clone()), f"grad_fn {type(y.grad_fn).__name__}"]
            lines.append("end")
            count += 1
    count = binary_records(lines, count)
    count = diff_records(lines, count)
    count = isclose_records(lines, count)
    # polygamma of large negative x, whose zeta the CPU sums from three positive arguments
    for dname in ["float32", "float64"]:
        x = torch.tensor([-4095.25, -4096.5, -4100.3, -70000.25], dtype=DTYPES[dname])
        for n in [2, 3]:
            out = torch.polygamma(n, x)
            lines += [f"case polygamma_{dname}_{count}", "op polygamma", params_line({"n": n}), f"a_dtype {dname}",
                      "a_shape 4", line("a_values", x), f"result_dtype {dname}", "result_shape 4", line("result", out), "end"]
            count += 1
    path = os.path.join(HERE, "pointwise.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {path}: {count} cases")


if __name__ == "__main__":
    main()
