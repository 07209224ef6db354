#!/usr/bin/python3
"""Writes tests/golden/sort.txt: PyTorch 1.13's sort, argsort, msort, topk, kthvalue, median,
nanmedian and mode on the CPU, for tests/test_sort.cpp.

    /usr/bin/python3 tests/golden/generate_sort.py

A case holds the input (dtype, shape, values; `transpose 1`: the op runs on input.t(), a
non-contiguous view), the op and its arguments, and PyTorch's result: `out_shape`, `out_values`,
`out_indices`. Where PyTorch's index among equal elements comes from an unstable algorithm
(std::sort, std::nth_element), `rule_indices` holds tessera's documented choice (the stable
order, Note [Sort keys]) and `indices_match` says whether PyTorch gave the same: when it did not,
the test checks only that each index points at the returned value. `grad` cases record
x.grad of (values * (1, 2, 3, ...)).sum() for a float64 input.
"""
import os
import random

import torch

DTYPES = {
    "bool": torch.bool, "uint8": torch.uint8, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32,
    "int64": torch.int64, "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
    "float64": torch.float64,
}
NAN = float("nan")


def fmt(t):
    t = t.detach().reshape(-1)
    if t.dtype.is_floating_point:
        return " ".join(float(v).hex() for v in t.tolist())
    return " ".join(str(int(v)) for v in t.tolist())


def shape_str(s):
    return " ".join(str(d) for d in s)


def run(op, x, a):
    """Returns (values, indices or None, tessera's rule for the indices or None)."""
    if op == "sort":
        r = torch.sort(x, dim=a["dim"], descending=bool(a["descending"]), stable=bool(a["stable"]))
        rule = torch.sort(x, dim=a["dim"], descending=bool(a["descending"]), stable=True).indices
        return r.values, r.indices, rule
    if op == "argsort":
        i = torch.argsort(x, dim=a["dim"], descending=bool(a["descending"]))
        rule = torch.sort(x, dim=a["dim"], descending=bool(a["descending"]), stable=True).indices
        return i, None, rule
    if op == "msort":
        return torch.msort(x), None, None
    if op == "topk":  # tessera gives PyTorch's indices among ties too (Note [topk among equal elements])
        r = torch.topk(x, a["k"], dim=a["dim"], largest=bool(a["largest"]), sorted=bool(a.get("sorted", 1)))
        return r.values, r.indices, None
    if op == "kthvalue":
        r = torch.kthvalue(x, a["k"], dim=a["dim"], keepdim=bool(a["keepdim"]))
        s = torch.sort(x, dim=a["dim"], stable=True).indices
        rule = s.narrow(a["dim"], a["k"] - 1, 1) if x.dim() else s
        if x.dim() and not a["keepdim"]:
            rule = rule.squeeze(a["dim"])
        return r.values, r.indices, rule
    if op in ("median_all", "nanmedian_all"):
        return (torch.median(x) if op == "median_all" else torch.nanmedian(x)), None, None
    if op in ("median", "nanmedian"):
        f = torch.median if op == "median" else torch.nanmedian
        r = f(x, dim=a["dim"], keepdim=bool(a["keepdim"]))
        return r.values, r.indices, median_rule(x, a["dim"], bool(a["keepdim"]), op == "nanmedian")
    if op == "mode":
        r = torch.mode(x, dim=a["dim"], keepdim=bool(a["keepdim"]))
        return r.values, r.indices, mode_rule(x, a["dim"], bool(a["keepdim"]))
    raise ValueError(op)


def rows_of(x, dim):
    """x with `dim` last, as a list of rows, and a function putting one value per row back."""
    xt = x.unsqueeze(0) if x.dim() == 0 else x
    moved = xt.movedim(dim, -1)
    out_shape = moved.shape[:-1]
    flat = moved.reshape(-1, moved.shape[-1]) if moved.numel() else moved.reshape(-1, moved.shape[-1])
    return flat, out_shape


def median_rule(x, dim, keepdim, ignore_nan):
    flat, out_shape = rows_of(x, dim)
    res = []
    for row in flat:
        vals = row.double().tolist()
        nans = [i for i, v in enumerate(vals) if v != v]
        if nans and (not ignore_nan or len(nans) == len(vals)):
            res.append(nans[0])
            continue
        order = sorted((i for i, v in enumerate(vals) if v == v), key=lambda i: vals[i])
        res.append(order[(len(order) - 1) // 2])
    return shape_rule(res, out_shape, x, dim, keepdim)


def mode_rule(x, dim, keepdim):
    flat, out_shape = rows_of(x, dim)
    res = []
    for row in flat:
        vals = row.double().tolist()
        order = sorted(range(len(vals)), key=lambda i: (vals[i] != vals[i], vals[i] if vals[i] == vals[i] else 0))
        best, best_count, run = 0, 0, 0
        for j, i in enumerate(order):
            run += 1
            nan = vals[i] != vals[i]
            if j == len(order) - 1 or nan or vals[order[j + 1]] != vals[i]:
                if run > best_count:
                    best, best_count = j, run
                run = 0
        res.append(order[best])
    return shape_rule(res, out_shape, x, dim, keepdim)


def shape_rule(res, out_shape, x, dim, keepdim):
    t = torch.tensor(res, dtype=torch.int64).reshape(out_shape)
    if x.dim() and keepdim:
        t = t.unsqueeze(dim)
    return t


CASES = []


def case(name, op, dtype, shape, values, transpose=False, grad=False, **args):
    CASES.append((name, op, dtype, shape, values, transpose, grad, args))


def ints(n, lo, hi, rng):
    return [rng.randint(lo, hi) for _ in range(n)]


def build():
    rng = random.Random(1913)
    # sort and argsort: every dtype, dims, both directions, ties (stable), transposed views
    for dt in DTYPES:
        lo, hi = (0, 1) if dt == "bool" else (0, 5) if dt == "uint8" else (-4, 4)
        for desc in (0, 1):
            case(f"sort_{dt}_1d_{desc}", "sort", dt, [9], ints(9, lo, hi, rng), dim=-1, descending=desc, stable=1)
            case(f"sort_{dt}_2d_dim0_{desc}", "sort", dt, [4, 3], ints(12, lo, hi, rng), dim=0, descending=desc, stable=1)
            case(f"sort_{dt}_2d_dim1_{desc}", "sort", dt, [3, 5], ints(15, lo, hi, rng), dim=1, descending=desc, stable=0)
            case(f"sort_{dt}_t_{desc}", "sort", dt, [3, 4], ints(12, lo, hi, rng), transpose=True, dim=-1,
                 descending=desc, stable=1)
            case(f"sort_{dt}_long_{desc}", "sort", dt, [300], ints(300, lo, hi, rng), dim=0, descending=desc, stable=1)
            case(f"argsort_{dt}_{desc}", "argsort", dt, [2, 6], ints(12, lo, hi, rng), dim=1, descending=desc)
        case(f"sort_{dt}_0d", "sort", dt, [], ints(1, lo, hi, rng), dim=0, descending=0, stable=0)
        case(f"sort_{dt}_empty", "sort", dt, [2, 0], [], dim=1, descending=0, stable=0)
        case(f"msort_{dt}", "msort", dt, [4, 2], ints(8, lo, hi, rng))
        case(f"mode_{dt}", "mode", dt, [3, 7], ints(21, lo, hi, rng), dim=1, keepdim=0)
    # NaN, infinities, signed zeros
    special = [3.0, NAN, 1.0, NAN, 1.0, -0.0, 0.0, 2.0, float("inf"), -float("inf"), -2.5, NAN]
    for dt in ("float16", "bfloat16", "float32", "float64"):
        for desc in (0, 1):
            case(f"sort_nan_{dt}_{desc}", "sort", dt, [12], special, dim=0, descending=desc, stable=1)
        case(f"sort_nan_unstable_{dt}", "sort", dt, [12], special, dim=0, descending=0, stable=0)
        case(f"sort_nan_long_{dt}", "sort", dt, [200],
             [NAN if rng.random() < 0.2 else rng.randint(-6, 6) / 2 for _ in range(200)], dim=0, descending=1, stable=1)
    # the large-row path (radix sort) on float32 with random bits
    case("sort_float32_radix", "sort", "float32", [1000], [rng.uniform(-1e6, 1e6) for _ in range(1000)], dim=0,
         descending=0, stable=0)
    case("sort_float64_radix_desc", "sort", "float64", [800], [rng.uniform(-1e3, 1e3) for _ in range(800)], dim=0,
         descending=1, stable=1)
    case("sort_int64_radix", "sort", "int64", [600], ints(600, -2**62, 2**62, rng), dim=0, descending=0, stable=1)
    case("sort_int32_unstable_ties", "sort", "int32", [100], ints(100, 0, 4, rng), dim=0, descending=0, stable=0)
    case("sort_doc_stable", "sort", "int64", [18], [0, 1] * 9, dim=-1, descending=0, stable=1)
    case("sort_3d_dim1", "sort", "float32", [2, 4, 3], [rng.randint(-9, 9) / 4 for _ in range(24)], dim=1,
         descending=0, stable=1)

    sel = [d for d in DTYPES if d not in ("bool", "float16")]
    for dt in sel:
        lo, hi = (0, 9) if dt == "uint8" else (-9, 9)
        for largest in (0, 1):
            case(f"topk_{dt}_{largest}", "topk", dt, [3, 8], ints(24, lo, hi, rng), dim=1, k=3, largest=largest)
            case(f"topk_{dt}_dim0_{largest}", "topk", dt, [6, 2], ints(12, lo, hi, rng), dim=0, k=2, largest=largest)
        case(f"kthvalue_{dt}", "kthvalue", dt, [3, 7], ints(21, lo, hi, rng), dim=1, k=4, keepdim=0)
        case(f"kthvalue_{dt}_keep", "kthvalue", dt, [5, 2], ints(10, lo, hi, rng), dim=0, k=2, keepdim=1)
        for keep in (0, 1):
            case(f"median_{dt}_{keep}", "median", dt, [4, 6], ints(24, lo, hi, rng), dim=1, keepdim=keep)
            case(f"nanmedian_{dt}_{keep}", "nanmedian", dt, [5, 3], ints(15, lo, hi, rng), dim=0, keepdim=keep)
        case(f"median_all_{dt}", "median_all", dt, [4, 5], ints(20, lo, hi, rng))
        case(f"median_all_even_{dt}", "median_all", dt, [6], ints(6, lo, hi, rng))
        case(f"nanmedian_all_{dt}", "nanmedian_all", dt, [7], ints(7, lo, hi, rng))
        case(f"median_empty_{dt}", "median_all", dt, [0], [])
        case(f"topk_t_{dt}", "topk", dt, [5, 4], ints(20, lo, hi, rng), transpose=True, dim=1, k=2, largest=1)
    # distinct values: every index is defined
    perm = list(range(1, 41))
    rng.shuffle(perm)
    for k in (0, 1, 5, 40):
        case(f"topk_distinct_k{k}", "topk", "float32", [40], perm, dim=0, k=k, largest=1)
    case("topk_distinct_smallest", "topk", "float64", [40], perm, dim=0, k=7, largest=0)
    big = list(range(600))
    rng.shuffle(big)
    case("topk_select_path", "topk", "float32", [600], [v / 8 for v in big], dim=0, k=10, largest=1)
    case("topk_select_path_small", "topk", "int64", [600], big, dim=0, k=25, largest=0)
    case("topk_nan", "topk", "float32", [12], special, dim=0, k=4, largest=1)
    case("topk_nan_smallest", "topk", "float32", [12], special, dim=0, k=4, largest=0)
    case("topk_0d", "topk", "float32", [], [5.0], dim=0, k=1, largest=1)
    case("topk_0d_k0", "topk", "float32", [], [5.0], dim=0, k=0, largest=1)
    case("topk_empty", "topk", "float32", [2, 0], [], dim=1, k=0, largest=1)
    # ties on each of PyTorch's paths (partial_sort when k * 64 <= n, else nth_element) and of
    # tessera's (radix selection, long rows' candidates by threshold and by histogram); unsorted
    trng = random.Random(6)  # its own stream: the cases after these keep their values
    for largest in (0, 1):
        case(f"topk_ties_partial_sort_{largest}", "topk", "int64", [2, 300], ints(600, 0, 9, trng), dim=1, k=4,
             largest=largest)
        case(f"topk_ties_nth_element_{largest}", "topk", "float32", [3, 40], ints(120, -3, 3, trng), dim=1, k=9,
             largest=largest)
        case(f"topk_ties_unsorted_{largest}", "topk", "int32", [3, 40], ints(120, -3, 3, trng), dim=1, k=9,
             largest=largest, sorted=0)
    case("topk_distinct_unsorted", "topk", "float32", [40], perm, dim=0, k=12, largest=1, sorted=0)
    case("topk_distinct_unsorted_partial_sort", "topk", "float64", [600], big, dim=0, k=5, largest=0, sorted=0)
    case("topk_ties_signed_zero", "topk", "float32", [8], [0.0, -0.0, 1.0, -0.0, 0.0, -1.0, 0.0, -0.0], dim=0, k=5,
         largest=1)
    case("topk_ties_nan", "topk", "float64", [10], [NAN, 1.0, NAN, 2.0, 1.0, NAN, 0.0, 2.0, NAN, 1.0], dim=0, k=6,
         largest=1)
    case("topk_ties_long_threshold", "topk", "int16", [1 << 15], ints(1 << 15, 0, 99, trng), dim=0, k=5, largest=1)
    case("topk_ties_long_histogram", "topk", "int32", [1 << 15], ints(1 << 15, 0, 99, trng), dim=0, k=1000,
         largest=0)
    case("kthvalue_distinct", "kthvalue", "float32", [40], perm, dim=0, k=13, keepdim=0)
    case("kthvalue_select_path", "kthvalue", "int32", [600], big, dim=0, k=277, keepdim=0)
    case("kthvalue_0d", "kthvalue", "float64", [], [2.5], dim=0, k=1, keepdim=0)
    case("kthvalue_empty_rows", "kthvalue", "float32", [2, 0], [], dim=0, k=1, keepdim=0)
    case("kthvalue_nan", "kthvalue", "float64", [12], special, dim=0, k=11, keepdim=0)
    for dt in ("bfloat16", "float32", "float64"):
        m = [2.0, 3.0, 1.0, NAN, 1.0, NAN]
        case(f"median_nan_{dt}", "median", dt, [2, 3], m, dim=1, keepdim=0)
        case(f"nanmedian_nan_{dt}", "nanmedian", dt, [2, 3], m, dim=1, keepdim=0)
        case(f"median_all_nan_{dt}", "median_all", dt, [6], m)
        case(f"nanmedian_all_nan_{dt}", "nanmedian_all", dt, [6], m)
        case(f"nanmedian_all_allnan_{dt}", "nanmedian_all", dt, [3], [NAN, NAN, NAN])
        case(f"nanmedian_allnan_{dt}", "nanmedian", dt, [3], [NAN, NAN, NAN], dim=0, keepdim=0)
        case(f"median_empty_{dt}", "median_all", dt, [0, 3], [])
    case("median_0d", "median", "float32", [], [4.0], dim=0, keepdim=1)
    case("median_empty_rows", "median", "float32", [0, 3], [], dim=1, keepdim=0)
    case("median_t", "median", "float32", [4, 5], [rng.randint(-9, 9) for _ in range(20)], transpose=True, dim=0,
         keepdim=0)
    case("mode_t", "mode", "int64", [4, 5], ints(20, 0, 3, rng), transpose=True, dim=1, keepdim=1)
    case("mode_0d", "mode", "float32", [], [1.5], dim=-1, keepdim=0)
    case("mode_empty_rows", "mode", "float32", [2, 0], [], dim=0, keepdim=0)
    case("mode_long", "mode", "int64", [45], [2, 1, 2, 1, 3, 3, 0, 0, 5] * 5, dim=0, keepdim=0)
    case("mode_bool", "mode", "bool", [2, 5], [1, 0, 1, 1, 0, 0, 0, 1, 1, 1], dim=1, keepdim=0)
    # PyTorch's documentation examples (fixed where they draw random numbers)
    case("doc_topk", "topk", "float32", [5], [1.0, 2.0, 3.0, 4.0, 5.0], dim=-1, k=3, largest=1)
    case("doc_kthvalue", "kthvalue", "float32", [5], [1.0, 2.0, 3.0, 4.0, 5.0], dim=-1, k=4, keepdim=0)
    case("doc_kthvalue_2d", "kthvalue", "float32", [2, 3], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dim=0, k=2, keepdim=1)
    case("doc_median_all", "median_all", "float32", [3], [1.5, 0.25, -0.75])
    case("doc_nanmedian_all", "nanmedian_all", "float32", [4], [1.0, NAN, 3.0, 2.0])
    case("doc_median_all_nan", "median_all", "float32", [4], [1.0, NAN, 3.0, 2.0])
    case("doc_median_dim_nan", "median", "float32", [2, 3], [2.0, 3.0, 1.0, NAN, 1.0, NAN], dim=0, keepdim=0)
    case("doc_nanmedian_dim_nan", "nanmedian", "float32", [2, 3], [2.0, 3.0, 1.0, NAN, 1.0, NAN], dim=0, keepdim=0)
    case("doc_mode", "mode", "int64", [5, 7],
         [0, 0, 0, 2, 0, 0, 2, 0, 3, 0, 0, 2, 0, 1, 2, 2, 2, 0, 0, 0, 3, 2, 2, 3, 0, 1, 1, 0, 1, 1, 0, 0, 2, 0, 2],
         dim=0, keepdim=0)
    case("doc_sort", "sort", "float32", [3, 4],
         [-0.5, 1.25, 0.75, -2.0, 0.125, -1.5, 2.5, 0.0, 1.0, -0.25, -3.0, 0.5], dim=-1, descending=0, stable=0)
    case("doc_sort_dim0", "sort", "float32", [3, 4],
         [-0.5, 1.25, 0.75, -2.0, 0.125, -1.5, 2.5, 0.0, 1.0, -0.25, -3.0, 0.5], dim=0, descending=0, stable=0)
    case("doc_argsort", "argsort", "float32", [4, 4],
         [0.25, -1.0, 2.0, 0.5, 1.5, 0.0, -0.5, 3.0, -2.0, 1.0, 0.75, -0.25, 2.5, -3.0, 0.125, 1.25], dim=1, descending=0)
    case("doc_msort", "msort", "float32", [3, 4],
         [-0.5, 1.25, 0.75, -2.0, 0.125, -1.5, 2.5, 0.0, 1.0, -0.25, -3.0, 0.5])
    # gradients (float64): x.grad of (values * (1, 2, ...)).sum()
    gv = [0.5, -1.25, 2.0, 0.5, 3.0, -0.75, 1.0, 2.0, -2.5, 0.25, 1.5, -1.0]
    case("grad_sort", "sort", "float64", [3, 4], gv, grad=True, dim=1, descending=1, stable=1)
    case("grad_sort_t", "sort", "float64", [3, 4], gv, transpose=True, grad=True, dim=0, descending=0, stable=1)
    distinct = [0.5, -1.25, 2.0, 0.75, 3.0, -0.75, 1.0, 2.25, -2.5, 0.25, 1.5, -1.0]
    case("grad_topk", "topk", "float64", [3, 4], distinct, grad=True, dim=1, k=2, largest=1)
    case("grad_kthvalue", "kthvalue", "float64", [3, 4], distinct, grad=True, dim=0, k=2, keepdim=0)
    case("grad_median", "median", "float64", [3, 4], gv, grad=True, dim=1, keepdim=1)
    case("grad_nanmedian", "nanmedian", "float64", [3, 4], [NAN] + gv[1:], grad=True, dim=1, keepdim=0)
    case("grad_mode", "mode", "float64", [2, 6], gv, grad=True, dim=1, keepdim=0)
    case("grad_median_all", "median_all", "float64", [12], gv, grad=True)
    case("grad_median_all_ties", "median_all", "float64", [5], [1.0, 2.0, 2.0, 3.0, 2.0], grad=True)
    case("grad_nanmedian_all", "nanmedian_all", "float64", [5], [1.0, NAN, 2.0, 3.0, 2.0], grad=True)
    case("grad_median_all_nan", "median_all", "float64", [5], [1.0, NAN, 2.0, NAN, 2.0], grad=True)


COUNT_CASES = []


def ccase(name, op, dtype, shape, values, transpose=False, other=None, **args):
    """A case of the counting ops; `other`: (dtype, shape, values) of a second tensor (the
    values of searchsorted, the boundaries of bucketize, the weights of bincount)."""
    COUNT_CASES.append((name, op, dtype, shape, values, transpose, other, args))


def run_count(op, x, other, a):
    """PyTorch's results as a list of (key, tensor)."""
    if op in ("unique", "unique_consecutive"):
        kw = dict(return_inverse=bool(a["inverse"]), return_counts=bool(a["counts"]))
        if a["dim"] != "none":
            kw["dim"] = a["dim"]
        r = torch.unique(x, sorted=True, **kw) if op == "unique" else torch.unique_consecutive(x, **kw)
        r = r if isinstance(r, tuple) else (r,)
        keys = ["values"] + (["inverse"] if a["inverse"] else []) + (["counts"] if a["counts"] else [])
        return list(zip(keys, r))
    if op == "bincount":
        return [("values", torch.bincount(x, weights=other, minlength=a["minlength"]))]
    if op == "histc":
        return [("values", torch.histc(x, bins=a["bins"], min=a["min"], max=a["max"]))]
    if op == "count_nonzero":
        return [("values", torch.count_nonzero(x) if a["dim"] == "none" else torch.count_nonzero(x, dim=a["dim"]))]
    if op == "searchsorted":
        kw = dict(out_int32=bool(a["out_int32"]), right=bool(a["right"]))
        if a["side"] != "none":
            kw["side"] = a["side"]
        if a["sorter"] != "none":
            kw["sorter"] = torch.tensor([int(v) for v in a["sorter"].split(",")]).reshape(x.shape)
        vals = other if other is not None else a["scalar"]
        return [("values", torch.searchsorted(x, vals, **kw))]
    if op == "bucketize":
        return [("values", torch.bucketize(x, other, out_int32=bool(a["out_int32"]), right=bool(a["right"])))]
    raise ValueError(op)


def build_count():
    rng = random.Random(77)
    for dt in DTYPES:
        lo, hi = (0, 1) if dt == "bool" else (0, 6) if dt == "uint8" else (-3, 3)
        ccase(f"count_nonzero_{dt}", "count_nonzero", dt, [3, 4], ints(12, lo, hi, rng), dim="none")
        ccase(f"count_nonzero_dim_{dt}", "count_nonzero", dt, [3, 4], ints(12, lo, hi, rng), dim=1)
        if dt == "float16":  # PyTorch 1.13 has no unique for half on the CPU
            continue
        ccase(f"unique_{dt}", "unique", dt, [3, 5], ints(15, lo, hi, rng), dim="none", inverse=1, counts=1)
        ccase(f"unique_plain_{dt}", "unique", dt, [9], ints(9, lo, hi, rng), dim="none", inverse=0, counts=0)
        ccase(f"unique_t_{dt}", "unique", dt, [4, 3], ints(12, lo, hi, rng), transpose=True, dim="none", inverse=1,
              counts=0)
        ccase(f"unique_dim0_{dt}", "unique", dt, [5, 2], ints(10, lo, min(hi, lo + 1), rng), dim=0, inverse=1, counts=1)
        ccase(f"unique_consecutive_{dt}", "unique_consecutive", dt, [10], ints(10, lo, min(hi, lo + 1), rng),
              dim="none", inverse=1, counts=1)
        if dt != "bool":
            seq = sorted(ints(7, lo, hi, rng))
            ccase(f"searchsorted_{dt}", "searchsorted", dt, [7], seq, other=(dt, [2, 4], ints(8, lo, hi, rng)),
                  out_int32=0, right=0, side="none", sorter="none")
            ccase(f"searchsorted_right_{dt}", "searchsorted", dt, [7], seq, other=(dt, [5], ints(5, lo, hi, rng)),
                  out_int32=0, right=1, side="none", sorter="none")
            ccase(f"bucketize_{dt}", "bucketize", dt, [3, 2], ints(6, lo, hi, rng), other=(dt, [4], sorted(ints(4, lo, hi, rng))),
                  out_int32=1, right=0)
    for dt in ("float16", "bfloat16", "float32", "float64"):
        nanv = [3.0, NAN, 1.0, NAN, 1.0, 2.0, -0.0, 0.0]
        if dt != "float16":
            ccase(f"unique_nan_{dt}", "unique", dt, [8], nanv, dim="none", inverse=1, counts=1)
            ccase(f"unique_consecutive_nan_{dt}", "unique_consecutive", dt, [8],
                  [1.0, 1.0, NAN, NAN, 2.0, 2.0, 1.0, 1.0], dim="none", inverse=1, counts=1)
        ccase(f"searchsorted_half_{dt}", "searchsorted", dt, [4], [0.5, 1.0, 1.5, 2.0],
              other=(dt, [3], [1.0, 0.25, 1.75]), out_int32=0, right=0, side="none", sorter="none")
        ccase(f"count_nonzero_nan_{dt}", "count_nonzero", dt, [2, 4], nanv, dim=0)
        ccase(f"searchsorted_nan_{dt}", "searchsorted", dt, [5], [1.0, 3.0, 5.0, NAN, NAN],
              other=(dt, [6], [NAN, 2.0, 5.0, 0.0, 7.0, float("inf")]), out_int32=0, right=0, side="none",
              sorter="none")
    ccase("unique_0d", "unique", "float32", [], [2.5], dim="none", inverse=1, counts=1)
    ccase("unique_empty", "unique", "int64", [0], [], dim="none", inverse=1, counts=1)
    ccase("unique_dim1", "unique", "int64", [2, 6], [1, 2, 1, 0, 2, 1, 0, 5, 0, 1, 5, 0], dim=1, inverse=1, counts=1)
    ccase("unique_dim_3d", "unique", "int32", [2, 3, 2], ints(12, 0, 1, rng), dim=1, inverse=1, counts=1)
    ccase("unique_dim_neg", "unique", "float32", [3, 2], [1.0, 2.0, 1.0, 2.0, 0.5, 0.5], dim=-2, inverse=0, counts=1)
    ccase("unique_long", "unique", "int64", [400], ints(400, 0, 50, rng), dim="none", inverse=1, counts=1)
    ccase("unique_consecutive_dim0", "unique_consecutive", "int64", [5, 2], [1, 2, 1, 2, 0, 1, 0, 1, 1, 2], dim=0,
          inverse=1, counts=1)
    ccase("unique_consecutive_dim1", "unique_consecutive", "int64", [2, 4], [1, 1, 2, 1, 3, 3, 0, 3], dim=1,
          inverse=1, counts=1)
    ccase("doc_unique", "unique", "int64", [4], [1, 3, 2, 3], dim="none", inverse=0, counts=0)
    ccase("doc_unique_inverse", "unique", "int64", [4], [1, 3, 2, 3], dim="none", inverse=1, counts=0)
    ccase("doc_unique_2d", "unique", "int64", [2, 2], [1, 3, 2, 3], dim="none", inverse=1, counts=0)
    ccase("doc_unique_consecutive", "unique_consecutive", "int64", [8], [1, 1, 2, 2, 3, 1, 1, 2], dim="none",
          inverse=1, counts=1)
    for dt in ("uint8", "int8", "int16", "int32", "int64"):
        ccase(f"bincount_{dt}", "bincount", dt, [12], ints(12, 0, 9, rng), minlength=0)
        ccase(f"bincount_min_{dt}", "bincount", dt, [5], ints(5, 0, 3, rng), minlength=8)
    ccase("bincount_empty", "bincount", "int64", [0], [], minlength=0)
    ccase("bincount_empty_min", "bincount", "int64", [0], [], minlength=3)
    ccase("doc_bincount", "bincount", "int64", [5], [4, 3, 6, 3, 4], minlength=0)
    ccase("doc_bincount_weights", "bincount", "int64", [5], [4, 3, 6, 3, 4],
          other=("float32", [5], [0.0, 0.25, 0.5, 0.75, 1.0]), minlength=0)
    ccase("bincount_weights_f64", "bincount", "int32", [6], [0, 1, 1, 3, 3, 3],
          other=("float64", [6], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), minlength=6)
    ccase("bincount_weights_int", "bincount", "int64", [4], [0, 2, 2, 5], other=("int64", [4], [1, 1, 1, 2]), minlength=0)
    for dt in ("float32", "float64"):
        ccase(f"histc_{dt}", "histc", dt, [40], [rng.uniform(-3, 3) for _ in range(40)], bins=7, min=-2.0, max=2.5)
        ccase(f"histc_auto_{dt}", "histc", dt, [30], [rng.uniform(-1, 5) for _ in range(30)], bins=10, min=0.0, max=0.0)
        ccase(f"histc_edges_{dt}", "histc", dt, [9], [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0, 1.1, NAN], bins=10, min=0.0,
              max=1.0)
        ccase(f"histc_const_{dt}", "histc", dt, [3], [2.0, 2.0, 2.0], bins=4, min=0.0, max=0.0)
        ccase(f"histc_empty_{dt}", "histc", dt, [0], [], bins=3, min=0.0, max=0.0)
    ccase("doc_histc", "histc", "float32", [3], [1.0, 2.0, 1.0], bins=4, min=0.0, max=3.0)
    ccase("count_nonzero_dims", "count_nonzero", "float32", [2, 3, 2], [rng.randint(0, 1) for _ in range(12)],
          dim=(0, 2))
    ccase("count_nonzero_t", "count_nonzero", "int64", [3, 4], ints(12, 0, 1, rng), transpose=True, dim=1)
    ccase("count_nonzero_empty", "count_nonzero", "float32", [0, 3], [], dim=0)
    ccase("doc_searchsorted", "searchsorted", "int64", [2, 5], [1, 3, 5, 7, 9, 2, 4, 6, 8, 10],
          other=("int64", [2, 3], [3, 6, 9, 3, 6, 9]), out_int32=0, right=0, side="none", sorter="none")
    ccase("doc_searchsorted_right", "searchsorted", "int64", [2, 5], [1, 3, 5, 7, 9, 2, 4, 6, 8, 10],
          other=("int64", [2, 3], [3, 6, 9, 3, 6, 9]), out_int32=0, right=1, side="none", sorter="none")
    ccase("doc_searchsorted_1d", "searchsorted", "int64", [5], [1, 3, 5, 7, 9],
          other=("int64", [2, 3], [3, 6, 9, 3, 6, 9]), out_int32=0, right=0, side="none", sorter="none")
    ccase("doc_searchsorted_sorter", "searchsorted", "int64", [5], [1, 3, 5, 9, 7],
          other=("int64", [3], [3, 6, 9]), out_int32=0, right=0, side="none", sorter="0,1,2,4,3")
    ccase("doc_searchsorted_side", "searchsorted", "int64", [5], [1, 3, 5, 7, 9],
          other=("int64", [3], [3, 6, 9]), out_int32=0, right=0, side="right", sorter="none")
    ccase("searchsorted_side_left", "searchsorted", "int64", [5], [1, 3, 5, 7, 9],
          other=("int64", [3], [3, 6, 9]), out_int32=0, right=0, side="left", sorter="none")
    ccase("searchsorted_int32", "searchsorted", "float32", [4], [0.5, 1.5, 2.5, 3.5],
          other=("float32", [3], [1.5, 0.0, 4.0]), out_int32=1, right=1, side="none", sorter="none")
    ccase("searchsorted_scalar", "searchsorted", "int64", [5], [1, 3, 5, 7, 9], out_int32=0, right=0, side="none",
          sorter="none", scalar=5)
    ccase("searchsorted_sorter_2d", "searchsorted", "float64", [2, 4], [4.0, 1.0, 3.0, 2.0, 0.5, 0.25, 1.0, 0.75],
          other=("float64", [2, 1], [2.0, 0.6]), out_int32=0, right=1, side="none", sorter="1,3,2,0,1,0,3,2")
    ccase("searchsorted_empty_seq", "searchsorted", "float32", [0], [], other=("float32", [2], [1.0, 2.0]),
          out_int32=0, right=0, side="none", sorter="none")
    ccase("doc_bucketize", "bucketize", "int64", [2, 3], [3, 6, 9, 3, 6, 9], other=("int64", [5], [1, 3, 5, 7, 9]),
          out_int32=0, right=0)
    ccase("doc_bucketize_right", "bucketize", "int64", [2, 3], [3, 6, 9, 3, 6, 9],
          other=("int64", [5], [1, 3, 5, 7, 9]), out_int32=0, right=1)
    ccase("bucketize_0d", "bucketize", "float32", [], [3.0], other=("float32", [3], [1.0, 3.0, 5.0]), out_int32=0,
          right=0)


def write_count_cases(lines):
    for name, op, dt, shape, values, transpose, other, args in COUNT_CASES:
        base = torch.tensor(values, dtype=torch.float64).to(DTYPES[dt]).reshape(shape)
        x = base.t() if transpose else base
        o = None
        if other is not None:
            o = torch.tensor(other[2], dtype=torch.float64).to(DTYPES[other[0]]).reshape(other[1])
        lines.append(f"case {name}")
        lines.append(f"op {op}")
        lines.append(f"dtype {dt}")
        lines.append(f"shape {shape_str(shape)}")
        lines.append(f"values {fmt(base)}")
        lines.append(f"transpose {int(transpose)}")
        if o is not None:
            lines.append(f"other_dtype {other[0]}")
            lines.append(f"other_shape {shape_str(other[1])}")
            lines.append(f"other_values {fmt(o)}")
        for k, v in args.items():
            lines.append(f"{k} {' '.join(str(d) for d in v) if isinstance(v, tuple) else v}")
        for key, t in run_count(op, x, o, args):
            lines.append(f"out_{key}_dtype {str(t.dtype).replace('torch.', '')}")
            lines.append(f"out_{key}_shape {shape_str(t.shape)}")
            lines.append(f"out_{key} {fmt(t)}")
        lines.append("end")


def main():
    build()
    build_count()
    lines = []
    for name, op, dt, shape, values, transpose, grad, args in CASES:
        base = torch.tensor(values, dtype=torch.float64).to(DTYPES[dt]).reshape(shape)
        x = base.t() if transpose else base
        if grad:
            x = base.clone().requires_grad_()
            xin = x.t() if transpose else x
        else:
            xin = x
        vals, idx, rule = run(op, xin, args)
        lines.append(f"case {name}")
        lines.append(f"op {op}")
        lines.append(f"dtype {dt}")
        lines.append(f"shape {shape_str(shape)}")
        lines.append(f"values {fmt(base)}")
        lines.append(f"transpose {int(transpose)}")
        for k, v in args.items():
            lines.append(f"{k} {v}")
        lines.append(f"out_shape {shape_str(vals.shape)}")
        lines.append(f"out_values {fmt(vals)}")
        if idx is not None:
            lines.append(f"out_indices {fmt(idx)}")
        if rule is not None:
            ref = idx if idx is not None else vals
            lines.append(f"rule_indices {fmt(rule)}")
            lines.append(f"indices_match {int(torch.equal(rule, ref))}")
        if grad:
            w = torch.arange(1, vals.numel() + 1, dtype=torch.float64).reshape(vals.shape)
            (vals * w).sum().backward()
            lines.append(f"grad {fmt(x.grad)}")
        lines.append("end")
    write_count_cases(lines)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sort.txt")
    with open(path, "w") as f:
        f.write("# Written by tests/golden/generate_sort.py with torch " + torch.__version__ + "\n")
        f.write("\n".join(lines) + "\n")
    print(f"{len(CASES) + len(COUNT_CASES)} cases -> {path}")


if __name__ == "__main__":
    main()
