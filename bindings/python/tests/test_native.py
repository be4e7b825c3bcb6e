"""The native API: samples equal the Rust API's, word timings, voices, the front end."""

import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import kittentts_rs

TEXT = "Hello there, my little kitten. It costs $42.50, and the train leaves at 7:15."


def to_i16(samples):
    """16-bit PCM as the engine writes it: clipped, scaled by 32767, halves away from zero."""
    x = np.clip(samples, -1, 1).astype(np.float32) * np.float32(32767)  # in float32, as Rust
    return (np.sign(x) * np.floor(np.abs(x) + 0.5)).astype(np.int16)


def rust_say(cli, fixture_dir, tmp_path, text, *args):
    """The same call through the Rust `kittentts say` command: raw f32 samples."""
    out = tmp_path / "rust.f32"
    subprocess.run(
        [str(cli), "say", "--model", str(fixture_dir), "--threads", "1", "--format", "f32",
         "--out", str(out), *args, text],
        check=True, capture_output=True,
    )
    return np.fromfile(out, dtype="<f4")


@pytest.mark.parametrize(
    "voice,speed,ending",
    [("Leo", 1.0, "auto"), ("Bella", 1.3, "reference"), ("expr-voice-3-f", 0.8, "none")],
)
def test_samples_equal_the_rust_apis(tts, cli, fixture_dir, tmp_path, voice, speed, ending):
    rust = rust_say(cli, fixture_dir, tmp_path, TEXT, "--voice", voice, "--speed", str(speed),
                    "--ending", ending)
    audio = tts.synthesize(TEXT, voice=voice, speed=speed, ending=ending)
    assert audio.samples.dtype == np.float32
    assert audio.samples.ndim == 1
    assert audio.sample_rate == 24000
    assert len(audio) == len(rust) > 24000
    np.testing.assert_array_equal(audio.samples, rust)
    assert audio.duration == pytest.approx(len(rust) / 24000)


def test_samples_are_the_engines_buffer_not_a_copy(tts):
    samples = tts.synthesize("Hello there.").samples
    # NumPy does not own the memory: the Rust buffer was moved in as the array's base.
    assert not samples.flags.owndata
    assert samples.base is not None
    assert samples.flags.writeable


def test_word_timings_match_the_rust_ones(tts, cli, fixture_dir, tmp_path):
    timings = tmp_path / "words.json"
    rust_say(cli, fixture_dir, tmp_path, TEXT, "--timings", str(timings))
    rust_words = json.loads(timings.read_text())
    if isinstance(rust_words, dict):
        rust_words = rust_words["words"]
    audio = tts.synthesize(TEXT, word_timings=True)
    words = audio.words
    assert [w.word for w in words] == [w["word"] for w in rust_words]
    assert [w.word for w in words][:6] == ["Hello", "there", "my", "little", "kitten", "It"]
    assert "$42.50" in [w.word for w in words]
    for ours, theirs in zip(words, rust_words):
        assert ours.start == pytest.approx(theirs["start"], abs=1e-6)
        assert ours.end == pytest.approx(theirs["end"], abs=1e-6)
    for w in words:
        start, end = w.text_range
        assert TEXT[start:end] == w.word
        assert 0 <= w.start < w.end <= audio.duration
    assert all(a.end <= b.start for a, b in zip(words, words[1:]))
    assert tts.synthesize(TEXT).words == []


def test_text_ranges_are_character_offsets(tts):
    text = "Café déjà vu — naïve résumé."
    words = tts.synthesize(text, word_timings=True).words
    assert [text[a:b] for a, b in (w.text_range for w in words)] == [w.word for w in words]
    assert [w.word for w in words] == ["Café", "déjà", "vu", "naïve", "résumé"]


def test_voices_front_end_and_properties(tts, fixture_config):
    assert tts.voices[:8] == sorted(fixture_config["voice_aliases"])
    assert tts.voice_ids["Leo"] == "expr-voice-5-m"
    assert tts.voice_ids["expr-voice-2-f"] == "expr-voice-2-f"
    assert tts.speed_priors == fixture_config["speed_priors"]
    assert tts.espeak_version == "1.52.0"
    assert tts.sample_rate == kittentts_rs.SAMPLE_RATE == 24000
    assert tts.normalize("It costs $5.") == "It costs five dollars."
    assert tts.phonemize("Hello.").strip() == "həlˈoʊ."
    # The reference's tokenizer: "həlˈoʊ ." (a space before punctuation), one id per symbol.
    assert tts.token_ids("Hello.") == [50, 83, 54, 156, 57, 135, 16, 4]
    assert tts.threads == 1
    assert tts.adaptive_threads is False  # one thread: nothing to divide


def test_adaptive_threads_can_be_turned_off(fixture_dir, tts):
    two = kittentts_rs.Synthesizer(str(fixture_dir), sessions=2, threads=2)
    fixed = kittentts_rs.Synthesizer(str(fixture_dir), sessions=2, threads=2, adaptive_threads=False)
    # Threads are capped at the cores: one core leaves nothing to divide.
    assert two.adaptive_threads is (len(os.sched_getaffinity(0)) >= 2)
    assert fixed.adaptive_threads is False
    # The layout changes the speed, not the audio.
    text = "One, two. Three, four. Five, six."
    expected = tts.synthesize(text).samples
    assert np.array_equal(two.synthesize(text).samples, expected)
    assert np.array_equal(fixed.synthesize(text).samples, expected)


def test_memory_settings_are_kept_and_change_the_memory_not_the_audio(fixture_dir, tts):
    default = kittentts_rs.Synthesizer(str(fixture_dir), sessions=2, threads=2)
    assert default.ids_in_flight == 256
    # One chunk at a time when the threads follow the load, else one per session.
    assert default.chunks_at_once == (1 if default.adaptive_threads else 2)
    custom = kittentts_rs.Synthesizer(
        str(fixture_dir), sessions=2, threads=2, ids_in_flight=None, chunks_at_once=2
    )
    assert custom.ids_in_flight is None
    assert custom.chunks_at_once == 2
    assert kittentts_rs.Synthesizer(str(fixture_dir), ids_in_flight=64).ids_in_flight == 64
    text = "One, two. Three, four. Five, six."
    expected = tts.synthesize(text).samples
    assert np.array_equal(default.synthesize(text).samples, expected)
    assert np.array_equal(custom.synthesize(text).samples, expected)


def test_options_change_the_audio_as_documented(tts):
    plain = tts.synthesize("One. Two.", pauses=0.0)
    paused = tts.synthesize("One. Two.", pauses={"sentence": 0.5})
    assert len(paused) - len(plain) == pytest.approx(0.5 * 24000, abs=1)
    reference = tts.synthesize("One. Two.", ending="reference")
    untrimmed = tts.synthesize("One. Two.", ending="none", pauses=0)
    assert len(untrimmed) - len(reference) == 2 * 5000
    fast = tts.synthesize("Slow and steady.", speed=2.0)
    assert len(fast) < len(plain)
    blend = tts.synthesize("Hello.", voice="Bella*0.5+Leo*0.5").samples
    assert not np.array_equal(blend, tts.synthesize("Hello.", voice="Bella").samples)
    assert not np.array_equal(blend, tts.synthesize("Hello.", voice="Leo").samples)


def test_lexicon_from_a_dict_and_a_file(fixture_dir, tmp_path):
    entries = {"kitten": "kˈæt"}
    path = tmp_path / "lexicon.txt"
    path.write_text("kitten kˈæt\n")
    for lexicon in (entries, str(path)):
        tts = kittentts_rs.Synthesizer(str(fixture_dir), threads=1, lexicon=lexicon)
        assert tts.phonemize("kitten").strip() == "kˈæt"


def test_audio_encodes_and_saves(tts, tmp_path):
    import wave

    audio = tts.synthesize("Hello there.")
    wav = audio.to_bytes("wav")
    assert wav[:4] == b"RIFF" and len(wav) == 44 + 2 * len(audio)
    assert audio.to_bytes("flac")[:4] == b"fLaC"
    path = tmp_path / "x.wav"
    audio.save(str(path))
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24000, 1, 2)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    expected = to_i16(audio.samples)
    np.testing.assert_array_equal(pcm, expected)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(wav).hexdigest()


def test_the_package_runs_from_a_folder_outside_the_clone(fixture_dir, tmp_path):
    script = (
        "import json, sys, kittentts_rs\n"
        f"t = kittentts_rs.Synthesizer({str(fixture_dir)!r}, threads=1)\n"
        "a = t.synthesize('Hello there.', voice='Bella')\n"
        "print(json.dumps({'file': kittentts_rs.__file__, 'n': len(a), 'sr': a.sample_rate}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True,
                         capture_output=True, text=True)
    result = json.loads(out.stdout)
    assert "site-packages" in result["file"]
    assert result["sr"] == 24000
    assert result["n"] == len(kittentts_rs.Synthesizer(str(fixture_dir), threads=1)
                              .synthesize("Hello there.", voice="Bella"))
    assert out.stderr == ""


def test_the_runtimes_come_from_the_installed_packages(monkeypatch):
    from kittentts_rs import _runtimes

    for var in ("ORT_DYLIB_PATH", "KITTENTTS_RUNTIME_DIR", "KITTENTTS_ESPEAK_LIBRARY",
                "KITTENTTS_ESPEAK_DATA"):
        monkeypatch.delenv(var, raising=False)
    found = _runtimes.discover()
    assert "site-packages/onnxruntime/capi/libonnxruntime.so.1." in found["onnxruntime"]
    assert found["espeak_library"].endswith("site-packages/espeakng_loader/libespeak-ng.so")
    assert found["espeak_data"].endswith("site-packages/espeakng_loader/espeak-ng-data")
    # A variable the user set wins: the engine's own search order then decides.
    monkeypatch.setenv("ORT_DYLIB_PATH", "/somewhere/libonnxruntime.so")
    monkeypatch.setenv("KITTENTTS_ESPEAK_DATA", "/somewhere/espeak-ng-data")
    found = _runtimes.discover()
    assert found["onnxruntime"] is None and found["espeak_data"] is None
    assert found["espeak_library"] is not None
