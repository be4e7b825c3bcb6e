"""The drop-in classes reproduce the reference's golden audio on the fixture."""

import hashlib
import wave

import numpy as np
import pytest

import kittentts_rs
from test_native import to_i16


def sha256_f32(samples) -> str:
    return hashlib.sha256(np.asarray(samples, dtype="<f4").tobytes()).hexdigest()


def assert_golden(samples, wave_golden, name):
    assert samples.dtype == np.float32 and samples.ndim == 1, name
    assert len(samples) == wave_golden["samples"], name
    np.testing.assert_array_equal(samples[:64], np.array(wave_golden["head"], dtype=np.float32))
    np.testing.assert_array_equal(samples[-64:], np.array(wave_golden["tail"], dtype=np.float32))
    assert sha256_f32(samples) == wave_golden["sha256_f32le"], name


@pytest.fixture(scope="module")
def onnx1(fixture_dir, fixture_config):
    return kittentts_rs.KittenTTS_1_Onnx(
        model_path=str(fixture_dir / "model.onnx"),
        voices_path=str(fixture_dir / "voices.npz"),
        speed_priors=fixture_config["speed_priors"],
        voice_aliases=fixture_config["voice_aliases"],
    )


def test_hse_class_reproduces_the_reference_on_every_golden_case(onnx1, golden_cases):
    for case, frontend, golden in golden_cases:
        audio = onnx1.generate(text=frontend["preprocessed"], voice=case["voice"],
                               speed=case["speed"], clean_text=False)
        assert_golden(audio, golden, case["name"])


def test_clean_text_gives_the_reference_where_the_normalisers_agree(onnx1, golden_cases):
    # The reference lowercases (espeak reads both cases alike); where its normaliser is wrong
    # ("seven fifteenon", "one thousand nine hundred twenty-three" for 1923, "dr." left as
    # is) we read the text as a newsreader would, so those cases differ on purpose.
    differ = set()
    for case, frontend, golden in golden_cases:
        if onnx1.normalize_text(case["text"]).lower() != frontend["preprocessed"]:
            differ.add(case["name"])
            continue
        audio = onnx1.generate(case["text"], case["voice"], case["speed"], clean_text=True)
        assert_golden(audio, golden, case["name"])
    assert differ == {"numbers_bella_prior", "abbrev_luna", "paragraph_jasper"}


def test_hse_class_streams_the_reference_chunks(onnx1, golden_cases):
    case, frontend, golden = next(g for g in golden_cases if g[0]["name"] == "paragraph_jasper")
    chunks = list(onnx1.generate_stream(frontend["preprocessed"], case["voice"], case["speed"],
                                        clean_text=False))
    assert len(chunks) == len(frontend["chunks"])
    assert_golden(np.concatenate(chunks), golden, case["name"])


def test_hse_class_attributes(onnx1, fixture_dir, fixture_config):
    assert onnx1.available_voices == [
        f"expr-voice-{n}-{g}" for n in (2, 3, 4, 5) for g in ("m", "f")
    ]
    assert onnx1.all_voice_names == ["Bella", "Jasper", "Luna", "Bruno", "Rosie", "Hugo", "Kiki", "Leo"]
    assert onnx1.speed_priors == fixture_config["speed_priors"]
    assert onnx1.voice_aliases == fixture_config["voice_aliases"]
    assert onnx1.model_path == str(fixture_dir / "model.onnx")
    assert sorted(onnx1.voices.files) == sorted(onnx1.available_voices)
    assert onnx1.voices["expr-voice-2-f"].shape == (400, 256)


def test_hse_class_without_aliases_knows_only_ids(fixture_dir):
    bare = kittentts_rs.KittenTTS_1_Onnx(str(fixture_dir / "model.onnx"),
                                         str(fixture_dir / "voices.npz"))
    assert bare.all_voice_names == []
    with pytest.raises(ValueError, match="Leo"):
        bare.generate("Hello.", voice="Leo")
    # No priors given: expr-voice-2-f speaks at speed 1.0, faster than with its 0.9 prior.
    with_prior = kittentts_rs.KittenTTS(str(fixture_dir)).generate("Hello there.", "expr-voice-2-f")
    assert len(bare.generate("Hello there.", "expr-voice-2-f")) < len(with_prior)


def test_official_class_reproduces_the_reference(fixture_dir, golden_cases, capsys):
    tts = kittentts_rs.KittenTTS(str(fixture_dir))
    assert tts.available_voices == ["Bella", "Jasper", "Luna", "Bruno", "Rosie", "Hugo", "Kiki", "Leo"]
    assert tts.sample_rate == 24000
    for case, frontend, golden in golden_cases[:4]:
        audio = tts.generate(frontend["preprocessed"], voice=case["voice"], speed=case["speed"])
        assert_golden(audio, golden, case["name"])
    case, frontend, golden = golden_cases[0]
    chunks = list(tts.generate_stream(frontend["preprocessed"], case["voice"], case["speed"]))
    assert_golden(np.concatenate(chunks), golden, case["name"])
    # The official package prints a line per call; these print nothing.
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_generate_to_file_writes_16_bit_wav(onnx1, tmp_path, capsys):
    path = tmp_path / "out.wav"
    onnx1.generate_to_file("Hello there, my little kitten.", str(path), voice="Leo")
    audio = onnx1.generate("Hello there, my little kitten.", voice="Leo")
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24000, 1, 2)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    np.testing.assert_array_equal(pcm, to_i16(audio))
    flac = tmp_path / "out.flac"
    onnx1.generate_to_file("Hello there.", str(flac), voice="Leo")
    assert flac.read_bytes()[:4] == b"fLaC"
    assert capsys.readouterr().out == ""


def test_ending_auto_cuts_at_the_durations_instead(fixture_dir):
    reference = kittentts_rs.KittenTTS(str(fixture_dir))
    auto = kittentts_rs.KittenTTS(str(fixture_dir), ending="auto")
    text = "Hello there, my little kitten. And you?"
    native = auto.synthesizer.synthesize(text, ending="auto", first_chunk="whole", normalize=False)
    np.testing.assert_array_equal(auto.generate(text), native.samples)
    assert not np.array_equal(auto.generate(text), reference.generate(text)[: len(native)])
