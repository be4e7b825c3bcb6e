//! Ogg Opus through opus-pure (the codec) and ogg (the pages): 20 ms frames, one page flushed
//! per push, and the RFC 7845 bookkeeping that makes the file decode to exactly its input:
//! granule positions in 48 kHz samples, a pre-skip of the encoder's lookahead, silence padded
//! at the end and the final granule trimmed back to pre-skip + the input.

use ogg::writing::{PacketWriteEndInfo, PacketWriter};
use opus_pure::{Application, OpusEncoder as Codec};

use crate::{Encoder, Error, Format, clip};

/// Bit rate for mono speech.
const BITRATE: i32 = 32_000;
/// The Ogg stream's serial number (one logical stream per file).
const SERIAL: u32 = 0x6b69_7474; // "kitt"

fn err(e: impl std::fmt::Display) -> Error {
    Error::Encoder {
        format: Format::Opus,
        reason: e.to_string(),
    }
}

pub(crate) struct OpusEncoder {
    codec: Codec,
    writer: PacketWriter<'static, Vec<u8>>,
    sample_rate: u32,
    /// Input samples per 20 ms frame.
    frame: usize,
    /// 48 kHz samples per input sample.
    scale: u64,
    pre_skip: u64,
    pending: Vec<f32>,
    /// Input samples pushed so far.
    input: u64,
    /// Frames written so far.
    frames: u64,
    header_done: bool,
    finished: bool,
    packet: Vec<u8>,
}

impl OpusEncoder {
    pub(crate) fn new(sample_rate: u32) -> Result<Self, Error> {
        if ![8000, 12000, 16000, 24000, 48000].contains(&sample_rate) {
            return Err(Error::Unsupported {
                format: Format::Opus,
                reason: format!("Opus codes 8, 12, 16, 24 or 48 kHz, not {sample_rate} Hz"),
            });
        }
        let mut codec = Codec::new(sample_rate as i32, 1, Application::Voip).map_err(err)?;
        codec.bitrate_bps = BITRATE;
        let scale = u64::from(48_000 / sample_rate);
        let pre_skip = codec.lookahead() as u64 * scale;
        Ok(Self {
            codec,
            writer: PacketWriter::new(Vec::new()),
            sample_rate,
            frame: sample_rate as usize / 50,
            scale,
            pre_skip,
            pending: Vec::new(),
            input: 0,
            frames: 0,
            header_done: false,
            finished: false,
            packet: vec![0; opus_pure::MAX_PACKET_BYTES],
        })
    }

    fn headers(&mut self) -> Result<(), Error> {
        if self.header_done {
            return Ok(());
        }
        self.header_done = true;
        // OpusHead (RFC 7845 §5.1): version 1, mono, pre-skip, the input rate, no gain,
        // mapping family 0.
        let mut head = Vec::with_capacity(19);
        head.extend_from_slice(b"OpusHead");
        head.push(1);
        head.push(1);
        head.extend_from_slice(&(self.pre_skip as u16).to_le_bytes());
        head.extend_from_slice(&self.sample_rate.to_le_bytes());
        head.extend_from_slice(&0i16.to_le_bytes());
        head.push(0);
        let vendor = b"kittentts-audio (opus-pure)";
        let mut tags = Vec::new();
        tags.extend_from_slice(b"OpusTags");
        tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
        tags.extend_from_slice(vendor);
        tags.extend_from_slice(&0u32.to_le_bytes());
        for packet in [head, tags] {
            self.writer
                .write_packet(packet, SERIAL, PacketWriteEndInfo::EndPage, 0)
                .map_err(err)?;
        }
        Ok(())
    }

    /// Encodes every whole frame of `pending`; the last packet ends its page as `end` says.
    fn encode_frames(
        &mut self,
        end: PacketWriteEndInfo,
        final_granule: Option<u64>,
    ) -> Result<(), Error> {
        let count = self.pending.len() / self.frame;
        for i in 0..count {
            let start = i * self.frame;
            let frame: Vec<f32> = self.pending[start..start + self.frame].to_vec();
            let n = self
                .codec
                .encode(&frame, self.frame, &mut self.packet)
                .map_err(err)?;
            self.frames += 1;
            let last = i + 1 == count;
            let mut granule = self.frames * self.frame as u64 * self.scale;
            let info = if last {
                end
            } else {
                PacketWriteEndInfo::NormalPacket
            };
            if last && let Some(g) = final_granule {
                granule = g;
            }
            self.writer
                .write_packet(self.packet[..n].to_vec(), SERIAL, info, granule)
                .map_err(err)?;
        }
        self.pending.drain(..count * self.frame);
        Ok(())
    }

    fn take(&mut self) -> Vec<u8> {
        std::mem::take(self.writer.inner_mut())
    }
}

impl Encoder for OpusEncoder {
    fn format(&self) -> Format {
        Format::Opus
    }

    fn push(&mut self, samples: &[f32]) -> Result<Vec<u8>, Error> {
        if self.finished {
            return Err(Error::Finished {
                format: Format::Opus,
            });
        }
        self.headers()?;
        self.pending.extend(samples.iter().map(|&s| clip(s)));
        self.input += samples.len() as u64;
        if self.pending.len() >= self.frame {
            self.encode_frames(PacketWriteEndInfo::EndPage, None)?;
        }
        Ok(self.take())
    }

    fn finish(&mut self) -> Result<Vec<u8>, Error> {
        if self.finished {
            return Ok(Vec::new());
        }
        self.finished = true;
        self.headers()?;
        // Silence past the lookahead, so the encoder's delay line gives out every input
        // sample; then whole frames.
        let lookahead = self.codec.lookahead();
        self.pending.extend(std::iter::repeat_n(0.0, lookahead + 1));
        let rem = self.pending.len() % self.frame;
        if rem != 0 {
            self.pending
                .extend(std::iter::repeat_n(0.0, self.frame - rem));
        }
        let final_granule = self.pre_skip + self.input * self.scale;
        self.encode_frames(PacketWriteEndInfo::EndStream, Some(final_granule))?;
        Ok(self.take())
    }
}
