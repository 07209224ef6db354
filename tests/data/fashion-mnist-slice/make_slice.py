#!/usr/bin/python3
"""Cuts the first 512 training and 256 test images (and labels) out of Debian's
dataset-fashion-mnist (/usr/share/datasets/fashion-mnist) into gzipped IDX files here, for the
tests. Run: /usr/bin/python3 tests/data/fashion-mnist-slice/make_slice.py
"""
import gzip
import os
import struct

SRC = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))


def cut(name, count):
    with gzip.open(os.path.join(SRC, name)) as f:
        data = f.read()
    ndim = data[3]
    dims = list(struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim]))
    row = 1
    for d in dims[1:]:
        row *= d
    dims[0] = count
    out = data[:4] + struct.pack(">" + "I" * ndim, *dims) + data[4 + 4 * ndim:4 + 4 * ndim + count * row]
    with gzip.GzipFile(os.path.join(HERE, name), "wb", mtime=0) as f:
        f.write(out)


cut("train-images-idx3-ubyte.gz", 512)
cut("train-labels-idx1-ubyte.gz", 512)
cut("t10k-images-idx3-ubyte.gz", 256)
cut("t10k-labels-idx1-ubyte.gz", 256)
