//! `kittentts say` (and the `speak` example, which includes this file): text to a WAV file,
//! or raw samples to stdout as each chunk is ready.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use kittentts::{Ending, FirstChunk, SAMPLE_RATE, SynthesisOptions, Synthesizer};
use kittentts_audio::Format;

/// `--format`: a `kittentts-audio` format name; AAC, which this build cannot encode, is
/// refused here rather than after the model has loaded.
fn parse_format(name: &str) -> Result<Format, String> {
    match name.parse::<Format>() {
        Ok(Format::Aac) => Err("aac is not available in this build".into()),
        Ok(format) => Ok(format),
        Err(e) => Err(e.to_string()),
    }
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
    /// Output format: wav, wav-f32, pcm, f32, flac, mp3 or opus (default: `pcm` for `--out -`,
    /// else by the file's extension: `.flac`, `.mp3`, `.opus`/`.ogg`, `.pcm`, and WAV
    /// otherwise).
    #[arg(long, value_parser = parse_format)]
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
    /// Give every run the same thread count, instead of every core to a run alone and a share
    /// to runs side by side: one ONNX Runtime session less (about 43 MB with the nano fp32
    /// model), slower on a long text.
    #[arg(long)]
    fixed_threads: bool,
    /// The most input ids the runs going at once may hold together, or `none` (default 256:
    /// two long chunks never run at once, which would double the memory).
    #[arg(long)]
    ids_in_flight: Option<kittentts::onnx::IdsInFlight>,
    /// How many chunks of the text may run at once (default: 1 when a chunk alone gets every
    /// core; more is a little faster and takes a run's memory per chunk).
    #[arg(long)]
    chunks_at_once: Option<usize>,
    /// Longest input text, in characters (default 50,000).
    #[arg(long)]
    max_chars: Option<usize>,
    /// Longest audio of one call, in seconds (default 3,600).
    #[arg(long)]
    max_audio_seconds: Option<f64>,
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
        (None, false) => Format::from_extension(&args.out)
            .filter(|f| *f != Format::Aac)
            .unwrap_or(Format::Wav),
    };
    // Fail on an unwritable output before loading or synthesising anything.
    let file = if to_stdout {
        None
    } else {
        Some(
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&args.out)
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
    if args.fixed_threads {
        builder = builder.adaptive_threads(false);
    }
    if let Some(kittentts::onnx::IdsInFlight(ids)) = args.ids_in_flight {
        builder = builder.ids_in_flight(ids);
    }
    if let Some(chunks) = args.chunks_at_once {
        builder = builder.chunks_at_once(chunks);
    }
    if let Some(chars) = args.max_chars {
        builder = builder.max_text_chars(chars);
    }
    if let Some(seconds) = args.max_audio_seconds {
        builder = builder.max_audio_seconds(seconds);
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

/// Writes samples as they come through one `kittentts-audio` encoder, flushed after every
/// chunk; a WAV file gets its real sizes written into its header at the end.
struct Writer {
    encoder: Box<dyn kittentts_audio::Encoder>,
    out: Sink,
    samples: usize,
}

enum Sink {
    File(File),
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
}

impl Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Self::File(f) => f.write_all(bytes),
            Self::Stdout(w) => {
                w.write_all(bytes)?;
                w.flush()
            }
        }
    }
}

impl Writer {
    fn new(format: Format, file: Option<File>) -> Result<Self, Box<dyn std::error::Error>> {
        Ok(Self {
            encoder: kittentts_audio::encoder(format, SAMPLE_RATE)?,
            out: match file {
                Some(f) => Sink::File(f),
                None => Sink::Stdout(BufWriter::new(std::io::stdout().lock())),
            },
            samples: 0,
        })
    }

    fn push(&mut self, samples: &[f32]) -> Result<(), Box<dyn std::error::Error>> {
        let bytes = self.encoder.push(samples)?;
        self.out.write(&bytes)?;
        self.samples += samples.len();
        Ok(())
    }

    fn finish(mut self) -> Result<usize, Box<dyn std::error::Error>> {
        let tail = self.encoder.finish()?;
        self.out.write(&tail)?;
        let wav = matches!(self.encoder.format(), Format::Wav | Format::WavF32);
        if let (Sink::File(f), true) = (&mut self.out, wav) {
            // The stream's header says "unknown size"; a file can say the real one.
            use std::io::{Seek, SeekFrom};
            let data = f.stream_position()?.saturating_sub(44);
            if let Ok(data) = u32::try_from(data)
                && data <= u32::MAX - 36
            {
                f.seek(SeekFrom::Start(4))?;
                f.write_all(&(data + 36).to_le_bytes())?;
                f.seek(SeekFrom::Start(40))?;
                f.write_all(&data.to_le_bytes())?;
            }
        }
        if let Sink::File(f) = &mut self.out {
            f.flush()?;
        }
        Ok(self.samples)
    }
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
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
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
