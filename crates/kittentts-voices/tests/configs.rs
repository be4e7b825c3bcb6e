//! config.json cases from `tests/data/configs.jsonl`, alone and checked against a real
//! voices file.
//!
//! Case fields: `config` (the file's text, parsed as if read from `cfg/config.json`), `bank`
//! (a model directory under the repository's `tests/data`; then [`Voices::load`] runs on
//! it with the config), and
//! either `error` (the variant) with `contains` (text the message must hold) or `resolve`
//! (`[name, id, speed prior, user speed, effective speed]`).

// Test helpers outside #[test] fns: clippy.toml's test allowances do not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

mod common;

use common::{model_dir, variant};
use kittentts_voices::{Error, ModelConfig, Voices};
use serde_json::Value;

fn run(case: &Value) -> Result<Option<Voices>, Error> {
    let text = case["config"].as_str().unwrap();
    match case["bank"].as_str() {
        None => ModelConfig::from_json(text, Path::new("cfg/config.json")).map(|_| None),
        Some(model) => {
            let dir = model_dir(model);
            let config = ModelConfig::from_json(text, Path::new("cfg/config.json"))?;
            Voices::load(&config, &dir).map(Some)
        }
    }
}

#[test]
fn config_cases() {
    let mut count = 0;
    for line in include_str!("data/configs.jsonl").lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let name = case["name"].as_str().unwrap();
        let result = run(&case);
        match case["error"].as_str() {
            Some(expected) => {
                let err = result.err().unwrap_or_else(|| panic!("{name}: accepted"));
                assert_eq!(variant(&err), expected, "{name}: {err:?}");
                let message = err.to_string();
                for want in case["contains"].as_array().unwrap() {
                    let want = want.as_str().unwrap();
                    assert!(message.contains(want), "{name}: {message:?} lacks {want:?}");
                }
            }
            None => {
                let voices = result
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
                    .unwrap_or_else(|| panic!("{name}: no bank"));
                for r in case["resolve"].as_array().unwrap() {
                    let voice = voices.resolve(r[0].as_str().unwrap()).unwrap();
                    assert_eq!(voice.id(), r[1].as_str().unwrap(), "{name}");
                    assert_eq!(voice.speed_prior(), r[2].as_f64().unwrap(), "{name}");
                    let user = r[3].as_f64().unwrap() as f32;
                    let want = r[4].as_f64().unwrap() as f32;
                    assert_eq!(voice.effective_speed(user).unwrap(), want, "{name}");
                }
            }
        }
        count += 1;
    }
    assert_eq!(count, 30);
}

#[test]
fn config_json_errors_keep_their_source() {
    let err = ModelConfig::from_json("{", Path::new("x/config.json")).unwrap_err();
    let source = std::error::Error::source(&err).unwrap();
    assert!(source.to_string().contains("line 1"), "{source}");
}

#[test]
fn missing_config_file_is_not_found() {
    let path = Path::new("/nonexistent/kittentts/config.json");
    assert!(matches!(
        ModelConfig::from_file(path),
        Err(Error::NotFound { path: p, .. }) if p == path
    ));
}

#[test]
fn from_file_and_from_json_agree() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    let text = r#"{"type": "ONNX1", "model_file": "a.onnx", "voices": "v.npz",
                  "speed_priors": {"x": 1.5}, "voice_aliases": {"X": "x"}}"#;
    std::fs::write(&path, text).unwrap();
    let a = ModelConfig::from_file(&path).unwrap();
    let b = ModelConfig::from_json(text, &path).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.speed_priors["x"], 1.5);
    assert_eq!(a.voice_aliases["X"], "x");
    // Invalid UTF-8 is a JSON error, not a panic.
    std::fs::write(&path, b"{\"type\": \"\xff\"}").unwrap();
    assert!(matches!(
        ModelConfig::from_file(&path),
        Err(Error::ConfigJson { .. })
    ));
}
