//! Streaming encoders for mono speech (KittenTTS makes 24 kHz): WAV, raw PCM, FLAC, MP3 and
//! Ogg Opus, each built from pure-Rust crates with `cargo` alone (no cmake, no system
//! libraries). No TTS and no async here: samples in, bytes out.
//!
//! Each format is an [`Encoder`] you push samples into and take bytes out of, with an explicit
//! [`finish`](Encoder::finish) that flushes the tail: one encoder, one header, per stream
//! (never a fresh header per chunk, the fault that made streamed WAV play only its first
//! sentence and streamed MP3 unplayable in other servers). [`encode`] does a whole buffer,
//! where a format can say more than a stream can (WAV's sizes). FLAC is always complete: its
//! encoder gives the file out at `finish`, with the sizes and the MD5.
//!
//! | format | crate | stream | notes |
//! |---|---|---|---|
//! | `wav` | by hand | one 44-byte header with "unknown" sizes (0xFFFFFFFF), then 16-bit samples | [`encode`] writes the real sizes |
//! | `wav-f32` | by hand | the same with 32-bit float samples | |
//! | `pcm` | by hand | headerless 16-bit little-endian | what OpenAI's `pcm` is |
//! | `f32` | by hand | headerless 32-bit float little-endian | |
//! | `flac` | flacenc 0.5 | not streamed: frames are encoded as samples come and given out by `finish`, behind a STREAMINFO with the real total and MD5 (what libsndfile needs) | memory: the compressed audio, about half its 16-bit PCM |
//! | `mp3` | rusty_mp3 1.0 | MPEG-2 Layer III, 64 kb/s CBR, one encoder per stream | the first frame is an Info tag carrying the encoder delay |
//! | `opus` | opus-pure 0.2 + ogg 0.9 | Ogg Opus, 20 ms frames, one Ogg page per push | gapless: pre-skip and end trim set, so it decodes to the input's length |
//!
//! ```
//! use kittentts_audio::{Format, encoder};
//! # fn main() -> Result<(), kittentts_audio::Error> {
//! let mut enc = encoder(Format::Wav, 24_000)?;
//! let mut bytes = enc.push(&[0.0; 2400])?;   // the header and the first samples
//! bytes.extend(enc.push(&[0.5; 2400])?);    // more samples, no new header
//! bytes.extend(enc.finish()?);
//! assert_eq!(&bytes[..4], b"RIFF");
//! assert_eq!(bytes.len(), 44 + 2 * 4800);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod flac;
mod mp3;
mod opus;
mod wav;

use std::fmt;
use std::str::FromStr;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// WAV, 16-bit PCM.
    Wav,
    /// WAV, 32-bit float.
    WavF32,
    /// Raw 16-bit little-endian PCM (OpenAI's `pcm`).
    Pcm,
    /// Raw 32-bit float little-endian.
    F32,
    /// FLAC, 16-bit.
    Flac,
    /// MP3 (MPEG-2 Layer III at 24 kHz).
    Mp3,
    /// Opus in an Ogg container.
    Opus,
    /// AAC-LC in ADTS frames: named so that a request for it gets a clear answer, but this
    /// build has no AAC encoder ([`encoder`] returns [`Error::Unsupported`]).
    Aac,
}

impl Format {
    /// Every format this build can encode.
    pub const ALL: [Format; 7] = [
        Format::Wav,
        Format::WavF32,
        Format::Pcm,
        Format::F32,
        Format::Flac,
        Format::Mp3,
        Format::Opus,
    ];

    /// The name used on the command line and in the OpenAI API (`mp3`, `wav-f32`…).
    pub fn name(self) -> &'static str {
        match self {
            Self::Wav => "wav",
            Self::WavF32 => "wav-f32",
            Self::Pcm => "pcm",
            Self::F32 => "f32",
            Self::Flac => "flac",
            Self::Mp3 => "mp3",
            Self::Opus => "opus",
            Self::Aac => "aac",
        }
    }

    /// Whether the encoder gives bytes as samples come (`false` for FLAC, whose encoder gives
    /// the whole file at `finish`, STREAMINFO complete).
    pub fn streams(self) -> bool {
        !matches!(self, Self::Flac)
    }

    /// The HTTP content type: `audio/wav`, `audio/pcm`, `audio/flac`, `audio/mpeg`,
    /// `audio/ogg; codecs=opus`, `audio/aac`.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Wav | Self::WavF32 => "audio/wav",
            Self::Pcm => "audio/pcm",
            Self::F32 => "audio/pcm; format=f32le",
            Self::Flac => "audio/flac",
            Self::Mp3 => "audio/mpeg",
            Self::Opus => "audio/ogg; codecs=opus",
            Self::Aac => "audio/aac",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Wav | Self::WavF32 => "wav",
            Self::Pcm | Self::F32 => "pcm",
            Self::Flac => "flac",
            Self::Mp3 => "mp3",
            Self::Opus => "opus",
            Self::Aac => "aac",
        }
    }

    /// The format a file name's extension names (`out.flac` → FLAC), if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "wav" => Some(Self::Wav),
            "pcm" | "raw" => Some(Self::Pcm),
            "flac" => Some(Self::Flac),
            "mp3" => Some(Self::Mp3),
            "opus" | "ogg" => Some(Self::Opus),
            "aac" => Some(Self::Aac),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "wav" => Self::Wav,
            "wav-f32" => Self::WavF32,
            "pcm" => Self::Pcm,
            "f32" => Self::F32,
            "flac" => Self::Flac,
            "mp3" => Self::Mp3,
            "opus" => Self::Opus,
            "aac" => Self::Aac,
            _ => {
                return Err(Error::UnknownFormat { name: s.to_owned() });
            }
        })
    }
}

/// What can go wrong while encoding.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The name is not a format.
    #[error(
        "unknown audio format {name:?}; expected one of wav, wav-f32, pcm, f32, flac, mp3, opus, aac"
    )]
    UnknownFormat {
        /// The name given.
        name: String,
    },
    /// The format is not available in this build, or not at this sample rate.
    #[error("{format} is not supported here: {reason}")]
    Unsupported {
        /// The format.
        format: Format,
        /// Why.
        reason: String,
    },
    /// The underlying encoder failed.
    #[error("the {format} encoder failed: {reason}")]
    Encoder {
        /// The format.
        format: Format,
        /// Its message.
        reason: String,
    },
    /// Samples were pushed after [`Encoder::finish`].
    #[error("the {format} encoder was already finished")]
    Finished {
        /// The format.
        format: Format,
    },
}

/// A streaming encoder: push samples, take bytes, then [`finish`](Self::finish).
///
/// Samples are mono `f32` in about [-1, 1] (clipped; NaN is silence). `Send`, so a stream can
/// be encoded on another thread than the one that made it.
pub trait Encoder: Send {
    /// The format it writes.
    fn format(&self) -> Format;

    /// Encodes `samples` and returns the bytes that are ready (the header comes with the first
    /// call; some formats hold back a partial frame until the next push or `finish`).
    ///
    /// # Errors
    /// [`Error::Encoder`] from the codec; [`Error::Finished`] after `finish`.
    fn push(&mut self, samples: &[f32]) -> Result<Vec<u8>, Error>;

    /// Flushes what is held back and ends the stream (the header alone, if nothing was pushed).
    /// Calling it again returns nothing.
    ///
    /// # Errors
    /// [`Error::Encoder`] from the codec.
    fn finish(&mut self) -> Result<Vec<u8>, Error>;
}

/// A streaming encoder for `format` at `sample_rate` Hz, mono.
///
/// # Errors
/// [`Error::Unsupported`] for AAC (not built) and for rates a codec lacks (MP3 takes the nine
/// MPEG rates, Opus 8, 12, 16, 24 and 48 kHz).
pub fn encoder(format: Format, sample_rate: u32) -> Result<Box<dyn Encoder>, Error> {
    Ok(match format {
        Format::Wav | Format::WavF32 | Format::Pcm | Format::F32 => {
            Box::new(wav::WavEncoder::new(format, sample_rate))
        }
        Format::Flac => Box::new(flac::FlacEncoder::new(sample_rate)?),
        Format::Mp3 => Box::new(mp3::Mp3Encoder::new(sample_rate)?),
        Format::Opus => Box::new(opus::OpusEncoder::new(sample_rate)?),
        Format::Aac => {
            return Err(Error::Unsupported {
                format,
                reason: "this build has no AAC encoder".into(),
            });
        }
    })
}

/// Encodes a whole buffer: as a stream would, except that WAV gets its real sizes and FLAC its
/// total sample count and MD5.
///
/// # Errors
/// As [`encoder`] and [`Encoder::push`].
pub fn encode(format: Format, sample_rate: u32, samples: &[f32]) -> Result<Vec<u8>, Error> {
    match format {
        Format::Wav | Format::WavF32 => Ok(wav::whole(format, sample_rate, samples)),
        _ => {
            let mut enc = encoder(format, sample_rate)?;
            let mut out = enc.push(samples)?;
            out.extend(enc.finish()?);
            Ok(out)
        }
    }
}

/// `f32` → 16-bit, clipped, rounded to nearest; NaN is 0.
pub fn to_i16(s: f32) -> i16 {
    let s = if s.is_nan() { 0.0 } else { s.clamp(-1.0, 1.0) };
    (s * f32::from(i16::MAX)).round() as i16
}

/// `f32` clipped to [-1, 1]; NaN is 0.
pub(crate) fn clip(s: f32) -> f32 {
    if s.is_nan() { 0.0 } else { s.clamp(-1.0, 1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_content_types() {
        for f in Format::ALL.iter().copied().chain([Format::Aac]) {
            assert_eq!(f.name().parse::<Format>().unwrap(), f);
        }
        assert!(matches!(
            "ogg".parse::<Format>(),
            Err(Error::UnknownFormat { .. })
        ));
        assert_eq!(Format::Mp3.content_type(), "audio/mpeg");
        assert_eq!(
            Format::from_extension(std::path::Path::new("x.FLAC")),
            Some(Format::Flac)
        );
        assert!(matches!(
            encoder(Format::Aac, 24_000),
            Err(Error::Unsupported { .. })
        ));
    }

    #[test]
    fn samples_are_clipped_and_rounded() {
        assert_eq!(to_i16(0.5), 16384);
        assert_eq!(to_i16(2.0), 32767);
        assert_eq!(to_i16(-2.0), -32767);
        assert_eq!(to_i16(f32::NAN), 0);
    }
}
