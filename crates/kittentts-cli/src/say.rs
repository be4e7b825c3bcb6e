//! `kittentts say` (and the `speak` example, which includes this file): text to a WAV file,
//! or raw samples to stdout as each chunk is ready.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use kittentts::{Ending, FirstChunk, SAMPLE_RATE, SynthesisOptions, Synthesizer};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// 16-bit PCM WAV.
    Wav,
    /// 32-bit float WAV.
    WavF32,
    /// Raw 16-bit little-endian PCM, 24 kHz mono.
    Pcm,
    /// Raw 32-bit float little-endian, 24 kHz mono.
    F32,
}

/// `--ending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EndingArg {
    /// Durations when the model has them, else the reference's rule.
    Auto,
    /// Cut where the durations say the speech ends.
    Durations,
    /// The reference's output: 5,000 samples dropped per chunk, no pauses.
    Reference,
    /// The whole waveform.
    None,
}

/// Speaks text into a WAV file or a raw stream.
#[derive(Parser, Debug)]
pub(crate) struct Args {
    /// Model folder, hub repo id (`KittenML/kitten-tts-mini-0.8`) or bare KittenML name.
    #[arg(long, default_value = "KittenML/kitten-tts-nano-0.8-int8")]
    model: String,
    /// Voice id or alias (`Leo`, `Bella`, `expr-voice-2-f`…).
    #[arg(long, default_value = "Leo")]
    voice: String,
    /// Speaking rate (1.0 = the model's own).
    #[arg(long, default_value_t = 1.0)]
    speed: f32,
    /// Output file, or `-` for stdout.
    #[arg(long, default_value = "out.wav")]
    out: PathBuf,
    /// Output format (default: `pcm` for `--out -`, else `wav`).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Same as `--format wav-f32`.
    #[arg(long)]
    f32: bool,
    /// Skip text normalisation.
    #[arg(long)]
    no_normalize: bool,
    /// ONNX Runtime sessions (default: from the core count).
    #[arg(long)]
    sessions: Option<usize>,
    /// ONNX Runtime intra-op threads per session (default: from the core count).
    #[arg(long)]
    threads: Option<usize>,
    /// Longest input text, in characters (default 50,000).
    #[arg(long)]
    max_chars: Option<usize>,
    /// A lexicon file: one `WORD IPA` per line (see `kittentts::Lexicon`).
    #[arg(long)]
    lexicon: Option<PathBuf>,
    /// Write each written word's timing to this file: JSON, or SRT / WebVTT subtitles for a
    /// `.srt` / `.vtt` name (needs a model with durations, as the 0.8 models are).
    #[arg(long)]
    timings: Option<PathBuf>,
    /// How each chunk ends: `auto` (durations when the model has them), `durations`,
    /// `reference` (drop 5,000 samples, no pauses: the reference's output) or `none`.
    #[arg(long, value_enum, default_value_t = EndingArg::Auto)]
    ending: EndingArg,
    /// Refuse a libespeak-ng other than 1.52 (the reference's) instead of warning.
    #[arg(long)]
    strict_espeak: bool,
    /// List the model's voices and exit.
    #[arg(long)]
    list_voices: bool,
    /// The text to speak (default: stdin).
    text: Vec<String>,
}

/// Runs `say` / `speak`.
pub(crate) fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let to_stdout = args.out.as_os_str() == "-";
    let format = match (args.format, args.f32) {
        (Some(f), _) => f,
        (None, true) => Format::WavF32,
        (None, false) if to_stdout => Format::Pcm,
        (None, false) => Format::Wav,
    };
    // Fail on an unwritable output before loading or synthesising anything.
    let file = if to_stdout {
        None
    } else {
        Some(
            File::create(&args.out)
                .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?,
        )
    };

    let mut builder = Synthesizer::builder()
        .model(&args.model)
        .download_progress(progress_bar);
    if let Some(threads) = args.threads {
        builder = builder.intra_threads(threads);
    }
    if let Some(sessions) = args.sessions {
        builder = builder.sessions(sessions);
    }
    if let Some(chars) = args.max_chars {
        builder = builder.max_text_chars(chars);
    }
    if let Some(path) = &args.lexicon {
        builder = builder.lexicon(kittentts::Lexicon::from_file(path)?);
    }
    let tts = builder.strict_espeak_version(args.strict_espeak).build()?;
    let loaded = start.elapsed();

    if args.list_voices {
        let mut out = std::io::stdout().lock();
        for v in tts.voices() {
            // A closed pipe (`| head -1`) ends the listing quietly.
            if writeln!(out, "{}\t{}", v.name, v.id).is_err() {
                break;
            }
        }
        return Ok(());
    }

    let text = if args.text.is_empty() {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        args.text.join(" ")
    };

    let mut options = match args.ending {
        EndingArg::Reference => SynthesisOptions::reference().first_chunk(FirstChunk::Auto),
        EndingArg::Auto => SynthesisOptions::new(),
        EndingArg::Durations => SynthesisOptions::new().ending(Ending::Durations),
        EndingArg::None => SynthesisOptions::new().ending(Ending::Untrimmed),
    };
    options.word_timings = args.timings.is_some();
    let options = options
        .voice(&args.voice)
        .speed(args.speed)
        .normalize(!args.no_normalize)
        // A file gets the reference's chunking; a live stream a short first chunk.
        .first_chunk(if to_stdout {
            FirstChunk::Auto
        } else {
            FirstChunk::Whole
        });
    let t = Instant::now();
    let stream = tts.stream(&text, &options)?;
    let mut writer = Writer::new(format, file)?;
    let bar = std::io::stderr().is_terminal() && text.len() > 2_000;
    let mut first_audio = None;
    let mut words = Vec::new();
    for chunk in stream {
        let mut chunk = chunk?;
        first_audio.get_or_insert_with(|| t.elapsed());
        words.append(&mut chunk.words);
        if let Err(e) = writer.push(&chunk.samples) {
            // The reader went away (`| head`, a closed player): stop quietly.
            if is_broken_pipe(e.as_ref()) {
                return Ok(());
            }
            return Err(e);
        }
        if bar {
            draw_bar(chunk.text_range.end, text.len());
        }
    }
    let samples = writer.finish()?;
    if let Some(path) = &args.timings {
        write_timings(path, &words)?;
    }
    if bar {
        eprintln!();
    }
    let synthesized = t.elapsed();
    let seconds = samples as f64 / f64::from(SAMPLE_RATE);
    eprintln!(
        "wrote {}: {:.2} s of audio ({} samples) in {:.3} s (load {:.3} s, first audio {:.3} s, synthesis {:.3} s, RTF {:.3})",
        if to_stdout {
            "stdout".into()
        } else {
            args.out.display().to_string()
        },
        seconds,
        samples,
        start.elapsed().as_secs_f64(),
        loaded.as_secs_f64(),
        first_audio.unwrap_or_default().as_secs_f64(),
        synthesized.as_secs_f64(),
        if seconds > 0.0 {
            synthesized.as_secs_f64() / seconds
        } else {
            0.0
        },
    );
    Ok(())
}

/// Writes samples as they come, in one of the formats: a WAV file through hound (sizes
/// patched at the end), anything else (raw samples, or a WAV on stdout with the "unknown
/// size" header) straight to the sink, flushed after every chunk.
enum Writer {
    File(hound::WavWriter<BufWriter<File>>, bool, usize),
    Raw(BufWriter<Box<dyn Write>>, bool, usize),
}

impl Writer {
    fn new(format: Format, file: Option<File>) -> Result<Self, Box<dyn std::error::Error>> {
        let float = matches!(format, Format::WavF32 | Format::F32);
        let wav = matches!(format, Format::Wav | Format::WavF32);
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: SAMPLE_RATE,
            bits_per_sample: if float { 32 } else { 16 },
            sample_format: if float {
                hound::SampleFormat::Float
            } else {
                hound::SampleFormat::Int
            },
        };
        Ok(match file {
            Some(file) if wav => {
                Self::File(hound::WavWriter::new(BufWriter::new(file), spec)?, float, 0)
            }
            Some(file) => Self::Raw(BufWriter::new(Box::new(file)), float, 0),
            None => {
                let mut out: BufWriter<Box<dyn Write>> =
                    BufWriter::new(Box::new(std::io::stdout().lock()));
                if wav {
                    out.write_all(&streaming_wav_header(float))?;
                }
                Self::Raw(out, float, 0)
            }
        })
    }

    fn push(&mut self, samples: &[f32]) -> Result<(), Box<dyn std::error::Error>> {
        match self {
            Self::File(w, float, n) => {
                for &s in samples {
                    if *float {
                        w.write_sample(s)?;
                    } else {
                        w.write_sample(to_i16(s))?;
                    }
                }
                *n += samples.len();
                w.flush()?;
            }
            Self::Raw(w, float, n) => {
                for &s in samples {
                    if *float {
                        w.write_all(&s.to_le_bytes())?;
                    } else {
                        w.write_all(&to_i16(s).to_le_bytes())?;
                    }
                }
                *n += samples.len();
                w.flush()?;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<usize, Box<dyn std::error::Error>> {
        match self {
            Self::File(w, _, n) => {
                w.finalize()?;
                Ok(n)
            }
            Self::Raw(mut w, _, n) => {
                w.flush()?;
                Ok(n)
            }
        }
    }
}

/// A 44-byte WAV header whose sizes say "unknown" (0xFFFFFFFF), for a stream.
fn streaming_wav_header(float: bool) -> Vec<u8> {
    let (format, bits): (u16, u16) = if float { (3, 32) } else { (1, 16) };
    let block = bits / 8;
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&format.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    h.extend_from_slice(&(SAMPLE_RATE * u32::from(block)).to_le_bytes());
    h.extend_from_slice(&block.to_le_bytes());
    h.extend_from_slice(&bits.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h
}

/// Writes word timings: SRT or WebVTT by the file's extension, else JSON.
fn write_timings(
    path: &std::path::Path,
    words: &[kittentts::WordTiming],
) -> Result<(), Box<dyn std::error::Error>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let text = match ext.as_deref() {
        Some("srt") => kittentts::to_srt(words),
        Some("vtt") => kittentts::to_vtt(words),
        _ => {
            let list: Vec<serde_json::Value> = words
                .iter()
                .map(|w| {
                    serde_json::json!({
                        "word": w.word,
                        "start": (w.start * 1000.0).round() / 1000.0,
                        "end": (w.end * 1000.0).round() / 1000.0,
                        "text_range": [w.text_range.start, w.text_range.end],
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list)? + "\n"
        }
    };
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    let io =
        e.downcast_ref::<std::io::Error>()
            .or_else(|| match e.downcast_ref::<hound::Error>() {
                Some(hound::Error::IoError(io)) => Some(io),
                _ => None,
            });
    io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

fn to_i16(s: f32) -> i16 {
    let s = if s.is_nan() { 0.0 } else { s.clamp(-1.0, 1.0) };
    (s * f32::from(i16::MAX)).round() as i16
}

fn draw_bar(done: usize, total: usize) {
    const WIDTH: usize = 30;
    let filled = (done.min(total) * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH);
    eprint!(
        "\r[{}{}] {:3}%",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled),
        (done.min(total) * 100).checked_div(total).unwrap_or(100)
    );
}

/// Draws a one-line progress bar on stderr for hub downloads.
fn progress_bar(p: &kittentts::hub::Progress) {
    const WIDTH: usize = 30;
    let mb = |b: u64| b as f64 / 1e6;
    match p.total {
        Some(total) if total > 0 => {
            let done = (p.downloaded.min(total) as f64 / total as f64 * WIDTH as f64) as usize;
            eprint!(
                "\r{:<28} [{}{}] {:6.1}/{:.1} MB",
                p.file,
                "#".repeat(done),
                " ".repeat(WIDTH - done),
                mb(p.downloaded),
                mb(total)
            );
            if p.downloaded >= total {
                eprintln!();
            }
        }
        _ => eprint!("\r{:<28} {:6.1} MB", p.file, mb(p.downloaded)),
    }
}
