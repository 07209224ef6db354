#!/usr/bin/python3
"""Writes tests/golden/loss.txt: PyTorch 1.13's loss functions (torch.nn.functional) on small
float32 tensors, every option, for tests/test_loss.cpp.

    /usr/bin/python3 tests/golden/generate_loss.py

A case names the function (`op`), its options (`reduction`, `ignore_index`, ...; an option not
written takes PyTorch's default) and its tensors, each as `<name>_shape` and `<name>` (floats as
hex, targets as decimal integers). Then either `loss` (the result; its shape is `loss_shape`),
`gout` (the gradient the test runs backward with) and the gradients `grad_<name>` of the inputs
PyTorch differentiates, or `error` (PyTorch's message) for an input PyTorch refuses.
"""
import math
import os
import warnings

import torch
import torch.nn.functional as F

warnings.simplefilter("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(1913)

lines = []


def vals(t):
    t = t.detach().reshape(-1)
    if t.dtype.is_floating_point:
        return " ".join(float(v).hex() for v in t.tolist())
    return " ".join(str(int(v)) for v in t.tolist())


def shape(t):
    return " ".join(map(str, t.shape))


def randn(*s):
    return torch.randn(s, dtype=torch.float32)


def classes(n_classes, *s):
    return torch.randint(0, n_classes, tuple(s))


# The tensor arguments of each function, in order, and which of them are class indices.
ARGS = {
    "cross_entropy": ["input", "target"], "nll_loss": ["input", "target"], "mse_loss": ["input", "target"],
    "l1_loss": ["input", "target"], "smooth_l1_loss": ["input", "target"], "huber_loss": ["input", "target"],
    "binary_cross_entropy": ["input", "target"], "binary_cross_entropy_with_logits": ["input", "target"],
    "kl_div": ["input", "target"], "cosine_embedding_loss": ["input1", "input2", "target"],
    "margin_ranking_loss": ["input1", "input2", "target"], "triplet_margin_loss": ["anchor", "positive", "negative"],
    "soft_margin_loss": ["input", "target"], "multilabel_soft_margin_loss": ["input", "target"],
    "hinge_embedding_loss": ["input", "target"], "poisson_nll_loss": ["input", "target"],
    "gaussian_nll_loss": ["input", "target", "var"], "multi_margin_loss": ["input", "target"],
    "multilabel_margin_loss": ["input", "target"],
    "triplet_margin_with_distance_loss": ["anchor", "positive", "negative"],
}
OPTIONAL = ["weight", "pos_weight"]


def case(name, op, tensors, options, grads=True):
    """Runs F.<op>(*tensors, **options) and records it; `tensors` maps names to tensors."""
    fields = [("op", op)]
    for k, v in options.items():
        if isinstance(v, torch.Tensor):
            continue
        fields.append((k, str(v).lower() if isinstance(v, bool) else str(v)))
    leaves = {}
    for k, t in list(tensors.items()) + [(k, v) for k, v in options.items() if isinstance(v, torch.Tensor)]:
        fields += [(f"{k}_dtype", "float32" if t.dtype.is_floating_point else "int64"), (f"{k}_shape", shape(t)),
                   (k, vals(t))]
        if t.dtype.is_floating_point:
            leaves[k] = t.detach().clone().requires_grad_(grads)
        else:
            leaves[k] = t
    def run():
        args = [leaves[k] for k in ARGS[op]]
        kwargs = {k: (leaves[k] if isinstance(v, torch.Tensor) else v) for k, v in options.items()}
        if kwargs.get("distance") == "cosine":  # a distance function the test writes as a lambda too
            del kwargs["distance"]
            kwargs["distance_function"] = lambda a, b: 1.0 - F.cosine_similarity(a, b)
        return getattr(F, op)(*args, **kwargs)

    try:
        loss = None
        while loss is None:
            try:
                loss = run()
            except RuntimeError as e:
                # PyTorch has no derivative for the weights (or soft_margin_loss's target) here:
                # they may not require grad.
                named = [k for k in OPTIONAL + ["target"] if f"argument '{k}'" in str(e) and leaves[k].requires_grad]
                if "is not differentiable with respect to argument" not in str(e) or not named:
                    raise
                leaves[named[0]] = leaves[named[0]].detach()
    except Exception as e:  # noqa: BLE001 - PyTorch's refusal is the expected result
        message = str(e).splitlines()[0]
        fields.append(("error", message))
        record(name, fields)
        return
    fields += [("loss_shape", shape(loss)), ("loss", vals(loss))]
    if grads and loss.requires_grad:
        gout = randn(*loss.shape)
        # Which leaves PyTorch differentiates: asking for a gradient it has not implemented fails.
        for k, t in leaves.items():
            if not t.dtype.is_floating_point:
                continue
            try:
                (g,) = torch.autograd.grad(loss, t, gout, retain_graph=True, allow_unused=True)
            except RuntimeError:
                continue
            if g is not None:
                fields.append((f"grad_{k}", vals(g)))
        fields.insert(len(fields) - 2, ("gout", vals(gout)))
    if loss.grad_fn is not None:
        fields.append(("grad_fn", loss.grad_fn.name()))
    record(name, fields)


def record(name, fields):
    lines.append(f"case {name}")
    for k, v in fields:
        lines.append(f"{k} {v}".rstrip())
    lines.append("end")


REDUCTIONS = ["none", "mean", "sum"]
CLASS_SHAPES = {"1d": (4,), "2d": (5, 4), "3d": (2, 4, 3), "4d": (2, 3, 2, 2), "5d": (2, 3, 2, 1, 2)}


def class_target(input_shape, ignore_index):
    """Class indices for an input of input_shape; a third of them ignore_index, when given."""
    c = input_shape[0] if len(input_shape) == 1 else input_shape[1]
    s = () if len(input_shape) == 1 else (input_shape[0],) + tuple(input_shape[2:])
    t = classes(c, *s)
    if ignore_index is not None:
        mask = torch.rand(s) < 0.34
        if len(s) and not mask.any():
            mask.view(-1)[0] = True
        t = torch.where(mask, torch.tensor(ignore_index), t)
    return t


# Class-index targets: cross_entropy and nll_loss, every shape and option.
for sname, s in CLASS_SHAPES.items():
    c = s[0] if len(s) == 1 else s[1]
    for op in ["cross_entropy", "nll_loss"]:
        for reduction in REDUCTIONS:
            for use_weight in [False, True]:
                for ignore in [None, -100, 1]:
                    for smoothing in ([0.0, 0.2] if op == "cross_entropy" else [0.0]):
                        opts = {"reduction": reduction}
                        if use_weight:
                            opts["weight"] = torch.rand(c) + 0.2
                        if ignore == 1:
                            opts["ignore_index"] = 1
                        if smoothing:
                            opts["label_smoothing"] = smoothing
                        x = randn(*s)
                        if op == "nll_loss":
                            x = x.log_softmax(0 if len(s) == 1 else 1)
                        name = f"{op}_{sname}_{reduction}_w{int(use_weight)}_ign{ignore}_ls{smoothing}"
                        case(name, op, {"input": x, "target": class_target(s, ignore)}, opts)

# Every target ignored: mean is 0 / 0.
for op in ["cross_entropy", "nll_loss"]:
    for reduction in REDUCTIONS:
        for use_weight in [False, True]:
            for smoothing in ([0.0, 0.3] if op == "cross_entropy" else [0.0]):
                opts = {"reduction": reduction, "label_smoothing": smoothing} if smoothing else {"reduction": reduction}
                if use_weight:
                    opts["weight"] = torch.rand(3) + 0.2
                case(f"{op}_all_ignored_{reduction}_w{int(use_weight)}_ls{smoothing}", op,
                     {"input": randn(4, 3), "target": torch.full((4,), -100)}, opts)
# Empty batch.
for reduction in REDUCTIONS:
    case(f"cross_entropy_empty_{reduction}", "cross_entropy",
         {"input": randn(0, 3), "target": torch.zeros(0, dtype=torch.long)}, {"reduction": reduction})
    case(f"cross_entropy_probs_empty_{reduction}", "cross_entropy",
         {"input": randn(0, 3), "target": randn(0, 3)}, {"reduction": reduction})

# Class-probability targets.
for sname in ["1d", "2d", "3d", "4d"]:
    s = CLASS_SHAPES[sname]
    c = s[0] if len(s) == 1 else s[1]
    for reduction in REDUCTIONS:
        for use_weight in [False, True]:
            for smoothing in [0.0, 0.25]:
                opts = {"reduction": reduction}
                if use_weight:
                    opts["weight"] = torch.rand(c) + 0.2
                if smoothing:
                    opts["label_smoothing"] = smoothing
                target = randn(*s).softmax(0 if len(s) == 1 else 1)
                case(f"cross_entropy_probs_{sname}_{reduction}_w{int(use_weight)}_ls{smoothing}", "cross_entropy",
                     {"input": randn(*s), "target": target}, opts)

# Elementwise regression losses, same shapes and broadcast.
PAIRS = {"same": ((3, 4), (3, 4)), "scalar": ((), ()), "bcast": ((3, 1, 4), (2, 4)), "bcast_target": ((4,), (3, 4))}
REGRESSION = [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
              ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {}), ("huber_loss", {"delta": 0.5}),
              ("huber_loss", {"delta": 2.0})]
for op, extra in REGRESSION:
    for pname, (a, b) in PAIRS.items():
        for reduction in REDUCTIONS:
            tag = "_".join(f"{k}{v}" for k, v in extra.items())
            case(f"{op}_{tag}_{pname}_{reduction}", op, {"input": randn(*a) * 1.5, "target": randn(*b) * 1.5},
                 dict(extra, reduction=reduction))

# Binary cross-entropy: probabilities, weights broadcast over the batch.
for reduction in REDUCTIONS:
    for wshape in [None, (4,), (3, 4)]:
        opts = {"reduction": reduction}
        if wshape:
            opts["weight"] = torch.rand(*wshape) + 0.2
        case(f"binary_cross_entropy_w{wshape and len(wshape)}_{reduction}", "binary_cross_entropy",
             {"input": randn(3, 4).sigmoid(), "target": torch.rand(3, 4)}, opts)
    case(f"binary_cross_entropy_scalar_{reduction}", "binary_cross_entropy",
         {"input": torch.rand(()), "target": torch.rand(())}, {"reduction": reduction})
    # log(0) is clamped to -100: values only (PyTorch's gradient divides by max(x (1 - x), 1e-12)).
    case(f"binary_cross_entropy_edges_{reduction}", "binary_cross_entropy",
         {"input": torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5]), "target": torch.tensor([0.0, 1.0, 1.0, 0.0, 0.3])},
         {"reduction": reduction}, grads=False)
    for wshape in [None, (4,), (3, 4)]:
        for pshape in [None, (4,), (3, 4)]:
            opts = {"reduction": reduction}
            if wshape:
                opts["weight"] = torch.rand(*wshape) + 0.2
            if pshape:
                opts["pos_weight"] = torch.rand(*pshape) * 3
            case(f"bce_with_logits_w{wshape and len(wshape)}_pw{pshape and len(pshape)}_{reduction}",
                 "binary_cross_entropy_with_logits", {"input": randn(3, 4) * 3, "target": torch.rand(3, 4)}, opts)
    case(f"bce_with_logits_large_{reduction}", "binary_cross_entropy_with_logits",
         {"input": torch.tensor([-200.0, 200.0, 90.0, -90.0]), "target": torch.tensor([1.0, 0.0, 0.5, 0.25])},
         {"reduction": reduction, "pos_weight": torch.tensor([2.0])})

# KL divergence: input holds log-probabilities; target probabilities or (log_target) log-probabilities.
for reduction in REDUCTIONS + ["batchmean"]:
    for log_target in [False, True]:
        for pname, (a, b) in {"same": ((3, 4), (3, 4)), "bcast": ((3, 4), (4,)), "scalar": ((), ())}.items():
            x = randn(*a).log_softmax(-1) if a else randn(*a)
            t = randn(*b).softmax(-1) if b else torch.rand(())
            if log_target:
                t = t.log()
            case(f"kl_div_{pname}_log{int(log_target)}_{reduction}", "kl_div", {"input": x, "target": t},
                 {"reduction": reduction, "log_target": log_target})
        # A zero target contributes zero (0 log 0 = 0): values only, its gradient is 0 / 0.
        case(f"kl_div_zeros_log{int(log_target)}_{reduction}", "kl_div",
             {"input": randn(2, 3).log_softmax(-1), "target": torch.tensor([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])},
             {"reduction": reduction, "log_target": log_target}, grads=False)

# Pairwise losses.
for reduction in REDUCTIONS:
    for margin in [0.0, 0.3, -0.2]:
        opts = {"reduction": reduction, "margin": margin}
        target = torch.tensor([1.0, -1.0, 1.0, -1.0, -1.0, 0.0])
        case(f"cosine_embedding_loss_m{margin}_{reduction}", "cosine_embedding_loss",
             {"input1": randn(6, 5), "input2": randn(6, 5), "target": target}, opts)
        case(f"cosine_embedding_loss_1d_m{margin}_{reduction}", "cosine_embedding_loss",
             {"input1": randn(5), "input2": randn(5), "target": torch.tensor(-1.0)}, opts)
        case(f"margin_ranking_loss_m{margin}_{reduction}", "margin_ranking_loss",
             {"input1": randn(6), "input2": randn(6), "target": torch.tensor([1.0, -1.0, 1.0, -1.0, -1.0, 1.0])},
             opts)
        case(f"margin_ranking_loss_bcast_m{margin}_{reduction}", "margin_ranking_loss",
             {"input1": randn(3, 4), "input2": randn(3, 1), "target": torch.tensor([[1.0, -1.0, 1.0, -1.0]])}, opts)
    for p in [2.0, 1.0, 3.0]:
        for swap in [False, True]:
            for margin in [1.0, 0.5]:
                opts = {"reduction": reduction, "margin": margin, "p": p, "swap": swap}
                case(f"triplet_margin_loss_p{p}_swap{int(swap)}_m{margin}_{reduction}", "triplet_margin_loss",
                     {"anchor": randn(5, 4), "positive": randn(5, 4), "negative": randn(5, 4)}, opts)
    case(f"triplet_margin_loss_1d_{reduction}", "triplet_margin_loss",
         {"anchor": randn(4), "positive": randn(4), "negative": randn(4)}, {"reduction": reduction, "eps": 1e-3})
    case(f"triplet_margin_loss_bcast_{reduction}", "triplet_margin_loss",
         {"anchor": randn(5, 4), "positive": randn(1, 4), "negative": randn(5, 4)}, {"reduction": reduction})

# Inputs PyTorch refuses, with its messages.
ERRORS = [
    ("nll_loss_target_out_of_bounds", "nll_loss", {"input": randn(4, 3), "target": torch.tensor([0, 1, 2, 5])}, {}),
    ("nll_loss_target_negative", "nll_loss", {"input": randn(4, 3), "target": torch.tensor([0, -1, 2, 1])}, {}),
    ("nll_loss_target_ignored_elsewhere", "nll_loss", {"input": randn(4, 3), "target": torch.tensor([0, -100, 2, 1])},
     {"ignore_index": 0}),
    ("cross_entropy_target_out_of_bounds", "cross_entropy", {"input": randn(4, 3), "target": torch.tensor([0, 3, 2, 1])},
     {}),
    ("cross_entropy_target_out_of_bounds_smooth", "cross_entropy",
     {"input": randn(4, 3), "target": torch.tensor([0, 1, 7, 1])}, {"label_smoothing": 0.1}),
    ("nll_loss_3d_target_out_of_bounds", "nll_loss", {"input": randn(2, 3, 4), "target": torch.tensor([[0, 1, 2, 5], [0] * 4])}, {}),
    ("nll_loss_4d_target_out_of_bounds", "nll_loss",
     {"input": randn(2, 3, 2, 2), "target": torch.tensor([[[0, 1], [2, 4]], [[0, 0], [0, 0]]])}, {}),
    ("nll_loss_batch_mismatch", "nll_loss", {"input": randn(4, 3), "target": torch.tensor([0, 1])}, {}),
    ("nll_loss_3d_batch_mismatch", "nll_loss", {"input": randn(2, 3, 4), "target": torch.zeros(3, 4, dtype=torch.long)}, {}),
    ("nll_loss_2d_target_2d", "nll_loss", {"input": randn(4, 3), "target": torch.zeros(4, 2, dtype=torch.long)}, {}),
    ("nll_loss_1d_target_1d", "nll_loss", {"input": randn(3), "target": torch.tensor([0])}, {}),
    ("nll_loss_0d", "nll_loss", {"input": randn(), "target": torch.tensor(1)}, {}),
    ("nll_loss_weight_size", "nll_loss", {"input": randn(4, 3), "target": torch.tensor([0, 1, 1, 1])},
     {"weight": torch.ones(2)}),
    ("nll_loss_3d_weight_size", "nll_loss", {"input": randn(2, 3, 4), "target": torch.zeros(2, 4, dtype=torch.long)},
     {"weight": torch.ones(2)}),
    ("nll_loss_4d_weight_size", "nll_loss",
     {"input": randn(2, 3, 4, 5), "target": torch.zeros(2, 4, 5, dtype=torch.long)}, {"weight": torch.ones(2)}),
    ("nll_loss_3d_target_size", "nll_loss", {"input": randn(2, 3, 4), "target": torch.zeros(2, 5, dtype=torch.long)}, {}),
    ("nll_loss_4d_target_size", "nll_loss",
     {"input": randn(2, 3, 4, 5), "target": torch.zeros(2, 4, 4, dtype=torch.long)}, {}),
    ("nll_loss_4d_target_dims", "nll_loss",
     {"input": randn(2, 3, 4, 5), "target": torch.zeros(2, 20, dtype=torch.long)}, {}),
    ("cross_entropy_smoothing_above_one", "cross_entropy", {"input": randn(4, 3), "target": torch.tensor([0, 1, 1, 1])},
     {"label_smoothing": 1.5}),
    ("cross_entropy_probs_smoothing_above_one", "cross_entropy", {"input": randn(4, 3), "target": randn(4, 3)},
     {"label_smoothing": 1.5}),
    ("cross_entropy_probs_ignore_index", "cross_entropy", {"input": randn(4, 3), "target": randn(4, 3)},
     {"ignore_index": 1}),
    ("cross_entropy_probs_weight_size", "cross_entropy", {"input": randn(4, 3), "target": randn(4, 3)},
     {"weight": torch.ones(2)}),
    ("cross_entropy_probs_shape", "cross_entropy", {"input": randn(4, 3), "target": randn(4, 2)}, {}),
    ("smooth_l1_loss_negative_beta", "smooth_l1_loss", {"input": randn(3), "target": randn(3)}, {"beta": -1.0}),
    ("huber_loss_zero_delta", "huber_loss", {"input": randn(3), "target": randn(3)}, {"delta": 0.0}),
    ("binary_cross_entropy_out_of_range", "binary_cross_entropy", {"input": randn(4) + 3, "target": torch.rand(4)}, {}),
    ("binary_cross_entropy_target_size", "binary_cross_entropy",
     {"input": torch.rand(4, 3), "target": torch.rand(3)}, {}),
    ("bce_with_logits_target_size", "binary_cross_entropy_with_logits",
     {"input": randn(4, 3), "target": torch.rand(3)}, {}),
    ("cosine_embedding_loss_target_2d", "cosine_embedding_loss",
     {"input1": randn(4, 3), "input2": randn(4, 3), "target": torch.ones(4, 1)}, {}),
    ("cosine_embedding_loss_target_0d", "cosine_embedding_loss",
     {"input1": randn(4, 3), "input2": randn(4, 3), "target": torch.ones(())}, {}),
    ("cosine_embedding_loss_target_1d", "cosine_embedding_loss",
     {"input1": randn(3), "input2": randn(3), "target": torch.ones(4)}, {}),
    ("margin_ranking_loss_dims", "margin_ranking_loss",
     {"input1": randn(4, 3), "input2": randn(4, 3), "target": torch.ones(4)}, {}),
    ("triplet_margin_loss_dims", "triplet_margin_loss",
     {"anchor": randn(4, 3), "positive": randn(4, 3), "negative": randn(3)}, {}),
]
for name, op, tensors, opts in ERRORS:
    case("error_" + name, op, tensors, opts, grads=False)

# An unbatched input (C) with a target of C classes: PyTorch reads the first target only.
for reduction in REDUCTIONS:
    case(f"nll_loss_1d_target_1d_{reduction}", "nll_loss", {"input": randn(3), "target": torch.tensor([2, 1, 0])},
         {"reduction": reduction, "weight": torch.rand(3) + 0.2})

# The state_dict keys of the loss modules: weights are buffers, absent when not given.
MODULES = [("CrossEntropyLoss", {}), ("CrossEntropyLoss", {"weight": torch.ones(3)}), ("NLLLoss", {"weight": torch.ones(3)}),
           ("BCELoss", {"weight": torch.ones(3)}), ("BCEWithLogitsLoss", {"weight": torch.ones(3)}),
           ("BCEWithLogitsLoss", {"pos_weight": torch.ones(3)}),
           ("BCEWithLogitsLoss", {"weight": torch.ones(3), "pos_weight": torch.ones(3)}), ("MSELoss", {}),
           ("TripletMarginLoss", {})]
for name, kwargs in MODULES:
    module = getattr(torch.nn, name)(**kwargs)
    record(f"module_{name}_{'_'.join(kwargs) or 'plain'}",
           [("module", name), ("given", " ".join(kwargs)), ("state_dict", " ".join(module.state_dict().keys())),
            ("parameters", str(len(list(module.parameters()))))])

# Gradients where the input is exactly 0 or 1 (a saturated sigmoid): PyTorch's own derivative
# divides by max(x (1 - x), 1e-12), finite there; the target's is log(1 - x) - log(x).
for reduction in REDUCTIONS:
    case(f"binary_cross_entropy_edges_grad_{reduction}", "binary_cross_entropy",
         {"input": torch.tensor([0.0, 1.0, 1.0, 0.0, 0.5, 1e-13]), "target": torch.tensor([0.0, 1.0, 0.5, 0.5, 0.3, 1.0])},
         {"reduction": reduction})
# smooth_l1_loss with beta 0 where input == target: PyTorch's derivative is -1 there, not 0.
for reduction in REDUCTIONS:
    case(f"smooth_l1_loss_beta0_ties_{reduction}", "smooth_l1_loss",
         {"input": torch.tensor([1.0, 2.0, 3.0, -1.0]), "target": torch.tensor([1.0, 0.0, 3.0, -1.0])},
         {"reduction": reduction, "beta": 0.0})
# kl_div's gradients at a zero target: PyTorch composes it from xlogy(target, target), whose
# derivative for the target is 0 / 0 there (NaN); the input's is -target.
for reduction in REDUCTIONS + ["batchmean"]:
    case(f"kl_div_zeros_grad_{reduction}", "kl_div",
         {"input": torch.tensor([[-1.0, -2.0, -0.5], [-0.3, -1.2, -2.2]]),
          "target": torch.tensor([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])}, {"reduction": reduction, "log_target": False})
# smooth_l1_loss with beta 0 at a NaN difference: NaN gradients, as PyTorch's x / 0.
case("smooth_l1_loss_beta0_nan_sum", "smooth_l1_loss",
     {"input": torch.tensor([1.0, float("nan"), 3.0]), "target": torch.tensor([0.5, 1.0, 3.5])},
     {"reduction": "sum", "beta": 0.0})
# A weight that broadcasts beyond the input: PyTorch's in-place scaling refuses it.
BIG = torch.full((2, 3, 4), 0.5)
for opt in ("weight", "pos_weight"):
    case(f"error_bce_with_logits_{opt}_beyond_input", "binary_cross_entropy_with_logits",
         {"input": torch.full((3, 4), 0.25), "target": torch.full((3, 4), 0.75)}, {opt: BIG}, grads=False)
case("error_binary_cross_entropy_weight_beyond_input", "binary_cross_entropy",
     {"input": torch.full((3, 4), 0.25), "target": torch.full((3, 4), 0.75)}, {"weight": BIG}, grads=False)

# The margin, hinge and likelihood losses; their own generator, so the cases above keep their values.
gen = torch.Generator().manual_seed(2024)


def rn(*s):
    return torch.randn(s, generator=gen)


def signs(*s):
    return torch.randint(0, 2, s, generator=gen).float() * 2 - 1


for reduction in REDUCTIONS:
    case(f"soft_margin_loss_{reduction}", "soft_margin_loss", {"input": rn(4, 3) * 2, "target": signs(4, 3)},
         {"reduction": reduction})
    case(f"soft_margin_loss_broadcast_{reduction}", "soft_margin_loss", {"input": rn(4, 3), "target": signs(3)},
         {"reduction": reduction})
    for sname, s in {"2d": (4, 3), "1d": (5,), "3d": (2, 3, 4)}.items():
        target = torch.randint(0, 2, s, generator=gen).float()
        case(f"multilabel_soft_margin_loss_{sname}_{reduction}", "multilabel_soft_margin_loss",
             {"input": rn(*s), "target": target}, {"reduction": reduction})
        case(f"multilabel_soft_margin_loss_{sname}_weight_{reduction}", "multilabel_soft_margin_loss",
             {"input": rn(*s), "target": target}, {"reduction": reduction, "weight": torch.rand(s[-1], generator=gen)})
    case(f"hinge_embedding_loss_{reduction}", "hinge_embedding_loss", {"input": rn(4, 3), "target": signs(4, 3)},
         {"reduction": reduction})
    case(f"hinge_embedding_loss_other_targets_{reduction}", "hinge_embedding_loss",
         {"input": rn(6), "target": torch.tensor([1.0, -1.0, 0.0, 2.0, -1.0, 1.0])}, {"reduction": reduction, "margin": 0.5})
    for log_input in (True, False):
        for full in (False, True):
            x = rn(4, 3) if log_input else torch.rand(4, 3, generator=gen) * 3 + 0.2
            counts = torch.rand(4, 3, generator=gen) * 4 + 1.5
            case(f"poisson_nll_loss_log{int(log_input)}_full{int(full)}_{reduction}", "poisson_nll_loss",
                 {"input": x, "target": counts}, {"reduction": reduction, "log_input": log_input, "full": full})
            # counts of 0 and 1 (no Stirling term, a NaN derivative at 0) and a rate of 0 (the eps)
            x = rn(4, 3) if log_input else torch.rand(4, 3, generator=gen) * 3
            if not log_input:
                x[0, 0] = 0.0
            counts = torch.randint(0, 6, (4, 3), generator=gen).float()
            case(f"poisson_nll_loss_log{int(log_input)}_full{int(full)}_edges_grad_{reduction}", "poisson_nll_loss",
                 {"input": x, "target": counts}, {"reduction": reduction, "log_input": log_input, "full": full})
    for full in (False, True):
        case(f"gaussian_nll_loss_full{int(full)}_{reduction}", "gaussian_nll_loss",
             {"input": rn(4, 3), "target": rn(4, 3), "var": torch.rand(4, 3, generator=gen) + 0.1},
             {"reduction": reduction, "full": full})
        # variances below eps: clamped without a derivative, so the variance's gradient is the
        # clamped one's (no finite difference sees it)
        var = torch.rand(4, 3, generator=gen) + 0.1
        var[1, 2] = 0.0
        var[2, 1] = 1e-8
        case(f"gaussian_nll_loss_full{int(full)}_edges_grad_{reduction}", "gaussian_nll_loss",
             {"input": rn(4, 3), "target": rn(4, 3), "var": var}, {"reduction": reduction, "full": full})
    case(f"gaussian_nll_loss_var_one_short_{reduction}", "gaussian_nll_loss",
         {"input": rn(4, 3), "target": rn(4, 3), "var": torch.rand(4, generator=gen) + 0.1}, {"reduction": reduction})
    case(f"gaussian_nll_loss_var_last_one_edges_grad_{reduction}", "gaussian_nll_loss",
         {"input": rn(2, 4, 3), "target": rn(2, 4, 3), "var": torch.rand(2, 4, 1, generator=gen) + 0.1},
         {"reduction": reduction, "eps": 0.5})
    for p in (1, 2):
        for weighted in (False, True):
            opts = {"reduction": reduction, "p": p, "margin": 1.0 if weighted else 0.5}
            if weighted:
                opts["weight"] = torch.rand(4, generator=gen) + 0.5
            case(f"multi_margin_loss_p{p}_w{int(weighted)}_{reduction}", "multi_margin_loss",
                 {"input": rn(5, 4), "target": torch.randint(0, 4, (5,), generator=gen)}, opts)
    case(f"multi_margin_loss_1d_{reduction}", "multi_margin_loss",
         {"input": rn(4), "target": torch.tensor(2)}, {"reduction": reduction})
    case(f"multilabel_margin_loss_{reduction}", "multilabel_margin_loss",
         {"input": rn(4, 5), "target": torch.tensor([[3, 0, -1, 1, 2], [4, 4, 1, -1, 0], [0, 1, 2, 3, 4],
                                                      [-1, 2, 3, 0, 1]])}, {"reduction": reduction})
    case(f"multilabel_margin_loss_1d_{reduction}", "multilabel_margin_loss",
         {"input": rn(4), "target": torch.tensor([2, 0, -1, 3])}, {"reduction": reduction})


MARGIN_ERRORS = [
    ("multi_margin_loss_target_range", "multi_margin_loss", {"input": rn(4, 3), "target": torch.tensor([0, 1, 2, 3])}, {}),
    ("multi_margin_loss_negative_target", "multi_margin_loss", {"input": rn(4, 3), "target": torch.tensor([0, -1, 2, 1])}, {}),
    ("multi_margin_loss_target_size", "multi_margin_loss", {"input": rn(4, 3), "target": torch.tensor([0, 1, 2])}, {}),
    ("multi_margin_loss_3d", "multi_margin_loss", {"input": rn(2, 3, 4), "target": torch.tensor([0, 1])}, {}),
    ("multi_margin_loss_p3", "multi_margin_loss", {"input": rn(4, 3), "target": torch.tensor([0, 1, 2, 1])}, {"p": 3}),
    ("multi_margin_loss_weight_2d", "multi_margin_loss", {"input": rn(4, 3), "target": torch.tensor([0, 1, 2, 1])},
     {"weight": torch.ones(3, 1)}),
    ("multilabel_margin_loss_target_range", "multilabel_margin_loss",
     {"input": rn(4, 3), "target": torch.tensor([[0, 3, -1]] * 4)}, {}),
    ("multilabel_margin_loss_target_below", "multilabel_margin_loss",
     {"input": rn(4, 3), "target": torch.tensor([[0, -2, -1]] * 4)}, {}),
    ("multilabel_margin_loss_target_size", "multilabel_margin_loss",
     {"input": rn(4, 3), "target": torch.tensor([[0, 1, -1]] * 3)}, {}),
    ("multilabel_margin_loss_3d", "multilabel_margin_loss",
     {"input": rn(2, 3, 4), "target": torch.zeros(2, 3, 4, dtype=torch.long)}, {}),
    ("gaussian_nll_loss_var_size", "gaussian_nll_loss", {"input": rn(4, 3), "target": rn(4, 3), "var": torch.ones(3)}, {}),
    ("gaussian_nll_loss_var_negative", "gaussian_nll_loss",
     {"input": rn(4, 3), "target": rn(4, 3), "var": -torch.ones(4, 3)}, {}),
]
for name, op, tensors, opts in MARGIN_ERRORS:
    case("error_" + name, op, tensors, opts, grads=False)
for name, kwargs in [("MultiLabelSoftMarginLoss", {}), ("MultiLabelSoftMarginLoss", {"weight": torch.ones(3)}),
                     ("MultiMarginLoss", {"weight": torch.ones(3)}), ("SoftMarginLoss", {}), ("GaussianNLLLoss", {})]:
    module = getattr(torch.nn, name)(**kwargs)
    record(f"module_{name}_{'_'.join(kwargs) or 'plain'}",
           [("module", name), ("given", " ".join(kwargs)), ("state_dict", " ".join(module.state_dict().keys())),
            ("parameters", str(len(list(module.parameters()))))])

# triplet_margin_with_distance_loss, by default and with a cosine distance; their own generator.
gen = torch.Generator().manual_seed(2025)
for reduction in REDUCTIONS:
    for swap in (False, True):
        case(f"triplet_margin_with_distance_loss_swap{int(swap)}_{reduction}", "triplet_margin_with_distance_loss",
             {"anchor": rn(4, 3), "positive": rn(4, 3), "negative": rn(4, 3)},
             {"reduction": reduction, "swap": swap, "margin": 0.5 if swap else 1.0})
        case(f"triplet_margin_with_distance_loss_cosine_swap{int(swap)}_{reduction}", "triplet_margin_with_distance_loss",
             {"anchor": rn(4, 3), "positive": rn(4, 3), "negative": rn(4, 3)},
             {"reduction": reduction, "swap": swap, "distance": "cosine"})

# multi_margin_loss's unreduced loss has the target's shape (PyTorch keys it on the target's dims).
for name, input_shape, target in [("1d_target_1d", (4,), torch.tensor([2])), ("2d_target_0d", (1, 4), torch.tensor(3))]:
    case(f"multi_margin_loss_{name}_none", "multi_margin_loss", {"input": rn(*input_shape), "target": target},
         {"reduction": "none"})

with open(os.path.join(HERE, "loss.txt"), "w") as f:
    f.write("# PyTorch %s: tests/golden/generate_loss.py writes this file.\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print(f"{sum(1 for l in lines if l.startswith('case '))} cases")
