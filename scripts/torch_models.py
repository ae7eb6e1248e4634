"""The four benchmark models in PyTorch, with the semantics of their .dl twins.

    mlp      examples/mnist_mlp.dl     flatten, dense 128 relu, dense 10
    cnn      examples/mnist_cnn.dl     conv 32 3x3 relu, maxpool 2, flatten (5408), dense 10
    convnet  examples/convnet.dl       conv 32 3x3 relu, maxpool 2, conv 64 3x3 relu,
                                       maxpool 2, flatten (1600), dense 10
    lenet5   examples/lenet5_relu.dl   conv 6 5x5 same relu, maxpool 2, conv 16 5x5 relu,
                                       maxpool 2, flatten (400), dense 120 relu,
                                       dense 84 relu, dense 10

Keras semantics, as dlc's layers have them: input NHWC [B, 28, 28, 1] scaled
by 1/255, flatten in (H, W, C) order, Glorot-uniform kernels, zero biases,
logits out (the softmax lives in the loss), Adam(lr=1e-3, eps=1e-7). The
convolutions run in NCHW, PyTorch's native layout; the permutes to and from
NHWC are part of the measured step, as dlc's rescale is part of its step.
"""
import ctypes

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# (kind, ...): conv (filters, kernel, padding), pool, flatten, dense (units, relu?)
SPECS = {
    "mlp": [("flatten",), ("dense", 128, True), ("dense", 10, False)],
    "cnn": [("conv", 32, 3, "valid"), ("pool",), ("flatten",), ("dense", 10, False)],
    "convnet": [("conv", 32, 3, "valid"), ("pool",), ("conv", 64, 3, "valid"), ("pool",),
                ("flatten",), ("dense", 10, False)],
    "lenet5": [("conv", 6, 5, "same"), ("pool",), ("conv", 16, 5, "valid"), ("pool",),
               ("flatten",), ("dense", 120, True), ("dense", 84, True), ("dense", 10, False)],
}
DL_FILES = {"mlp": "examples/mnist_mlp.dl", "cnn": "examples/mnist_cnn.dl",
            "convnet": "examples/convnet.dl", "lenet5": "examples/lenet5_relu.dl"}


class KerasStyle(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.layers = nn.ModuleList()
        h = w = 28
        c = 1
        for layer in spec:
            if layer[0] == "conv":
                _, filters, k, padding = layer
                m = nn.Conv2d(c, filters, k, padding=(k - 1) // 2 if padding == "same" else 0)
                if padding == "valid":
                    h, w = h - k + 1, w - k + 1
                c = filters
            elif layer[0] == "pool":
                m = nn.Identity()
                h, w = h // 2, w // 2
            elif layer[0] == "flatten":
                m = nn.Identity()
                c, h, w = h * w * c, 1, 1
            else:
                m = nn.Linear(c, layer[1])
                c = layer[1]
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                # Glorot uniform with Keras's fans (a conv's: k*k*in, k*k*out), zero bias.
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
            self.layers.append(m)

    def forward(self, x):  # x: NHWC [B, 28, 28, 1], already scaled to [0, 1]
        x = x.permute(0, 3, 1, 2)  # NCHW
        for m, layer in zip(self.layers, self.spec):
            kind = layer[0]
            if kind == "conv":
                x = F.relu(m(x))
            elif kind == "pool":
                x = F.max_pool2d(x, 2)
            elif kind == "flatten":
                if x.dim() == 4:
                    x = x.permute(0, 2, 3, 1)  # flatten in H, W, C order, as Keras and dlc do
                x = x.reshape(x.shape[0], -1)
            else:
                x = m(x)
                if layer[2]:
                    x = F.relu(x)
        return x


def build(name):
    return KerasStyle(SPECS[name])


def adam(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)


def train_flops_per_image(name):
    """2 per multiply-add of conv and dense layers: forward, weight gradient,
    and input gradient except for the first layer (dlc bench's count)."""
    h = w = 28
    c = 1
    macs = []
    for layer in SPECS[name]:
        if layer[0] == "conv":
            _, filters, k, padding = layer
            if padding == "valid":
                h, w = h - k + 1, w - k + 1
            macs.append(h * w * filters * k * k * c)
            c = filters
        elif layer[0] == "pool":
            h, w = h // 2, w // 2
        elif layer[0] == "flatten":
            c, h, w = h * w * c, 1, 1
        else:
            macs.append(c * layer[1])
            c = layer[1]
    return 2 * (3 * sum(macs) - macs[0])


def _openblas():
    """The OpenBLAS torch's libblas.so.3 resolves to, if loaded: torch.set_num_threads
    does not reach it, so its threads are set separately."""
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({l.split()[-1] for l in f
                            if "openblas" in l and l.split()[-1].startswith("/")})
        for path in paths:
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_set_num_threads"):
                return lib
    except OSError:
        pass
    return None


OPENBLAS = _openblas()


def set_threads(n):
    torch.set_num_threads(n)
    if OPENBLAS is not None:
        OPENBLAS.openblas_set_num_threads(n)


def openblas_core():
    if OPENBLAS is None:
        return "OpenBLAS not loaded"
    OPENBLAS.openblas_get_corename.restype = ctypes.c_char_p
    return "OpenBLAS core " + OPENBLAS.openblas_get_corename().decode()


def images_to_nhwc(u8):
    """uint8 [N, 28, 28] -> float32 NHWC [N, 28, 28, 1] in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(u8)).to(torch.float32).div_(255.0).reshape(-1, 28, 28, 1)
