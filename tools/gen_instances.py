#!/usr/bin/env python3
"""Writes include/tessera/compiled/instances.inc: the template instantiations the compiled
library holds (Note [Compiled mode] in include/tessera/compiled.hpp).

It compiles the programs listed in PROGRAMS header-only with g++ -O2, reads the function
templates and class templates of tessera each object instantiates (nm, c++filt), writes each as
an explicit instantiation, and keeps those that g++ and clang++ both accept with only the
umbrella header included. Then it compiles the programs in compiled mode against that list and
adds what they still instantiate themselves (g++ inlines some calls header-only that it calls out
of line when the callers are declarations), until they add nothing. The library compiles them in
one translation unit: split in two, the parts instantiated much of the same code (copies between
dtypes, the autograd engine) twice, and took 1.7 times the processor time of one.

    tools/gen_instances.py            (from the repository root; takes a few minutes)

TESSERA_INSTANCES_CACHE=<file> keeps the programs' header-only symbols in <file> and reuses them
on the next run (for changing the filters without compiling the programs header-only again).

Run it again when a program of the list changes or an instantiated signature does: CI builds the
library from the committed files, and a line that no longer matches a template fails that build.
A program that uses something the list lacks still compiles: it instantiates that itself.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What a program typically instantiates: the three programs of bench/compile_hello.sh and the examples.
PROGRAMS = ["bench/compile/hello.cpp", "bench/compile/autograd.cpp", "bench/compile/train.cpp",
            "examples/seed_tour.cpp", "examples/fashion_mnist.cpp", "examples/char_transformer.cpp",
            "examples/char_lstm.cpp"]
OUT = os.path.join(ROOT, "include", "tessera", "compiled")
FLAGS = ["-std=c++20", "-I", os.path.join(ROOT, "include"), "-I", "/usr/include/eigen3"]


def demangled_symbols(obj):
    nm = subprocess.run(["nm", "--defined-only", obj], check=True, capture_output=True, text=True).stdout
    weak = sorted({p[2] for p in (line.split() for line in nm.splitlines())
                   if len(p) == 3 and p[1] in "WV" and re.match(r"_ZN[KVR]*7tessera", p[2])})
    return subprocess.run(["c++filt"], input="\n".join(weak), check=True, capture_output=True,
                          text=True).stdout.splitlines()


def split_top(s, sep_chars):
    """Indices in s of the characters in sep_chars outside <...> and (...)."""
    depth, out = 0, []
    for i, ch in enumerate(s):
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif depth == 0 and ch in sep_chars:
            out.append(i)
    return out


# The SIMD loops: their callers, which the list holds, instantiate them inside the library, and
# g++ emits some that clang cannot instantiate on their own (ops without a vector form).
LEAVES = re.compile(r"::(vector_run|vector_steps\w*|\w+_avx2|\w+_avx512)<")


def candidates(symbol):
    """The explicit instantiations (without `template`) that cover one demangled symbol."""
    if any(bad in symbol for bad in ("lambda", "abi:", "{", "anonymous", "guard variable", "operator")) or \
            symbol.startswith(("vtable", "typeinfo", "VTT", "construction vtable")) or LEAVES.search(symbol):
        return []
    depth, cut = 0, None
    for i, ch in enumerate(symbol):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "(" and depth == 0:
            cut = i
            break
    if cut is None:
        return []
    head = symbol[:cut]
    spaces = split_top(head, " ")
    name = head[spaces[-1] + 1:] if spaces else head
    scopes = [i for i in range(len(name) - 1) if name[i:i + 2] == "::" and
              name[:i].count("<") == name[:i].count(">")]
    owner = name[:scopes[-1]] if scopes else ""
    out = []
    # A member of a class template: the whole class (its vtable, and members without a return
    # type in their symbol). Tensor<T> is left out: instantiating every method for every dtype
    # fails for some and compiles far more than programs use.
    if owner.endswith(">") and not owner.startswith("tessera::Tensor<"):
        out.append("class " + owner)
    # A function template (its return type is part of its symbol, as declared: a return type
    # spelled with an alias template demangles to the alias's expression, `...::type`, which may
    # not be written back, so such an instantiation names its type by a trailing decltype of the call).
    if spaces and name.endswith(">"):
        out.append(by_call(name, symbol[cut:], name) if re.search(r"::type\b", head[:spaces[-1]]) and
                   not owner.endswith(">") else symbol)
    # A method of Tensor<T> that is no template itself: its symbol has no return type.
    elif owner.startswith("tessera::Tensor<") and not spaces and \
            re.fullmatch(r"\w+", name[len(owner) + 2:]) and name[len(owner) + 2:] != "Tensor":
        tail = symbol[cut:]
        self = f"{owner} const&" if tail[tail.rindex(")") + 1:].strip().startswith("const") else f"{owner}&"
        out.append(by_call(name, tail, f"std::declval<{self}>().{name[len(owner) + 2:]}"))
    return out


def by_call(name, tail, callee):
    """`auto name(params) quals -> decltype(callee(args))`: an explicit instantiation of the
    function whose demangled name and tail (parameters, qualifiers) are given, its return type
    that of calling `callee` with arguments of the parameters' types."""
    close = tail.rindex(")")
    params, quals = tail[1:close], tail[close + 1:].strip()
    cuts = split_top(params, ",")
    types = [params[a:b].strip() for a, b in zip([0] + [i + 1 for i in cuts], cuts + [len(params)])] if params else []
    args = ", ".join(f"std::declval<{t}>()" for t in types)
    return f"auto {name}({params}){' ' + quals if quals else ''} -> decltype({callee}({args}))"


def class_keys():
    """Whether each class template of the headers is declared `struct` or `class`: an explicit
    instantiation says the same (clang's -Wall warns about a mismatch, -Wmismatched-tags)."""
    keys = {}
    for folder, _, files in os.walk(os.path.join(ROOT, "include", "tessera")):
        for name in files:
            text = open(os.path.join(folder, name)).read()
            for key, template in re.findall(r"template\s*<[^;{]*?>\s*(struct|class)\s+(\w+)", text):
                keys.setdefault(template, key)
    return keys


def with_class_key(line, keys):
    """`class tessera::X<...>` with X's own key."""
    if not line.startswith("class "):
        return line
    template = re.sub(r"<.*", "", line[len("class "):]).split("::")[-1]
    return keys.get(template, "class") + line[len("class"):]


def rejected_lines(path, lines, compiler):
    """Line numbers (1-based, in `lines`) that `compiler` refuses as explicit instantiations."""
    inc = os.path.join(path, "check.inc")
    with open(inc, "w") as f:
        f.write("namespace tessera {\n" + "".join(f"template {l};\n" for l in lines) + "}\n")
    src = os.path.join(path, "check.cpp")
    with open(src, "w") as f:
        f.write('#include <tessera/tessera.hpp>\n#include "check.inc"\n')
    r = subprocess.run([compiler, *FLAGS, "-fsyntax-only", "-ftemplate-backtrace-limit=0",
                        "-ferror-limit=0" if "clang" in compiler else "-fmax-errors=0", src],
                       capture_output=True, text=True, cwd=path)
    # An error at a line, or inside a template that a line instantiates ("required from here").
    bad = {int(m.group(1)) - 1 for m in re.finditer(r"check\.inc:(\d+):\d+:", r.stderr)} if r.returncode else set()
    if r.returncode != 0 and not bad:
        sys.exit(f"{compiler} failed outside the instantiations:\n{r.stderr[:4000]}")
    return {b - 1 for b in bad if b >= 1}  # line 1 of check.inc opens the namespace


def program_symbols(tmp, compiled):
    """The demangled symbols of tessera's templates that the programs of PROGRAMS compile
    themselves, header-only or, with `compiled`, in compiled mode against the last instances.inc."""
    found = set()
    obj = os.path.join(tmp, "program.o")
    for program in PROGRAMS:
        print(f"compiling {program}{' (compiled mode)' if compiled else ''}", flush=True)
        subprocess.run(["g++", *FLAGS, "-O2", *(["-DTESSERA_COMPILED"] if compiled else []), "-c",
                        os.path.join(ROOT, program), "-o", obj], check=True)
        found.update(demangled_symbols(obj))
    return found


def candidates_of(symbols):
    """The explicit instantiations that cover the symbols."""
    return {c for symbol in symbols for c in candidates(symbol)}


def accepted(tmp, found):
    """The lines of `found` that g++ and clang++ both accept, sorted."""
    keys = class_keys()
    lines = sorted(with_class_key(l, keys) for l in found)
    for compiler in ("g++", "clang++"):
        while True:
            bad = rejected_lines(tmp, lines, compiler)
            if not bad:
                break
            print(f"{compiler} refuses {len(bad)} of {len(lines)}", flush=True)
            for i in sorted(bad):
                print(f"  {lines[i][:160]}", flush=True)
            lines = [l for i, l in enumerate(lines) if i not in bad]
    return lines


def write(lines):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "instances.inc"), "w") as f:
        f.write("// Generated by tools/gen_instances.py: do not edit. Explicit instantiations of the\n"
                "// compiled library (Note [Compiled mode] in include/tessera/compiled.hpp).\n")
        f.write("".join(f"TS_INSTANCE {l};\n" for l in lines))


def main():
    cache = os.environ.get("TESSERA_INSTANCES_CACHE")  # reuse the programs' symbols of an earlier run
    with tempfile.TemporaryDirectory() as tmp:
        if cache and os.path.exists(cache):
            symbols = set(open(cache).read().splitlines())
        else:
            symbols = program_symbols(tmp, compiled=False)
            if cache:
                with open(cache, "w") as f:
                    f.write("\n".join(sorted(symbols)))
        tried = candidates_of(symbols)
        lines = accepted(tmp, tried)
        write(lines)
        # What g++ inlined header-only may be compiled out of line in compiled mode, where the
        # callers are declarations: compile the programs against the list until they add nothing.
        for _ in range(3):
            more = candidates_of(program_symbols(tmp, compiled=True)) - tried
            if not more:
                break
            tried |= more
            lines = accepted(tmp, set(lines) | more)
            write(lines)
        else:
            print("the programs still add instantiations after three rounds in compiled mode: run again", flush=True)
    print(f"{len(lines)} instantiations")


if __name__ == "__main__":
    main()
