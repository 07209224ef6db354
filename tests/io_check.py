#!/usr/bin/python3
"""Reads the .npy and .safetensors files test_io wrote (argv[1]) with NumPy and checks them.

Each tensor is arange(12).reshape(3, 4).T in its dtype (bool: odd elements true), written from a
transposed, non-contiguous tensor.
"""
import json
import os
import struct
import sys

import numpy as np

out = sys.argv[1]
CODES = {"b1": "BOOL", "u1": "U8", "i1": "I8", "i2": "I16", "i4": "I32", "i8": "I64", "f2": "F16", "f4": "F32",
         "f8": "F64", "bf16": "BF16"}


def expected(code):
    a = np.arange(12).reshape(3, 4).T
    if code == "b1":
        return a % 2 == 1
    if code == "bf16":
        return a.astype(np.float32)
    return a.astype(code)


def from_bf16(raw_u16):
    return (raw_u16.astype(np.uint32) << 16).view(np.float32)


failures = 0
for code in CODES:
    a = np.load(os.path.join(out, f"out_{code}.npy"))
    if code == "bf16":
        a = from_bf16(a.view(np.uint16))
    if a.shape != (4, 3) or not np.array_equal(a, expected(code)):
        print(f"npy {code}: got {a!r}")
        failures += 1

blob = open(os.path.join(out, "out.safetensors"), "rb").read()
n = struct.unpack("<Q", blob[:8])[0]
header = json.loads(blob[8:8 + n])
data = blob[8 + n:]
if header.get("__metadata__") != {"k": "v", "quote\"d": "line\nbreak"}:
    print("metadata:", header.get("__metadata__"))
    failures += 1
for code, name in CODES.items():
    entry = header[f"t_{code}"]
    begin, end = entry["data_offsets"]
    raw = data[begin:end]
    if code == "bf16":
        a = from_bf16(np.frombuffer(raw, dtype="<u2"))
    else:
        a = np.frombuffer(raw, dtype="?" if code == "b1" else "<" + code)
    a = a.reshape(entry["shape"])
    if entry["dtype"] != name or not np.array_equal(a, expected(code)):
        print(f"safetensors {code}: {entry} {a!r}")
        failures += 1
print("io_check:", "ok" if failures == 0 else f"{failures} failures")
sys.exit(1 if failures else 0)
