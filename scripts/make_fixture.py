#!/usr/bin/env python3
"""Generate the tiny deterministic KittenTTS fixture model folder (tests/data/fixture/).

Run from the repository root with the reference venv (onnx 1.23.2, numpy, onnxruntime 1.32.0):

    PY=/root/.cache/kittentts-reference/venv/bin/python
    $PY scripts/make_fixture.py          # model.onnx, voices.npz, config.json, bad/*, and golden/*
    $PY scripts/make_fixture.py --no-golden

Golden data (tests/data/fixture/golden/, see the README.md there):
  * pipeline goldens: for each case in golden/cases.jsonl (text, voice, speed; written by hand),
    `kitten_ref.py synth --model-dir tests/data/fixture` -> golden/<name>.json (compact: sample count,
    float64 sum and sum of |x|, first/last 64 samples, every `stride`-th sample) + manifest.jsonl;
    `kitten_ref.py frontend` on the same texts -> golden/frontend.jsonl (per-chunk input_ids, ref_id).
  * direct goldens for crates/kittentts-onnx: fixed ids/style/speed run through Python onnxruntime
    -> crates/kittentts-onnx/tests/data/direct_golden.json (same compact form + exact durations).

The model has the KittenTTS 0.8 ONNX contract but no weights worth the name:

    inputs : input_ids int64 [1, T]   (wrapped ids: [0] + ids + [10, 0])
             style     float32 [1, 256]
             speed     float32 [1]
    outputs: waveform  float32 [N]    N = 600 * sum(duration)
             duration  int64   [T]

    duration[t] = max(1, floor(((ids[t] mod 7) + 3) / speed))            frames of 600 samples
    token(f)    = the token whose frames cover frame f (repeat-interleave via CumSum)
    amp[t]      = (0.25 + 0.05 * (ids[t] mod 5)) * (1 + 0.5 * tanh(mean(style[128:])))
    phase[t]    = 0.1 * ((ids[t] * (t + 1)) mod 61)
    w           = 0.02 + 0.01 * tanh(4 * mean(style[:128]))
    waveform[600 f + k] = amp[token(f)] * sin(k * w + phase[token(f)])   k = 0..599

so the audio depends on the ids (value and order), on both halves of the style row and on the
speed. Only deterministic ops (opset 17) that the ONNX Runtime CPU provider implements are used;
sin arguments stay below ~20 rad, so float32 results are reproducible across builds.

voices.npz holds 8 voices expr-voice-{2..5}-{f,m}, float32 (400, 256): row r is the window
[r, r + 256) of one smooth per-voice sequence, so np.savez_compressed keeps them small yet every
row differs.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "tests", "data", "fixture")
GOLDEN = os.path.join(OUT, "golden")
DIRECT = os.path.join(ROOT, "crates", "kittentts-onnx", "tests", "data", "direct_golden.json")
KITTEN_REF = os.environ.get("KITTEN_REF", "/work/shared/reference/kitten_ref.py")
FRAME = 600
VOICES = [f"expr-voice-{n}-{g}" for n in (2, 3, 4, 5) for g in ("f", "m")]
ALIASES = {
    "Bella": "expr-voice-2-f",
    "Jasper": "expr-voice-2-m",
    "Luna": "expr-voice-3-f",
    "Bruno": "expr-voice-3-m",
    "Rosie": "expr-voice-4-f",
    "Hugo": "expr-voice-4-m",
    "Kiki": "expr-voice-5-f",
    "Leo": "expr-voice-5-m",
}


def c(name, value, dtype):
    """A Constant node producing `name`."""
    arr = np.asarray(value, dtype=dtype)
    return helper.make_node("Constant", [], [name], value=helper.make_tensor(
        name + "_v", helper.np_dtype_to_tensor_dtype(arr.dtype), arr.shape, arr.flatten().tolist()))


def n(op, ins, outs, **attrs):
    return helper.make_node(op, ins, outs, **attrs)


def build_model(input_names=("input_ids", "style", "speed")):
    ids_in, style_in, speed_in = input_names
    F, I = np.float32, np.int64
    nodes = [
        # constants
        c("c_m1", [-1], I), c("c_0i", 0, I), c("c_1i", 1, I), c("c_5i", 5, I), c("c_7i", 7, I),
        c("c_61i", 61, I), c("c_0f", 0.0, F), c("c_1f", 1.0, F), c("c_3f", 3.0, F), c("c_4f", 4.0, F),
        c("c_0p1", 0.1, F), c("c_0p5", 0.5, F), c("c_0p25", 0.25, F), c("c_0p05", 0.05, F),
        c("c_0p02", 0.02, F), c("c_0p01", 0.01, F), c("c_frame_f", float(FRAME), F),
        c("c_s0", [0], I), c("c_s128", [128], I), c("c_s256", [256], I), c("c_ax1", [1], I),
        c("c_col", [-1, 1], I), c("c_row", [1, -1], I),
        # ids -> [T]
        n("Reshape", [ids_in, "c_m1"], ["ids"]),
        # durations
        n("Mod", ["ids", "c_7i"], ["ids_m7"]),
        n("Cast", ["ids_m7"], ["ids_m7f"], to=TensorProto.FLOAT),
        n("Add", ["ids_m7f", "c_3f"], ["d_num"]),
        n("Div", ["d_num", speed_in], ["d_div"]),
        n("Floor", ["d_div"], ["d_floor"]),
        n("Max", ["d_floor", "c_1f"], ["d_max"]),
        n("Cast", ["d_max"], ["duration"], to=TensorProto.INT64),
        # frame -> token index
        n("ReduceSum", ["duration"], ["total_frames"], keepdims=0),
        n("Range", ["c_0i", "total_frames", "c_1i"], ["frames"]),
        n("CumSum", ["duration", "c_0i"], ["ends"]),
        n("Reshape", ["frames", "c_col"], ["frames_col"]),
        n("Reshape", ["ends", "c_row"], ["ends_row"]),
        n("LessOrEqual", ["ends_row", "frames_col"], ["done"]),
        n("Cast", ["done"], ["done_i"], to=TensorProto.INT64),
        n("ReduceSum", ["done_i", "c_ax1"], ["tok_of_frame"], keepdims=0),
        # style statistics
        n("Reshape", [style_in, "c_m1"], ["style_flat"]),
        n("Slice", ["style_flat", "c_s0", "c_s128"], ["style_a"]),
        n("Slice", ["style_flat", "c_s128", "c_s256"], ["style_b"]),
        n("ReduceMean", ["style_a"], ["mean_a"], keepdims=0),
        n("ReduceMean", ["style_b"], ["mean_b"], keepdims=0),
        n("Mul", ["mean_a", "c_4f"], ["mean_a4"]),
        n("Tanh", ["mean_a4"], ["tanh_a"]),
        n("Mul", ["tanh_a", "c_0p01"], ["w_delta"]),
        n("Add", ["w_delta", "c_0p02"], ["w"]),
        n("Tanh", ["mean_b"], ["tanh_b"]),
        n("Mul", ["tanh_b", "c_0p5"], ["gain_delta"]),
        n("Add", ["gain_delta", "c_1f"], ["gain"]),
        # per-token amplitude and phase
        n("Mod", ["ids", "c_5i"], ["ids_m5"]),
        n("Cast", ["ids_m5"], ["ids_m5f"], to=TensorProto.FLOAT),
        n("Mul", ["ids_m5f", "c_0p05"], ["amp_d"]),
        n("Add", ["amp_d", "c_0p25"], ["amp0"]),
        n("Mul", ["amp0", "gain"], ["amp_tok"]),
        n("Shape", ["ids"], ["t_shape"]),
        n("Squeeze", ["t_shape"], ["t_len"]),
        n("Range", ["c_1i", "t_len_p1", "c_1i"], ["pos1"]),
        n("Add", ["t_len", "c_1i"], ["t_len_p1"]),
        n("Mul", ["ids", "pos1"], ["ids_pos"]),
        n("Mod", ["ids_pos", "c_61i"], ["ids_pos_m"]),
        n("Cast", ["ids_pos_m"], ["ids_pos_mf"], to=TensorProto.FLOAT),
        n("Mul", ["ids_pos_mf", "c_0p1"], ["phase_tok"]),
        n("Gather", ["amp_tok", "tok_of_frame"], ["amp_frame"], axis=0),
        n("Gather", ["phase_tok", "tok_of_frame"], ["phase_frame"], axis=0),
        # samples within a frame
        n("Range", ["c_0f", "c_frame_f", "c_1f"], ["k"]),
        n("Mul", ["k", "w"], ["kw"]),
        n("Reshape", ["kw", "c_row"], ["kw_row"]),
        n("Reshape", ["phase_frame", "c_col"], ["phase_col"]),
        n("Reshape", ["amp_frame", "c_col"], ["amp_col"]),
        n("Add", ["kw_row", "phase_col"], ["arg"]),
        n("Sin", ["arg"], ["sin"]),
        n("Mul", ["sin", "amp_col"], ["wave2d"]),
        n("Reshape", ["wave2d", "c_m1"], ["waveform"]),
    ]
    # Topological order: t_len_p1 must precede its use.
    order = [x for x in nodes if x.output[0] != "t_len_p1"]
    idx = next(i for i, x in enumerate(order) if x.output[0] == "pos1")
    order.insert(idx, next(x for x in nodes if x.output[0] == "t_len_p1"))
    graph = helper.make_graph(
        order,
        "kittentts_fixture",
        [
            helper.make_tensor_value_info(ids_in, TensorProto.INT64, [1, "sequence_length"]),
            helper.make_tensor_value_info(style_in, TensorProto.FLOAT, [1, 256]),
            helper.make_tensor_value_info(speed_in, TensorProto.FLOAT, [1]),
        ],
        [
            helper.make_tensor_value_info("waveform", TensorProto.FLOAT, ["num_samples"]),
            helper.make_tensor_value_info("duration", TensorProto.INT64, ["sequence_length"]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="kittentts-rs scripts/make_fixture.py")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def voices():
    # Row r of a voice is the 256-value window starting at r of one longer smooth sequence, so
    # every row differs (and so do the means of its two halves) while deflate stores a row as a
    # back-reference to the previous one plus one new value.
    t = np.arange(400 + 256, dtype=np.float64)
    out = {}
    for v, name in enumerate(VOICES):
        seq = 0.3 * np.sin(0.05 * (v + 1) * t + v) + 0.1 * np.sin(0.0071 * t * (v + 2)) + 0.02 * (v - 3.5)
        seq = np.round(seq, 4).astype(np.float32)
        out[name] = np.stack([seq[r:r + 256] for r in range(400)])
    return out


def config():
    return {
        "name": "KittenTTS test fixture (deterministic sine model, not speech)",
        "version": "0.8",
        "type": "ONNX2",
        "model_file": "model.onnx",
        "voices": "voices.npz",
        "speed_priors": {"expr-voice-2-f": 0.9, "expr-voice-4-m": 1.25},
        "voice_aliases": ALIASES,
    }


def compact(wave, stride):
    """The compact golden form of a waveform (float32 values written with repr of float)."""
    w = np.asarray(wave, dtype=np.float32).reshape(-1)
    return {
        "samples": int(w.size),
        "sha256_f32le": hashlib.sha256(w.astype("<f4").tobytes()).hexdigest(),
        "sum": float(np.sum(w, dtype=np.float64)),
        "sum_abs": float(np.sum(np.abs(w), dtype=np.float64)),
        "head": [float(x) for x in w[:64]],
        "tail": [float(x) for x in w[-64:]],
        "stride": stride,
        "strided": [float(x) for x in w[::stride]],
    }


def direct_goldens():
    """Fixed (ids, style, speed) cases run through Python onnxruntime on the fixture model."""
    import onnxruntime as ort
    sess = ort.InferenceSession(os.path.join(OUT, "model.onnx"), providers=["CPUExecutionProvider"])
    table = np.load(os.path.join(OUT, "voices.npz"))
    long_ids = [0] + [(7 * i + 3) % 177 + 1 for i in range(509)] + [10, 0]
    cases = [
        ("short_leo_row9", [0, 50, 83, 156, 102, 16, 4, 10, 0], "expr-voice-5-m", 9, 1.0, 97),
        ("short_leo_row9_fast", [0, 50, 83, 156, 102, 16, 4, 10, 0], "expr-voice-5-m", 9, 1.7, 97),
        ("reordered_bella_row399_slow", [0, 156, 102, 50, 83, 4, 16, 10, 0], "expr-voice-2-f", 399, 0.8, 97),
        ("single_token", [0], "expr-voice-3-m", 0, 1.0, 97),
        ("max_512_ids", long_ids, "expr-voice-4-f", 200, 1.0, 4999),
    ]
    out = []
    for name, ids, voice, row, speed, stride in cases:
        style = table[voice][row:row + 1]
        wave, dur = sess.run(None, {
            "input_ids": np.array([ids], dtype=np.int64),
            "style": style,
            "speed": np.array([speed], dtype=np.float32),
        })
        case = {"name": name, "input_ids": ids, "voice": voice, "row": row, "speed": speed,
                "style": [float(x) for x in style.reshape(-1)], "durations": [int(x) for x in dur]}
        case.update(compact(wave, stride))
        out.append(case)
    os.makedirs(os.path.dirname(DIRECT), exist_ok=True)
    with open(DIRECT, "w", encoding="utf-8") as f:
        json.dump({"generator": "scripts/make_fixture.py", "onnxruntime": ort.__version__, "cases": out}, f)
        f.write("\n")
    print(os.path.relpath(DIRECT, ROOT), os.path.getsize(DIRECT), "bytes")


def pipeline_goldens():
    """Reference synthesis of the hand-written cases in golden/cases.jsonl."""
    with open(os.path.join(GOLDEN, "cases.jsonl"), encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    manifest = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            npy = os.path.join(tmp, case["name"] + ".npy")
            subprocess.run([sys.executable, KITTEN_REF, "synth", "--model-dir", OUT, "--voice", case["voice"],
                            "--speed", repr(case["speed"]), "--out", npy, case["text"]],
                           check=True, stdout=subprocess.DEVNULL)
            data = compact(np.load(npy), case.get("stride", 97))
            data.update(text=case["text"], voice=case["voice"], speed=case["speed"])
            file = case["name"] + ".json"
            with open(os.path.join(GOLDEN, file), "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False)
                f.write("\n")
            manifest.append({"name": case["name"], "text": case["text"], "voice": case["voice"],
                             "speed": case["speed"], "file": file, "samples": data["samples"]})
    with open(os.path.join(GOLDEN, "manifest.jsonl"), "w", encoding="utf-8") as f:
        for m in manifest:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")
    texts = "".join(json.dumps({"text": c["text"]}, ensure_ascii=False) + "\n" for c in cases)
    fe = subprocess.run([sys.executable, KITTEN_REF, "frontend"], input=texts, capture_output=True,
                        text=True, check=True)
    with open(os.path.join(GOLDEN, "frontend.jsonl"), "w", encoding="utf-8") as f:
        f.write(fe.stdout)
    total = sum(os.path.getsize(os.path.join(GOLDEN, x)) for x in os.listdir(GOLDEN))
    print("golden/:", len(manifest), "cases,", total, "bytes")


def main():
    os.makedirs(os.path.join(OUT, "bad"), exist_ok=True)
    onnx.save(build_model(), os.path.join(OUT, "model.onnx"))
    # Same graph, but the inputs are named like another TTS model's (tokens/style/speed).
    onnx.save(build_model(("tokens", "style", "speed")), os.path.join(OUT, "bad", "other-inputs.onnx"))
    with open(os.path.join(OUT, "bad", "not-onnx.onnx"), "w", encoding="utf-8") as f:
        f.write("this is a text file, not an ONNX protobuf\n")
    np.savez_compressed(os.path.join(OUT, "voices.npz"), **voices())
    with open(os.path.join(OUT, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config(), f, indent=2)
        f.write("\n")
    for p in ("model.onnx", "voices.npz", "config.json", "bad/other-inputs.onnx"):
        print(p, os.path.getsize(os.path.join(OUT, p)), "bytes")
    if "--no-golden" not in sys.argv[1:]:
        direct_goldens()
        pipeline_goldens()


if __name__ == "__main__":
    main()
