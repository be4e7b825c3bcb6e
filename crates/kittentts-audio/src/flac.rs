//! FLAC through flacenc: STREAMINFO first (total and MD5 "unknown" when streamed), then one
//! fixed-size frame per 4096 samples, the tail held back until the next push or `finish`.

use flacenc::bitsink::ByteSink;
use flacenc::component::{BitRepr, Stream};
use flacenc::error::{Verified, Verify};
use flacenc::source::{Fill, FrameBuf, MemSource};

use crate::{Encoder, Error, Format, to_i16};

const BLOCK: usize = 4096;
const BITS: usize = 16;
const LPC_ORDER: usize = 4;

fn err(e: impl std::fmt::Debug) -> Error {
    Error::Encoder {
        format: Format::Flac,
        reason: format!("{e:?}"),
    }
}

/// The bytes of a FLAC component.
fn bytes(c: &impl BitRepr) -> Result<Vec<u8>, Error> {
    let mut sink = ByteSink::new();
    c.write(&mut sink).map_err(err)?;
    Ok(sink.into_inner())
}

fn config() -> Result<Verified<flacenc::config::Encoder>, Error> {
    let mut c = flacenc::config::Encoder::default();
    c.block_size = BLOCK;
    // One thread per stream (a server runs many), and LPC order 4: on the stand-in's audio
    // it encodes 1.6x faster than the default order for 0.5% more bytes.
    c.multithread = false;
    c.subframe_coding.qlpc.lpc_order = LPC_ORDER;
    c.into_verified().map_err(|(_, e)| err(e))
}

pub(crate) struct FlacEncoder {
    config: Verified<flacenc::config::Encoder>,
    stream: Stream,
    pending: Vec<i32>,
    frame: usize,
    header_done: bool,
    finished: bool,
}

impl FlacEncoder {
    pub(crate) fn new(sample_rate: u32) -> Result<Self, Error> {
        let mut stream =
            Stream::new(sample_rate as usize, 1, BITS).map_err(|e| Error::Unsupported {
                format: Format::Flac,
                reason: format!("{e:?}"),
            })?;
        stream
            .stream_info_mut()
            .set_block_sizes(BLOCK, BLOCK)
            .map_err(err)?;
        Ok(Self {
            config: config()?,
            stream,
            pending: Vec::with_capacity(BLOCK),
            frame: 0,
            header_done: false,
            finished: false,
        })
    }

    fn header(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        if !self.header_done {
            self.header_done = true;
            out.extend(bytes(&self.stream)?);
        }
        Ok(())
    }

    fn encode_block(&mut self, block: &[i32], out: &mut Vec<u8>) -> Result<(), Error> {
        let mut fb = FrameBuf::with_size(1, block.len()).map_err(err)?;
        fb.fill_interleaved(block).map_err(err)?;
        let frame = flacenc::encode_fixed_size_frame(
            &self.config,
            &fb,
            self.frame,
            self.stream.stream_info(),
        )
        .map_err(err)?;
        self.frame += 1;
        out.extend(bytes(&frame)?);
        Ok(())
    }
}

impl Encoder for FlacEncoder {
    fn format(&self) -> Format {
        Format::Flac
    }

    fn push(&mut self, samples: &[f32]) -> Result<Vec<u8>, Error> {
        if self.finished {
            return Err(Error::Finished {
                format: Format::Flac,
            });
        }
        let mut out = Vec::new();
        self.header(&mut out)?;
        self.pending
            .extend(samples.iter().map(|&s| i32::from(to_i16(s))));
        let full = self.pending.len() / BLOCK * BLOCK;
        let blocks: Vec<i32> = self.pending.drain(..full).collect();
        for block in blocks.chunks(BLOCK) {
            self.encode_block(block, &mut out)?;
        }
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<u8>, Error> {
        if self.finished {
            return Ok(Vec::new());
        }
        self.finished = true;
        let mut out = Vec::new();
        self.header(&mut out)?;
        if !self.pending.is_empty() {
            let tail = std::mem::take(&mut self.pending);
            self.encode_block(&tail, &mut out)?;
        }
        Ok(out)
    }
}

/// A whole FLAC file, with the total sample count and the MD5 in STREAMINFO.
pub(crate) fn whole(sample_rate: u32, samples: &[f32]) -> Result<Vec<u8>, Error> {
    let ints: Vec<i32> = samples.iter().map(|&s| i32::from(to_i16(s))).collect();
    let source = MemSource::from_samples(&ints, 1, BITS, sample_rate as usize);
    let stream = flacenc::encode_with_fixed_block_size(&config()?, source, BLOCK).map_err(err)?;
    bytes(&stream)
}
