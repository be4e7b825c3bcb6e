"""KittenTTS in Rust, for Python.

English text to 24 kHz speech with KittenML's ONNX models: the reference's front end
(normalisation, libespeak-ng 1.52 phonemes, chunking), the Rust engine's session pool,
streaming (``stream`` and ``async`` ``astream``), word timings, voice blends and a lexicon.
Three dependencies: ``onnxruntime``, ``espeakng-loader`` and ``numpy``.

>>> from kittentts_rs import Synthesizer                      # doctest: +SKIP
>>> tts = Synthesizer("kitten-tts-nano-0.8-int8")               # doctest: +SKIP
>>> audio = tts.synthesize("Hello there.", voice="Leo")         # doctest: +SKIP
>>> audio.samples.dtype, audio.sample_rate                       # doctest: +SKIP
(dtype('float32'), 24000)

Drop-ins: :class:`KittenTTS` (the official package's API) and :class:`KittenTTS_1_Onnx`
(Harmony Speech Engine's class).
"""

from . import errors
from ._native import (
    SAMPLE_RATE,
    Audio,
    AudioChunk,
    AudioStream,
    Synthesizer,
    WordTiming,
    __version__,
    write_audio,
)
from .compat import KittenTTS, KittenTTS_1_Onnx
from .errors import *  # noqa: F403 - every exception class, listed in errors.__all__

__all__ = [
    "SAMPLE_RATE",
    "Audio",
    "AudioChunk",
    "AudioStream",
    "Synthesizer",
    "WordTiming",
    "KittenTTS",
    "KittenTTS_1_Onnx",
    "write_audio",
    "errors",
    "__version__",
    *errors.__all__,
]
