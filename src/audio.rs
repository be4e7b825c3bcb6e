//! Synthesised audio.

use std::time::Duration;

/// The sample rate of every KittenTTS model: 24 kHz mono.
pub const SAMPLE_RATE: u32 = 24_000;

/// Mono audio as 32-bit float samples in about [-1, 1].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Audio {
    /// The samples, in order.
    pub samples: Vec<f32>,
    /// Samples per second ([`SAMPLE_RATE`] for everything this crate makes).
    pub sample_rate: u32,
    /// When each written word is spoken, when
    /// [`SynthesisOptions::word_timings`](crate::SynthesisOptions::word_timings) was on and the
    /// model gives durations; empty otherwise.
    pub words: Vec<crate::WordTiming>,
}

impl Audio {
    /// Wraps samples at [`SAMPLE_RATE`].
    pub fn new(samples: Vec<f32>) -> Self {
        Self {
            samples,
            sample_rate: SAMPLE_RATE,
            words: Vec::new(),
        }
    }

    /// How long the audio plays.
    pub fn duration(&self) -> Duration {
        if self.sample_rate == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(self.samples.len() as f64 / f64::from(self.sample_rate))
    }

    /// The samples as 16-bit PCM, clipped to [-1, 1] and rounded to nearest.
    pub fn to_i16(&self) -> Vec<i16> {
        self.samples
            .iter()
            .map(|&s| {
                let s = if s.is_nan() { 0.0 } else { s.clamp(-1.0, 1.0) };
                (s * f32::from(i16::MAX)).round() as i16
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_counts_samples_at_the_rate() {
        let audio = Audio::new(vec![0.0; 36_000]);
        assert_eq!(audio.duration(), Duration::from_millis(1500));
        assert_eq!(Audio::default().duration(), Duration::ZERO);
    }

    #[test]
    fn to_i16_clips_and_rounds() {
        let audio = Audio::new(vec![0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0, f32::NAN]);
        assert_eq!(
            audio.to_i16(),
            vec![0, 16384, -16384, 32767, -32767, 32767, -32767, 0]
        );
    }
}
