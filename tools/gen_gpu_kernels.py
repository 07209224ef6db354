#!/usr/bin/env python3
"""Compiles tessera's GPU kernels (GLSL compute shaders) and writes the generated headers.

Every variant of every kernel family is compiled with glslc to SPIR-V, validated with spirv-val,
translated to Metal Shading Language with spirv-cross (all but the float64 variants, which Metal
cannot run), reflected with spirv-cross --reflect, and written as C++ constants:

  include/tessera/backend/gpu/generated/<family>.hpp   one per family
  include/tessera/backend/gpu/kernels.hpp              the index: find_kernel("<family>.<variant>")

  tools/gen_gpu_kernels.py           regenerate in place
  tools/gen_gpu_kernels.py --check   regenerate into a temporary directory and fail, with a diff,
                                     when the committed headers differ (validates every module)

Needs glslc, spirv-val and spirv-cross on PATH (or GLSLC, SPIRV_VAL, SPIRV_CROSS); python3's
standard library only. The output depends only on the sources and the tools, never on the time,
the directory or the order of the file system, so a rerun writes the same bytes. docs/gpu.md
describes the pipeline and the kernel ABI.
"""

import argparse
import difflib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GPU_DIR = os.path.join(ROOT, "include", "tessera", "backend", "gpu")
GLSL_DIR = os.path.join(GPU_DIR, "glsl")
TARGET_ENV = "vulkan1.1"
MSL_VERSION = "20300"

GLSLC = os.environ.get("GLSLC", "glslc")
SPIRV_VAL = os.environ.get("SPIRV_VAL", "spirv-val")
SPIRV_CROSS = os.environ.get("SPIRV_CROSS", "spirv-cross")

# Element types: the variant suffix, the macro that selects it in the GLSL sources, and whether
# Metal can run it (Metal has no 64-bit floating point).
DTYPES = [
    ("b8", "TYPE_B8", True),
    ("u8", "TYPE_U8", True),
    ("i8", "TYPE_I8", True),
    ("i16", "TYPE_I16", True),
    ("i32", "TYPE_I32", True),
    ("i64", "TYPE_I64", True),
    ("f16", "TYPE_F16", True),
    ("bf16", "TYPE_BF16", True),
    ("f32", "TYPE_F32", True),
    ("f64", "TYPE_F64", False),
]


class Variant:
    def __init__(self, name, defines, metal=True):
        self.name = name
        self.defines = defines
        self.metal = metal


class Family:
    def __init__(self, name, source, variants, doc):
        self.name = name
        self.source = source
        self.variants = variants
        self.doc = doc


def per_dtype(extra=None):
    return [Variant(n, [m] + (extra or []), metal) for n, m, metal in DTYPES]


def per_float32_class(extra=None, suffix="", metal=True):
    """The variants of half, bfloat16 and float, which compute in float."""
    return [Variant(n + suffix, [m] + (extra or []), metal) for n, m, _ in DTYPES if n in ("f16", "bf16", "f32")]


FAMILIES = [
    Family("fill", "fill.comp",
           [Variant("x%d" % b, ["SIZE_%d" % b]) for b in (8, 16, 32, 64)],
           "out[i] = the value's bits; one variant per element size"),
    Family("range", "range.comp", per_dtype(),
           "arange and linspace with the CPU's rounding (backend/cpu/range.hpp)"),
    Family("copy", "copy.comp", per_dtype(),
           "strided, broadcasting, converting copies from any type to the variant's"),
    Family("unary", "elementwise.comp", per_dtype(["ARITY=1"]),
           "unary elementwise ops, computed in the output type's class"),
    Family("binary", "elementwise.comp", per_dtype(["ARITY=2"]),
           "binary elementwise ops with broadcasting or a scalar operand"),
    Family("unary_math", "elementwise.comp",
           per_float32_class(["ARITY=1", "MATH"]) + [Variant("f64", ["TYPE_F64", "ARITY=1", "MATH"], metal=False)],
           "the special functions of one operand (Note [Math variants])"),
    Family("binary_math", "elementwise.comp",
           per_float32_class(["ARITY=2", "MATH"]) + [Variant("f64", ["TYPE_F64", "ARITY=2", "MATH"], metal=False)],
           "the special functions of two operands (Note [Math variants])"),
    Family("compare", "elementwise.comp",
           [Variant("f32", ["ARITY=2", "COMPARE", "CMP_F32"]), Variant("f64", ["ARITY=2", "COMPARE", "CMP_F64"]),
            Variant("i64", ["ARITY=2", "COMPARE", "CMP_INT"])],
           "comparisons and logical and/or writing bool, by the class of the compared values"),
    Family("ternary", "elementwise.comp", per_dtype(["ARITY=3"]),
           "where and lerp"),
    Family("reduce", "reduce.comp", per_dtype(),
           "reductions, one workgroup per output, a fixed tree in shared memory"),
    Family("softmax", "softmax.comp", per_float32_class() + [Variant("f64", ["TYPE_F64"], metal=False)],
           "softmax and log_softmax rows, one workgroup per row"),
    Family("matmul", "matmul.comp", [v for v in per_dtype() if v.name != "b8"],
           "batched matrix products, 16 x 16 tiles in shared memory"),
    Family("random", "random.comp", per_dtype() + per_float32_class(["DOUBLE_MATH"], "_dmath", metal=False),
           "rand, randn, randint, bernoulli and exponential on the Philox stream, as the CPU draws them"),
    Family("window", "window.comp", per_dtype(),
           "im2col and col2im of convolution and pooling, col2im in the CPU's order"),
    Family("moments", "moments.comp", [v for v in per_dtype() if v.name in ("f16", "bf16", "f32", "f64")],
           "var and std, two passes in fixed trees, one workgroup per output"),
    Family("scan", "scan.comp",
           [Variant("i64", ["TYPE_I64"]), Variant("f64", ["TYPE_F64"], metal=False)] + per_float32_class() +
           per_float32_class(["DOUBLE_ACC"], "_dacc", metal=False),
           "cumsum, cumprod and logcumsumexp along a dim, one thread per row in the CPU's order"),
    Family("cumextreme", "cumextreme.comp",
           [Variant("x%d" % b, ["SIZE_%d" % b]) for b in (8, 16, 32, 64)],
           "cummax and cummin with their indices, one thread per row; one variant per element size"),
    Family("index", "index.comp", per_dtype(),
           "gather, scatter, x[idx], index_put and as_strided's adjoint, in the CPU's order"),
    Family("index_sort", "index_sort.comp", [Variant("i64", [])],
           "sorts index_put's offsets with their slices, a bitonic network of launches"),
    Family("search", "search.comp",
           [Variant("i64", ["TYPE_I64"]), Variant("i32", ["TYPE_I32"]), Variant("f32", ["TYPE_F32"]),
            Variant("f64", ["TYPE_F64"], metal=False)],
           "searchsorted, and bincount's counts and sums by value in the CPU's order"),
    Family("index_check", "index_check.comp", [Variant("i64", [])],
           "the first index value out of range, recorded for the host (Note [Deferred errors])"),
]


class GenError(Exception):
    pass


def run(cmd, what):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise GenError("%s failed (%s):\n%s%s" % (what, " ".join(cmd), p.stdout.decode(), p.stderr.decode()))
    return p.stdout.decode()


# SPIR-V opcodes of debug information that says where the source was (file names, the source
# text, line numbers). They are dropped so the module does not depend on the checkout's path and
# stays small; OpName and OpMemberName stay, so the MSL keeps the GLSL names.
STRIP_OPCODES = {
    2,    # OpSourceContinued
    3,    # OpSource
    4,    # OpSourceExtension
    7,    # OpString
    8,    # OpLine
    317,  # OpNoLine
    330,  # OpModuleProcessed
}


def strip_debug(words):
    out = list(words[:5])
    i = 5
    while i < len(words):
        count = words[i] >> 16
        opcode = words[i] & 0xFFFF
        if count == 0:
            raise GenError("malformed SPIR-V instruction at word %d" % i)
        if opcode not in STRIP_OPCODES:
            out.extend(words[i:i + count])
        i += count
    return out


def spirv_string(words):
    raw = struct.pack("<%dI" % len(words), *words)
    return raw[:raw.index(b"\0")].decode()


def variable_names(words):
    """Binding -> the OpName of the storage-buffer variable (the block's instance name)."""
    names, bindings, buffers = {}, {}, set()
    i = 5
    while i < len(words):
        count, opcode = words[i] >> 16, words[i] & 0xFFFF
        ops = words[i + 1:i + count]
        if opcode == 5:  # OpName
            names[ops[0]] = spirv_string(ops[1:])
        elif opcode == 71 and ops[1] == 33:  # OpDecorate Binding
            bindings[ops[0]] = ops[2]
        elif opcode == 59 and ops[2] == 12:  # OpVariable StorageBuffer
            buffers.add(ops[1])
        i += count
    return {bindings[v]: names.get(v, "") for v in buffers}


def compile_variant(family, variant, work):
    src = os.path.join(GLSL_DIR, family.source)
    base = os.path.join(work, "%s.%s" % (family.name, variant.name))
    raw = base + ".g.spv"
    # -g keeps OpName (the MSL then reads like the GLSL); strip_debug drops the rest of it.
    cmd = [GLSLC, "-fshader-stage=comp", "--target-env=" + TARGET_ENV, "-O", "-g", "-I", GLSL_DIR]
    cmd += ["-D" + d for d in variant.defines] + [src, "-o", raw]
    run(cmd, "glslc %s.%s" % (family.name, variant.name))
    with open(raw, "rb") as f:
        data = f.read()
    words = list(struct.unpack("<%dI" % (len(data) // 4), data))
    if not words or words[0] != 0x07230203:
        raise GenError("%s.%s: glslc wrote no little-endian SPIR-V" % (family.name, variant.name))
    words = strip_debug(words)
    spv = base + ".spv"
    with open(spv, "wb") as f:
        f.write(struct.pack("<%dI" % len(words), *words))
    run([SPIRV_VAL, "--target-env", TARGET_ENV, spv], "spirv-val %s.%s" % (family.name, variant.name))
    reflection = json.loads(run([SPIRV_CROSS, spv, "--reflect"], "spirv-cross --reflect"))
    msl = ""
    if variant.metal:
        msl = run([SPIRV_CROSS, spv, "--msl", "--msl-version", MSL_VERSION], "spirv-cross --msl %s.%s" % (family.name, variant.name))
        if re.search(r"\bdouble\b", msl):
            raise GenError("%s.%s: the MSL uses double, which Metal does not have" % (family.name, variant.name))
        msl = spirv_stamp(words) + msl
    return words, reflection, msl


def spirv_stamp(words):
    """The MSL's first line: which SPIR-V it was translated from (its words' FNV-1a 64 hash, as
    tests/test_metal_msl.cpp recomputes it from the Kernel record)."""
    h = 0xcbf29ce484222325
    for b in struct.pack("<%dI" % len(words), *words):
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return "// translated from SPIR-V of %d words, FNV-1a 64 0x%016x\n" % (len(words), h)


def metal_indices(msl, name):
    """[[buffer(n)]] of every argument of the MSL kernel function, by argument name."""
    m = re.search(r"kernel void (\w+)\((.*?)\)\s*\{", msl, re.S)
    if not m:
        raise GenError("%s: no kernel function in the MSL" % name)
    found = {}
    for arg in m.group(2).split(","):
        b = re.search(r"&\s*(\w+)\s*\[\[buffer\((\d+)\)\]\]", arg)
        if b:
            found[b.group(1)] = int(b.group(2))
    return m.group(1), found


def kernel_record(family, variant, words, refl, msl):
    name = "%s.%s" % (family.name, variant.name)
    (entry,) = refl["entryPoints"]
    if entry["mode"] != "comp" or any(entry.get("workgroup_size_is_spec_constant_id", [])):
        raise GenError("%s: expected a compute entry point with a literal local size" % name)
    msl_entry, metal = ("", {})
    if msl:
        msl_entry, metal = metal_indices(msl, name)
    buffers = []
    instances = variable_names(words)
    for ssbo in refl.get("ssbos", []):
        if ssbo["set"] != 0:
            raise GenError("%s: buffer %s is not in descriptor set 0" % (name, ssbo["name"]))
        inst = instances.get(ssbo["binding"], "")
        if not inst:
            raise GenError("%s: the buffer at binding %d has no instance name" % (name, ssbo["binding"]))
        if msl and inst not in metal:
            raise GenError("%s: buffer %s has no [[buffer(n)]] in the MSL" % (name, inst))
        buffers.append({"name": inst, "binding": ssbo["binding"], "metal": metal.get(inst, 0),
                        "writable": not ssbo.get("readonly", False)})
    buffers.sort(key=lambda b: b["binding"])
    if [b["binding"] for b in buffers] != list(range(len(buffers))):
        raise GenError("%s: buffer bindings must be 0, 1, ... in order, got %s" % (name, [b["binding"] for b in buffers]))
    push_bytes, push_metal = 0, 0
    pcs = refl.get("push_constants", [])
    if pcs:
        (pc,) = pcs
        members = refl["types"][pc["type"]]["members"]
        last = members[-1]
        push_bytes = last["offset"] + type_size(last["type"], name)
        if push_bytes > 128:
            raise GenError("%s: push constants of %d bytes, over Vulkan's guaranteed 128" % (name, push_bytes))
        if msl:
            if pc["name"] not in metal:
                raise GenError("%s: push constants %s have no [[buffer(n)]] in the MSL" % (name, pc["name"]))
            push_metal = metal[pc["name"]]
    spec_ids = sorted(s["id"] for s in refl.get("specialization_constants", []))
    return {
        "name": name, "words": words, "msl": msl, "entry": entry["name"], "msl_entry": msl_entry,
        "local_size": entry["workgroup_size"], "buffers": buffers, "push_bytes": push_bytes,
        "push_metal": push_metal, "spec_ids": spec_ids,
    }


def type_size(t, name):
    sizes = {"uint": 4, "int": 4, "float": 4, "uint64_t": 8, "int64_t": 8, "double": 8,
             "uvec2": 8, "ivec2": 8, "uvec4": 16, "ivec4": 16, "vec4": 16}
    if t not in sizes:
        raise GenError("%s: push-constant member of type %s (use 32 or 64-bit scalars last)" % (name, t))
    return sizes[t]


def ident(kernel_name):
    return kernel_name.replace(".", "_")


def msl_literal(text):
    # MSVC limits one string literal to about 16 KiB and a concatenation to 64 KiB: pieces of
    # at most 8000 characters split at line ends stay far from the first, and the whole text
    # must stay below the second (the elementwise families are near it: Note [Math variants]).
    if ")tsmsl\"" in text:
        raise GenError("MSL contains the raw-string delimiter")
    if len(text) > 65000:  # below 65,535 bytes with the terminating NUL
        raise GenError("MSL of %d characters, over MSVC's 64 KiB string-literal limit" % len(text))
    pieces, cur = [], ""
    for line in text.splitlines(keepends=True):
        if len(cur) + len(line) > 8000 and cur:
            pieces.append(cur)
            cur = ""
        cur += line
    if cur:
        pieces.append(cur)
    return "\n".join('R"tsmsl(%s)tsmsl"' % p for p in pieces)


def family_header(family, records):
    out = []
    out.append("#pragma once\n")
    out.append("// Generated by tools/gen_gpu_kernels.py from glsl/%s: %s. Do not edit.\n\n" % (family.source, family.doc))
    out.append("#include <cstdint>\n\n#include \"../kernel.hpp\"\n\n")
    out.append("namespace tessera::gpu::generated {\n")
    for r in records:
        i = ident(r["name"])
        out.append("\n// %s\n" % r["name"])
        out.append("inline constexpr uint32_t %s_spirv[%d] = {\n" % (i, len(r["words"])))
        w = r["words"]
        for k in range(0, len(w), 8):
            out.append("    " + ",".join("0x%08x" % x for x in w[k:k + 8]) + ",\n")
        out.append("};\n")
        if r["msl"]:
            out.append("inline constexpr char %s_msl[] =\n%s;\n" % (i, msl_literal(r["msl"])))
        bufs = ", ".join('{"%s", %d, %d, %s}' % (b["name"], b["binding"], b["metal"], "true" if b["writable"] else "false")
                         for b in r["buffers"])
        out.append("inline constexpr KernelBuffer %s_buffers[%d] = {%s};\n" % (i, len(r["buffers"]), bufs))
        spec = "nullptr"
        if r["spec_ids"]:
            out.append("inline constexpr uint32_t %s_spec_ids[%d] = {%s};\n" % (i, len(r["spec_ids"]), ", ".join(str(s) for s in r["spec_ids"])))
            spec = "%s_spec_ids" % i
        msl = "std::string_view(%s_msl, sizeof(%s_msl) - 1)" % (i, i) if r["msl"] else "std::string_view()"
        ls = r["local_size"]
        out.append("inline constexpr Kernel %s = {\n" % i)
        out.append('    "%s", %s_spirv, %d, %s, "%s", "%s", {%d, %d, %d},\n' % (
            r["name"], i, len(r["words"]), msl, r["entry"], r["msl_entry"], ls[0], ls[1], ls[2]))
        out.append("    %s_buffers, %d, %d, %d, %s, %d};\n" % (i, len(r["buffers"]), r["push_bytes"], r["push_metal"], spec, len(r["spec_ids"])))
    out.append("\n}  // namespace tessera::gpu::generated\n")
    return "".join(out)


def index_header(families, all_records):
    out = []
    out.append("#pragma once\n")
    out.append("// Generated by tools/gen_gpu_kernels.py: every GPU kernel variant by name. Do not edit.\n\n")
    out.append("#include <string_view>\n\n#include \"kernel.hpp\"\n")
    for f in families:
        out.append("#include \"generated/%s.hpp\"\n" % f.name)
    out.append("\nnamespace tessera::gpu {\n\n")
    out.append("/** Every kernel variant, sorted by name. */\n")
    names = sorted(r["name"] for r in all_records)
    out.append("inline constexpr const Kernel* all_kernels[%d] = {\n" % len(names))
    for n in names:
        out.append("    &generated::%s,\n" % ident(n))
    out.append("};\n\n")
    out.append("/** The variant named \"<family>.<variant>\" (e.g. \"fill.x32\"), or nullptr. */\n")
    out.append("constexpr const Kernel* find_kernel(std::string_view name) {\n")
    out.append("  size_t lo = 0, hi = sizeof(all_kernels) / sizeof(all_kernels[0]);\n")
    out.append("  while (lo < hi) {\n")
    out.append("    const size_t mid = lo + (hi - lo) / 2;\n")
    out.append("    if (all_kernels[mid]->name < name) lo = mid + 1;\n")
    out.append("    else hi = mid;\n")
    out.append("  }\n")
    out.append("  return lo < sizeof(all_kernels) / sizeof(all_kernels[0]) && all_kernels[lo]->name == name ? all_kernels[lo] : nullptr;\n")
    out.append("}\n\n}  // namespace tessera::gpu\n")
    return "".join(out)


def f64math_cpp():
    """glsl/f64math.glsl as C++ (backend/cpu/f64math.hpp includes it): double literals lose
    their GLSL suffix `lf`, which C++ does not have."""
    text = open(os.path.join(GPU_DIR, "glsl", "f64math.glsl")).read()
    cpp = re.sub(r"\b(\d[\d.]*(?:[eE][+-]?\d+)?)lf\b", r"\1", text)
    if "lf" in re.sub(r"[A-Za-z_]\w*", "", cpp):
        raise GenError("f64math.glsl: a double literal the C++ copy cannot take")
    return "// Generated by tools/gen_gpu_kernels.py from glsl/f64math.glsl. Do not edit.\n" + cpp


def generate(dest):
    """Writes every generated file under dest (the gpu directory's layout); returns their paths."""
    files = {}
    all_records = []
    with tempfile.TemporaryDirectory() as work:
        for family in FAMILIES:
            records = []
            for variant in family.variants:
                words, refl, msl = compile_variant(family, variant, work)
                records.append(kernel_record(family, variant, words, refl, msl))
            files[os.path.join("generated", family.name + ".hpp")] = family_header(family, records)
            all_records += records
    files["kernels.hpp"] = index_header(FAMILIES, all_records)
    files[os.path.join("generated", "f64math.inc")] = f64math_cpp()
    for rel, text in files.items():
        path = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", newline="\n") as f:
            f.write(text)
    return sorted(files)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="fail with a diff when the committed output differs")
    args = ap.parse_args()
    try:
        if not args.check:
            written = generate(GPU_DIR)
            stale = set(os.listdir(os.path.join(GPU_DIR, "generated"))) - {os.path.basename(p) for p in written if p.startswith("generated")}
            for s in sorted(stale):
                os.remove(os.path.join(GPU_DIR, "generated", s))
            print("wrote %d files under %s" % (len(written), os.path.relpath(GPU_DIR, ROOT)))
            return 0
        with tempfile.TemporaryDirectory() as tmp:
            written = generate(tmp)
            committed = {os.path.join("generated", p) for p in os.listdir(os.path.join(GPU_DIR, "generated"))} \
                if os.path.isdir(os.path.join(GPU_DIR, "generated")) else set()
            differs = False
            for rel in sorted(set(written) | committed | {"kernels.hpp"}):
                new_path, old_path = os.path.join(tmp, rel), os.path.join(GPU_DIR, rel)
                new = open(new_path).read().splitlines(keepends=True) if os.path.exists(new_path) else []
                old = open(old_path).read().splitlines(keepends=True) if os.path.exists(old_path) else []
                if new != old:
                    differs = True
                    sys.stdout.writelines(difflib.unified_diff(old, new, "committed/" + rel, "generated/" + rel, n=1))
            if differs:
                print("gen_gpu_kernels: the committed kernels differ from their sources; run tools/gen_gpu_kernels.py", file=sys.stderr)
                return 1
            print("gen_gpu_kernels: %d files up to date, every module valid" % len(written))
            return 0
    except GenError as e:
        print("gen_gpu_kernels: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
