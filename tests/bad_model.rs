//! A model folder with a missing or broken file is a typed error at `build()`, naming the file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use kittentts::{Error, Synthesizer};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixture")
}

/// A copy of the fixture folder in a temp dir, with `change` applied to it.
fn broken(change: impl FnOnce(&Path)) -> (tempfile::TempDir, Error) {
    let dir = tempfile::tempdir().unwrap();
    for file in ["config.json", "model.onnx", "voices.npz"] {
        std::fs::copy(fixture_dir().join(file), dir.path().join(file)).unwrap();
    }
    change(dir.path());
    let err = Synthesizer::builder()
        .model_dir(dir.path())
        .build()
        .expect_err("a broken model folder must not load");
    (dir, err)
}

#[test]
fn missing_files() {
    for file in ["config.json", "voices.npz"] {
        let (_dir, err) = broken(|d| std::fs::remove_file(d.join(file)).unwrap());
        assert!(matches!(err, Error::Voices(_)), "{file}: {err:?}");
        assert!(err.to_string().contains(file), "{file}: {err}");
    }
    let (_dir, err) = broken(|d| std::fs::remove_file(d.join("model.onnx")).unwrap());
    assert!(matches!(err, Error::Onnx(_)), "{err:?}");
    assert!(err.to_string().contains("model.onnx"), "{err}");
}

#[test]
fn corrupt_files() {
    let (_dir, err) = broken(|d| std::fs::write(d.join("config.json"), "{\"type\": ").unwrap());
    assert!(matches!(err, Error::Voices(_)), "{err:?}");
    assert!(err.to_string().contains("config.json"), "{err}");

    let (_dir, err) = broken(|d| {
        let bytes = std::fs::read(d.join("voices.npz")).unwrap();
        std::fs::write(d.join("voices.npz"), &bytes[..bytes.len() / 2]).unwrap();
    });
    assert!(matches!(err, Error::Voices(_)), "{err:?}");
    assert!(err.to_string().contains("voices.npz"), "{err}");

    let (_dir, err) = broken(|d| std::fs::write(d.join("model.onnx"), b"not a model").unwrap());
    assert!(matches!(err, Error::Onnx(_)), "{err:?}");
    assert!(err.to_string().contains("model.onnx"), "{err}");

    // A real ONNX file with other inputs than the KittenTTS contract.
    let (_dir, err) = broken(|d| {
        std::fs::copy(
            fixture_dir().join("bad/other-inputs.onnx"),
            d.join("model.onnx"),
        )
        .unwrap();
    });
    assert!(matches!(err, Error::Onnx(_)), "{err:?}");
    assert!(err.to_string().contains("model.onnx"), "{err}");
}

#[test]
fn config_naming_unknown_things() {
    let edit = |from: &'static str, to: &'static str| {
        move |d: &Path| {
            let text = std::fs::read_to_string(d.join("config.json")).unwrap();
            assert!(text.contains(from), "fixture config lacks {from}");
            std::fs::write(d.join("config.json"), text.replace(from, to)).unwrap();
        }
    };
    let (_dir, err) = broken(edit("\"ONNX2\"", "\"ONNX9\""));
    assert!(err.to_string().contains("ONNX9"), "{err}");
    let (_dir, err) = broken(edit(
        "\"Leo\": \"expr-voice-5-m\"",
        "\"Leo\": \"expr-voice-9-m\"",
    ));
    assert!(err.to_string().contains("expr-voice-9-m"), "{err}");
    let (_dir, err) = broken(edit("0.9", "-0.9"));
    assert!(matches!(err, Error::Voices(_)), "{err:?}");
    assert!(err.to_string().contains("expr-voice-2-f"), "{err}");
}
