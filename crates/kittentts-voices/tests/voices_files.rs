//! voices.npz files built at test time from the cases in `tests/data/voices-files.jsonl`:
//! good archives (stored, deflated, Fortran order) and every kind of bad one.
//!
//! Case fields: `entries` (each: `name`, `shape`, `descr` (default `<f4`), `fortran`, `set`
//! (`[flat C-order index, "nan" | "inf" | "-inf"]`), `zeros`, `extra_bytes`, `header_shape`, `raw`
//! text instead of a `.npy`, `dir`), `compression` (`stored`/`deflated`), `mutate`
//! (`truncate`, `garbage`, `empty`, `corrupt_data`), `rename` (`[from, to]`, same length), `type` (then the bank is also checked
//! against a config of that type), and either `error` (the variant) with `contains` (text the
//! message must hold) or `voices` (`[id, rows]`) with `cell` (`[id, row, col, value]`).
//! Table values are `(row * cols + col) * 0.5`.

// Test helpers outside #[test] fns: clippy.toml's test allowances do not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::io::Write;
use std::path::Path;

mod common;

use common::variant;
use kittentts_voices::{Error, ModelConfig, VoiceBank, Voices};
use serde_json::Value;
use zip::write::SimpleFileOptions;

fn npy_header(descr: &str, fortran: bool, shape: &str) -> Vec<u8> {
    let f = if fortran { "True" } else { "False" };
    let mut h =
        format!("{{'descr': '{descr}', 'fortran_order': {f}, 'shape': {shape}, }}").into_bytes();
    while !(10 + h.len() + 1).is_multiple_of(64) {
        h.push(b' ');
    }
    h.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(h.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&h);
    out
}

fn python_shape(shape: &[usize]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn npy_entry(spec: &Value) -> Vec<u8> {
    if let Some(raw) = spec["raw"].as_str() {
        return raw.as_bytes().to_vec();
    }
    let shape: Vec<usize> = spec["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| usize::try_from(d.as_u64().unwrap()).unwrap())
        .collect();
    let descr = spec["descr"].as_str().unwrap_or("<f4");
    let fortran = spec["fortran"].as_bool().unwrap_or(false);
    let count: usize = shape.iter().product();
    let cols = *shape.last().unwrap();
    let rows = count.checked_div(cols).unwrap_or(0);
    let zeros = spec["zeros"].as_bool().unwrap_or(false);
    let mut values: Vec<f32> = (0..count)
        .map(|i| if zeros { 0.0 } else { i as f32 * 0.5 })
        .collect();
    for set in spec["set"].as_array().into_iter().flatten() {
        let index = usize::try_from(set[0].as_u64().unwrap()).unwrap();
        values[index] = match set[1].as_str().unwrap() {
            "nan" => f32::NAN,
            "inf" => f32::INFINITY,
            "-inf" => f32::NEG_INFINITY,
            other => panic!("bad set value {other}"),
        };
    }
    if fortran {
        assert_eq!(shape.len(), 2);
        values = (0..count)
            .map(|i| values[(i % rows) * cols + i / rows])
            .collect();
    }
    let header_shape = spec["header_shape"]
        .as_str()
        .map_or_else(|| python_shape(&shape), str::to_owned);
    let mut out = npy_header(descr, fortran, &header_shape);
    for v in values {
        match descr {
            "<f4" => out.extend_from_slice(&v.to_le_bytes()),
            ">f4" => out.extend_from_slice(&v.to_be_bytes()),
            "<f8" => out.extend_from_slice(&f64::from(v).to_le_bytes()),
            "<i4" => out.extend_from_slice(&(v as i32).to_le_bytes()),
            other => panic!("bad descr {other}"),
        }
    }
    out.extend(std::iter::repeat_n(
        0u8,
        spec["extra_bytes"].as_u64().unwrap_or(0) as usize,
    ));
    out
}

fn build_npz(case: &Value) -> Vec<u8> {
    match case["mutate"].as_str() {
        Some("garbage") => return b"this is not a zip archive, just text".to_vec(),
        Some("empty") => return Vec::new(),
        _ => {}
    }
    let method = match case["compression"].as_str() {
        Some("deflated") => zip::CompressionMethod::Deflated,
        _ => zip::CompressionMethod::Stored,
    };
    let options = SimpleFileOptions::default().compression_method(method);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for entry in case["entries"].as_array().into_iter().flatten() {
        let name = entry["name"].as_str().unwrap();
        if entry["dir"].as_bool() == Some(true) {
            writer.add_directory(name, options).unwrap();
            continue;
        }
        let bytes = npy_entry(entry);
        writer.start_file(name, options).unwrap();
        writer.write_all(&bytes).unwrap();
    }
    let mut bytes = writer.finish().unwrap().into_inner();
    if let Some([from, to]) = case["rename"].as_array().map(Vec::as_slice) {
        // Same-length names: rewrite them in the local headers and the central directory.
        let (from, to) = (
            from.as_str().unwrap().as_bytes(),
            to.as_str().unwrap().as_bytes(),
        );
        assert_eq!(from.len(), to.len());
        for i in 0..bytes.len() - from.len() {
            if &bytes[i..i + from.len()] == from {
                bytes[i..i + from.len()].copy_from_slice(to);
            }
        }
    }
    match case["mutate"].as_str() {
        Some("truncate") => bytes.truncate(bytes.len() / 2),
        Some("corrupt_data") => {
            // Stored entry: flip a byte well inside the first entry's .npy data.
            let start = bytes.windows(6).position(|w| w == b"\x93NUMPY").unwrap();
            bytes[start + 200] ^= 0xff;
        }
        _ => {}
    }
    bytes
}

fn config_of_type(model_type: &str) -> ModelConfig {
    let json =
        format!(r#"{{"type": "{model_type}", "model_file": "m.onnx", "voices": "voices.npz"}}"#);
    ModelConfig::from_json(&json, Path::new("config.json")).unwrap()
}

/// Loads the case's archive from a file, and checks it against a config when it has a type.
fn load(case: &Value, dir: &Path) -> Result<Option<Voices>, Error> {
    let path = dir.join("voices.npz");
    std::fs::write(&path, build_npz(case)).unwrap();
    let bank = VoiceBank::load(&path)?;
    let voices = match case["type"].as_str() {
        Some(t) => Some(Voices::new(&config_of_type(t), bank.clone())?),
        None => {
            let from_bytes = VoiceBank::from_bytes(&std::fs::read(&path).unwrap(), &path)?;
            assert_eq!(from_bytes, bank);
            None
        }
    };
    let names = case["voices"].as_array().unwrap();
    let ids: Vec<&str> = bank.ids().collect();
    let expected: Vec<&str> = names.iter().map(|v| v[0].as_str().unwrap()).collect();
    assert_eq!(ids, expected);
    for v in names {
        let table = bank.get(v[0].as_str().unwrap()).unwrap();
        assert_eq!(table.rows() as u64, v[1].as_u64().unwrap());
    }
    let cell = &case["cell"];
    let table = bank.get(cell[0].as_str().unwrap()).unwrap();
    let row = table
        .row(usize::try_from(cell[1].as_u64().unwrap()).unwrap())
        .unwrap();
    let col = usize::try_from(cell[2].as_u64().unwrap()).unwrap();
    assert_eq!(f64::from(row[col]), cell[3].as_f64().unwrap());
    Ok(voices)
}

#[test]
fn voices_file_cases() {
    let text = include_str!("data/voices-files.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let mut count = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let name = case["name"].as_str().unwrap();
        let result = load(&case, dir.path());
        match case["error"].as_str() {
            None => {
                result.unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            Some(expected) => {
                let err = result.err().unwrap_or_else(|| panic!("{name}: loaded"));
                assert_eq!(variant(&err), expected, "{name}: {err:?}");
                let message = err.to_string();
                assert!(
                    message.contains(&dir.path().display().to_string()),
                    "{name}: {message}"
                );
                for want in case["contains"].as_array().unwrap() {
                    let want = want.as_str().unwrap();
                    assert!(message.contains(want), "{name}: {message:?} lacks {want:?}");
                }
            }
        }
        count += 1;
    }
    assert_eq!(count, 28);
}

#[test]
fn zip_errors_keep_their_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("voices.npz");
    std::fs::write(&path, b"PK\x03\x04 truncated").unwrap();
    let err = VoiceBank::load(&path).unwrap_err();
    assert!(matches!(&err, Error::Zip { path: p, .. } if *p == path));
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn missing_file_is_not_found() {
    let path = Path::new("/nonexistent/kittentts/voices.npz");
    match VoiceBank::load(path) {
        Err(Error::NotFound { path: p, source }) => {
            assert_eq!(p, path);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_directory_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        VoiceBank::load(dir.path()),
        Err(Error::Io { path, .. }) if path == dir.path()
    ));
}
