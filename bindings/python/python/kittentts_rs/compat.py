"""Drop-in classes for the official KittenTTS package and Harmony Speech Engine.

``KittenTTS`` has the official package's constructor, methods and return types;
``KittenTTS_1_Onnx`` has the constructor of the class Harmony Speech Engine vendors, so that
switching either to this engine is one import line. They print nothing. By default they give
the reference's audio exactly (``ending="reference"``: each chunk loses its last 5,000
samples, no pauses); ``ending="auto"`` cuts at the model's durations instead, which keeps the
last word.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ._native import Synthesizer, write_audio
from .errors import InvalidSettingError, ProviderError

__all__ = ["KittenTTS", "KittenTTS_1_Onnx"]

_ID = re.compile(r"expr-voice-(\d+)-([fm])$")


def _provider(backend: str | None) -> str:
    if backend is None or backend == "cpu":
        return "cpu"
    if backend == "cuda":
        return "cuda"
    if backend == "amd_gpu":
        raise ProviderError(
            "backend 'amd_gpu' asks for ONNX Runtime's ROCm provider, which ONNX Runtime 1.23 "
            "and later no longer have; use backend='cpu', or Synthesizer(provider=...) with a "
            "provider your onnxruntime build has"
        )
    raise InvalidSettingError(
        f"Unsupported backend {backend!r}: expected 'cuda', 'amd_gpu', 'cpu' or None"
    )


def _id_order(voice_id: str, female_first: bool) -> tuple:
    m = _ID.match(voice_id)
    if m is None:
        return (1, voice_id)
    gender = (m.group(2) == "m") if female_first else (m.group(2) == "f")
    return (0, int(m.group(1)), gender)


class KittenTTS_1_Onnx:
    """The reference's ONNX model class, as Harmony Speech Engine builds it.

    ``KittenTTS_1_Onnx(model_path, voices_path, speed_priors={}, voice_aliases={},
    backend=None)``. A voice is a voice id (``"expr-voice-5-m"``) or an alias of
    ``voice_aliases``. ``backend``: ``"cuda"``, ``"amd_gpu"``, ``"cpu"`` or ``None``; one that
    cannot be used raises :class:`~kittentts_rs.errors.ProviderError`, it never falls back.

    Keyword-only extras: ``ending`` (``"reference"`` by default, or ``"auto"``), and
    ``sessions`` / ``threads`` for the engine's pool.
    """

    sample_rate = 24000

    def __init__(
        self,
        model_path: str | os.PathLike = "kitten_tts_nano_preview.onnx",
        voices_path: str | os.PathLike = "voices.npz",
        speed_priors: Mapping[str, float] = {},  # noqa: B006 - the reference's signature
        voice_aliases: Mapping[str, str] = {},  # noqa: B006
        backend: str | None = None,
        *,
        ending: str = "reference",
        sessions: int | None = None,
        threads: int | None = None,
        _synthesizer: Synthesizer | None = None,
    ) -> None:
        self.model_path = model_path
        self.voices_path = voices_path
        self.speed_priors = speed_priors
        self.voice_aliases = voice_aliases
        self._ending = ending
        if _synthesizer is None:
            _synthesizer = Synthesizer(
                model_files=(
                    os.fspath(model_path),
                    os.fspath(voices_path),
                    dict(speed_priors),
                    dict(voice_aliases),
                ),
                provider=_provider(backend),
                sessions=sessions,
                threads=threads,
            )
        self._synth = _synthesizer
        ids = self._synth.voice_ids
        self.available_voices = sorted(
            {v for n, v in ids.items() if n == v}, key=lambda v: _id_order(v, False)
        )
        aliases = [n for n, v in ids.items() if n != v]
        self.all_voice_names = sorted(aliases, key=lambda n: _id_order(ids[n], True))
        self._voices = None

    @property
    def voices(self) -> Any:
        """The voices archive as ``np.load`` gives it (loaded when first read)."""
        if self._voices is None:
            self._voices = np.load(self.voices_path)
        return self._voices

    @property
    def synthesizer(self) -> Synthesizer:
        """The engine underneath, for the native API (``stream``, ``astream``, word timings)."""
        return self._synth

    def _options(self, voice: str, speed: float, clean_text: bool) -> dict[str, Any]:
        return {
            "voice": voice,
            "speed": speed,
            "normalize": clean_text,
            "ending": self._ending,
            "first_chunk": "whole",
        }

    def generate(
        self, text: str, voice: str = "expr-voice-5-m", speed: float = 1.0, clean_text: bool = True
    ) -> np.ndarray:
        """The whole text's audio: 1-D float32 at 24 kHz."""
        return self._synth.synthesize(text, **self._options(voice, speed, clean_text)).samples

    def generate_stream(
        self, text: str, voice: str = "expr-voice-5-m", speed: float = 1.0, clean_text: bool = True
    ) -> Iterator[np.ndarray]:
        """The audio chunk by chunk (a generator of 1-D float32 arrays), as the reference
        chunks the text."""
        stream = self._synth.stream(text, **self._options(voice, speed, clean_text))
        try:
            for chunk in stream:
                yield chunk.samples
        finally:
            stream.close()

    def generate_single_chunk(
        self, text: str, voice: str = "expr-voice-5-m", speed: float = 1.0
    ) -> np.ndarray:
        """One chunk's audio, the text taken as it is (not normalised). A text longer than a
        chunk is still split, where the reference would overflow the model's context."""
        return self._synth.synthesize(text, **self._options(voice, speed, False)).samples

    def generate_to_file(
        self,
        text: str,
        output_path: str | os.PathLike,
        voice: str = "expr-voice-5-m",
        speed: float = 1.0,
        sample_rate: int = 24000,
        clean_text: bool = True,
    ) -> None:
        """Writes the audio to ``output_path``: WAV 16-bit, or FLAC, MP3, Opus (``.ogg`` /
        ``.opus``) or raw PCM by the extension."""
        audio = self.generate(text, voice, speed, clean_text=clean_text)
        write_audio(os.fspath(output_path), audio, sample_rate)

    def normalize_text(self, text: str, locale: str = "en-US", return_spans: bool = False) -> str:
        """The spoken form of ``text``. Only ``en-US`` and ``return_spans=False``."""
        if locale != "en-US" or return_spans:
            raise InvalidSettingError("normalize_text supports locale='en-US' without spans only")
        return self._synth.normalize(text)


class KittenTTS:
    """The official package's entry point.

    ``KittenTTS(model_name="KittenML/kitten-tts-nano-0.8", cache_dir=None, backend=None)``: a
    Hugging Face repo id, a bare KittenML name or a local folder; downloads go to the Hugging
    Face cache (or ``cache_dir``). ``generate`` defaults to ``clean_text=False`` as the
    official package does. Keyword-only extras as :class:`KittenTTS_1_Onnx`.
    """

    sample_rate = 24000

    def __init__(
        self,
        model_name: str = "KittenML/kitten-tts-nano-0.8",
        cache_dir: str | os.PathLike | None = None,
        backend: str | None = None,
        *,
        ending: str = "reference",
        sessions: int | None = None,
        threads: int | None = None,
    ) -> None:
        synth = Synthesizer(
            os.fspath(model_name),
            cache_dir=None if cache_dir is None else os.fspath(cache_dir),
            provider=_provider(backend),
            sessions=sessions,
            threads=threads,
        )
        self.model = KittenTTS_1_Onnx(
            model_path=str(synth.model_path),
            voices_path=str(synth.voices_path),
            speed_priors=synth.speed_priors,
            voice_aliases={n: v for n, v in synth.voice_ids.items() if n != v},
            ending=ending,
            _synthesizer=synth,
        )

    @property
    def synthesizer(self) -> Synthesizer:
        """The engine underneath, for the native API."""
        return self.model.synthesizer

    def generate(
        self, text: str, voice: str = "expr-voice-5-m", speed: float = 1.0, clean_text: bool = False
    ) -> np.ndarray:
        """The whole text's audio: 1-D float32 at 24 kHz."""
        return self.model.generate(text, voice=voice, speed=speed, clean_text=clean_text)

    def generate_stream(
        self, text: str, voice: str = "expr-voice-5-m", speed: float = 1.0, clean_text: bool = False
    ) -> Iterator[np.ndarray]:
        """The audio chunk by chunk: a generator of 1-D float32 arrays."""
        yield from self.model.generate_stream(text, voice=voice, speed=speed, clean_text=clean_text)

    def generate_to_file(
        self,
        text: str,
        output_path: str | os.PathLike,
        voice: str = "expr-voice-5-m",
        speed: float = 1.0,
        sample_rate: int = 24000,
    ) -> None:
        """Writes the audio to ``output_path`` (the format by its extension, WAV otherwise)."""
        self.model.generate_to_file(text, output_path, voice=voice, speed=speed, sample_rate=sample_rate, clean_text=False)

    def normalize_text(self, text: str, locale: str = "en-US", return_spans: bool = False) -> str:
        """The spoken form of ``text``."""
        return self.model.normalize_text(text, locale=locale, return_spans=return_spans)

    @property
    def available_voices(self) -> list[str]:
        """The friendly voice names (``Bella`` ... ``Leo``)."""
        return self.model.all_voice_names
