//! Python arguments → the facade's options, and byte offsets → character offsets.

use std::ops::Range;

use kittentts::{Ending, ExecutionProvider, FirstChunk, Pauses, SynthesisOptions};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyDictMethods};

use crate::errors::invalid;

/// The facade's options from the keyword arguments that `synthesize`, `stream` and
/// `astream` share; bad values are `InvalidSettingError`s.
#[allow(clippy::too_many_arguments)]
pub(crate) fn synthesis_options(
    py: Python<'_>,
    voice: Option<String>,
    speed: f64,
    normalize: bool,
    ending: &str,
    pauses: Option<&Bound<'_, PyAny>>,
    word_timings: bool,
    first_chunk: Option<&Bound<'_, PyAny>>,
) -> PyResult<SynthesisOptions> {
    let ending = match ending {
        "auto" => Ending::Auto,
        "durations" => Ending::Durations,
        "reference" => Ending::Reference,
        "none" | "untrimmed" => Ending::Untrimmed,
        other => {
            return Err(invalid(
                py,
                format!(
                    "invalid ending {other:?}: expected \"auto\", \"durations\", \"reference\" or \"none\""
                ),
            ));
        }
    };
    let mut options = SynthesisOptions::new()
        .speed(speed as f32)
        .normalize(normalize)
        .ending(ending)
        .word_timings(word_timings);
    if let Some(voice) = voice {
        options = options.voice(voice);
    }
    if let Some(pauses) = pauses {
        options = options.pauses(pauses_from(py, pauses)?);
    }
    if let Some(first) = first_chunk {
        options = options.first_chunk(first_chunk_from(py, first)?);
    }
    Ok(options)
}

/// `pauses`: one number of seconds for every break, or a dict with any of `clause`,
/// `sentence`, `paragraph` (the others keep [`Pauses::NATURAL`]).
fn pauses_from(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Pauses> {
    if let Ok(seconds) = value.extract::<f32>() {
        return Ok(Pauses {
            clause: seconds,
            sentence: seconds,
            paragraph: seconds,
        });
    }
    let Ok(dict) = value.cast::<PyDict>() else {
        return Err(invalid(
            py,
            "pauses must be a number of seconds or a dict with clause, sentence and paragraph",
        ));
    };
    let mut pauses = Pauses::NATURAL;
    for (key, v) in dict.iter() {
        let key: String = key.extract()?;
        let seconds: f32 = v
            .extract()
            .map_err(|_| invalid(py, format!("pauses[{key:?}] must be a number of seconds")))?;
        match key.as_str() {
            "clause" => pauses.clause = seconds,
            "sentence" => pauses.sentence = seconds,
            "paragraph" => pauses.paragraph = seconds,
            other => {
                return Err(invalid(
                    py,
                    format!(
                        "unknown pause {other:?}: expected \"clause\", \"sentence\" or \"paragraph\""
                    ),
                ));
            }
        }
    }
    Ok(pauses)
}

/// `first_chunk`: `"auto"`, `"whole"` or the longest first chunk in characters.
fn first_chunk_from(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<FirstChunk> {
    if let Ok(text) = value.extract::<String>() {
        return match text.as_str() {
            "auto" => Ok(FirstChunk::Auto),
            "whole" => Ok(FirstChunk::Whole),
            other => Err(invalid(
                py,
                format!(
                    "invalid first_chunk {other:?}: expected \"auto\", \"whole\" or a number of characters"
                ),
            )),
        };
    }
    match value.extract::<usize>() {
        Ok(max_chars) if max_chars >= FirstChunk::MIN_CHARS => Ok(FirstChunk::Short { max_chars }),
        _ => Err(invalid(
            py,
            format!(
                "invalid first_chunk: expected \"auto\", \"whole\" or a number of characters of at least {}",
                FirstChunk::MIN_CHARS
            ),
        )),
    }
}

/// `provider`: `"cpu"`, `"cuda"` / `"cuda:N"`, `"tensorrt"` / `"tensorrt:N"`, `"coreml"`,
/// `"directml"` / `"directml:N"`, `"openvino"`.
pub(crate) fn provider_from(py: Python<'_>, name: &str) -> PyResult<ExecutionProvider> {
    let (kind, device) = match name.split_once(':') {
        Some((kind, id)) => {
            let id = id
                .parse::<i32>()
                .ok()
                .filter(|&id| id >= 0)
                .ok_or_else(|| {
                    invalid(
                        py,
                        format!("invalid device in provider {name:?}: expected a number"),
                    )
                })?;
            (kind, id)
        }
        None => (name, 0),
    };
    Ok(match kind.to_ascii_lowercase().as_str() {
        "cpu" => ExecutionProvider::Cpu,
        "cuda" => ExecutionProvider::Cuda { device_id: device },
        "tensorrt" => ExecutionProvider::TensorRt { device_id: device },
        "coreml" => ExecutionProvider::CoreMl,
        "directml" => ExecutionProvider::DirectMl { device_id: device },
        "openvino" => ExecutionProvider::OpenVino,
        _ => {
            return Err(invalid(
                py,
                format!(
                    "unknown provider {name:?}: expected \"cpu\", \"cuda\", \"tensorrt\", \"coreml\", \"directml\" or \"openvino\""
                ),
            ));
        }
    })
}

/// Byte offsets of a text → Python string (code point) offsets.
#[derive(Debug)]
pub(crate) struct CharOffsets {
    /// For each byte offset, the number of characters before it (at a character boundary).
    chars_before: Vec<u32>,
}

impl CharOffsets {
    pub(crate) fn new(text: &str) -> Self {
        let mut chars_before = vec![0; text.len() + 1];
        let mut count = 0;
        let mut next = 0;
        for (byte, _) in text.char_indices() {
            for slot in &mut chars_before[next..=byte] {
                *slot = count;
            }
            count += 1;
            next = byte + 1;
        }
        for slot in &mut chars_before[next..] {
            *slot = count;
        }
        Self { chars_before }
    }

    /// `range` in characters, as a `(start, end)` pair for `text[start:end]`.
    pub(crate) fn range(&self, range: &Range<usize>) -> (usize, usize) {
        let at = |b: usize| {
            self.chars_before
                .get(b)
                .or(self.chars_before.last())
                .map_or(0, |&c| c as usize)
        };
        (at(range.start), at(range.end))
    }
}
