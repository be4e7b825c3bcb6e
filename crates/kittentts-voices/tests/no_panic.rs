//! Property tests: damaged archives, arbitrary `.npy` headers and arbitrary config text give a
//! value or a typed error, never a panic, and whatever loads keeps the tables' invariants.

// Test helpers outside #[test] fns: clippy.toml's test allowances do not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use kittentts_voices::{ModelConfig, STYLE_DIM, VoiceBank};
use proptest::prelude::*;

const NANO: &[u8] = include_bytes!("../../../tests/data/kitten-nano-0.1/voices.npz");

fn mini() -> &'static VoiceBank {
    static MINI: OnceLock<VoiceBank> = OnceLock::new();
    MINI.get_or_init(|| {
        let bytes = include_bytes!("../../../tests/data/kitten-mini-0.8/voices.npz");
        VoiceBank::from_bytes(bytes, Path::new("mini.npz")).unwrap()
    })
}

fn check_invariants(bank: &VoiceBank) {
    assert!(!bank.is_empty());
    for (_, table) in bank.iter() {
        assert!(table.rows() >= 1);
        assert_eq!(table.as_slice().len(), table.rows() * STYLE_DIM);
        assert!(table.as_slice().iter().all(|v| v.is_finite()));
    }
}

fn stored_zip(name: &str, content: &[u8]) -> Vec<u8> {
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer.start_file(name, options).unwrap();
    writer.write_all(content).unwrap();
    writer.finish().unwrap().into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn damaged_archives_never_panic(
        flips in proptest::collection::vec((0..NANO.len(), any::<u8>()), 0..6),
        keep in (NANO.len() / 2)..=NANO.len(),
    ) {
        let mut bytes = NANO[..keep].to_vec();
        for (pos, byte) in flips {
            if let Some(b) = bytes.get_mut(pos) {
                *b = byte;
            }
        }
        if let Ok(bank) = VoiceBank::from_bytes(&bytes, Path::new("damaged.npz")) {
            check_invariants(&bank);
        }
    }

    #[test]
    fn arbitrary_npy_headers_never_panic(
        header in "\\{('[a-z_]{0,12}': ('[<>|]?[a-z][0-9]' |True|False|\\(([0-9]{1,4}, ?){0,3}[0-9]{0,4}\\)|[ -~]{0,6}), ?){0,4}\\}",
        data_len in 0usize..4096,
        newline in any::<bool>(),
    ) {
        // numpy ends every header with '\n'; without it the header parser is never reached.
        let header = if newline { format!("{header}\n") } else { header };
        let mut npy = b"\x93NUMPY\x01\x00".to_vec();
        npy.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
        npy.extend_from_slice(header.as_bytes());
        npy.extend(std::iter::repeat_n(0x3f, data_len));
        if let Ok(bank) = VoiceBank::from_bytes(&stored_zip("v.npy", &npy), Path::new("h.npz")) {
            check_invariants(&bank);
        }
    }

    #[test]
    fn arbitrary_entry_bytes_never_panic(content in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut npy = b"\x93NUMPY".to_vec();
        npy.extend_from_slice(&content);
        if let Ok(bank) = VoiceBank::from_bytes(&stored_zip("v.npy", &npy), Path::new("e.npz")) {
            check_invariants(&bank);
        }
    }

    #[test]
    fn arbitrary_config_text_never_panics(text in "\\PC{0,200}") {
        if let Ok(config) = ModelConfig::from_json(&text, Path::new("config.json")) {
            prop_assert!(!config.model_file.trim().is_empty());
        }
    }

    #[test]
    fn config_field_values_never_panic(
        t in prop_oneof![Just("\"ONNX1\""), Just("\"ONNX2\""), Just("1"), Just("null"), Just("\"X\"")],
        file in prop_oneof![Just("\"m.onnx\""), Just("\"\""), Just("\"../m\""), Just("[]"), Just("{}")],
        priors in prop_oneof![Just("{}"), Just("{\"a\": 0}"), Just("{\"a\": -1e308}"), Just("{\"a\": 1e-320}"), Just("{\"a\": \"1\"}"), Just("3")],
        aliases in prop_oneof![Just("{}"), Just("{\"A\": \"a\"}"), Just("{\"A\": {}}"), Just("\"A\"")],
    ) {
        let json = format!(
            r#"{{"type": {t}, "model_file": {file}, "voices": {file}, "speed_priors": {priors}, "voice_aliases": {aliases}}}"#
        );
        if let Ok(config) = ModelConfig::from_json(&json, Path::new("config.json")) {
            prop_assert!(config.speed_priors.values().all(|p| p.is_finite() && *p > 0.0));
        }
    }

    #[test]
    fn style_index_is_min_of_chars_and_last_row(text in "\\PC{0,500}") {
        let table = mini().get("expr-voice-3-m").unwrap();
        let index = table.style_index(&text);
        prop_assert_eq!(index, text.chars().count().min(399));
        prop_assert_eq!(table.style_row(&text), table.row(index).unwrap());
    }
}
