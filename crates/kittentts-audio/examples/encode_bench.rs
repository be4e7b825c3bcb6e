//! Times each streaming encoder on a WAV file's samples (pushed in 1 s pieces, as a stream's
//! chunks come) and prints one JSON line per format: seconds of CPU per second of audio.
//!
//! ```text
//! cargo run --release -p kittentts-audio --example encode_bench -- speech.wav
//! ```
//! `scripts/bench-server.sh` divides these by the synthesis time per audio second.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::time::Instant;

use kittentts_audio::{Format, encoder};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: encode_bench FILE.wav");
    let bytes = std::fs::read(&path).unwrap();
    // A 16-bit mono WAV with a 44-byte header (what `speak` writes).
    let samples: Vec<f32> = bytes[44..]
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect();
    let audio_s = samples.len() as f64 / 24_000.0;
    for format in [
        Format::Wav,
        Format::Pcm,
        Format::Flac,
        Format::Mp3,
        Format::Opus,
    ] {
        let mut best = f64::INFINITY;
        let mut size = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let mut enc = encoder(format, 24_000).unwrap();
            let mut n = 0;
            for piece in samples.chunks(24_000) {
                n += enc.push(piece).unwrap().len();
            }
            n += enc.finish().unwrap().len();
            best = best.min(t.elapsed().as_secs_f64());
            size = n;
        }
        println!(
            "{{\"format\":\"{format}\",\"audio_s\":{audio_s:.2},\"encode_s\":{best:.4},\"per_audio_s\":{:.6},\"x_realtime\":{:.0},\"kbit_s\":{:.1}}}",
            best / audio_s,
            audio_s / best,
            size as f64 * 8.0 / audio_s / 1000.0
        );
    }
}
