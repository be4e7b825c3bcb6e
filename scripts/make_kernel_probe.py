#!/usr/bin/env python3
"""Generate crates/kittentts-onnx/tests/data/kernel_probe.onnx: a model with the KittenTTS
input contract whose waveform is made of large `Sin` and `InstanceNormalization` outputs, so
that tests/parallel_kernels.rs can compare the engine's parallel kernels with ONNX Runtime's
own, bit for bit, on every input length. Run from the repository root with the reference venv
(onnx 1.23.2):

    $(bash ../shared/reference/setup.sh --python) scripts/make_kernel_probe.py

    inputs : input_ids int64 [1, T], style float32 [1, 256], speed float32 [1]
    outputs: waveform  float32 [T * (4099 + 3 * 64 * 259)]

    a[t, k]  = ids[t] * r[k] + mean(style) * speed      r[k] = 0.173 * (k - 2000), k < 4099
    sin      = Sin(a)                                    |a| up to ~6e4: Eigen's large-argument
                                                         path as well as its polynomial
    b[t, j]  = ids[t] * q[j]                             q[j] = 0.01 * ((j * 37) mod 1001) - 5
    norm     = InstanceNormalization(b as [1, 64, T * 259], scale s[c], bias h[c], eps 1e-3)
    h        = G * InstanceNormalization(b, s, h) + B    G = 1 + style[0:64] as [64, 1]
                                                         B = b / 1000, of b's own shape
    snake    = h + R * Sin(A * h) ** 2                   A[c] = 0.5 + 0.4 c as [1, 64, 1],
                                                         R = 1 / (A + 1e-9)
    h2       = G * InstanceNormalization(b, s, h) + C    C[c] = 0.01 c - 0.2 as [1, 64, 1],
                                                         but C[63] = 2000 (A * h2 past
                                                         Eigen's threshold)
    snake2   = h2 + R * Sin(A * h2) ** 2                 every operand one value per channel:
                                                         the engine's one-pass loop
    waveform = concat(flatten(sin), flatten(norm), flatten(snake), flatten(snake2))

The last two lines are the decoder's AdaIN and snake chain that the engine fuses into one node
(`AdaInSnake`), with operands broadcast three ways: per channel at rank 2 and 3, and elementwise.

T * 4099 is odd for odd T, so the `Sin` tail is exercised too.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "crates", "kittentts-onnx", "tests", "data", "kernel_probe.onnx")
K = 4099
CHANNELS = 64
PER_CHANNEL = 259


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def main():
    k = np.arange(K, dtype=np.float64)
    j = np.arange(CHANNELS * PER_CHANNEL, dtype=np.int64)
    c = np.arange(CHANNELS, dtype=np.float64)
    inits = [
        const("r", (0.173 * (k - 2000)).astype(np.float32).reshape(1, K)),
        const("q", (0.01 * ((j * 37) % 1001) - 5).astype(np.float32).reshape(1, -1)),
        const("scale", (0.5 + 0.01 * c).astype(np.float32)),
        const("bias", (0.02 * c - 0.3).astype(np.float32)),
        const("col", np.array([-1, 1], dtype=np.int64)),
        const("norm_shape", np.array([1, CHANNELS, -1], dtype=np.int64)),
        const("flat", np.array([-1], dtype=np.int64)),
        const("alpha", (0.5 + 0.4 * c).astype(np.float32).reshape(1, CHANNELS, 1)),
        const("tiny", np.array(1e-9, dtype=np.float32)),
        const("one", np.array(1.0, dtype=np.float32)),
        const("milli", np.array(1e-3, dtype=np.float32)),
        const("g_start", np.array([0], dtype=np.int64)),
        const("g_end", np.array([CHANNELS], dtype=np.int64)),
        const("g_axis", np.array([1], dtype=np.int64)),
        const("g_shape", np.array([CHANNELS, 1], dtype=np.int64)),
        const("beta_c", np.where(c == CHANNELS - 1, 2000.0, 0.01 * c - 0.2)
              .astype(np.float32).reshape(1, CHANNELS, 1)),
    ]
    n = helper.make_node
    nodes = [
        n("Cast", ["input_ids"], ["ids_f"], to=TensorProto.FLOAT),
        n("Reshape", ["ids_f", "col"], ["ids_col"]),
        n("ReduceMean", ["style"], ["style_mean"], keepdims=0),
        n("Mul", ["style_mean", "speed"], ["offset"]),
        n("Mul", ["ids_col", "r"], ["a0"]),
        n("Add", ["a0", "offset"], ["a"]),
        n("Sin", ["a"], ["sin"]),
        n("Mul", ["ids_col", "q"], ["b"]),
        n("Reshape", ["b", "norm_shape"], ["b3"]),
        n("InstanceNormalization", ["b3", "scale", "bias"], ["norm"], epsilon=1e-3),
        n("Slice", ["style", "g_start", "g_end", "g_axis"], ["style_g"]),
        n("Add", ["style_g", "one"], ["g_row"]),
        n("Reshape", ["g_row", "g_shape"], ["gamma"]),
        n("Mul", ["b3", "milli"], ["beta"]),
        n("Constant", [], ["two"], value=numpy_helper.from_array(np.array(2.0, dtype=np.float32))),
        n("Add", ["alpha", "tiny"], ["alpha_eps"]),
        n("Reciprocal", ["alpha_eps"], ["inv_alpha"]),
        *adain_snake("beta", ""),
        *adain_snake("beta_c", "_2"),
        n("Reshape", ["sin", "flat"], ["sin_flat"]),
        n("Reshape", ["norm", "flat"], ["norm_flat"]),
        n("Reshape", ["snake", "flat"], ["snake_flat"]),
        n("Reshape", ["snake_2", "flat"], ["snake2_flat"]),
        n("Concat", ["sin_flat", "norm_flat", "snake_flat", "snake2_flat"], ["waveform"], axis=0),
    ]
    save_probe(nodes, inits, "kittentts_kernel_probe", "make_kernel_probe.py", OUT)


def adain_snake(beta, tag):
    """The decoder's chain on the probe's `b3`, with `beta` as B; its names end in `tag`:
    n = InstanceNormalization(b3), h = gamma * n + B, snake = h + inv_alpha * Sin(alpha * h) ** 2."""
    n = helper.make_node
    return [
        n("InstanceNormalization", ["b3", "scale", "bias"], [f"n{tag}"], epsilon=1e-3),
        n("Mul", ["gamma", f"n{tag}"], [f"gn{tag}"]),
        n("Add", [f"gn{tag}", beta], [f"h{tag}"]),
        n("Mul", ["alpha", f"h{tag}"], [f"ah{tag}"]),
        n("Sin", [f"ah{tag}"], [f"s{tag}"]),
        n("Pow", [f"s{tag}", "two"], [f"s2{tag}"]),
        n("Mul", ["inv_alpha", f"s2{tag}"], [f"rs2{tag}"]),
        n("Add", [f"h{tag}", f"rs2{tag}"], [f"snake{tag}"]),
    ]


def save_probe(nodes, inits, name, script, out):
    """Wraps `nodes` into a model with the KittenTTS input contract and one `waveform`
    output, checks it and writes it to `out`."""
    graph = helper.make_graph(
        nodes,
        name,
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "sequence_length"]),
            helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, 256]),
            helper.make_tensor_value_info("speed", TensorProto.FLOAT, [1]),
        ],
        [helper.make_tensor_value_info("waveform", TensorProto.FLOAT, ["num_samples"])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name=f"kittentts-rs scripts/{script}")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, out)
    print(out, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
