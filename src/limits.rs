//! Limits that make bad requests fail cleanly, before the model runs.

use crate::{Error, Result};

/// Seconds of audio one token is expected to give at speed 1.0, for the audio-length check.
///
/// KittenTTS 0.8 speaks about 14 phoneme tokens a second at speed 1.0 (the stand-ins are
/// calibrated to the same rate; held-out inputs give 12–18), so a token is about 0.07 s. The
/// check multiplies the token count by this and divides by the effective speed. Punctuation
/// tokens are held longer than phonemes, which is why 50,000 `!` once gave hours of audio.
pub const SECONDS_PER_TOKEN: f64 = 1.0 / 14.0;

/// Phoneme tokens per character of normalised text, used by [`Synthesizer::stream`] for its
/// up-front estimate (before any phonemes exist); a low figure, so that the estimate errs on
/// the side of letting text through. The exact token count is checked chunk by chunk.
///
/// [`Synthesizer::stream`]: crate::Synthesizer::stream
pub const MIN_TOKENS_PER_CHAR: f64 = 0.8;

/// The most phoneme tokens one ASCII character of normalised text gives, for the bound of
/// [`SynthesisOptions::check_limits_first`](crate::SynthesisOptions::check_limits_first).
///
/// Measured with libespeak-ng 1.52 on every printable ASCII character alone, in runs and in
/// random mixes: a lone letter spelled out is the most (`w` → `dˈʌbəljˌuː,` is 12 tokens with
/// its punctuation); words average about 1 token per character.
pub const MAX_TOKENS_PER_ASCII_CHAR: f64 = 12.0;

/// The most phoneme tokens one other character gives, for the same bound: libespeak-ng's
/// English voice names what it cannot read (a Devanagari sign is 30 tokens, a Thai letter up
/// to 25, an emoji's name about 16); 64 leaves room for longer names.
pub const MAX_TOKENS_PER_OTHER_CHAR: f64 = 64.0;

/// Limits on one call of [`Synthesizer::synthesize`](crate::Synthesizer::synthesize) or
/// [`Synthesizer::stream`](crate::Synthesizer::stream). Each broken limit is a typed error
/// naming the limit and the value ([`Error::TextTooLong`], [`Error::AudioTooLong`],
/// [`Error::SpeedOutOfRange`]), returned before any model run.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Limits {
    /// The longest input text, in characters (Unicode scalar values). Default
    /// [`DEFAULT_MAX_TEXT_CHARS`](Self::DEFAULT_MAX_TEXT_CHARS): about an hour of speech.
    pub max_text_chars: usize,
    /// The longest audio of one call, in seconds, estimated from the token count and the
    /// speed ([`SECONDS_PER_TOKEN`]). Default [`DEFAULT_MAX_AUDIO_SECONDS`](Self::DEFAULT_MAX_AUDIO_SECONDS).
    pub max_audio_seconds: f64,
    /// The slowest effective speed (the user's speed × the voice's speed prior). Default 0.2.
    pub min_speed: f32,
    /// The fastest effective speed. Default 5.0.
    pub max_speed: f32,
}

impl Limits {
    /// Default of [`max_text_chars`](Self::max_text_chars).
    pub const DEFAULT_MAX_TEXT_CHARS: usize = 50_000;
    /// Default of [`max_audio_seconds`](Self::max_audio_seconds): one hour.
    pub const DEFAULT_MAX_AUDIO_SECONDS: f64 = 3600.0;
    /// Default of [`min_speed`](Self::min_speed).
    ///
    /// Why 0.2–5.0: the model divides every token's duration by the speed, so at 0.2 the
    /// longest chunk (509 tokens) already gives about three minutes of audio from one run;
    /// slower speeds only stretch sounds into drones and grow memory without bound (0.001 ran
    /// ONNX Runtime out of memory). Above 5 the durations are rounded down to the one-frame
    /// minimum (25 ms per token), so the audio gets no faster, only less intelligible. The
    /// range holds the OpenAI speech API's 0.25–4.0 for every voice prior between 0.8 and 1.25
    /// (the released configs use 0.8–0.9).
    pub const DEFAULT_MIN_SPEED: f32 = 0.2;
    /// Default of [`max_speed`](Self::max_speed); see [`DEFAULT_MIN_SPEED`](Self::DEFAULT_MIN_SPEED).
    pub const DEFAULT_MAX_SPEED: f32 = 5.0;

    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`max_text_chars`](Self::max_text_chars).
    #[must_use]
    pub fn with_max_text_chars(mut self, chars: usize) -> Self {
        self.max_text_chars = chars;
        self
    }

    /// Sets [`max_audio_seconds`](Self::max_audio_seconds).
    #[must_use]
    pub fn with_max_audio_seconds(mut self, seconds: f64) -> Self {
        self.max_audio_seconds = seconds;
        self
    }

    /// Sets the effective speed range.
    #[must_use]
    pub fn with_speed_range(mut self, min: f32, max: f32) -> Self {
        self.min_speed = min;
        self.max_speed = max;
        self
    }

    /// Checks that every limit is usable: positive, finite, and `min_speed <= max_speed`.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] naming the first bad limit.
    pub fn validate(&self) -> Result<()> {
        let bad = |setting: &'static str, value: String, expected: &'static str| {
            Err(Error::InvalidSetting {
                setting,
                value,
                expected,
            })
        };
        if self.max_text_chars == 0 {
            return bad("max_text_chars", "0".into(), "at least 1");
        }
        if !(self.max_audio_seconds.is_finite() && self.max_audio_seconds > 0.0) {
            return bad(
                "max_audio_seconds",
                self.max_audio_seconds.to_string(),
                "a finite number of seconds above 0",
            );
        }
        for (name, v) in [("min_speed", self.min_speed), ("max_speed", self.max_speed)] {
            if !(v.is_finite() && v > 0.0) {
                return bad(name, v.to_string(), "a finite speed above 0");
            }
        }
        if self.min_speed > self.max_speed {
            return bad(
                "min_speed",
                format!("{} (max_speed {})", self.min_speed, self.max_speed),
                "at most max_speed",
            );
        }
        Ok(())
    }

    /// The error for `chars` characters of input, if that is over the limit.
    pub(crate) fn check_text(&self, chars: usize) -> Result<()> {
        if chars > self.max_text_chars {
            return Err(Error::TextTooLong {
                chars,
                max: self.max_text_chars,
            });
        }
        Ok(())
    }

    /// The error for `tokens` phoneme tokens at effective speed `speed`, if the audio they
    /// are expected to give is over the limit.
    pub(crate) fn check_audio(&self, tokens: f64, speed: f32) -> Result<()> {
        let seconds = estimated_seconds(tokens, speed);
        if seconds > self.max_audio_seconds {
            return Err(Error::AudioTooLong {
                estimated_seconds: seconds,
                max_seconds: self.max_audio_seconds,
            });
        }
        Ok(())
    }

    /// Whether the audio of `normalized` text surely stays within the limit at effective
    /// speed `speed`, by the per-character bounds, before any phonemes exist.
    pub(crate) fn audio_surely_within(&self, normalized: &[char], speed: f32) -> bool {
        let most: f64 = normalized
            .iter()
            .map(|c| {
                if c.is_ascii() {
                    MAX_TOKENS_PER_ASCII_CHAR
                } else {
                    MAX_TOKENS_PER_OTHER_CHAR
                }
            })
            .sum();
        estimated_seconds(most, speed) <= self.max_audio_seconds
    }

    /// The error for a user speed whose product with the voice's prior leaves the range.
    pub(crate) fn check_speed(&self, speed: f32, prior: f64, effective: f32) -> Result<()> {
        if !(self.min_speed..=self.max_speed).contains(&effective) {
            return Err(Error::SpeedOutOfRange {
                speed,
                prior,
                effective,
                min: self.min_speed,
                max: self.max_speed,
            });
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_text_chars: Self::DEFAULT_MAX_TEXT_CHARS,
            max_audio_seconds: Self::DEFAULT_MAX_AUDIO_SECONDS,
            min_speed: Self::DEFAULT_MIN_SPEED,
            max_speed: Self::DEFAULT_MAX_SPEED,
        }
    }
}

/// Expected seconds of audio from `tokens` tokens at effective speed `speed`.
pub(crate) fn estimated_seconds(tokens: f64, speed: f32) -> f64 {
    tokens * SECONDS_PER_TOKEN / f64::from(speed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_zero_limits_are_not() {
        assert!(Limits::default().validate().is_ok());
        for bad in [
            Limits::new().with_max_text_chars(0),
            Limits::new().with_max_audio_seconds(0.0),
            Limits::new().with_max_audio_seconds(f64::NAN),
            Limits::new().with_speed_range(0.0, 1.0),
            Limits::new().with_speed_range(2.0, 1.0),
            Limits::new().with_speed_range(0.5, f32::INFINITY),
        ] {
            assert!(
                matches!(bad.validate(), Err(Error::InvalidSetting { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn checks_name_the_limit_and_the_value() {
        let l = Limits::default();
        let e = l.check_text(50_001).unwrap_err();
        assert!(matches!(
            e,
            Error::TextTooLong {
                chars: 50_001,
                max: 50_000
            }
        ));
        assert!(e.to_string().contains("50001") && e.to_string().contains("50000"));
        assert!(l.check_text(50_000).is_ok());
        // 14 tokens a second: 14 * 3600 tokens is an hour at speed 1, two at speed 0.5
        assert!(l.check_audio(14.0 * 3600.0, 1.0).is_ok());
        let e = l.check_audio(14.0 * 3600.0, 0.5).unwrap_err();
        assert!(
            matches!(e, Error::AudioTooLong { estimated_seconds, max_seconds } if (estimated_seconds - 7200.0).abs() < 1e-6 && max_seconds == 3600.0)
        );
        let e = l.check_speed(4.5, 1.25, 5.625).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("4.5") && msg.contains("1.25") && msg.contains("5.625"),
            "{msg}"
        );
        assert!(l.check_speed(1.0, 1.0, 1.0).is_ok());
    }
}
