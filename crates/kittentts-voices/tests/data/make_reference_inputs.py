"""Regenerates reference-inputs.jsonl: the style row and speed that the reference's
KittenTTS_1_Onnx._prepare_inputs (kittenml 0.9.6) builds for (config, text, voice, speed).

Run from the repository root with the reference venv:
  $PY crates/kittentts-voices/tests/data/make_reference_inputs.py \
      > crates/kittentts-voices/tests/data/reference-inputs.jsonl

The ONNX model is not needed (and not available): the object is built without __init__ and
given the voices, aliases and priors that __init__ would set. Each line: model dir, the
config's speed_priors and voice_aliases, text, voice, speed (a Python float), then what the
reference built: style_row (the table row equal to `style`), style_bits (f32 bits of
style[0, 0] and style[0, 255]), speed_bits (f32 bits of the speed input), or error.
"""
import json

import numpy as np
import phonemizer
from kittenml.kittentts_legacy import onnx_model as om

MINI = "tests/data/kitten-mini-0.8"
NANO = "tests/data/kitten-nano-0.1"
PRIORS = {"expr-voice-2-f": 0.9, "expr-voice-4-m": 1.25, "expr-voice-3-f": 0.8}
TEXTS = [
    "",  # the reference fails before choosing a style (IndexError in phonemize)
    "Hi.",
    "Hello there, how are you?",
    "Café déjà vu — naïve 😀 emoji.",
    "a" * 398,
    "a" * 399,
    "a" * 400,
    "word " * 100,
]
CASES = []
for model in (MINI, NANO):
    cfg = json.load(open(f"{model}/config.json", encoding="utf-8"))
    for text in TEXTS:
        for voice in ("expr-voice-5-m", "Leo", "Bella", "expr-voice-2-f"):
            CASES.append((model, cfg.get("speed_priors", {}), cfg.get("voice_aliases", {}), text, voice, 1.0))
aliases = json.load(open(f"{MINI}/config.json", encoding="utf-8"))["voice_aliases"]
for voice in ("Bella", "expr-voice-2-f", "Hugo", "Luna", "Leo", "Nobody"):
    for speed in (1.0, 0.5, 1.5, 2.0, 0.7, 1.1, 1.3, 0.12, 0.11):
        CASES.append((MINI, PRIORS, aliases, "Speed test.", voice, speed))

backend = phonemizer.backend.EspeakBackend(language="en-us", preserve_punctuation=True, with_stress=True)
loaded = {}
for model, priors, aliases, text, voice, speed in CASES:
    if model not in loaded:
        loaded[model] = np.load(f"{model}/voices.npz")
    m = om.KittenTTS_1_Onnx.__new__(om.KittenTTS_1_Onnx)
    m.voices = loaded[model]
    m.phonemizer = backend
    m.text_cleaner = om.TextCleaner()
    m.speed_priors = priors
    m.voice_aliases = aliases
    m.available_voices = ['expr-voice-2-m', 'expr-voice-2-f', 'expr-voice-3-m', 'expr-voice-3-f',
                          'expr-voice-4-m', 'expr-voice-4-f', 'expr-voice-5-m', 'expr-voice-5-f']
    out = {"model": model.rsplit("/", 1)[1], "speed_priors": priors, "voice_aliases": aliases,
           "text": text, "voice": voice, "speed": speed}
    try:
        inputs = m._prepare_inputs(text, voice, speed)
    except Exception as e:  # noqa: BLE001 (the reference's failures are data too)
        out["error"] = f"{type(e).__name__}: {e}"
    else:
        style = inputs["style"]
        resolved = aliases.get(voice, voice)
        table = loaded[model][resolved]
        rows = [i for i in range(table.shape[0]) if np.array_equal(table[i], style[0])]
        out["style_row"] = rows[0]
        out["style_bits"] = [int(style.view("<u4")[0, 0]), int(style.view("<u4")[0, 255])]
        out["speed_bits"] = int(inputs["speed"].view("<u4")[0])
    print(json.dumps(out, ensure_ascii=False))
