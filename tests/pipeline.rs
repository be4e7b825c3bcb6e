//! The whole pipeline on the committed fixture model, against the Python reference.
//!
//! The fixture (`tests/data/fixture`: a deterministic sine model with the 0.8 contract, its
//! voices and config) and the golden data under `tests/data/fixture/golden/` come from
//! `$PY scripts/make_fixture.py` with the reference venv (see the README there): for each case
//! of `cases.jsonl`, `kitten_ref.py synth` gave the waveform and `kitten_ref.py frontend` the
//! reference's preprocessed text, chunks and input ids.
//!
//! Our normaliser reads some things differently from the reference's on purpose, so the
//! sample-exact comparison feeds the reference's *preprocessed* text with normalisation off:
//! everything after normalisation (chunking, phonemes, ids, style rows, speed priors, the
//! model run, trimming, concatenation) must then match to the bit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use kittentts::{Error, SynthesisOptions, Synthesizer};
use serde::Deserialize;
use sha2::{Digest, Sha256};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixture")
}

fn golden_dir() -> PathBuf {
    fixture_dir().join("golden")
}

fn synthesizer() -> Synthesizer {
    Synthesizer::builder()
        .model_dir(fixture_dir())
        .intra_threads(1)
        .build()
        .expect("the fixture model loads")
}

#[derive(Deserialize)]
struct Case {
    name: String,
    text: String,
    voice: String,
    speed: f32,
    file: String,
    samples: usize,
}

#[derive(Deserialize)]
struct Waveform {
    samples: usize,
    sha256_f32le: String,
    sum: f64,
    head: Vec<f32>,
    tail: Vec<f32>,
    stride: usize,
    strided: Vec<f32>,
}

#[derive(Deserialize)]
struct Frontend {
    text: String,
    preprocessed: String,
    chunks: Vec<FrontendChunk>,
}

#[derive(Deserialize)]
struct FrontendChunk {
    text: String,
    phonemes: String,
    input_ids: Vec<i64>,
    ref_id: usize,
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> Vec<T> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn cases() -> Vec<(Case, Frontend)> {
    let cases: Vec<Case> = read_jsonl(&golden_dir().join("manifest.jsonl"));
    let mut frontends: Vec<Frontend> = read_jsonl(&golden_dir().join("frontend.jsonl"));
    assert_eq!(cases.len(), 8, "golden cases");
    cases
        .into_iter()
        .map(|c| {
            let i = frontends
                .iter()
                .position(|f| f.text == c.text)
                .unwrap_or_else(|| panic!("no frontend golden for {}", c.name));
            (c, frontends.swap_remove(i))
        })
        .collect()
}

#[test]
fn chunks_phonemes_and_ids_match_the_reference() {
    let tts = synthesizer();
    let mut chunks_seen = 0;
    for (case, golden) in cases() {
        let analysis = tts.analyze(&golden.preprocessed, false).unwrap();
        assert_eq!(analysis.normalized, golden.preprocessed);
        let ours: Vec<_> = analysis.chunks.iter().map(|c| c.text.as_str()).collect();
        let theirs: Vec<_> = golden.chunks.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(ours, theirs, "{}: chunk texts", case.name);
        for (o, g) in analysis.chunks.iter().zip(&golden.chunks) {
            assert_eq!(
                o.phonemes, g.phonemes,
                "{}: phonemes of {:?}",
                case.name, g.text
            );
            assert_eq!(
                o.input_ids, g.input_ids,
                "{}: ids of {:?}",
                case.name, g.text
            );
            assert_eq!(
                o.style_row, g.ref_id,
                "{}: style row of {:?}",
                case.name, g.text
            );
            chunks_seen += 1;
        }
    }
    // The paragraph case is several chunks long.
    assert!(chunks_seen > 8, "only {chunks_seen} chunks");
}

fn f32_sha256(samples: &[f32]) -> String {
    let mut h = Sha256::new();
    for s in samples {
        h.update(s.to_le_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn waveforms_match_the_reference_sample_for_sample() {
    let tts = synthesizer();
    for (case, golden) in cases() {
        let wave: Waveform =
            serde_json::from_str(&std::fs::read_to_string(golden_dir().join(&case.file)).unwrap())
                .unwrap();
        let options = SynthesisOptions::reference()
            .voice(&case.voice)
            .speed(case.speed)
            .normalize(false);
        let audio = tts.synthesize(&golden.preprocessed, &options).unwrap();
        let s = &audio.samples;
        assert_eq!(audio.sample_rate, 24_000);
        assert_eq!(s.len(), case.samples, "{}: length", case.name);
        assert_eq!(s.len(), wave.samples, "{}: length", case.name);
        assert_eq!(&s[..wave.head.len()], &wave.head[..], "{}: head", case.name);
        assert_eq!(
            &s[s.len() - wave.tail.len()..],
            &wave.tail[..],
            "{}: tail",
            case.name
        );
        let strided: Vec<f32> = s.iter().step_by(wave.stride).copied().collect();
        assert_eq!(strided, wave.strided, "{}: strided samples", case.name);
        let sum: f64 = s.iter().map(|&x| f64::from(x)).sum();
        assert!(
            (sum - wave.sum).abs() < 1e-6 * wave.sum.abs().max(1.0),
            "{}: sum",
            case.name
        );
        assert_eq!(f32_sha256(s), wave.sha256_f32le, "{}: sha256", case.name);
    }
}

#[test]
fn normalised_input_differs_only_where_we_read_text_differently() {
    // With normalisation on, a plain sentence gives exactly the reference's audio too
    // (the reference lowercases; espeak reads both cases alike).
    let tts = synthesizer();
    let (case, golden) = cases()
        .into_iter()
        .find(|(c, _)| c.name == "fox_voice3f")
        .unwrap();
    let ours = tts
        .synthesize(&case.text, &SynthesisOptions::new().voice(&case.voice))
        .unwrap();
    let theirs = tts
        .synthesize(
            &golden.preprocessed,
            &SynthesisOptions::new().voice(&case.voice).normalize(false),
        )
        .unwrap();
    assert_eq!(ours.samples.len(), theirs.samples.len());
    assert_eq!(ours, theirs);
}

#[test]
fn voices_lists_aliases_then_ids() {
    let tts = synthesizer();
    let voices = tts.voices();
    let names: Vec<_> = voices.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        &names[..8],
        [
            "Bella", "Bruno", "Hugo", "Jasper", "Kiki", "Leo", "Luna", "Rosie"
        ]
    );
    let leo = voices.iter().find(|v| v.name == "Leo").unwrap();
    assert_eq!(leo.id, "expr-voice-5-m");
}

#[test]
fn alias_and_id_give_the_same_audio_and_voices_differ() {
    let tts = synthesizer();
    let text = "A short test.";
    let leo = tts
        .synthesize(text, &SynthesisOptions::new().voice("Leo"))
        .unwrap();
    let id = tts
        .synthesize(text, &SynthesisOptions::new().voice("expr-voice-5-m"))
        .unwrap();
    let bella = tts
        .synthesize(text, &SynthesisOptions::new().voice("Bella"))
        .unwrap();
    assert_eq!(leo, id);
    assert_ne!(leo.samples, bella.samples);
}

#[test]
fn faster_speech_is_shorter() {
    let tts = synthesizer();
    let text = "Slow and steady wins the race.";
    let normal = tts.synthesize(text, &SynthesisOptions::new()).unwrap();
    let fast = tts
        .synthesize(text, &SynthesisOptions::new().speed(2.0))
        .unwrap();
    let slow = tts
        .synthesize(text, &SynthesisOptions::new().speed(0.5))
        .unwrap();
    assert!(fast.samples.len() < normal.samples.len());
    assert!(slow.samples.len() > normal.samples.len());
}

#[test]
fn bad_requests_are_typed_errors() {
    let tts = synthesizer();
    for text in ["", "   ", "\n\t "] {
        let err = tts.synthesize(text, &SynthesisOptions::new()).unwrap_err();
        assert!(matches!(err, Error::EmptyText), "{text:?}: {err}");
    }
    let err = tts
        .synthesize("Hi.", &SynthesisOptions::new().voice("Garfield"))
        .unwrap_err();
    match &err {
        Error::UnknownVoice { name, available } => {
            assert_eq!(name, "Garfield");
            assert!(available.iter().any(|v| v == "Leo"));
            assert!(available.iter().any(|v| v == "expr-voice-2-f"));
        }
        other => panic!("expected UnknownVoice, got {other}"),
    }
    assert!(err.to_string().contains("Leo"), "{err}");
    for speed in [0.0, -1.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let err = tts
            .synthesize("Hi.", &SynthesisOptions::new().speed(speed))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidSpeed { .. }), "{speed}: {err}");
    }
}

#[test]
fn empty_text_has_no_chunks_in_the_frontend() {
    let tts = synthesizer();
    let analysis = tts.analyze("  ", true).unwrap();
    assert!(analysis.chunks.is_empty());
}

#[test]
fn concurrent_callers_get_the_serial_results() {
    let tts = synthesizer();
    let texts = [
        "The first sentence.",
        "A second, rather different one!",
        "Is this the third?",
        "Number four is here.",
    ];
    let serial: Vec<_> = texts
        .iter()
        .map(|t| tts.synthesize(t, &SynthesisOptions::new()).unwrap())
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let tts = tts.clone();
                let text = texts[i % texts.len()];
                scope.spawn(move || (i, tts.synthesize(text, &SynthesisOptions::new()).unwrap()))
            })
            .collect();
        for h in handles {
            let (i, audio) = h.join().unwrap();
            assert_eq!(audio, serial[i % texts.len()], "thread {i}");
        }
    });
}

#[test]
fn chunks_over_the_token_budget_are_split_not_truncated() {
    // 57 six-digit numbers in one 400-char sentence: espeak reads each as ~50 phonemes, far
    // over the model's 512 positions (the reference sends them all and crashes).
    let tts = synthesizer();
    let text = "123456 ".repeat(57);
    let analysis = tts.analyze(&text, false).unwrap();
    assert!(
        analysis.chunks.len() > 2,
        "{} chunks",
        analysis.chunks.len()
    );
    for chunk in &analysis.chunks {
        assert!(
            chunk.input_ids.len() <= 512,
            "{} ids",
            chunk.input_ids.len()
        );
        assert_eq!(&chunk.input_ids[..1], [0]);
        assert_eq!(&chunk.input_ids[chunk.input_ids.len() - 2..], [10, 0]);
    }
    let spoken: usize = analysis
        .chunks
        .iter()
        .map(|c| c.text.matches("123456").count())
        .sum();
    assert_eq!(spoken, 57, "every number is in some chunk, once");
    let audio = tts
        .synthesize(&text, &SynthesisOptions::new().normalize(false))
        .unwrap();
    assert!(!audio.samples.is_empty());
}

#[test]
fn a_model_given_as_two_files_speaks_as_its_folder_does() {
    let dir = fixture_dir();
    let config = kittentts::voices::ModelConfig::from_file(&dir.join("config.json")).unwrap();
    let files = kittentts::ModelFiles::new(dir.join("model.onnx"), dir.join("voices.npz"))
        .with_speed_priors(config.speed_priors.clone())
        .with_voice_aliases(config.voice_aliases.clone());
    let from_files = Synthesizer::builder()
        .model_files(files)
        .intra_threads(1)
        .build()
        .unwrap();
    assert_eq!(from_files.config().model_type, config.model_type);
    let text = "Hello there, my little kitten.";
    for voice in ["Bella", "expr-voice-4-m"] {
        let options = SynthesisOptions::reference().voice(voice);
        assert_eq!(
            from_files.synthesize(text, &options).unwrap(),
            synthesizer().synthesize(text, &options).unwrap(),
            "{voice}"
        );
    }
    // Without aliases only the ids are voices, as in the reference's class.
    let bare = Synthesizer::builder()
        .model_files(kittentts::ModelFiles::new(
            dir.join("model.onnx"),
            dir.join("voices.npz"),
        ))
        .intra_threads(1)
        .build()
        .unwrap();
    let err = bare
        .synthesize(text, &SynthesisOptions::new().voice("Bella"))
        .unwrap_err();
    assert!(matches!(err, Error::UnknownVoice { .. }), "{err}");
    // Without its 0.9 speed prior, expr-voice-2-f speaks faster: shorter audio.
    let with_prior = from_files
        .synthesize(text, &SynthesisOptions::reference().voice("expr-voice-2-f"))
        .unwrap();
    let without = bare
        .synthesize(text, &SynthesisOptions::reference().voice("expr-voice-2-f"))
        .unwrap();
    assert!(without.samples.len() < with_prior.samples.len());
    let missing = Synthesizer::builder()
        .model_files(kittentts::ModelFiles::new(
            dir.join("model.onnx"),
            dir.join("no-such-voices.npz"),
        ))
        .build()
        .unwrap_err();
    assert!(
        missing.to_string().contains("no-such-voices.npz"),
        "{missing}"
    );
}

#[test]
fn two_files_with_one_row_voices_are_a_legacy_onnx1_model() {
    // The 0.1 voices (one style row each) beside the fixture's model: typed ONNX1, and it speaks.
    let dir = fixture_dir();
    let legacy =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kitten-nano-0.1/voices.npz");
    let tts = Synthesizer::builder()
        .model_files(kittentts::ModelFiles::new(dir.join("model.onnx"), legacy))
        .intra_threads(1)
        .build()
        .unwrap();
    assert_eq!(tts.config().model_type, kittentts::voices::ModelType::Onnx1);
    let audio = tts
        .synthesize(
            "Hello there.",
            &SynthesisOptions::reference().voice("expr-voice-2-f"),
        )
        .unwrap();
    assert!(audio.samples.len() > 10_000);
    // The same files with the 0.8 voices are ONNX2.
    let modern = Synthesizer::builder()
        .model_files(kittentts::ModelFiles::new(
            dir.join("model.onnx"),
            dir.join("voices.npz"),
        ))
        .build()
        .unwrap();
    assert_eq!(
        modern.config().model_type,
        kittentts::voices::ModelType::Onnx2
    );
}
