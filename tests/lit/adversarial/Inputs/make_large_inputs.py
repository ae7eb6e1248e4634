#!/usr/bin/env python3
"""Writes the large inputs of large_inputs.test into DIR: a 100-layer model,
a 100,000-line model (comments, then layers), a 500-way concat, 100,000
lines of bad statements, and 100,000 lines of tensor IR.

Usage: make_large_inputs.py DIR"""
import os
import sys

HEAD = ["model {name}(x: u8[28, 28]) {{", "  h = flatten(rescale(x, 1/255))"]
TAIL = ["  return dense({last}, 10, activation=softmax)", "}}", ""]


def model(name, body, last="h"):
    head = [line.format(name=name) for line in HEAD]
    return "\n".join(head + body + [line.format(last=last) for line in TAIL])


def main():
    out = sys.argv[1]
    files = {
        "deep.dl": model("deep", ["  h = dense(h, 16, activation=relu)"] * 100),
        "long.dl": model("long", [f"  # comment {i}" for i in range(50_000)] +
                         ["  h = relu(h)"] * 50_000),
        "wide.dl": model("wide", [f"  b{i} = dense(h, 2)" for i in range(500)] +
                         ["  c = concat(" + ", ".join(f"b{i}" for i in range(500)) + ")"],
                         last="c"),
        "errors.dl": model("errors", [f"  h = relu(undefined{i})" for i in range(100_000)]),
        "long.ir": "\n".join(["graph g {", "  %v0 = input() : f32[4]"] +
                             [f"  %v{i + 1} = relu(%v{i}) : f32[4]" for i in range(100_000)] +
                             ["  return %v100000", "}", ""]),
    }
    for name, text in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
