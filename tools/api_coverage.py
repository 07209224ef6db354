"""Counts which of PyTorch 1.13's `torch` functions and `torch.Tensor` methods have a tessera
spelling, and writes docs/api-coverage.md (run with /usr/bin/python3 from the repository root).

The list: every public name of `torch` and of `torch.Tensor` that PyTorch itself lists as public
API in torch.overrides.get_testing_overrides() (the functions and methods its documentation
pages "torch" and "torch.Tensor" describe), less the groups the count leaves out by rule: sparse,
quantized, complex-only, CUDA/device-specific, deprecated, Python-only and internal names (each
group's names are listed in the output). A name counts as present when a public header under
include/tessera declares a function or method of that name (or of its spelling in ALIASES).
"""
import os
import re

import torch

ALIASES = {  # PyTorch name -> tessera spelling, where C++ forces another one
    "T": "numpy_T", "H": "mH", "tolist": "to_vector", "__getitem__": "index", "__setitem__": "index_put_",
    "shape": "shape",
    # C++ keywords cannot name methods: x.long() is x.to<int64_t>(), x.double() x.to<double>(), ...
    "int": "to", "long": "to", "short": "to", "char": "to", "double": "to", "float": "to", "bool": "to",
}
WHY_MISSING = {  # each name the count finds missing, and why
    "choose_qparams_optimized": "quantization (an internal of it that the quantized rule's pattern misses)",
    "grid_sampler": "the internal op of F.grid_sample (modes as integers), which is offered (4-D and 5-D, every mode)",
    "grid_sampler_2d": "the internal op of F.grid_sample, which is offered (4-D, every mode)",
    "grid_sampler_3d": "the internal op of F.grid_sample for volumes, which is offered (5-D, bilinear and nearest)",
    "gru": "the functional form of nn.GRU (torch.gru takes flat weight lists); nn.GRU is offered",
    "lstm": "the functional form of nn.LSTM (torch.lstm takes flat weight lists); nn.LSTM is offered",
    "is_distributed": "distributed training is out of scope",
    "stft": "signal processing needs complex tensors, which tessera does not have",
    "istft": "signal processing needs complex tensors, which tessera does not have",
    "lobpcg": "not yet written (an iterative eigensolver; eigh is offered)",
    "pca_lowrank": "randomised low-rank factorisations are not yet written (svd is offered)",
    "svd_lowrank": "randomised low-rank factorisations are not yet written (svd is offered)",
    "obj": "not a function: an object torch's namespace exposes by accident",
    "spmm": "sparse (a name the sparse rule's pattern misses)",
    "cdouble": "complex (a name the complex rule's pattern misses)",
    "cfloat": "complex (a name the complex rule's pattern misses)",
    "chalf": "complex (a name the complex rule's pattern misses)",
    "numpy": "no NumPy object in C++: ts::save_npy/load_npy exchange .npy files, from_blob wraps a NumPy buffer",
    "resize_as": "deprecated in favour of resize_as_, itself left out with resize_",
}
EXCLUDED = {
    "sparse": r"sparse|coalesce|to_dense|_nnz|^indices$|^values$|crow_indices|col_indices|ccol_indices|row_indices|"
              r"is_coalesced|dense_dim|smm|^hspmm$|^sspaddmm$|saddmm|sparse_mask|to_mkldnn|mkldnn",
    "quantized": r"quantiz|^q_|int_repr|^dequantize|fake_quant|^qscheme|fbgemm|quantized",
    "complex-only": r"^real$|^imag$|conj|^angle$|view_as_real|view_as_complex|^polar$|^complex$|is_complex|"
                    r"resolve_neg|is_neg|^adjoint$|^vdot$|^sgn$|^absolute_$",
    "CUDA and devices": r"cuda|cudnn|miopen|pin_memory|is_pinned|record_stream|^is_mps$|^is_ipu$|^is_xpu$|"
                        r"^is_hpu$|is_vulkan|is_meta|^is_ort$|^is_xla$|is_nested|nested|share_memory|is_shared|"
                        r"^is_quantized$|^is_mkldnn$|^ipu$|^xpu$|^hpu$|^mps$|vulkan|^to_padded_tensor$",
    "deprecated": r"^chain_matmul$|^symeig$|^eig$|^lstsq$|^solve$|^matrix_rank$|^lu$|^ger$|^orgqr$|^ormqr$|"
                  r"^geqrf$|^cholesky$|^cholesky_inverse$|^qr$|^svd$|^det$|^slogdet$|^logdet$|^inverse$|"
                  r"^pinverse$|^lu_solve$|^lu_unpack$|^triangular_solve$|^matrix_power$|^matrix_exp$|"
                  r"^norm_except_dim$|^range$|^resize_as_$|^resize_$|^set_$|^data_ptr$|^storage_type$|"
                  r"^is_set_to$|^type_as$|^type$|^new$|^new_tensor$",
    "Python-only and serialisation": r"^__|^storage|untyped_storage|^as_subclass$|^has_names$|^names$|rename|"
                                     r"align_to|align_as|refine_names|^unflatten_names$|^retains_grad$|^dim_order$|"
                                     r"^is_inference$|^apply_$|^map_$|^map2_$|^element_size$|^nbytes$|^itemsize$|"
                                     r"^output_nr$|^grad_fn$|^_base$|^is_leaf$|^data$|^layout$|^get_device$|"
                                     r"^smm$|^to_sparse|^sum_to_size$|^is_same_size$|^register_post_accumulate",
    "internal": r"^_|_backward$|^native_|^batch_norm_|^cudnn|^miopen|^rnn_|^lstm_cell$|^gru_cell$|^quantized_|"
                r"^fused_|^segment_reduce$|^constant_pad_nd$|^convolution$|^conv_tbc$|^embedding_renorm_$|"
                r"^feature_|^affine_grid_generator$|_copy$|^alias_copy$|^fbgemm",
}


def public_names():
    overrides = torch.overrides.get_testing_overrides()
    def listed(attr):
        try:
            return attr in overrides or (isinstance(attr, property) and attr.__get__ in overrides)
        except TypeError:  # unhashable attributes are not functions
            return False
    funcs = {n for n in dir(torch) if not n.startswith("_") and listed(getattr(torch, n, None))}
    methods = set()
    for n in dir(torch.Tensor):
        if listed(getattr(torch.Tensor, n, None)):
            methods.add(n)
        elif n in ("T", "mT", "H", "mH", "shape", "grad", "requires_grad", "is_leaf", "device", "dtype", "ndim"):
            methods.add(n)
    return funcs, methods


def tessera_names(root="include/tessera"):
    """Names declared as functions or methods, including those that macros declare: a macro whose
    body pastes `name##_` declares the in-place form too."""
    text = []
    for folder, _, files in os.walk(root):
        for f in files:
            if f.endswith(".hpp") and "generated" not in folder:
                text += [l for l in open(os.path.join(folder, f)) if not l.strip().startswith(("//", "*", "/*"))]
    source = "".join(text)
    # a call qualified or on an object (std::ldexp(, x.put(, p->f() declares nothing, nor a message
    code = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', source)
    names = set(re.findall(r"(?<![:.>])\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", code))
    inplace = set(m[0] for m in re.findall(r"#define (TS_[A-Z0-9_]+)\((\w+)[^\n]*(?:\\\n[^\n]*)*?\b\2##_", source))
    for macro, name in re.findall(r"\b(TS_[A-Z0-9_]+)\(\s*([a-z][a-z0-9_]*)\b", source):
        if macro in ("TS_CHECK", "TS_NODE_NAME", "TS_RELEASE_SAVED"):
            continue
        names.add(name)
        if macro in inplace:
            names.add(name + "_")
    return names


def classify(names, have):
    present, missing, excluded = [], [], {}
    for n in sorted(names):
        group = next((g for g, rx in EXCLUDED.items() if re.search(rx, n)), None)
        if group:
            excluded.setdefault(group, []).append(n)
        elif ALIASES.get(n, n) in have or n in have:
            present.append(n)
        else:
            missing.append(n)
    return present, missing, excluded


def section(title, names, have):
    present, missing, excluded = classify(names, have)
    total = len(present) + len(missing)
    out = [f"## {title}: {len(present)} of {total} ({100 * len(present) / total:.1f} %)", ""]
    out += ["Missing, and why:", ""]
    out += [f"- `{n}`: {WHY_MISSING.get(n, 'not yet written')}" for n in missing] or ["(none)"]
    out += [""]
    out += ["Present:", "", ", ".join(f"`{n}`" for n in present), ""]
    out += ["Left out of the count, by rule:", ""]
    for group, ns in excluded.items():
        out += [f"- {group} ({len(ns)}): " + ", ".join(f"`{n}`" for n in ns)]
    return out, len(present), total


def main():
    funcs, methods = public_names()
    have = tessera_names()
    lines = ["# API coverage against PyTorch 1.13", "",
             "Written by `tools/api_coverage.py` (run `/usr/bin/python3 tools/api_coverage.py` from the repository",
             "root; it needs torch). The list is PyTorch's own: the public names of `torch` and `torch.Tensor` that",
             "`torch.overrides.get_testing_overrides()` enumerates. A name counts as present when a tessera header",
             "declares a function or method of that name (or its C++ spelling: `T` is `numpy_T()`, `tolist` is",
             "`to_vector()`, indexing is `index`/`index_put_`, `long()` and the other methods named by C++ keywords",
             "are `to<int64_t>()` and so on). Names are matched, not behaviours: each present",
             "name's behaviour is what the tests compare with PyTorch. The groups left out of the count are",
             "listed with every name in them.", ""]
    f_lines, f_have, f_total = section("torch functions", funcs, have)
    m_lines, m_have, m_total = section("torch.Tensor methods and attributes", methods, have)
    both = f_have + m_have, f_total + m_total
    lines += [f"**Together: {both[0]} of {both[1]} ({100 * both[0] / both[1]:.1f} %).**", ""]
    lines += f_lines + [""] + m_lines
    with open("docs/api-coverage.md", "w") as out:
        out.write("\n".join(lines) + "\n")
    print(lines[10])


if __name__ == "__main__":
    main()
