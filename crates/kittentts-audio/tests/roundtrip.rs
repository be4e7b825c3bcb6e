//! Each streaming encoder, pushed in uneven pieces, decodes back to the input's length (and,
//! for the lossless formats, to its samples), with one header per stream.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kittentts_audio::{Format, encode, encoder};

const RATE: u32 = 24_000;

/// 1.3 s of a 440 Hz tone with a slow envelope.
fn tone() -> Vec<f32> {
    (0..31_234)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            0.5 * (t * 440.0 * std::f32::consts::TAU).sin() * (t * 3.0).sin().abs()
        })
        .collect()
}

/// Pushes `samples` in pieces of three sizes, as a stream's chunks come; returns the bytes
/// of each push, then those of `finish`.
fn streamed(format: Format, samples: &[f32]) -> Vec<Vec<u8>> {
    let mut enc = encoder(format, RATE).unwrap();
    let mut out = Vec::new();
    let mut at = 0;
    for size in [7_000, 12_345, 30_000].iter().cycle() {
        if at >= samples.len() {
            break;
        }
        let end = (at + size).min(samples.len());
        out.push(enc.push(&samples[at..end]).unwrap());
        at = end;
    }
    out.push(enc.finish().unwrap());
    assert!(
        enc.finish().unwrap().is_empty(),
        "finish twice gives nothing"
    );
    out
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

#[test]
fn wav_and_pcm_are_exact() {
    let s = tone();
    let wav: Vec<u8> = streamed(Format::Wav, &s).concat();
    assert_eq!(count(&wav, b"RIFF"), 1);
    assert_eq!(wav.len(), 44 + 2 * s.len());
    let pcm: Vec<u8> = streamed(Format::Pcm, &s).concat();
    assert_eq!(&wav[44..], &pcm[..]);
    let back: Vec<i16> = pcm
        .chunks(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    assert_eq!(back[1000], kittentts_audio::to_i16(s[1000]));
    let whole = encode(Format::Wav, RATE, &s).unwrap();
    assert_eq!(&whole[44..], &pcm[..]);
    assert_eq!(
        u32::from_le_bytes(whole[40..44].try_into().unwrap()) as usize,
        2 * s.len()
    );
}

#[test]
fn mp3_is_one_stream_of_the_input_length() {
    let s = tone();
    let pieces = streamed(Format::Mp3, &s);
    // Bytes come out as the pushes go in (not all at the end).
    assert!(!pieces[0].is_empty());
    let bytes = pieces.concat();
    let mut dec = rusty_mp3::Mp3Decoder::new();
    dec.push(&bytes);
    dec.flush();
    let mut decoded = 0;
    while let Ok(frame) = dec.next_frame() {
        assert_eq!(frame.sample_rate, RATE);
        assert_eq!(frame.channels, 1);
        decoded += frame.samples.len();
    }
    // The decoder ignores the Info tag's trim: delay and padding stay, at most a few frames.
    assert!(
        decoded >= s.len() && decoded < s.len() + 4 * 576 + 2000,
        "{decoded}"
    );
}

#[test]
fn opus_decodes_to_exactly_the_input_with_a_page_per_push() {
    use opus_pure::{OggOpusReader, Trim};
    let s = tone();
    let pieces = streamed(Format::Opus, &s);
    // Every push that completes a frame ends with a whole page.
    for p in &pieces[..pieces.len() - 1] {
        assert_eq!(&p[..4], b"OggS");
    }
    let bytes = pieces.concat();
    assert_eq!(count(&bytes, b"OpusHead"), 1);
    let mut reader = OggOpusReader::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(reader.head().input_sample_rate, RATE);
    let head = reader.head().clone();
    let mut decoder = head.decoder(RATE as i32).unwrap();
    let mut trim = Trim::new(&head, RATE as i32, 1).unwrap();
    let mut buf = vec![0f32; 5760];
    let mut out: Vec<f32> = Vec::new();
    while let Some(packet) = reader.read_packet().unwrap() {
        let n = decoder.decode(&packet.data, buf.len(), &mut buf).unwrap();
        out.extend_from_slice(trim.keep(&packet, &buf[..n]));
    }
    assert_eq!(out.len(), s.len());
    // Lossy, but the same signal: high correlation once aligned.
    let dot: f32 = out.iter().zip(&s).map(|(a, b)| a * b).sum();
    let norm: f32 =
        (out.iter().map(|a| a * a).sum::<f32>() * s.iter().map(|b| b * b).sum::<f32>()).sqrt();
    assert!(dot / norm > 0.8, "correlation {}", dot / norm);
}

#[test]
fn flac_carries_its_length_and_md5_however_it_is_pushed() {
    use md5::Digest as _;
    let s = tone();
    let pieces = streamed(Format::Flac, &s);
    // Nothing until the end: the file comes whole, behind a complete STREAMINFO.
    assert!(pieces[..pieces.len() - 1].iter().all(Vec::is_empty));
    for f in Format::ALL {
        assert_eq!(f.streams(), f != Format::Flac, "{f}");
    }
    let bytes = pieces.concat();
    assert_eq!(&bytes[..4], b"fLaC");
    assert_eq!(count(&bytes, b"fLaC"), 1);
    let info = &bytes[8..42];
    let total = (u64::from(info[13] & 0x0f) << 32)
        | u64::from(u32::from_be_bytes(info[14..18].try_into().unwrap()));
    assert_eq!(total as usize, s.len());
    let mut md5 = md5::Md5::new();
    for &v in &s {
        md5.update(kittentts_audio::to_i16(v).to_le_bytes());
    }
    assert_eq!(
        &info[18..34],
        md5.finalize().as_slice(),
        "the MD5 of the audio"
    );
    // Frame sizes are known too (24 bits each, non-zero).
    assert_ne!(&info[4..7], &[0, 0, 0]);
    assert_ne!(&info[7..10], &[0, 0, 0]);
    // `encode` gives the same bytes; lossless and compressed: smaller than 16-bit PCM.
    assert_eq!(encode(Format::Flac, RATE, &s).unwrap(), bytes);
    assert!(bytes.len() < 2 * s.len());
}

#[test]
fn an_empty_stream_is_still_a_valid_file() {
    for f in [Format::Wav, Format::Flac, Format::Mp3, Format::Opus] {
        let mut enc = encoder(f, RATE).unwrap();
        let bytes = enc.finish().unwrap();
        assert!(!bytes.is_empty(), "{f}");
        assert!(matches!(
            enc.push(&[0.0]),
            Err(kittentts_audio::Error::Finished { .. })
        ));
    }
    assert!(encoder(Format::Opus, 44_100).is_err());
    assert!(encoder(Format::Mp3, 23_000).is_err());
}
