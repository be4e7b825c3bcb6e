"""The exceptions of kittentts_rs.

Every error is a :class:`KittenTTSError`. Bad input is also a :class:`ValueError`, a missing
model or runtime also a :class:`FileNotFoundError`, a failed download also a
:class:`ConnectionError`, so code written for the official package's exceptions keeps working.
The messages are the Rust engine's, with their causes on the lines after.
"""

__all__ = [
    "KittenTTSError",
    "InvalidInputError",
    "EmptyTextError",
    "TextTooLongError",
    "InvalidSpeedError",
    "UnknownVoiceError",
    "InvalidVoiceSpecError",
    "InvalidSettingError",
    "LexiconError",
    "ModelNotFoundError",
    "RuntimeNotFoundError",
    "DownloadError",
    "ProviderError",
    "ModelError",
    "SynthesisError",
]


class KittenTTSError(Exception):
    """The base of every kittentts_rs error."""


class InvalidInputError(KittenTTSError, ValueError):
    """An argument the engine cannot use."""


class EmptyTextError(InvalidInputError):
    """The text has nothing to speak (empty, or no letter or digit)."""


class TextTooLongError(InvalidInputError):
    """The text is over the character limit, or would give more audio than the limit."""


class InvalidSpeedError(InvalidInputError):
    """The speed is not a finite number above zero, or leaves the allowed range."""


class UnknownVoiceError(InvalidInputError):
    """The voice is neither a voice id nor an alias of the model."""


class InvalidVoiceSpecError(InvalidInputError):
    """A voice blend (``"Bella*0.7+Luna*0.3"``) is malformed."""


class InvalidSettingError(InvalidInputError):
    """A constructor or call setting is unusable (zero sessions, an unknown ending...)."""


class LexiconError(InvalidInputError):
    """A lexicon entry or file is bad."""


class ModelNotFoundError(KittenTTSError, FileNotFoundError):
    """The model folder, file or hub repository does not exist (or is not cached offline)."""


class RuntimeNotFoundError(KittenTTSError, FileNotFoundError):
    """ONNX Runtime or libespeak-ng cannot be found or loaded."""


class DownloadError(KittenTTSError, ConnectionError):
    """Downloading the model failed (network, HTTP status, checksum)."""


class ProviderError(KittenTTSError, RuntimeError):
    """The execution provider asked for (``"cuda"``...) cannot be used; nothing falls back."""


class ModelError(KittenTTSError):
    """The model, its config or its voices are unusable."""


class SynthesisError(KittenTTSError, RuntimeError):
    """Running the model failed."""
