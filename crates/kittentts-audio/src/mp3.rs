//! MP3 through rusty_mp3: one encoder per stream, packets drained after every push.

use crate::{Encoder, Error, Format, clip};

/// Bit rate for 24 kHz mono speech (MPEG-2 Layer III).
const KBPS: u32 = 64;

pub(crate) struct Mp3Encoder {
    inner: rusty_mp3::Mp3Encoder,
    sample_rate: u32,
    pushed: bool,
    finished: bool,
    scratch: Vec<f32>,
}

impl Mp3Encoder {
    pub(crate) fn new(sample_rate: u32) -> Result<Self, Error> {
        const RATES: [u32; 9] = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];
        if !RATES.contains(&sample_rate) {
            return Err(Error::Unsupported {
                format: Format::Mp3,
                reason: format!("{sample_rate} Hz is not an MPEG audio rate"),
            });
        }
        Ok(Self {
            inner: rusty_mp3::Mp3Encoder::new(rusty_mp3::Mp3EncoderConfig {
                bitrate_kbps: KBPS,
                vbr_quality: None,
            }),
            sample_rate,
            pushed: false,
            finished: false,
            scratch: Vec::new(),
        })
    }

    fn drain(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        loop {
            match self.inner.next_packet() {
                Ok(packet) => out.extend_from_slice(&packet),
                Err(rusty_mp3::Error::Again | rusty_mp3::Error::Eof) => return Ok(()),
                Err(e) => {
                    return Err(Error::Encoder {
                        format: Format::Mp3,
                        reason: e.to_string(),
                    });
                }
            }
        }
    }
}

impl Encoder for Mp3Encoder {
    fn format(&self) -> Format {
        Format::Mp3
    }

    fn push(&mut self, samples: &[f32]) -> Result<Vec<u8>, Error> {
        if self.finished {
            return Err(Error::Finished {
                format: Format::Mp3,
            });
        }
        self.scratch.clear();
        self.scratch.extend(samples.iter().map(|&s| clip(s)));
        self.inner
            .push_pcm_f32(&self.scratch, 1, self.sample_rate)
            .map_err(|e| Error::Encoder {
                format: Format::Mp3,
                reason: e.to_string(),
            })?;
        self.pushed = true;
        let mut out = Vec::new();
        self.drain(&mut out)?;
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<u8>, Error> {
        if self.finished {
            return Ok(Vec::new());
        }
        self.finished = true;
        if !self.pushed {
            // The encoder learns the format from the first push: an empty stream still gets
            // a valid (empty) MP3.
            self.inner
                .push_pcm_f32(&[], 1, self.sample_rate)
                .map_err(|e| Error::Encoder {
                    format: Format::Mp3,
                    reason: e.to_string(),
                })?;
        }
        self.inner.finish();
        let mut out = Vec::new();
        self.drain(&mut out)?;
        Ok(out)
    }
}
