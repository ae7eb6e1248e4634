#!/usr/bin/env python3
"""Compares the f32 tensors of two safetensors checkpoints (stdlib only).

usage: compare_weights.py A B [--rtol=X] [--exact]

Every tensor of A must be in B with the same shape. Prints the largest
difference relative to the largest magnitude of each tensor, and how many
tensors are bit-identical; exits 1 when a tensor differs by more than rtol
(default 1e-5), or at all with --exact.
"""
import json
import struct
import sys


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    body = data[8 + size:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = body[begin:end]
        if entry["dtype"] == "F32":
            values = struct.unpack("<%df" % (len(raw) // 4), raw)
        else:
            values = tuple(raw)
        tensors[name] = (entry["shape"], raw, values)
    return tensors


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rtol = 1e-5
    exact = "--exact" in sys.argv
    for a in sys.argv[1:]:
        if a.startswith("--rtol="):
            rtol = float(a.split("=", 1)[1])
    a, b = read(args[0]), read(args[1])
    worst, identical, failed = 0.0, 0, False
    for name, (shape, raw, values) in sorted(a.items()):
        if name not in b or b[name][0] != shape:
            print("%s: missing or of another shape in %s" % (name, args[1]))
            failed = True
            continue
        if raw == b[name][1]:
            identical += 1
            continue
        other = b[name][2]
        scale = max(max(abs(v) for v in values), 1e-30)
        diff = max(abs(x - y) for x, y in zip(values, other)) / scale
        worst = max(worst, diff)
        if exact or diff > rtol:
            print("%s: differs by %.3g relative to its largest magnitude" % (name, diff))
            failed = True
    print("%d of %d tensors bit-identical; largest relative difference %.3g"
          % (identical, len(a), worst))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
