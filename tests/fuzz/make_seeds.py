#!/usr/bin/env python3
"""Writes the seed corpora of the IDX and safetensors fuzz targets: small
valid files of every type dlc reads, plus a few near misses (huge claimed
sizes, truncations) so the fuzzer starts next to the error paths. IDX
seeds start with idx_fuzz.cc's storage byte.

Usage: make_seeds.py IDX_DIR SAFETENSORS_DIR"""
import gzip
import json
import os
import struct
import sys

IDX_TYPES = {"u8": (0x08, "B"), "i32": (0x0C, "i"), "f32": (0x0D, "f"), "f64": (0x0E, "d")}


def idx(dtype, shape, values):
    code, fmt = IDX_TYPES[dtype]
    header = bytes([0, 0, code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape)
    return header + b"".join(struct.pack(">" + fmt, v) for v in values)


def safetensors(tensors, metadata=None):
    """tensors: list of (name, dtype, shape, raw bytes), in data order."""
    header, offset = {}, 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors)


def write(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def idx_seeds(folder):
    files = {
        "labels_u8": idx("u8", [5], [0, 1, 2, 9, 255]),
        "images_u8": idx("u8", [2, 3, 3], list(range(18))),
        "i32": idx("i32", [2, 2], [-1, 0, 7, 2**31 - 1]),
        "f32": idx("f32", [3], [0.5, -2.0, 1e30]),
        "f64": idx("f64", [1, 2], [3.25, -0.0]),
        "empty_dim": idx("u8", [0, 4], []),
        "rank4": idx("u8", [1, 2, 2, 1], [1, 2, 3, 4]),
        "huge_claim": bytes([0, 0, 8, 3]) + struct.pack(">III", 60000, 0xFFFFFFFF, 0xFFFFFFFF),
        "truncated": idx("u8", [4, 4], list(range(16)))[:-5],
    }
    # The fuzz target reads a first byte that says how to store the rest:
    # 0 as it is, 1 gzip-compressed by the target itself.
    for name, data in files.items():
        write(folder, name + ".idx", b"\0" + data)
        write(folder, name + ".gzip.idx", b"\1" + data)
        write(folder, name + ".idx.gz", b"\0" + gzip.compress(data, mtime=0))


def safetensors_seeds(folder):
    f32 = struct.pack("<4f", 1.0, -2.5, 0.0, 3.0e38)
    write(folder, "f32.safetensors", safetensors([("dense.kernel", "F32", [2, 2], f32)]))
    write(folder, "mixed.safetensors", safetensors([
        ("w", "F64", [2], struct.pack("<2d", 1.5, -1.0)),
        ("b", "F32", [1], struct.pack("<f", 0.25)),
        ("steps", "I32", [], struct.pack("<i", 42)),
        ("pixels", "U8", [3], bytes([0, 128, 255])),
        ("mask", "BOOL", [2], bytes([0, 1])),
    ], metadata={"epoch": "3", "batch": "32", "model": "mnist_mlp"}))
    write(folder, "empty.safetensors", safetensors([]))
    write(folder, "metadata_only.safetensors", safetensors([], metadata={"k": "v\u00e9\n"}))
    write(folder, "zero_size.safetensors", safetensors([("z", "F32", [0, 7], b"")]))
    write(folder, "escaped_name.safetensors",
          safetensors([("a\\\"b\u2603", "U8", [1], bytes([7]))]))
    # Near misses: a shape promising far more data than there is, a header
    # length beyond the file, an unsupported dtype.
    write(folder, "huge_shape.safetensors", safetensors([
        ("big", "F32", [1099511627776, 1099511627776], b"")]))
    write(folder, "long_header.safetensors", struct.pack("<Q", 2**40) + b"{}")
    write(folder, "f16.safetensors", safetensors([("h", "F16", [2], b"\0\0\0\0")]))


def main():
    idx_dir, safetensors_dir = sys.argv[1:3]
    os.makedirs(idx_dir, exist_ok=True)
    os.makedirs(safetensors_dir, exist_ok=True)
    idx_seeds(idx_dir)
    safetensors_seeds(safetensors_dir)


if __name__ == "__main__":
    main()
