#!/usr/bin/python3
"""Writes the .npy and .safetensors files tests/test_io.cpp reads, with NumPy alone.

Run from anywhere:  /usr/bin/python3 tests/golden/io/make_files.py
Values follow one rule the C++ test recomputes: element i (in C order) is i, as the file's
dtype (bool: i % 2 == 1). safetensors files are written byte by byte as the format describes,
in the tensor order PyTorch's safetensors uses (by dtype size, then name).
"""
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CODES = ["b1", "u1", "i1", "i2", "i4", "i8", "f2", "f4", "f8"]


def values(code, shape):
    n = int(np.prod(shape))
    a = np.arange(n)
    a = (a % 2 == 1) if code == "b1" else a.astype(code)
    return a.reshape(shape)


def bf16_bytes(shape):
    f = np.arange(int(np.prod(shape)), dtype="<f4")
    return (f.view("<u4") >> 16).astype("<u2").tobytes()


def npy_files():
    for code in CODES:
        np.save(os.path.join(HERE, f"{code}_c.npy"), values(code, (2, 3)))
    np.save(os.path.join(HERE, "f8_fortran.npy"), np.asfortranarray(values("f8", (2, 3, 4))))
    np.save(os.path.join(HERE, "f4_scalar.npy"), np.array(3.5, dtype="<f4"))
    np.save(os.path.join(HERE, "i8_empty.npy"), np.zeros((0, 3), dtype="<i8"))
    np.save(os.path.join(HERE, "f8_big.npy"), values("f8", (2, 3)).astype(">f8"))
    np.save(os.path.join(HERE, "i4_big.npy"), values("i4", (2, 3)).astype(">i4"))
    for version in [(2, 0), (3, 0)]:
        with open(os.path.join(HERE, f"f4_v{version[0]}.npy"), "wb") as f:
            np.lib.format.write_array(f, values("f4", (2, 3)), version=version)
    # bfloat16 has no NumPy dtype: written as two-byte voids, as ml_dtypes arrays are saved.
    header = "{'descr': '<V2', 'fortran_order': False, 'shape': (2, 3), }"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(os.path.join(HERE, "bf16_c.npy"), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + bf16_bytes((2, 3)))


def safetensors_file():
    names = {"b1": "BOOL", "u1": "U8", "i1": "I8", "i2": "I16", "i4": "I32", "i8": "I64", "f2": "F16", "f4": "F32",
             "f8": "F64"}
    tensors = [(f"t_{code}", names[code], [2, 3], values(code, (2, 3)).astype(code.replace("b1", "?")).tobytes())
               for code in CODES]
    tensors.append(("t_bf16", "BF16", [2, 3], bf16_bytes((2, 3))))
    tensors.append(("scalar", "F32", [], np.array(3.5, dtype="<f4").tobytes()))
    tensors.append(("empty", "I64", [0, 3], b""))
    size = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "BF16": 2, "F16": 2, "I32": 4, "F32": 4, "I64": 8, "F64": 8}
    tensors.sort(key=lambda t: (-size[t[1]], t[0]))
    header, data = {"__metadata__": {"format": "pt", "source": "numpy"}}, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(HERE, "all_dtypes.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode() + data)


if __name__ == "__main__":
    npy_files()
    safetensors_file()
    print("wrote", len(os.listdir(HERE)) - 1, "files to", HERE)
