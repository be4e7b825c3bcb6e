//! WAV and raw PCM: a header by hand (none for raw), then samples.

use crate::{Encoder, Error, Format, clip, to_i16};

/// WAV (16-bit or float) and raw PCM (16-bit or float).
pub(crate) struct WavEncoder {
    format: Format,
    sample_rate: u32,
    header_done: bool,
    finished: bool,
}

impl WavEncoder {
    pub(crate) fn new(format: Format, sample_rate: u32) -> Self {
        Self {
            format,
            sample_rate,
            header_done: false,
            finished: false,
        }
    }

    fn float(&self) -> bool {
        matches!(self.format, Format::WavF32 | Format::F32)
    }

    fn header(&mut self, out: &mut Vec<u8>) {
        if !self.header_done {
            self.header_done = true;
            if matches!(self.format, Format::Wav | Format::WavF32) {
                out.extend(header(self.float(), self.sample_rate, None));
            }
        }
    }
}

impl Encoder for WavEncoder {
    fn format(&self) -> Format {
        self.format
    }

    fn push(&mut self, samples: &[f32]) -> Result<Vec<u8>, Error> {
        if self.finished {
            return Err(Error::Finished {
                format: self.format,
            });
        }
        let mut out = Vec::with_capacity(44 + samples.len() * 4);
        self.header(&mut out);
        write_samples(self.float(), samples, &mut out);
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        if !self.finished {
            self.header(&mut out);
            self.finished = true;
        }
        Ok(out)
    }
}

fn write_samples(float: bool, samples: &[f32], out: &mut Vec<u8>) {
    if float {
        for &s in samples {
            out.extend_from_slice(&clip(s).to_le_bytes());
        }
    } else {
        for &s in samples {
            out.extend_from_slice(&to_i16(s).to_le_bytes());
        }
    }
}

/// The 44-byte header; `samples: None` writes 0xFFFFFFFF sizes, the "unknown length" that
/// players accept for a stream.
fn header(float: bool, sample_rate: u32, samples: Option<usize>) -> Vec<u8> {
    let (tag, bits): (u16, u16) = if float { (3, 32) } else { (1, 16) };
    let block = bits / 8;
    let (riff, data) = match samples.map(|n| u32::try_from(n * usize::from(block))) {
        Some(Ok(bytes)) if bytes <= u32::MAX - 36 => (bytes + 36, bytes),
        _ => (u32::MAX, u32::MAX),
    };
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&riff.to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&tag.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&sample_rate.to_le_bytes());
    h.extend_from_slice(&(sample_rate * u32::from(block)).to_le_bytes());
    h.extend_from_slice(&block.to_le_bytes());
    h.extend_from_slice(&bits.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data.to_le_bytes());
    h
}

/// A whole WAV file with its real sizes.
pub(crate) fn whole(format: Format, sample_rate: u32, samples: &[f32]) -> Vec<u8> {
    let float = format == Format::WavF32;
    let mut out = header(float, sample_rate, Some(samples.len()));
    write_samples(float, samples, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_header_says_unknown_and_whole_has_sizes() {
        let mut e = WavEncoder::new(Format::Wav, 24_000);
        let first = e.push(&[0.0, 1.0]).unwrap();
        assert_eq!(&first[4..8], &u32::MAX.to_le_bytes());
        assert_eq!(&first[40..44], &u32::MAX.to_le_bytes());
        assert_eq!(&first[44..], &[0, 0, 0xff, 0x7f]);
        assert_eq!(e.push(&[0.0]).unwrap(), vec![0, 0]);
        assert!(e.finish().unwrap().is_empty());
        assert!(matches!(e.push(&[0.0]), Err(Error::Finished { .. })));
        let w = whole(Format::Wav, 24_000, &[0.0; 10]);
        assert_eq!(w.len(), 64);
        assert_eq!(&w[4..8], &56u32.to_le_bytes());
        assert_eq!(&w[40..44], &20u32.to_le_bytes());
        assert_eq!(&w[24..28], &24_000u32.to_le_bytes());
    }

    #[test]
    fn raw_formats_have_no_header() {
        let mut e = WavEncoder::new(Format::F32, 24_000);
        assert_eq!(e.push(&[0.25]).unwrap(), 0.25f32.to_le_bytes().to_vec());
        let mut e = WavEncoder::new(Format::Pcm, 24_000);
        assert_eq!(e.push(&[-1.0]).unwrap(), (-32767i16).to_le_bytes().to_vec());
        assert!(e.finish().unwrap().is_empty());
    }
}
