//! Voice names and blends: `Leo`, `leo`, `expr-voice-5-m`, `Bella*0.7+Luna*0.3`.

use kittentts_voices::Voices;

use crate::{Error, Result};

/// The most voices one blend may mix.
pub const MAX_BLEND_VOICES: usize = 16;

/// One voice of a blend: its id and its weight (the weights of a blend sum to 1).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Part {
    pub(crate) id: String,
    pub(crate) weight: f64,
}

/// A voice as asked for, resolved: one voice, or a weighted mix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VoiceMix {
    pub(crate) parts: Vec<Part>,
    /// The blend's speed prior: the weighted mean of its voices' priors.
    pub(crate) prior: f64,
}

impl VoiceMix {
    /// The style row for a chunk: the same weighted sum of each voice's row.
    pub(crate) fn style_row(&self, voices: &Voices, chunk_text: &str) -> Vec<f32> {
        let mut row: Vec<f32> = Vec::new();
        for part in &self.parts {
            let Some(table) = voices.bank().get(&part.id) else {
                continue;
            };
            let r = table.style_row(chunk_text);
            if self.parts.len() == 1 {
                return r.to_vec();
            }
            if row.is_empty() {
                row = vec![0.0; r.len()];
            }
            for (acc, &v) in row.iter_mut().zip(r) {
                *acc += (part.weight * f64::from(v)) as f32;
            }
        }
        row
    }
}

/// Parses and resolves `spec`: a voice name or id (any letter case), or a blend
/// `NAME*WEIGHT+NAME*WEIGHT…` (a part without `*WEIGHT` weighs 1). Weights are normalised to
/// sum to 1; a voice named twice has its weights added.
pub(crate) fn resolve(voices: &Voices, spec: &str) -> Result<VoiceMix> {
    let available = || {
        voices
            .names()
            .into_iter()
            .map(|v| v.name)
            .collect::<Vec<_>>()
    };
    let bad = |reason: String| Error::InvalidVoiceSpec {
        spec: spec.to_owned(),
        reason,
        available: available(),
    };
    let spec_trimmed = spec.trim();
    if spec_trimmed.is_empty() {
        return Err(bad("the voice is empty".into()));
    }
    if !spec_trimmed.contains(['+', '*']) {
        let voice = resolve_one(voices, spec_trimmed)?;
        return Ok(VoiceMix {
            parts: vec![Part {
                id: voice.0,
                weight: 1.0,
            }],
            prior: voice.1,
        });
    }
    let mut parts: Vec<Part> = Vec::new();
    let mut priors: Vec<f64> = Vec::new();
    for piece in spec_trimmed.split('+') {
        let (name, weight) = match piece.split_once('*') {
            Some((n, w)) => {
                let w = w.trim();
                let weight: f64 = w
                    .parse()
                    .map_err(|_| bad(format!("{w:?} is not a weight")))?;
                (n.trim(), weight)
            }
            None => (piece.trim(), 1.0),
        };
        if name.is_empty() {
            return Err(bad("a part of the blend names no voice".into()));
        }
        if !(weight.is_finite() && weight > 0.0) {
            return Err(bad(format!(
                "the weight of {name:?} is {weight}; weights must be finite and above 0"
            )));
        }
        let (id, prior) = resolve_one(voices, name)?;
        match parts.iter().position(|p| p.id == id) {
            Some(i) => parts[i].weight += weight,
            None => {
                parts.push(Part { id, weight });
                priors.push(prior);
            }
        }
    }
    if parts.len() > MAX_BLEND_VOICES {
        return Err(bad(format!(
            "a blend mixes at most {MAX_BLEND_VOICES} voices, not {}",
            parts.len()
        )));
    }
    // Scaled by the largest weight first, so that huge weights (`Bella*1e308+Luna*1e308`)
    // mix as their ratios say instead of overflowing to infinity.
    let largest = parts.iter().map(|p| p.weight).fold(0.0, f64::max);
    if !largest.is_finite() {
        return Err(bad(
            "the weights of one voice add up to more than a number can hold".into(),
        ));
    }
    let total: f64 = parts.iter().map(|p| p.weight / largest).sum();
    for p in &mut parts {
        p.weight = p.weight / largest / total;
    }
    let prior = parts.iter().zip(&priors).map(|(p, q)| p.weight * q).sum();
    Ok(VoiceMix { parts, prior })
}

/// One voice name → its id and speed prior.
fn resolve_one(voices: &Voices, name: &str) -> Result<(String, f64)> {
    match voices.resolve(name) {
        Ok(v) => Ok((v.id().to_owned(), v.speed_prior())),
        Err(kittentts_voices::Error::UnknownVoice { name, available }) => {
            Err(Error::UnknownVoice { name, available })
        }
        Err(other) => Err(Error::Voices(other)),
    }
}
