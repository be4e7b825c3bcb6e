#!/usr/bin/env python3
"""Generate crates/kittentts-onnx/tests/data/conv_probe.onnx: a model with the KittenTTS input
contract whose waveform is made of the int32 outputs of dynamically quantised one-dimensional
convolutions (DynamicQuantizeLinear -> ConvInteger -> Cast), as in the int8 KittenTTS models,
so that tests/parallel_kernels.rs can compare the engine's direct ConvInteger kernel with ONNX
Runtime's own, bit for bit, on every input length. Run from the repository root with the
reference venv (onnx 1.23.2):

    $(bash ../shared/reference/setup.sh --python) scripts/make_conv_probe.py

    inputs : input_ids int64 [1, T], style float32 [1, 256], speed float32 [1]
    outputs: waveform  float32 [64 L + 6 (L - 3) + 5 L + 8 L + 4 ceil(L / 2)], L = 61 T

    x[c, 61 t + j] = sin(ids[t] * q[c, j] + mean(style) * speed)   64 channels, 61 per id
    xq, x0         = DynamicQuantizeLinear(x)                       uint8, its zero point
    y1 = ConvInteger(xq, w1 int8 [64, 64, 11], x0, w0 = 3)          pads 5, 5 (the decoder's)
    y2 = ConvInteger(xq, w2 int8 [6, 64, 3], x0)                    dilation 5, pads 0, 7
    y3 = ConvInteger(xq, w3 uint8 [5, 64, 1], x0, w0 = 128)         a 1x1 of uint8 weights
    y4 = ConvInteger(DQL(x[:, 0:7]), w4 int8 [8, 7, 7])             7 channels, dilation 2,
                                                                     pads 6, 6, no zero points
    y5 = ConvInteger(xq, w5 int8 [4, 64, 3], x0)                    stride 2: not rewritten
    waveform = concat(flatten(Cast(y_i, float)))
"""
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from make_kernel_probe import save_probe

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "crates", "kittentts-onnx", "tests", "data", "conv_probe.onnx")
CHANNELS = 64
PER_ID = 61


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def weights(shape, seed, dtype):
    rng = np.random.RandomState(seed)
    low, high = (-128, 128) if dtype == np.int8 else (0, 256)
    return rng.randint(low, high, size=shape).astype(dtype)


def main():
    c = np.arange(CHANNELS, dtype=np.float64).reshape(CHANNELS, 1)
    j = np.arange(PER_ID, dtype=np.float64).reshape(1, PER_ID)
    q = (0.013 * (c + 1) * (j + 3) + 0.1 * np.cos(c * j)).astype(np.float32)
    inits = [
        const("q", q.reshape(1, CHANNELS, 1, PER_ID)),
        const("x_shape", np.array([1, CHANNELS, -1], dtype=np.int64)),
        const("ids_shape", np.array([1, 1, -1, 1], dtype=np.int64)),
        const("flat", np.array([-1], dtype=np.int64)),
        const("c_start", np.array([0], dtype=np.int64)),
        const("c_end", np.array([7], dtype=np.int64)),
        const("c_axis", np.array([1], dtype=np.int64)),
        const("w1", weights((64, CHANNELS, 11), 1, np.int8)),
        const("w1_zero", np.array(3, dtype=np.int8)),
        const("w2", weights((6, CHANNELS, 3), 2, np.int8)),
        const("w3", weights((5, CHANNELS, 1), 3, np.uint8)),
        const("w3_zero", np.array(128, dtype=np.uint8)),
        const("w4", weights((8, 7, 7), 4, np.int8)),
        const("w5", weights((4, CHANNELS, 3), 5, np.int8)),
    ]
    n = helper.make_node
    conv = dict(auto_pad="NOTSET", group=1)
    nodes = [
        n("Cast", ["input_ids"], ["ids_f"], to=TensorProto.FLOAT),
        n("Reshape", ["ids_f", "ids_shape"], ["ids4"]),
        n("ReduceMean", ["style"], ["style_mean"], keepdims=0),
        n("Mul", ["style_mean", "speed"], ["offset"]),
        n("Mul", ["ids4", "q"], ["a0"]),
        n("Add", ["a0", "offset"], ["a"]),
        n("Sin", ["a"], ["s"]),
        n("Reshape", ["s", "x_shape"], ["x"]),
        n("DynamicQuantizeLinear", ["x"], ["xq", "x_scale", "x_zero"]),
        n("ConvInteger", ["xq", "w1", "x_zero", "w1_zero"], ["y1"], dilations=[1],
          kernel_shape=[11], pads=[5, 5], strides=[1], **conv),
        n("ConvInteger", ["xq", "w2", "x_zero"], ["y2"], dilations=[5], pads=[0, 7]),
        n("ConvInteger", ["xq", "w3", "x_zero", "w3_zero"], ["y3"]),
        n("Slice", ["x", "c_start", "c_end", "c_axis"], ["x7"]),
        n("DynamicQuantizeLinear", ["x7"], ["x7q", "x7_scale", "x7_zero"]),
        n("ConvInteger", ["x7q", "w4"], ["y4"], dilations=[2], pads=[6, 6]),
        n("ConvInteger", ["xq", "w5", "x_zero"], ["y5"], strides=[2], pads=[1, 1]),
    ]
    flat = []
    for k in range(1, 6):
        nodes.append(n("Cast", [f"y{k}"], [f"f{k}"], to=TensorProto.FLOAT))
        nodes.append(n("Reshape", [f"f{k}", "flat"], [f"flat{k}"]))
        flat.append(f"flat{k}")
    nodes.append(n("Concat", flat, ["waveform"], axis=0))
    save_probe(nodes, inits, "kittentts_conv_probe", "make_conv_probe.py", OUT)


if __name__ == "__main__":
    main()
