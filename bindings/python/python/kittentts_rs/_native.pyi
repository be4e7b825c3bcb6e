"""Type stubs of the compiled module ``kittentts_rs._native`` (re-exported by ``kittentts_rs``)."""

import os
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Literal

import numpy as np
import numpy.typing as npt

SAMPLE_RATE: int
__version__: str

Ending = Literal["auto", "durations", "reference", "none"]
Pauses = float | Mapping[Literal["clause", "sentence", "paragraph"], float]
FirstChunk = Literal["auto", "whole"] | int

class WordTiming:
    """When one written word of the input is spoken."""

    @property
    def word(self) -> str:
        """The word as written in the input (``"$5.99"``, not "five dollars...")."""
    @property
    def start(self) -> float:
        """Start, in seconds from the start of the audio (of the stream, for a chunk)."""
    @property
    def end(self) -> float:
        """End, in seconds."""
    @property
    def text_range(self) -> tuple[int, int]:
        """``(start, end)`` character offsets of the word in the input: ``text[start:end]``."""

class Audio:
    """Synthesised speech."""

    @property
    def samples(self) -> npt.NDArray[np.float32]:
        """1-D float32 samples in about [-1, 1] (the engine's buffer, moved, not copied)."""
    @property
    def sample_rate(self) -> int:
        """24000."""
    @property
    def duration(self) -> float:
        """Seconds of audio."""
    @property
    def words(self) -> list[WordTiming]:
        """Word timings, with ``word_timings=True`` on a model with durations; else empty."""
    def to_bytes(self, format: str = "wav") -> bytes:
        """Encoded as ``"wav"`` (16-bit), ``"wav-f32"``, ``"pcm"``, ``"f32"``, ``"flac"``,
        ``"mp3"`` or ``"opus"``."""
    def save(self, path: str | os.PathLike[str], format: str | None = None) -> None:
        """Writes the file, in ``format`` or by the extension (WAV otherwise)."""
    def __len__(self) -> int: ...

class AudioChunk:
    """One chunk of a stream."""

    @property
    def index(self) -> int:
        """0, 1, 2... in order."""
    @property
    def samples(self) -> npt.NDArray[np.float32]:
        """The chunk's 1-D float32 samples (with the pause after it)."""
    @property
    def sample_rate(self) -> int: ...
    @property
    def text(self) -> str:
        """The text the model spoke (normalised)."""
    @property
    def text_range(self) -> tuple[int, int]:
        """The part of the input it speaks, as character offsets."""
    @property
    def words(self) -> list[WordTiming]:
        """Its words, timed from the start of the stream."""
    @property
    def duration(self) -> float: ...

class AudioStream(Iterator[AudioChunk]):
    """An iterator of chunks; each ``next()`` releases the GIL while the model runs.
    Dropping, closing or cancelling it stops the work."""

    def __iter__(self) -> AudioStream: ...
    def __next__(self) -> AudioChunk: ...
    def cancel(self) -> None:
        """Stops the work (from any thread); the stream then ends."""
    def close(self) -> None:
        """Stops the work and frees the stream."""
    def __enter__(self) -> AudioStream: ...
    def __exit__(self, *args: object) -> bool: ...

class Synthesizer:
    """A model, its voices and a pool of ONNX Runtime sessions, shared by any number of
    Python threads (the GIL is released while it works).

    ``model``: a local folder, a Hugging Face repo id (``"KittenML/kitten-tts-mini-0.8"``) or
    a bare KittenML name (``"kitten-tts-nano-0.8-int8"``), downloaded into the Hugging Face
    cache (``cache_dir`` or ``HF_HOME``; ``offline=True`` or ``HF_HUB_OFFLINE=1`` uses the
    cache only). ``sessions`` / ``threads``: the pool (default from the core count).
    ``adaptive_threads``: a run that starts alone gets every thread and runs side by side a
    share (two ONNX Runtime sessions); ``False`` gives every run ``threads``, for less memory.
    ``lexicon``: a file of ``WORD IPA`` lines or a ``{word: ipa}`` dict. ``provider``:
    ``"cpu"``, ``"cuda"`` / ``"cuda:N"``, ``"tensorrt"``, ``"coreml"``, ``"directml"``,
    ``"openvino"``; one that cannot be used raises ``ProviderError`` (no fall back).
    ``strict_espeak``: refuse a libespeak-ng other than 1.52. ``onnxruntime``,
    ``espeak_library``, ``espeak_data``: the runtimes (default: the installed ``onnxruntime``
    and ``espeakng-loader`` packages, unless ``ORT_DYLIB_PATH``, ``KITTENTTS_ESPEAK_LIBRARY``,
    ``KITTENTTS_ESPEAK_DATA`` or ``KITTENTTS_RUNTIME_DIR`` say otherwise). ``model_files``:
    ``(model_path, voices_path, speed_priors, voice_aliases)`` instead of ``model``.
    ``max_text_chars`` / ``max_audio_seconds``: the limits of one call (default 50,000
    characters and 3,600 s); over them a call raises ``TextTooLongError`` before any work.
    ``ids_in_flight``: the most input ids that runs going at once hold together (a run's
    memory grows with its length; a run alone always starts; ``None``: no limit).
    ``chunks_at_once``: how many chunks of one text run at once (default 1 when the threads
    follow the load, else ``sessions``); 0 raises ``InvalidSettingError``.
    """

    def __init__(
        self,
        model: str = "kitten-tts-nano-0.8-int8",
        *,
        sessions: int | None = None,
        threads: int | None = None,
        adaptive_threads: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        offline: bool = False,
        lexicon: str | os.PathLike[str] | Mapping[str, str] | None = None,
        provider: str = "cpu",
        strict_espeak: bool = False,
        onnxruntime: str | os.PathLike[str] | None = None,
        espeak_library: str | os.PathLike[str] | None = None,
        espeak_data: str | os.PathLike[str] | None = None,
        model_files: tuple[str, str, Mapping[str, float], Mapping[str, str]] | None = None,
        max_text_chars: int | None = None,
        max_audio_seconds: float | None = None,
        ids_in_flight: int | None = 256,
        chunks_at_once: int | None = None,
    ) -> None: ...
    def synthesize(
        self,
        text: str,
        *,
        voice: str | None = None,
        speed: float = 1.0,
        normalize: bool = True,
        ending: Ending = "auto",
        pauses: Pauses | None = None,
        word_timings: bool = False,
        first_chunk: FirstChunk | None = None,
    ) -> Audio:
        """The whole text's audio. ``voice``: an alias (``"Leo"``, the default), a voice id
        or a blend (``"Bella*0.7+Luna*0.3"``). ``speed``: 1.0 is the model's own.
        ``normalize``: numbers, money, dates... in words first. ``ending``: ``"auto"`` cuts
        each chunk where the model's durations say the speech ends (the last word is kept),
        ``"reference"`` drops 5,000 samples per chunk and adds no pauses (the reference's
        audio), ``"none"`` keeps the whole waveform. ``pauses``: seconds of silence after a
        clause, sentence and paragraph. ``word_timings``: fill ``Audio.words``.
        ``first_chunk``: ``"auto"`` (short in a stream), ``"whole"`` (the reference's
        chunking) or the longest first chunk in characters."""
    def stream(
        self,
        text: str,
        *,
        voice: str | None = None,
        speed: float = 1.0,
        normalize: bool = True,
        ending: Ending = "auto",
        pauses: Pauses | None = None,
        word_timings: bool = False,
        first_chunk: FirstChunk | None = None,
    ) -> AudioStream:
        """The audio chunk by chunk; arguments as ``synthesize``."""
    def astream(
        self,
        text: str,
        *,
        voice: str | None = None,
        speed: float = 1.0,
        normalize: bool = True,
        ending: Ending = "auto",
        pauses: Pauses | None = None,
        word_timings: bool = False,
        first_chunk: FirstChunk | None = None,
    ) -> AsyncIterator[AudioChunk]:
        """``async for`` over the chunks; cancelling the consuming task stops the work."""
    @property
    def voices(self) -> list[str]:
        """The names a ``voice`` takes: aliases first, then voice ids."""
    @property
    def voice_ids(self) -> dict[str, str]:
        """``{name: voice id}``."""
    @property
    def speed_priors(self) -> dict[str, float]:
        """The config's ``{voice id: speed factor}``."""
    def normalize(self, text: str) -> str:
        """The spoken form of ``text``."""
    def phonemize(self, text: str) -> str:
        """The IPA phonemes of ``text`` as one chunk: not normalised (call ``normalize``
        first for written forms); a lexicon's words as it says."""
    def token_ids(self, text: str) -> list[int]:
        """The model's token ids of ``text`` as one chunk, without the wrapping ``[0] ... [10, 0]``."""
    @property
    def espeak_version(self) -> str: ...
    @property
    def sample_rate(self) -> int: ...
    @property
    def sessions(self) -> int: ...
    @property
    def threads(self) -> int: ...
    @property
    def adaptive_threads(self) -> bool:
        """Whether the thread count follows the load (asked for, and more than one session and thread)."""
    @property
    def ids_in_flight(self) -> int | None:
        """The most input ids that runs going at once hold together (``None``: no limit)."""
    @property
    def chunks_at_once(self) -> int:
        """How many chunks of one text run at once."""
    @property
    def model_dir(self) -> str: ...
    @property
    def model_path(self) -> str: ...
    @property
    def voices_path(self) -> str: ...

def write_audio(
    path: str | os.PathLike[str],
    samples: npt.NDArray[np.float32],
    sample_rate: int = 24000,
    format: str | None = None,
) -> None:
    """Writes 1-D float32 samples to ``path`` (the format by the extension, WAV otherwise)."""
