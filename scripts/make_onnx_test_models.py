#!/usr/bin/python3
"""Makes the ONNX test models of tests/onnx/models/ with PyTorch, and the
outputs PyTorch computes for the first bundled test digits, which the
importer's tests compare dlc's predictions against.

Run with Debian's python3 and python3-torch (torch 1.13), from the
repository's root:

    /usr/bin/python3 scripts/make_onnx_test_models.py

Only needed to remake the committed files: CI uses them and needs no torch.
Every model takes float pixels 0..255 as NCHW [batch, 1, 28, 28] (the batch
axis dynamic) and divides them by 255 itself, as examples/mnist_cnn.dl's
rescale does.
"""
import gzip
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "onnx", "models")
DIGITS = os.path.join(ROOT, "examples", "data", "digits-test-images-idx3-ubyte.gz")
SAMPLES = 8  # test digits 0..7 are the inputs of the expected outputs


class Mlp(nn.Module):
    """examples/mnist_mlp.dl with 16 hidden units instead of 128 (a small file)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        h = torch.flatten(x / 255, 1)
        h = F.relu(self.fc1(h))
        return F.softmax(self.fc2(h), dim=1)


class Cnn(nn.Module):
    """The twin of examples/mnist_cnn.dl: the same layers, and modules named
    as dlc names that model's layers (conv2d, dense), so its parameters are
    the same tensors (conv2d.kernel, dense.bias, ...)."""

    def __init__(self):
        super().__init__()
        self.conv2d = nn.Conv2d(1, 32, 3)
        self.dense = nn.Linear(32 * 13 * 13, 10)

    def forward(self, x):
        h = F.relu(self.conv2d(x / 255))
        h = F.max_pool2d(h, 2)
        return self.dense(torch.flatten(h, 1))  # NCHW flatten: C, H, W order


class Ops(nn.Module):
    """Most supported ops in one small graph: Sub/Div by constants, Conv with
    pads, dilations and strides, LeakyRelu, MaxPool, Tanh, AveragePool,
    Concat on channels, Sigmoid, Mul (by a constant and of two values),
    GlobalAveragePool, Reshape, Transpose (of an NCHW value), Flatten, Gemm,
    MatMul, Add, Sub of two values and LogSoftmax."""

    def __init__(self):
        super().__init__()
        self.conv_a = nn.Conv2d(1, 4, 3, padding=1)
        self.conv_b = nn.Conv2d(1, 4, 3, padding=2, dilation=2)
        self.conv_c = nn.Conv2d(8, 6, 2, stride=2)
        self.fc = nn.Linear(7 * 7 * 6, 10)
        self.proj = nn.Parameter(torch.randn(6, 10) * 0.5)

    def forward(self, x):
        x = (x - 127.5) / 127.5
        a = F.max_pool2d(F.leaky_relu(self.conv_a(x), 0.1), 2)  # 4x14x14
        b = F.avg_pool2d(torch.tanh(self.conv_b(x)), 2, count_include_pad=False)  # 4x14x14
        h = torch.cat([a, b], dim=1)  # 8x14x14
        c = self.conv_c(h)  # 6x7x7
        h = torch.sigmoid(c) * torch.tanh(c) * 2.0
        g = F.adaptive_avg_pool2d(h, 1).reshape(-1, 6)  # GlobalAveragePool, Reshape
        t = torch.flatten(h.transpose(1, 3), 1)  # 7x7x6 in W, H, C order
        out = self.fc(t) + g @ self.proj
        out = out - torch.tanh(out) * 0.5
        return F.log_softmax(out, dim=1)


def read_digits(count):
    with gzip.open(DIGITS, "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 0x803, magic
        data = f.read(count * rows * cols)
    return torch.tensor(list(data), dtype=torch.float32).reshape(count, 1, rows, cols)


def export(model, name, opset, x):
    path = os.path.join(OUT, f"{name}.onnx")
    torch.onnx.export(model, x[:1], path, opset_version=opset, input_names=["x"],
                      output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    with torch.no_grad():
        y = model(x)
    with open(os.path.join(OUT, f"{name}.expected.txt"), "w") as f:
        f.write(f"# {name}.onnx (opset {opset}) on bundled test digits 0..{len(x) - 1}, "
                f"computed by PyTorch {torch.__version__}\n")
        f.write(f"{y.shape[0]} {y.shape[1]}\n")
        for row in y.tolist():
            f.write(" ".join(f"{v:.9g}" for v in row) + "\n")
    print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    x = read_digits(SAMPLES)
    torch.manual_seed(0)
    export(Mlp().eval(), "mlp", 13, x)
    torch.manual_seed(0)
    export(Cnn().eval(), "cnn", 13, x)
    torch.manual_seed(0)
    ops = Ops().eval()
    for opset in (11, 13, 17):
        export(ops, f"ops_opset{opset}", opset, x)


if __name__ == "__main__":
    main()
