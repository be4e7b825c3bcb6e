//! The style row and speed input the Python reference builds (`_prepare_inputs`, kittenml
//! 0.9.6) for each case of `tests/data/reference-inputs.jsonl`, which
//! `tests/data/make_reference_inputs.py` regenerates: same row, same bits.

// Test helpers outside #[test] fns: clippy.toml's test allowances do not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::HashMap;

mod common;

use common::model_dir;
use kittentts_voices::{Error, ModelConfig, Voices};
use serde_json::{Value, json};

fn voices_for(case: &Value) -> Voices {
    let dir = model_dir(case["model"].as_str().unwrap());
    let real = ModelConfig::from_file(&dir.join("config.json")).unwrap();
    let config = json!({
        "type": real.model_type.as_str(),
        "model_file": real.model_file,
        "voices": real.voices_file,
        "speed_priors": case["speed_priors"],
        "voice_aliases": case["voice_aliases"],
    });
    let config = ModelConfig::from_json(&config.to_string(), &dir.join("config.json")).unwrap();
    Voices::load(&config, &dir).unwrap()
}

/// Cases where an `f32` user speed gives a speed 1 ulp away from the reference.
const OFF_BY_ONE: usize = 3;

#[test]
fn style_rows_and_speeds_match_the_reference() {
    let (mut checked, mut unknown, mut f32_off_by_one_ulp) = (0, 0, 0);
    let mut cache: HashMap<String, Voices> = HashMap::new();
    for line in include_str!("data/reference-inputs.jsonl").lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let key = format!(
            "{} {} {}",
            case["model"], case["speed_priors"], case["voice_aliases"]
        );
        let voices = cache.entry(key).or_insert_with(|| voices_for(&case));
        let (text, name) = (
            case["text"].as_str().unwrap(),
            case["voice"].as_str().unwrap(),
        );
        let speed = case["speed"].as_f64().unwrap();
        let label = format!(
            "{} {name} {speed} {} chars",
            case["model"],
            text.chars().count()
        );
        if let Some(error) = case["error"].as_str() {
            if error.starts_with("ValueError: Voice") {
                assert!(
                    matches!(voices.resolve(name), Err(Error::UnknownVoice { .. })),
                    "{label}"
                );
                unknown += 1;
            } else {
                // The reference fails on empty text before it picks a style; we pick row 0.
                assert_eq!(text, "", "{label}: {error}");
                assert_eq!(voices.resolve(name).unwrap().table().style_index(text), 0);
            }
            continue;
        }
        let voice = voices.resolve(name).unwrap();
        let row = usize::try_from(case["style_row"].as_u64().unwrap()).unwrap();
        assert_eq!(voice.table().style_index(text), row, "{label}");
        let style = voice.style_row(text);
        let bits = &case["style_bits"];
        assert_eq!(
            u64::from(style[0].to_bits()),
            bits[0].as_u64().unwrap(),
            "{label}"
        );
        assert_eq!(
            u64::from(style[255].to_bits()),
            bits[1].as_u64().unwrap(),
            "{label}"
        );
        let want = u32::try_from(case["speed_bits"].as_u64().unwrap()).unwrap();
        assert_eq!(
            voice.effective_speed_f64(speed).unwrap().to_bits(),
            want,
            "{label}"
        );
        // Through an f32 user speed: exact when the speed is an f32, else within 1 ulp.
        let via_f32 = voice.effective_speed(speed as f32).unwrap().to_bits();
        if f64::from(speed as f32) == speed {
            assert_eq!(via_f32, want, "{label}");
        } else if via_f32 != want {
            assert_eq!(via_f32.abs_diff(want), 1, "{label}");
            f32_off_by_one_ulp += 1;
        }
        checked += 1;
    }
    assert_eq!((checked, unknown), (87, 25));
    assert_eq!(f32_off_by_one_ulp, OFF_BY_ONE);
}
