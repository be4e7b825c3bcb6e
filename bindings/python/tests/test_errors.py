"""Each bad input raises its class, with the engine's message."""

import subprocess
import sys

import pytest

import kittentts_rs
from kittentts_rs import errors


@pytest.mark.parametrize(
    "kwargs,text,cls,words",
    [
        ({"voice": "Garfield"}, "Hi.", errors.UnknownVoiceError, ["Garfield", "Leo", "expr-voice-2-f"]),
        ({"voice": "Bella*x"}, "Hi.", errors.InvalidVoiceSpecError, ['"x" is not a weight']),
        ({"speed": 0.0}, "Hi.", errors.InvalidSpeedError, ["speed 0", "greater than zero"]),
        ({"speed": float("nan")}, "Hi.", errors.InvalidSpeedError, ["NaN"]),
        ({"speed": 100.0}, "Hi.", errors.InvalidSpeedError, ["outside the allowed"]),
        ({}, "", errors.EmptyTextError, ["nothing to speak"]),
        ({}, " ... ", errors.EmptyTextError, ["nothing to speak"]),
        ({}, "a" * 50_001, errors.TextTooLongError, ["50001 characters", "50000"]),
        ({"ending": "cut"}, "Hi.", errors.InvalidSettingError, ['"cut"']),
        ({"pauses": {"comma": 1.0}}, "Hi.", errors.InvalidSettingError, ['"comma"']),
        ({"pauses": 11.0}, "Hi.", errors.InvalidSettingError, ["0 to 10 seconds"]),
        ({"first_chunk": 3}, "Hi.", errors.InvalidSettingError, ["at least 12"]),
    ],
)
def test_bad_calls(tts, kwargs, text, cls, words):
    for call in (tts.synthesize, lambda t, **k: next(tts.stream(t, **k))):
        with pytest.raises(cls) as info:
            call(text, **kwargs)
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, kittentts_rs.KittenTTSError)
        for word in words:
            assert word in str(info.value)


@pytest.mark.parametrize(
    "kwargs,cls,words",
    [
        ({"sessions": 0}, errors.InvalidSettingError, ["sessions 0"]),
        ({"threads": 0}, errors.InvalidSettingError, ["intra_threads 0"]),
        ({"chunks_at_once": 0}, errors.InvalidSettingError, ["chunks_at_once 0"]),
        ({"provider": "tpu"}, errors.InvalidSettingError, ['"tpu"']),
        ({"lexicon": {"two words": "x"}}, errors.LexiconError, ['"two words"']),
        ({"lexicon": "/nonexistent/lexicon.txt"}, errors.LexiconError, ["/nonexistent/lexicon.txt"]),
    ],
)
def test_bad_settings(fixture_dir, kwargs, cls, words):
    with pytest.raises(cls) as info:
        kittentts_rs.Synthesizer(str(fixture_dir), **kwargs)
    assert isinstance(info.value, ValueError)
    for word in words:
        assert word in str(info.value)


def test_the_limits_are_settings(fixture_dir):
    tts = kittentts_rs.Synthesizer(str(fixture_dir), threads=1, max_text_chars=20, max_audio_seconds=2.0)
    with pytest.raises(errors.TextTooLongError, match="21 characters, over the limit of 20"):
        tts.synthesize("a" * 21)
    with pytest.raises(errors.TextTooLongError, match="over the limit of 2 s"):
        tts.synthesize("One two three four.", speed=0.25)
    assert len(tts.synthesize("Hi there.")) > 0
    with pytest.raises(errors.InvalidSettingError):
        kittentts_rs.Synthesizer(str(fixture_dir), max_text_chars=0)


def test_a_missing_model_is_a_file_not_found_error(tmp_path):
    with pytest.raises(errors.ModelNotFoundError) as info:
        kittentts_rs.Synthesizer(str(tmp_path / "nowhere"))
    assert isinstance(info.value, FileNotFoundError)
    assert "nowhere" in str(info.value)
    with pytest.raises(FileNotFoundError, match="no-voices.npz"):
        kittentts_rs.KittenTTS_1_Onnx(str(tmp_path / "m.onnx"), str(tmp_path / "no-voices.npz"))


def test_an_uncached_model_offline_is_a_file_not_found_error(tmp_path):
    with pytest.raises(errors.ModelNotFoundError) as info:
        kittentts_rs.Synthesizer("kitten-tts-nano-0.8-int8", cache_dir=str(tmp_path), offline=True)
    assert isinstance(info.value, FileNotFoundError)
    assert "KittenML/kitten-tts-nano-0.8-int8" in str(info.value)


def test_a_failed_download_is_a_connection_error(tmp_path, monkeypatch):
    # Port 1 on 127.0.0.1 refuses at once: the error comes after the retries, with its cause.
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:1")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(errors.DownloadError) as info:
        kittentts_rs.Synthesizer("kitten-tts-nano-0.8-int8", cache_dir=str(tmp_path))
    assert isinstance(info.value, ConnectionError)
    assert "127.0.0.1:1" in str(info.value)
    assert "caused by" in str(info.value) or "refused" in str(info.value).lower()


def test_an_unusable_provider_is_an_error_not_a_fallback(fixture_dir):
    with pytest.raises(errors.ProviderError, match="CUDA"):
        kittentts_rs.Synthesizer(str(fixture_dir), provider="cuda")
    for backend in ("cuda", "amd_gpu"):
        with pytest.raises(errors.ProviderError):
            kittentts_rs.KittenTTS(str(fixture_dir), backend=backend)
    with pytest.raises(ValueError, match="Unsupported backend"):
        kittentts_rs.KittenTTS(str(fixture_dir), backend="tpu")


def test_a_missing_runtime_names_the_places_tried(fixture_dir, tmp_path):
    # A fresh process: ONNX Runtime is loaded once per process.
    script = (
        "import kittentts_rs\n"
        "try:\n"
        f"    kittentts_rs.Synthesizer({str(fixture_dir)!r}, onnxruntime={str(tmp_path / 'libonnxruntime.so')!r})\n"
        "except kittentts_rs.RuntimeNotFoundError as e:\n"
        "    assert isinstance(e, FileNotFoundError)\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "libonnxruntime.so" in out.stdout
    assert str(tmp_path) in out.stdout
