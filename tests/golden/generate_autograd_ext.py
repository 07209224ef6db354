#!/usr/bin/python3
"""Writes tests/golden/autograd_ext.txt: PyTorch 1.13's results for custom autograd Functions (the
examples of PyTorch's documentation), tensor hooks with retain_grad, and second derivatives of
built-in ops, for tests/test_autograd_ext.cpp.

    /usr/bin/python3 tests/golden/generate_autograd_ext.py

Every input is float64. A case holds its inputs (`x`, `x_shape`, ...) and results as hex floats;
`none` stands for a gradient PyTorch leaves as None. Second-derivative cases (`gg_*`) compute
gx = autograd.grad(sum(f(x) * w), x, create_graph=True) with w requiring grad, then backward of
sum(gx * v) and record gx, the name of gx's grad_fn, x.grad (`ggx`) and w.grad (`ggw`).
"""
import os

import torch

torch.set_default_dtype(torch.float64)


def hexes(t):
    if t is None:
        return "none"
    return " ".join(float(v).hex() for v in t.detach().reshape(-1).tolist())


def shape(t):
    return " ".join(str(d) for d in t.shape)


def ramp(*s, scale=0.37, shift=-1.1):
    n = 1
    for d in s:
        n *= d
    return (torch.arange(n, dtype=torch.float64) * scale + shift).sin().mul(1.7).reshape(*s)


# --- custom functions, after the examples of torch.autograd.Function's documentation -------------

class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result


class MulConstant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input, weight, bias):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MyCube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = x ** 3
        dx = 3 * x ** 2
        ctx.save_for_backward(x, dx)
        return result, dx

    @staticmethod
    def backward(ctx, grad_output, grad_dx):
        x, dx = ctx.saved_tensors
        return grad_output * dx + grad_dx * 6 * x


class SortFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        values, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        return values, idx

    @staticmethod
    def backward(ctx, g, g_idx):
        idx, = ctx.saved_tensors
        return torch.zeros_like(g).scatter(0, idx, g)


class MulInplace(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(3)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 3


def custom_cases(lines):
    w3 = torch.tensor([1.0, 2.0, 3.0])

    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = Exp.apply(x)
    gx, = torch.autograd.grad((y * w3).sum(), x, create_graph=True)
    gx.sum().backward()
    lines += ["case exp", f"x {hexes(x)}", f"w {hexes(w3)}", f"grad_fn {y.grad_fn.name()}", f"out {hexes(y)}",
              f"gx {hexes(gx)}", f"ggx {hexes(x.grad)}", "end"]

    x = ramp(2, 3).requires_grad_()
    y = MulConstant.apply(x, 2.5)
    (y * ramp(2, 3, shift=0.3)).sum().backward()
    lines += ["case mul_constant", f"x {hexes(x)}", f"out {hexes(y)}", f"gx {hexes(x.grad)}", "end"]

    inp = ramp(4, 3).requires_grad_()
    weight = ramp(2, 3, shift=0.7).requires_grad_()
    bias = torch.tensor([0.25, -0.5])
    y = LinearFunction.apply(inp, weight, bias)
    (y * ramp(4, 2, shift=0.1)).sum().backward()
    lines += ["case linear", f"input {hexes(inp)}", f"weight {hexes(weight)}", f"bias {hexes(bias)}",
              f"out {hexes(y)}", f"ginput {hexes(inp.grad)}", f"gweight {hexes(weight.grad)}",
              f"gbias {hexes(bias.grad)}", "end"]

    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y, dx = MyCube.apply(x)
    gx, = torch.autograd.grad((y * w3).sum(), x, create_graph=True)
    gx.sum().backward()
    lines += ["case cube", f"x {hexes(x)}", f"w {hexes(w3)}", f"out {hexes(y)}", f"dx {hexes(dx)}",
              f"dx_requires_grad {int(dx.requires_grad)}", f"gx {hexes(gx)}", f"ggx {hexes(x.grad)}", "end"]

    x = torch.tensor([0.3, -1.2, 2.5, 0.1], requires_grad=True)
    values, idx = SortFn.apply(x)
    (values * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    lines += ["case sort", f"x {hexes(x)}", f"values {hexes(values)}", f"idx {' '.join(map(str, idx.tolist()))}",
              f"idx_requires_grad {int(idx.requires_grad)}", f"gx {hexes(x.grad)}", "end"]

    x = torch.tensor([0.3, -1.2, 2.5], requires_grad=True)
    a = x * 2
    y = MulInplace.apply(a)
    (y * w3).sum().backward()
    x2 = torch.tensor([0.3, -1.2, 2.5, 0.7], requires_grad=True)
    b = x2 * 2
    v = MulInplace.apply(b[1:3])
    (b * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    lines += ["case mul_inplace_view", f"x {hexes(x2)}", f"base {hexes(b)}", f"view_grad_fn {v.grad_fn.name()}",
              f"base_grad_fn {b.grad_fn.name()}", f"gx {hexes(x2.grad)}", "end"]
    lines += ["case mul_inplace", f"x {hexes(x)}", f"out {hexes(y)}", f"same {int(y.data_ptr() == a.data_ptr())}",
              f"grad_fn {a.grad_fn.name()}", f"gx {hexes(x.grad)}", "end"]


def hook_cases(lines):
    # register_hook's documentation.
    v = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)
    h = v.register_hook(lambda grad: grad * 2)
    v.backward(torch.tensor([1.0, 2.0, 3.0]))
    first = v.grad.clone()
    h.remove()
    v.grad = None
    v.backward(torch.tensor([1.0, 2.0, 3.0]))
    lines += ["case hook_doc", f"grad {hexes(first)}", f"grad_after_remove {hexes(v.grad)}", "end"]

    # A leaf used twice: its hook runs once, on the summed gradient.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.clone()) or g * 2)
    (x * x).sum().backward()
    lines += ["case hook_leaf_twice", f"seen {hexes(seen[0])}", f"calls {len(seen)}", f"grad {hexes(x.grad)}", "end"]

    # retain_grad before or after a hook on a non-leaf: 1.13 keeps the gradient as it is at the
    # point retain_grad was called among the tensor's hooks.
    for order in ("retain_then_hook", "hook_then_retain"):
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        if order == "retain_then_hook":
            y.retain_grad()
            y.register_hook(lambda g: g * 10)
        else:
            y.register_hook(lambda g: g * 10)
            y.retain_grad()
        (y * 3).sum().backward()
        lines += [f"case {order}", f"ygrad {hexes(y.grad)}", f"xgrad {hexes(x.grad)}", "end"]

    # In-place ops: the hooks stay with the grad_fn they were registered on (later ones join
    # them), retain_grad follows the tensor to its new grad_fn.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g + 1)
    y.mul_(3)
    y.register_hook(lambda g: g + 100)
    y.sum().backward()
    lines += ["case hook_inplace", f"ygrad {hexes(y.grad)}", f"xgrad {hexes(x.grad)}", "end"]
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.mul_(3)
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    lines += ["case hook_after_inplace", f"xgrad {hexes(x.grad)}", "end"]

    # Hooks chain in registration order; one returning None keeps the gradient.
    x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    y = x.exp()
    y.register_hook(lambda g: g + 1)
    y.register_hook(lambda g: None)
    y.register_hook(lambda g: g * 3)
    y.sum().backward()
    lines += ["case hook_chain", f"x {hexes(x)}", f"grad {hexes(x.grad)}", "end"]

    # autograd.grad returns a non-leaf's gradient before its hooks; the hooked one flows on.
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: g * 100)
    gb, ga = torch.autograd.grad((b * b).sum(), [b, a])
    lines += ["case hook_autograd_grad", f"gb {hexes(gb)}", f"ga {hexes(ga)}", "end"]

    # backward(create_graph=True): .grad has history, and differentiating it gives the Hessian.
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    (x.pow(3) * torch.tensor([1.0, 2.0, 3.0])).sum().backward(create_graph=True)
    g = x.grad
    grad_fn = g.grad_fn is not None
    x.grad = None
    g.sum().backward()
    lines += ["case backward_create_graph", f"x {hexes(x)}", f"g {hexes(g)}", f"has_grad_fn {int(grad_fn)}",
              f"gg {hexes(x.grad)}", "end"]


def copy_float_into_view(x):
    y = x.clone()
    y[1:3].copy_(x[:2].float() * x[:2].float())
    return y * x


def gg_cases(lines):
    idx = torch.tensor([2, 0, 2, 1])
    cases = [
        ("gelu", (2, 3), lambda x: torch.nn.functional.gelu(x)),
        ("relu", (2, 3), lambda x: torch.relu(x) * x),
        ("softplus", (2, 3), lambda x: torch.nn.functional.softplus(x * 3)),
        ("softplus_plain", (2, 3), lambda x: torch.nn.functional.softplus(x)),
        ("gelu_softplus_threshold", (3, 4), lambda x: torch.nn.functional.gelu(x * 3) + torch.nn.functional.softplus(x * 14)),
        ("index", (4, 3), lambda x: x[idx]),
        ("index_2d", (4, 3), lambda x: x[idx, torch.tensor([0, 2, 1, 2])]),
        ("index_select", (4, 3), lambda x: x.index_select(0, idx)),
        ("gather", (4, 3), lambda x: x.gather(1, torch.tensor([[0, 0, 2], [1, 2, 0], [2, 2, 2], [0, 1, 1]]))),
        ("scatter", (4, 3), lambda x: x.scatter(1, torch.tensor([[2, 0], [1, 2], [0, 1], [2, 1]]),
                                                 (x[:, :2] * x[:, 1:]).contiguous())),
        ("slice", (4, 3), lambda x: x[1:3].pow(2)),
        ("select", (4, 3), lambda x: x.select(1, 2).exp()),
        ("diagonal", (3, 3), lambda x: x.diagonal().sin()),
        ("narrow_tanh", (4, 3), lambda x: x.narrow(0, 1, 2).tanh()),
        # Through other floating types and back (correctly rounded ops only, so that the values
        # are exact): the casts' gradients, and theirs.
        ("to_float", (2, 3), lambda x: (x.float() * 3 + x.float() * x.float()).double()),
        ("to_bfloat16", (2, 3), lambda x: (x.bfloat16() * x.bfloat16()).double()),
        ("mixed_mul", (2, 3), lambda x: x.float() * x),
        ("copy_float_into_view", (4, 3), copy_float_into_view),
    ]
    for name, s, f in cases:
        x = ramp(*s).requires_grad_()
        out = f(x)
        w = ramp(*out.shape, scale=0.53, shift=0.2).requires_grad_()
        gx, = torch.autograd.grad((out * w).sum(), x, create_graph=True)
        v = ramp(*s, scale=0.71, shift=0.4)
        (gx * v).sum().backward()
        lines += [f"case gg_{name}", f"x_shape {shape(x)}", f"x {hexes(x)}", f"out_shape {shape(out)}",
                  f"out {hexes(out)}", f"w {hexes(w)}", f"v {hexes(v)}", f"gx {hexes(gx)}", f"gx_grad_fn {gx.grad_fn.name()}",
                  f"ggx {hexes(x.grad)}", f"ggw {hexes(w.grad)}", "end"]


def gg_constant_grad_cases(lines):
    """relu's gradient for a constant output gradient: it still has history (the saved result),
    so it can be differentiated again, to zeros."""
    x = ramp(2, 3).requires_grad_()
    gx, = torch.autograd.grad(torch.relu(x).sum(), x, create_graph=True)
    v = ramp(2, 3, scale=0.71, shift=0.4)
    (gx * v).sum().backward()
    lines += ["case ggc_relu", f"x {hexes(x)}", f"gx {hexes(gx)}", f"gx_grad_fn {gx.grad_fn.name()}",
              f"ggx {hexes(x.grad)}", "end"]


def low_precision_cases(lines):
    """The engine's own arithmetic on half and bfloat16 gradients: one summed to a broadcast
    input's shape, two added (x is used three times), and .grad added to by a second backward."""
    for dt, name in [(torch.float16, "half"), (torch.bfloat16, "bfloat16")]:
        x = ramp(3, 1).to(dt).requires_grad_()
        w = ramp(5, scale=0.29, shift=0.3).to(dt).requires_grad_()
        y = ramp(3, 5, scale=0.61, shift=0.05).to(dt)
        g = ramp(3, 5, scale=0.83, shift=0.7).to(dt)
        out = ((x * y + x * x * 3 + w * y) * g).sum()
        gx, = torch.autograd.grad(out, x, create_graph=True)
        out.backward()
        gx1, gw1 = x.grad.clone(), w.grad.clone()
        ((x * g + w) * y).sum().backward()
        lines += [f"case low_precision_{name}", f"x {hexes(x)}", f"w {hexes(w)}", f"y {hexes(y)}", f"g {hexes(g)}",
                  f"gx_create_graph {hexes(gx)}", f"gx1 {hexes(gx1)}", f"gw1 {hexes(gw1)}", f"gx2 {hexes(x.grad)}",
                  f"gw2 {hexes(w.grad)}", "end"]


def error_text(f):
    try:
        f()
    except RuntimeError as e:
        return str(e)
    return "none"


class ViewOut(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.view(-1)

    @staticmethod
    def backward(ctx, g):
        return g.view(2, 3) * 10


class SameOut(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 10


def stale_view_cases(lines):
    """Views taken before an in-place op on their base (or on another view of it) take their
    history from the base again, through AsStridedBackward0; the pieces of unbind and split may
    not be changed in place. Leaves are cloned: ramp's result is a view of a tensor that does
    not require grad, and a view's base is what its requires_grad follows."""
    w = ramp(3, scale=0.53, shift=0.2)
    a = ramp(2, 3).clone().requires_grad_()
    x = a.clone()
    v = x[0]
    x.mul_(2)
    (v * w).sum().backward()
    lines += ["case stale_select", f"a {hexes(a)}", f"w {hexes(w)}", f"grad_fn {v.grad_fn.name()}",
              f"ga {hexes(a.grad)}", "end"]

    a = ramp(2, 3).clone().requires_grad_()
    x = a.clone()
    v1, v2 = x[0], x[1]
    v2.mul_(3)
    ((v1 * w).sum() + (v2 * v2).sum()).backward()
    lines += ["case stale_other_view", f"grad_fn {v1.grad_fn.name()}", f"ga {hexes(a.grad)}", "end"]

    a = ramp(2, 3).clone().requires_grad_()
    x = a.clone()
    vv = x[0][1:]
    x.mul_(w)
    (vv * vv).sum().backward()
    lines += ["case stale_view_of_view", f"grad_fn {vv.grad_fn.name()}", f"ga {hexes(a.grad)}", "end"]

    a = ramp(3).clone().requires_grad_()
    x = a.clone()
    v = x[1:]
    with torch.no_grad():
        x.mul_(2)
    (v * v).sum().backward()
    lines += ["case stale_no_grad_write", f"a {hexes(a)}", f"grad_fn {v.grad_fn.name()}", f"ga {hexes(a.grad)}", "end"]

    wg = ramp(3, scale=0.53, shift=0.2).clone().requires_grad_()
    x = torch.zeros(3, dtype=torch.float64)
    v = x[:2]
    before = v.requires_grad
    x.add_(wg)
    after = v.requires_grad
    (v * v).sum().backward()
    lines += ["case base_gains_grad", f"w {hexes(wg)}", f"before {int(before)}", f"after {int(after)}",
              f"grad_fn {v.grad_fn.name()}", f"gw {hexes(wg.grad)}", "end"]

    a = ramp(3).clone().requires_grad_()
    with torch.no_grad():
        v = a[1:]
    y = v * 2
    lines += ["case no_grad_view", f"requires_grad {int(v.requires_grad)}", f"is_leaf {int(v.is_leaf)}",
              f"y_requires_grad {int(y.requires_grad)}", f"y_grad_fn {y.grad_fn.name()}", "end"]

    a = ramp(2, 3).clone().requires_grad_()
    x = a.clone()
    r = x.unbind(1)
    (r[0] * 2 + r[2] * r[2]).sum().backward()
    lines += ["case unbind", f"a {hexes(a)}", f"grad_fn {r[2].grad_fn.name()}", f"ga {hexes(a.grad)}", "end"]

    a = ramp(2, 3).clone().requires_grad_()
    e_direct = error_text(lambda: a.clone().unbind(0)[1].mul_(2))
    x = a.clone()
    r = x.split([1, 2], 1)
    x.mul_(2)
    e_indirect = error_text(lambda: r[1].grad_fn)
    x = torch.zeros(2, 3, dtype=torch.float64)
    e_no_history = error_text(lambda: x.unbind(0)[0].add_(wg))
    x = torch.zeros(2, 3, dtype=torch.float64)
    r = x.unbind(0)
    x.add_(wg)
    e_no_history_indirect = error_text(lambda: r[0].grad_fn)
    x = torch.zeros(2, 3, dtype=torch.float64)
    r = x.unbind(0)
    x.add_(1)
    r[0].add_(1)
    lines += ["case multi_output_views", f"direct {e_direct}", f"indirect {e_indirect}",
              f"no_history {e_no_history}", f"no_history_indirect {e_no_history_indirect}",
              f"untracked {hexes(x)}", "end"]

    a = ramp(2, 3).clone().requires_grad_()
    e_view_of_piece = error_text(lambda: a.clone().unbind(0)[0].view(-1).mul_(2))
    e_select_of_piece = error_text(lambda: a.clone().split(1)[0][0].mul_(2))
    lines += ["case views_of_pieces", f"view {e_view_of_piece}", f"select {e_select_of_piece}", "end"]

    # a custom Function's output that views its input keeps the custom backward or refuses
    a = ramp(2, 3).clone().requires_grad_()
    e_direct = error_text(lambda: ViewOut.apply(a * 1).mul_(2))
    x = a * 1
    y = ViewOut.apply(x)
    x.mul_(2)
    e_indirect = error_text(lambda: y.grad_fn)
    x = a * 1
    y = SameOut.apply(x)
    x.mul_(2)
    e_same = error_text(lambda: y.grad_fn)
    x = a * 1
    y = ViewOut.apply(x)
    (y * y).sum().backward()
    lines += ["case custom_function_views", f"direct {e_direct}", f"indirect {e_indirect}", f"same {e_same}",
              f"ga {hexes(a.grad)}", "end"]

    # Results that ops make from scratch tensors are no views: changed in place, they keep their
    # history (PyTorch's are fresh tensors).
    W = ramp(4, 2).clone().requires_grad_()
    y = torch.index_select(W, 0, torch.tensor([1, 3]))
    with torch.no_grad():
        y.mul_(2)
    (y * y).sum().backward()
    gw_no_grad = W.grad.clone()
    W.grad = None
    y = torch.index_select(W, 0, torch.tensor([1, 3]))
    y.mul_(w[:2])
    (y * y).sum().backward()
    a1, b1 = ramp(3).clone().requires_grad_(), w.clone().requires_grad_()
    d = torch.dot(a1, b1)
    d.mul_(2)
    d.backward()
    M = ramp(2, 3).clone().requires_grad_()
    m = torch.mv(M, w)
    m.add_(1)
    (m * m).sum().backward()
    lines += ["case scratch_results", f"W {hexes(W)}", f"gw_no_grad {hexes(gw_no_grad)}",
              f"grad_fn {y.grad_fn.name()}", f"gw {hexes(W.grad)}", f"a {hexes(a1)}", f"ga {hexes(a1.grad)}",
              f"gb {hexes(b1.grad)}", f"M {hexes(M)}", f"mv_grad_fn {m.grad_fn.name()}", f"gm {hexes(M.grad)}", "end"]

    x = ramp(2, 4).clone().requires_grad_() * 1
    e = torch.ones(0, 3, dtype=torch.float64, requires_grad=True) * 1
    o = x.unsafe_split(2, 1)
    o[0].mul_(2)
    lines += ["case split_names", f"split {x.split(2, 1)[1].grad_fn.name()}",
              f"split_with_sizes {torch.split(x, [1, 3], 1)[0].grad_fn.name()}",
              f"chunk {x.chunk(2, 1)[0].grad_fn.name()}", f"chunk_empty {e.chunk(2, 0)[0].grad_fn.name()}",
              f"unsafe_split {x.unsafe_split(2, 1)[0].grad_fn.name()}",
              f"unsafe_split_with_sizes {x.unsafe_split_with_sizes([1, 3], 1)[0].grad_fn.name()}",
              f"unsafe_chunk {x.unsafe_chunk(2, 1)[0].grad_fn.name()}",
              f"unsafe_chunk_empty {e.unsafe_chunk(2, 0)[1].grad_fn.name()}",
              f"unsafe_inplace {o[0].grad_fn.name()}", f"unsafe_base {x.grad_fn.name()}", "end"]


def main():
    torch.set_num_threads(1)
    lines = [f"# Written by tests/golden/generate_autograd_ext.py with torch {torch.__version__}"]
    custom_cases(lines)
    hook_cases(lines)
    gg_cases(lines)
    gg_constant_grad_cases(lines)
    low_precision_cases(lines)
    stale_view_cases(lines)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "autograd_ext.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
