//! The [`Synthesizer`] and its builder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use kittentts_onnx::{AcousticModel, ExecutionProvider, ModelOptions, RunWidth};
use kittentts_phonemize::EspeakConfig;
use kittentts_text::{NormalizeOptions, SourceMap, TextChunk};
use kittentts_voices::{ModelConfig, ModelType, VoiceBank, Voices};

use crate::frontend::{Analysis, Frontend};
use crate::limits::{Limits, MIN_TOKENS_PER_CHAR};
use crate::stream::{self, AudioChunk, ByteCursor, Job, LazyText, Source, SynthesisStream};
use crate::timing::{self, Break, Ending, Pauses, TextWord, WordPlan};
use crate::voice_spec::{self, VoiceMix};
use crate::{Audio, Error, Result};

/// Samples the reference drops from the end of every chunk's waveform.
pub const REFERENCE_TRIM_SAMPLES: usize = 5000;

/// The voice the reference uses when none is named (`Leo` in the 0.8 configs).
pub const DEFAULT_VOICE: &str = "expr-voice-5-m";

/// Per-call options of [`Synthesizer::synthesize`].
#[derive(Debug, Clone, PartialEq)]
pub struct SynthesisOptions {
    /// A voice id (`expr-voice-5-m`) or an alias from the model's config (`Leo`).
    pub voice: String,
    /// Speaking rate: 1.0 is the model's own, 2.0 twice as fast. Multiplied by the voice's
    /// speed prior from config.json. Must be finite and greater than zero.
    pub speed: f32,
    /// Turn written forms (numbers, money, dates…) into words first. On by default.
    pub normalize: bool,
    /// How the first sentence is chunked; see [`FirstChunk`]. Default [`FirstChunk::Auto`]:
    /// short in [`Synthesizer::stream`], the reference's chunking in
    /// [`Synthesizer::synthesize`].
    pub first_chunk: FirstChunk,
    /// How each chunk's waveform ends; see [`Ending`]. Default [`Ending::Auto`]: cut where the
    /// durations say the speech ends, when the model gives them.
    pub ending: Ending,
    /// Silence between chunks; `None` (the default) is [`Pauses::NATURAL`], except with
    /// [`Ending::Reference`], where it is [`Pauses::NONE`] (the reference's output).
    pub pauses: Option<Pauses>,
    /// Trim each chunk's leading and trailing samples quieter than this (e.g. `0.01`), for
    /// tight clips; `None` (the default) trims nothing. Must be in (0, 1).
    pub silence_threshold: Option<f32>,
    /// Time every written word ([`AudioChunk::words`], [`Audio::words`]). Needs a model with
    /// durations (the 0.8 models); without them the timings are empty. Default off.
    pub word_timings: bool,
    /// In [`Synthesizer::stream`], make sure before the first chunk that the whole text is
    /// within [`Limits::max_audio_seconds`], so that a stream never fails midway on that limit
    /// (a server that has sent a `200` cannot take it back). When a bound from the text's
    /// characters ([`MAX_TOKENS_PER_ASCII_CHAR`], [`MAX_TOKENS_PER_OTHER_CHAR`]) already keeps
    /// it within, nothing more is done; otherwise the whole text is phonemised before the
    /// first chunk (as [`Synthesizer::synthesize`] always does), which delays the first audio
    /// by that time. Default off: a stream's chunks are then checked as they are phonemised.
    ///
    /// [`MAX_TOKENS_PER_ASCII_CHAR`]: crate::MAX_TOKENS_PER_ASCII_CHAR
    /// [`MAX_TOKENS_PER_OTHER_CHAR`]: crate::MAX_TOKENS_PER_OTHER_CHAR
    pub check_limits_first: bool,
}

/// How the first chunk of a text is made.
///
/// The model speaks a chunk only once it has synthesised all of it, so the first audio of a
/// stream waits for the whole first chunk. A short first chunk (the first sentence cut at a
/// clause boundary — `,` `;` `:` `—` `–` — or else at a word) makes the first audio come long
/// before a whole sentence is synthesised; later chunks are the normal sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FirstChunk {
    /// [`Short`](Self::Short) with [`FirstChunk::DEFAULT_MAX_CHARS`] in
    /// [`Synthesizer::stream`], [`Whole`](Self::Whole) in [`Synthesizer::synthesize`].
    #[default]
    Auto,
    /// The reference's chunking: the first sentence is not cut.
    Whole,
    /// A first sentence longer than `max_chars` characters is cut at its last clause
    /// boundary within `max_chars` (and at least [`FirstChunk::MIN_CHARS`] in), else at its
    /// last word boundary there, preferring one that does not end on a function word ("the",
    /// "at"…); the piece then gets a `,`, as the chunker's pieces do.
    Short {
        /// The longest first chunk, in characters.
        max_chars: usize,
    },
}

impl FirstChunk {
    /// The first chunk's length limit of [`FirstChunk::Auto`] in a stream, in characters:
    /// about two seconds of speech, which nano synthesises in about a quarter of a second on
    /// one core (measured: a 48-character limit took 0.63 s to first audio, 28 took 0.26 s).
    pub const DEFAULT_MAX_CHARS: usize = 32;
    /// The shortest first chunk a cut makes, in characters.
    pub const MIN_CHARS: usize = 12;

    /// The limit in force, `None` when the first sentence is not cut.
    fn max_chars(self, streaming: bool) -> Option<usize> {
        match self {
            Self::Auto if streaming => Some(Self::DEFAULT_MAX_CHARS),
            Self::Auto | Self::Whole => None,
            Self::Short { max_chars } => Some(max_chars),
        }
    }
}

impl Default for SynthesisOptions {
    fn default() -> Self {
        Self {
            voice: DEFAULT_VOICE.to_owned(),
            speed: 1.0,
            normalize: true,
            first_chunk: FirstChunk::Auto,
            ending: Ending::Auto,
            pauses: None,
            silence_threshold: None,
            word_timings: false,
            check_limits_first: false,
        }
    }
}

impl SynthesisOptions {
    /// The defaults: voice [`DEFAULT_VOICE`], speed 1.0, normalisation on.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the voice (an id or an alias).
    #[must_use]
    pub fn voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = voice.into();
        self
    }

    /// Sets [`check_limits_first`](Self::check_limits_first).
    #[must_use]
    pub fn check_limits_first(mut self, check: bool) -> Self {
        self.check_limits_first = check;
        self
    }

    /// Sets the speed.
    #[must_use]
    pub fn speed(mut self, speed: f32) -> Self {
        self.speed = speed;
        self
    }

    /// Switches text normalisation on or off.
    #[must_use]
    pub fn normalize(mut self, normalize: bool) -> Self {
        self.normalize = normalize;
        self
    }

    /// Sets how the first chunk is made.
    #[must_use]
    pub fn first_chunk(mut self, first_chunk: FirstChunk) -> Self {
        self.first_chunk = first_chunk;
        self
    }

    /// The reference's output exactly: its chunking ([`FirstChunk::Whole`]), its ending
    /// ([`Ending::Reference`]) and no pauses.
    pub fn reference() -> Self {
        Self {
            first_chunk: FirstChunk::Whole,
            ending: Ending::Reference,
            pauses: Some(Pauses::NONE),
            ..Self::default()
        }
    }

    /// Sets how each chunk ends.
    #[must_use]
    pub fn ending(mut self, ending: Ending) -> Self {
        self.ending = ending;
        self
    }

    /// Sets the pauses between chunks.
    #[must_use]
    pub fn pauses(mut self, pauses: Pauses) -> Self {
        self.pauses = Some(pauses);
        self
    }

    /// Sets the silence-trimming threshold.
    #[must_use]
    pub fn silence_threshold(mut self, threshold: f32) -> Self {
        self.silence_threshold = Some(threshold);
        self
    }

    /// Switches word timings on or off.
    #[must_use]
    pub fn word_timings(mut self, on: bool) -> Self {
        self.word_timings = on;
        self
    }
}

/// A voice the loaded model offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceInfo {
    /// The name to pass as [`SynthesisOptions::voice`]: an alias or a voice id.
    pub name: String,
    /// The voice id in voices.npz that the name stands for.
    pub id: String,
}

/// Where the model comes from.
#[derive(Debug, Clone)]
enum ModelSpec {
    Dir(PathBuf),
    Spec(String),
    Files(ModelFiles),
}

/// A model given as its ONNX file and voices archive instead of a folder with `config.json`,
/// as the reference's `KittenTTS_1_Onnx(model_path, voices_path, speed_priors, voice_aliases)`
/// takes it (Harmony Speech Engine builds it so). See [`SynthesizerBuilder::model_files`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelFiles {
    /// The ONNX model file.
    pub model: PathBuf,
    /// The voices archive (`voices.npz`).
    pub voices: PathBuf,
    /// Voice id → factor multiplied into the user's speed (config.json's `speed_priors`).
    pub speed_priors: BTreeMap<String, f64>,
    /// Friendly name → voice id (config.json's `voice_aliases`).
    pub voice_aliases: BTreeMap<String, String>,
}

impl ModelFiles {
    /// The two files, without speed priors or aliases.
    pub fn new(model: impl Into<PathBuf>, voices: impl Into<PathBuf>) -> Self {
        Self {
            model: model.into(),
            voices: voices.into(),
            ..Self::default()
        }
    }

    /// With these speed priors (voice id → factor).
    #[must_use]
    pub fn with_speed_priors(mut self, priors: BTreeMap<String, f64>) -> Self {
        self.speed_priors = priors;
        self
    }

    /// With these aliases (friendly name → voice id).
    #[must_use]
    pub fn with_voice_aliases(mut self, aliases: BTreeMap<String, String>) -> Self {
        self.voice_aliases = aliases;
        self
    }

    /// The config the files stand for: ONNX1 when every voice has one style row (the 0.1 and
    /// 0.2 models), else ONNX2; then the voices checked against it.
    fn load(&self) -> Result<(PathBuf, ModelConfig, Voices)> {
        let bank = VoiceBank::load(&self.voices)?;
        let model_type = if bank.iter().all(|(_, table)| table.rows() == 1) {
            ModelType::Onnx1
        } else {
            ModelType::Onnx2
        };
        let name = |p: &Path| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        let mut config = ModelConfig::for_files(
            model_type,
            name(&self.model),
            name(&self.voices),
            &self.voices,
        );
        config.speed_priors = self.speed_priors.clone();
        config.voice_aliases = self.voice_aliases.clone();
        let voices = Voices::new(&config, bank)?;
        let dir = self
            .model
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf);
        Ok((dir, config, voices))
    }
}

/// A progress report of a model download: file name, bytes so far, total bytes if known.
#[cfg(feature = "hub")]
pub type DownloadProgress = dyn Fn(&kittentts_hub::Progress) + Send + Sync;

/// Builds a [`Synthesizer`]. Nothing is loaded or downloaded before [`build`](Self::build).
#[derive(Default)]
#[must_use]
pub struct SynthesizerBuilder {
    model: Option<ModelSpec>,
    espeak: EspeakConfig,
    onnx: ModelOptions,
    normalize: NormalizeOptions,
    sessions: Option<usize>,
    lookahead: Option<usize>,
    chunks_at_once: Option<usize>,
    limits: Limits,
    strict_espeak: bool,
    optimized_cache: Option<Option<PathBuf>>,
    lexicon: Option<Arc<kittentts_phonemize::Lexicon>>,
    #[cfg(feature = "hub")]
    hub: Option<kittentts_hub::HubOptions>,
    #[cfg(feature = "hub")]
    progress: Option<Arc<DownloadProgress>>,
}

impl std::fmt::Debug for SynthesizerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SynthesizerBuilder")
            .field("model", &self.model)
            .field("espeak", &self.espeak)
            .field("onnx", &self.onnx)
            .field("sessions", &self.sessions)
            .field("lookahead", &self.lookahead)
            .field("chunks_at_once", &self.chunks_at_once)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl SynthesizerBuilder {
    /// A local model folder laid out like a KittenML hub repo: `config.json` and the model
    /// and voices files it names.
    pub fn model_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.model = Some(ModelSpec::Dir(dir.into()));
        self
    }

    /// A model by name: an existing folder, a hub repo id (`KittenML/kitten-tts-mini-0.8`),
    /// or a bare KittenML name (`kitten-tts-nano-0.8-int8`), optionally `@revision`.
    /// Hub models are downloaded (or taken from the Hugging Face cache) by `build`, and need
    /// the `hub` feature.
    pub fn model(mut self, spec: impl Into<String>) -> Self {
        self.model = Some(ModelSpec::Spec(spec.into()));
        self
    }

    /// A model given as its two files and the config's priors and aliases (see
    /// [`ModelFiles`]) instead of a folder with `config.json`. The model type follows the
    /// voices: ONNX1 when every voice has one style row, else ONNX2.
    pub fn model_files(mut self, files: ModelFiles) -> Self {
        self.model = Some(ModelSpec::Files(files));
        self
    }

    /// Hub settings (endpoint, token, cache folder, offline). Default: from the `HF_*`
    /// environment variables, as the Python package reads them.
    #[cfg(feature = "hub")]
    pub fn hub_options(mut self, options: kittentts_hub::HubOptions) -> Self {
        self.hub = Some(options);
        self
    }

    /// Called as a hub download goes on.
    #[cfg(feature = "hub")]
    pub fn download_progress(
        mut self,
        progress: impl Fn(&kittentts_hub::Progress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The libespeak-ng shared library to load (default: the search order in the crate docs).
    pub fn espeak_library(mut self, path: impl Into<PathBuf>) -> Self {
        self.espeak.library = Some(path.into());
        self
    }

    /// The `espeak-ng-data` folder (default: `KITTENTTS_ESPEAK_DATA`, then beside the library).
    pub fn espeak_data(mut self, path: impl Into<PathBuf>) -> Self {
        self.espeak.data_dir = Some(path.into());
        self
    }

    /// How many independent copies of libespeak-ng to load (default 1). Each has its own lock,
    /// so up to this many threads phonemise at once; see
    /// [`EspeakConfig::instances`](kittentts_phonemize::EspeakConfig::instances).
    pub fn espeak_instances(mut self, instances: usize) -> Self {
        self.espeak.instances = instances;
        self
    }

    /// A user lexicon: its words are spoken with its IPA (checked against the model's symbols
    /// when it is made: see [`Lexicon`](kittentts_phonemize::Lexicon) for the file format and
    /// the case rules); the words around them keep the phonemes espeak gives them. Applied
    /// before the token budget, so a chunk with overrides is still cut to fit the model.
    pub fn lexicon(mut self, lexicon: kittentts_phonemize::Lexicon) -> Self {
        self.lexicon = Some(Arc::new(lexicon));
        self
    }

    /// With `true`, a libespeak-ng other than 1.52 is an [`Error::EspeakVersion`] at
    /// [`build`](Self::build) instead of a warning: other versions phonemise some words
    /// differently from the reference (1.51: about 10% of sentences), so token ids and audio
    /// differ there. Default `false`; [`Synthesizer::espeak_version`] tells which is in use.
    pub fn strict_espeak_version(mut self, strict: bool) -> Self {
        self.strict_espeak = strict;
        self
    }

    /// Where the model, as ONNX Runtime optimises it for this CPU, is kept between loads;
    /// `None` keeps nothing. Loading the kept file skips graph optimisation, which is most of
    /// a model load (nano fp32: about 3× faster). Default: `$XDG_CACHE_HOME/kittentts/optimized`
    /// (else `~/.cache/kittentts/optimized`). The file is named by the model file (path, size,
    /// date), the ONNX Runtime version and the CPU's features, so any change makes a new one;
    /// only CPU sessions use it. Its weights sit in a `.weights` file beside it, which ONNX
    /// Runtime maps instead of copying: the sessions of a process share them (with the nano
    /// fp32 model, a short text's peak memory is about 46 MB lower than with the weights
    /// copied into each session).
    pub fn optimized_model_cache(mut self, dir: Option<PathBuf>) -> Self {
        self.optimized_cache = Some(dir);
        self
    }

    /// The ONNX Runtime shared library to load (default: the search order in the crate docs).
    pub fn onnx_runtime(mut self, path: impl Into<PathBuf>) -> Self {
        self.onnx.ort_library = Some(path.into());
        self
    }

    /// Threads ONNX Runtime uses inside one operator, per session. Default: see
    /// [`sessions`](Self::sessions) (with `sessions` set and this not: the cores, or twice the
    /// cores divided among the sessions if that is fewer). When sessions × threads exceeds the
    /// cores, the threads do not spin while they wait (so that runs sharing the cores do not
    /// slow each other), unless [`adaptive_threads`](Self::adaptive_threads) is in effect
    /// (then the runs beside others have the narrow sessions, whose threads fit). `0` is an
    /// [`Error::InvalidSetting`] at [`build`](Self::build); more than the machine's cores is
    /// capped at the core count, with a warning.
    pub fn intra_threads(mut self, threads: usize) -> Self {
        self.onnx.intra_threads = Some(threads);
        self
    }

    /// How many model runs may go at once ("sessions" of the model). Concurrent callers each
    /// take a free one and wait, first come first served, only when all are busy; one long
    /// text's chunks run on several at once. On the CPU they share one ONNX Runtime session
    /// (see [`share_session`](Self::share_session)).
    ///
    /// Default (with `intra_threads` unset): [`default_parallelism`] of the core count —
    /// 2 sessions × 2 threads on 2 cores, 2 × 4 on 4, 2 × 8 on 8, 4 × 8 on 16: a run that is
    /// alone (one sentence, one caller) has every core, and with
    /// [`adaptive_threads`](Self::adaptive_threads) (the default) a run that starts beside
    /// another has one thread, so that runs at once do not fight over the cores.
    /// With `intra_threads` set and `sessions` unset: as many sessions as fit the cores.
    /// Each run at once costs memory for its activations, and each ONNX Runtime session for
    /// its weights (see the README). `0` is an [`Error::InvalidSetting`];
    /// more than [`MAX_SESSIONS`] too.
    pub fn sessions(mut self, sessions: usize) -> Self {
        self.sessions = Some(sessions);
        self
    }

    /// On the CPU, whether the [`sessions`](Self::sessions) share one ONNX Runtime session
    /// (one copy of the weights, kernels and memory arena; ONNX Runtime runs them at once)
    /// instead of each loading its own. Default `true`: it takes less memory (a fifth of the
    /// peak on a long text with the nano model) and load time; concurrent long runs were up to
    /// ~9% slower on 2 cores. Other execution providers always get a session per run.
    pub fn share_session(mut self, share: bool) -> Self {
        self.onnx.share_session = share;
        self
    }

    /// With more than one session on the CPU, whether the thread count follows the load: a
    /// run that starts alone gets every intra-op thread, a run that starts beside another
    /// gets one thread (see [`ModelOptions::adaptive_threads`](kittentts_onnx::ModelOptions));
    /// the chunks of one text that run side by side all get one thread. Default `true`:
    /// faster for one sentence and for many callers alike, for about 43 MB more memory with
    /// the nano fp32 model (a second ONNX Runtime session, sharing the cached weights, made by
    /// the first run beside another: a process that speaks one sentence never makes it).
    /// `false` gives every run the same thread count.
    pub fn adaptive_threads(mut self, adaptive: bool) -> Self {
        self.onnx.adaptive_threads = adaptive;
        self
    }

    /// On the CPU, whether the model's `Sin` and `InstanceNormalization` nodes run on every
    /// intra-op thread instead of ONNX Runtime's single-threaded kernels for them, and the
    /// decoder's normalisation and snake chains run as one node each, and (x86-64 with AVX2)
    /// the int8 models' integer convolutions run on a direct kernel of this crate (see
    /// [`ModelOptions::parallel_kernels`](kittentts_onnx::ModelOptions)). The audio is bit
    /// for bit the same. Default `true`: on the stand-in nano fp32 model a lone sentence on 2
    /// threads is about 8% faster, a long text about 13%, and a 250-id run takes about 20 MB
    /// less memory; an int8 model's run takes about a third of the time.
    pub fn parallel_kernels(mut self, parallel: bool) -> Self {
        self.onnx.parallel_kernels = parallel;
        self
    }

    /// The most input ids that the model's runs going at once may hold together (`None`: no
    /// limit but [`sessions`](Self::sessions)). A run that would take them above it waits
    /// for others to end; a run alone always starts. A run's memory grows with its length, so
    /// this keeps two long chunks from running at once (doubling the peak) while short texts
    /// still run side by side. Default:
    /// [`DEFAULT_IDS_IN_FLIGHT`](kittentts_onnx::DEFAULT_IDS_IN_FLIGHT) (256, half the model's
    /// context); see [`ModelOptions::ids_in_flight`](kittentts_onnx::ModelOptions).
    pub fn ids_in_flight(mut self, ids: Option<usize>) -> Self {
        self.onnx.ids_in_flight = ids;
        self
    }

    /// How many chunks of one text may run at once (capped by [`sessions`](Self::sessions)).
    /// Default: 1 when the thread count follows the load (on the CPU, with
    /// [`adaptive_threads`](Self::adaptive_threads)): each chunk then runs alone with every
    /// core, and other callers' runs go beside it. Measured on 2 cores, a 1,000-character
    /// paragraph in `speak` (two alternating rounds): 2–5% slower than two chunks at once,
    /// with the peak memory of one run instead of two (stand-in nano fp32 301 vs 378–410 MB,
    /// stand-in mini 603 vs 875–883 MB): the parallel kernels make a lone run use both cores
    /// nearly as well as two runs do. Otherwise: [`sessions`](Self::sessions). `0` is an
    /// [`Error::InvalidSetting`].
    pub fn chunks_at_once(mut self, chunks: usize) -> Self {
        self.chunks_at_once = Some(chunks);
        self
    }

    /// How many chunks a stream may have made ahead of its caller (queued, running, or done
    /// and not yet taken). Default: sessions + 1. Memory grows with it (a chunk's audio is at
    /// most a few MB), not with the text. `0` is an [`Error::InvalidSetting`].
    pub fn lookahead(mut self, chunks: usize) -> Self {
        self.lookahead = Some(chunks);
        self
    }

    /// The limits of one call (text length, audio length, speed range); see [`Limits`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets [`Limits::max_text_chars`].
    pub fn max_text_chars(mut self, chars: usize) -> Self {
        self.limits.max_text_chars = chars;
        self
    }

    /// Sets [`Limits::max_audio_seconds`].
    pub fn max_audio_seconds(mut self, seconds: f64) -> Self {
        self.limits.max_audio_seconds = seconds;
        self
    }

    /// Adds an execution provider to try, in order, before the CPU.
    pub fn execution_provider(mut self, provider: ExecutionProvider) -> Self {
        self.onnx.providers.push(provider);
        self
    }

    /// With `true`, a provider that cannot register is an error instead of a warning and a
    /// fall-back to the CPU.
    pub fn require_execution_providers(mut self, required: bool) -> Self {
        self.onnx.require_providers = required;
        self
    }

    /// Options of the text normaliser.
    pub fn normalize_options(mut self, options: NormalizeOptions) -> Self {
        self.normalize = options;
        self
    }

    /// Resolves the model (downloading it if it is a hub model not yet cached), loads
    /// libespeak-ng, ONNX Runtime, the config, the voices and the model, and validates them.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] for zero sessions, threads, look-ahead or limits (checked
    /// first, before anything is loaded); otherwise the errors of each layer.
    pub fn build(self) -> Result<Synthesizer> {
        self.limits.validate()?;
        let (sessions, threads) = self.parallelism()?;
        let lookahead = match self.lookahead {
            Some(0) => return Err(invalid("lookahead", "0", "at least 1 chunk")),
            Some(n) => n,
            None => sessions + 1,
        };
        if self.chunks_at_once == Some(0) {
            return Err(invalid("chunks_at_once", "0", "at least 1 chunk"));
        }
        let (dir, model_path, config, voices) = self.load_config_and_voices()?;
        let mut frontend = Frontend::new(&self.espeak, self.normalize)?;
        if let Some(lexicon) = &self.lexicon {
            frontend = frontend.with_lexicon(Arc::clone(lexicon));
        }
        if self.strict_espeak && !frontend.is_reference_espeak() {
            return Err(Error::EspeakVersion {
                found: frontend.espeak_version().to_owned(),
                library: frontend.espeak_library().display().to_string(),
            });
        }
        let (onnx, located) = crate::runtime_search::locate_onnx(&self.onnx)?;
        let cache = self
            .optimized_cache
            .clone()
            .unwrap_or_else(default_cache_dir);
        let mut onnx = onnx.with_sessions(sessions).with_optimized_cache(cache);
        onnx.intra_threads = Some(threads);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        // Runs that together ask for more than the cores must not spin. With adaptive threads
        // they do not: the narrow sessions' threads together fit the cores, and the wide one
        // runs a chunk alone (the chunks of one text ask for narrow sessions). Measured on 2
        // cores: a lone sentence took 0.89x the time with this layout and spinning; ONNX
        // Runtime alone showed no steady gain from spinning (scripts/bench-ort-options.py).
        if sessions * threads > cores && !onnx.threads_follow_load() {
            onnx.intra_spinning = Some(false);
        }
        let model = AcousticModel::load(&model_path, &onnx).map_err(|e| match e {
            kittentts_onnx::Error::RuntimeLoad { .. }
                if located.place == kittentts_runtimes::Place::System =>
            {
                crate::runtime_search::not_found(
                    kittentts_runtimes::Library::OnnxRuntime,
                    &located,
                    e.into(),
                )
            }
            other => other.into(),
        })?;
        // One text's chunks one at a time when a lone run has every core (see
        // `chunks_at_once`); never more than the runs that can go at once.
        let chunks_at_once = self
            .chunks_at_once
            .unwrap_or(if model.adaptive_threads() {
                1
            } else {
                sessions
            })
            .min(sessions);
        tracing::debug!(
            model_dir = %dir.display(),
            espeak = frontend.espeak_version(),
            sessions,
            threads,
            lookahead,
            "synthesizer ready"
        );
        Ok(Synthesizer {
            inner: Arc::new(Inner {
                frontend,
                voices,
                model,
                config,
                model_dir: dir,
                limits: self.limits,
                lookahead,
                chunks_at_once,
                threads,
                #[cfg(test)]
                panic_at_chunk: std::sync::atomic::AtomicUsize::new(usize::MAX),
                #[cfg(test)]
                runs: std::sync::Mutex::new(Vec::new()),
            }),
        })
    }

    /// Sessions and threads per session, from the settings and the core count.
    fn parallelism(&self) -> Result<(usize, usize)> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if self.sessions == Some(0) {
            return Err(invalid("sessions", "0", "at least 1 session"));
        }
        if let Some(n) = self.sessions.filter(|&n| n > MAX_SESSIONS) {
            return Err(Error::InvalidSetting {
                setting: "sessions",
                value: n.to_string(),
                expected: "at most 64 sessions",
            });
        }
        let threads = match self.onnx.intra_threads {
            Some(0) => return Err(invalid("intra_threads", "0", "at least 1 thread")),
            Some(t) if t > cores => {
                tracing::warn!(
                    threads = t,
                    cores,
                    "more intra-op threads than cores: capped at the core count"
                );
                Some(cores)
            }
            other => other,
        };
        let (sessions, threads) = match (self.sessions, threads) {
            (Some(s), Some(t)) => (s, t),
            (Some(s), None) => (s, cores.min(2 * cores / s).max(1)),
            (None, Some(t)) => ((cores / t).clamp(1, MAX_SESSIONS), t),
            (None, None) => default_parallelism(cores),
        };
        if sessions * threads > cores * 2 {
            tracing::warn!(
                sessions,
                threads,
                cores,
                "sessions × threads is well above the core count: runs will contend"
            );
        }
        Ok((sessions, threads))
    }

    /// The model folder, the model file, the config and the voices checked against it.
    fn load_config_and_voices(&self) -> Result<(PathBuf, PathBuf, ModelConfig, Voices)> {
        if let Some(ModelSpec::Files(files)) = &self.model {
            let (dir, config, voices) = files.load()?;
            return Ok((dir, files.model.clone(), config, voices));
        }
        let dir = self.resolve_model_dir()?;
        let config = ModelConfig::from_file(&dir.join("config.json"))?;
        let voices = Voices::load(&config, &dir)?;
        Ok((dir.clone(), dir.join(&config.model_file), config, voices))
    }

    fn resolve_model_dir(&self) -> Result<PathBuf> {
        match &self.model {
            None => Err(Error::NoModel),
            Some(ModelSpec::Dir(dir)) => local_dir(dir),
            // Handled by `load_config_and_voices`; the model's folder otherwise.
            Some(ModelSpec::Files(files)) => Ok(files
                .model
                .parent()
                .map_or_else(PathBuf::new, Path::to_path_buf)),
            Some(ModelSpec::Spec(spec)) => {
                let path = Path::new(spec);
                if path.is_dir() || looks_like_path(spec) {
                    return local_dir(path);
                }
                self.fetch_hub_model(spec)
            }
        }
    }

    #[cfg(feature = "hub")]
    fn fetch_hub_model(&self, spec: &str) -> Result<PathBuf> {
        crate::hub_fetch::fetch_model(spec, self.hub.clone(), self.progress.clone())
    }

    #[cfg(not(feature = "hub"))]
    fn fetch_hub_model(&self, spec: &str) -> Result<PathBuf> {
        if spec.starts_with(['/', '.', '~']) {
            return Err(Error::ModelDirNotFound { path: spec.into() });
        }
        Err(Error::HubDisabled {
            spec: spec.to_owned(),
        })
    }
}

/// `$XDG_CACHE_HOME/kittentts/optimized`, else `~/.cache/kittentts/optimized`.
fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("kittentts").join("optimized"))
}

/// The most sessions [`SynthesizerBuilder::sessions`] accepts.
pub const MAX_SESSIONS: usize = 64;

/// The default sessions and intra-op threads per session for `cores` cores.
///
/// Sessions: `cores / t` (at most 8), where `t` = `min(cores, 4)` halved while fewer than 2
/// sessions would fit: as many independent runs as the machine serves well. Threads:
/// `min(cores, 2 × cores / sessions)`, so that a run that is alone uses every core (or up to
/// twice its share on big machines) while all the sessions together ask for at most twice the
/// cores. 1 core: 1 × 1; 2: 2 × 2; 4: 2 × 4; 8: 2 × 8; 16: 4 × 8; 64: 8 × 16. Such
/// oversubscribed sessions are made with spinning off
/// ([`intra_threads`](SynthesizerBuilder::intra_threads)).
pub fn default_parallelism(cores: usize) -> (usize, usize) {
    let cores = cores.max(1);
    let mut share = cores.min(4);
    while share > 1 && cores / share < 2 {
        share /= 2;
    }
    let sessions = (cores / share).clamp(1, 8);
    (sessions, cores.min(2 * cores / sessions).max(1))
}

fn invalid(setting: &'static str, value: &str, expected: &'static str) -> Error {
    Error::InvalidSetting {
        setting,
        value: value.to_owned(),
        expected,
    }
}

/// Whether a model spec can only be a folder: it starts with `/`, `.` or `~`, or has more than
/// one `/` before any `@revision` (a hub repo id is `owner/name`).
fn looks_like_path(spec: &str) -> bool {
    let repo = spec.split('@').next().unwrap_or(spec);
    spec.starts_with(['/', '.', '~', '\\']) || repo.matches('/').count() > 1 || repo.contains('\\')
}

fn local_dir(dir: &Path) -> Result<PathBuf> {
    if dir.is_dir() {
        Ok(dir.to_path_buf())
    } else {
        Err(Error::ModelDirNotFound {
            path: dir.to_path_buf(),
        })
    }
}

pub(crate) struct Inner {
    frontend: Frontend,
    voices: Voices,
    pub(crate) model: AcousticModel,
    config: ModelConfig,
    model_dir: PathBuf,
    limits: Limits,
    lookahead: usize,
    /// How many chunks of one text run at once ([`SynthesizerBuilder::chunks_at_once`],
    /// at most the sessions).
    pub(crate) chunks_at_once: usize,
    threads: usize,
    /// Test hook: the worker panics on the chunk with this index.
    #[cfg(test)]
    pub(crate) panic_at_chunk: std::sync::atomic::AtomicUsize,
    /// Test record: (chunk index, run start, run end) of every model run.
    #[cfg(test)]
    pub(crate) runs: std::sync::Mutex<Vec<(usize, std::time::Instant, std::time::Instant)>>,
}

/// A resolved voice (or blend), owned, for the pipeline's threads.
#[derive(Debug, Clone)]
pub(crate) struct PreparedVoice {
    mix: VoiceMix,
    speed: f32,
}

impl Inner {
    /// Phonemises one sentence into jobs (numbered from `index`), adds their tokens to
    /// `tokens` and checks the audio limit.
    pub(crate) fn prepare_sentence(
        &self,
        sentence: &TextChunk,
        text: &LazyText,
        index: usize,
        tokens: &mut f64,
        bytes: &mut ByteCursor,
    ) -> Result<Vec<Job>> {
        let voice = &text.voice;
        let pieces = self.frontend.pieces(&sentence.text)?;
        let count = pieces.len();
        let mut jobs = Vec::with_capacity(count);
        let mut search_from = 0;
        for (k, piece) in pieces.into_iter().enumerate() {
            *tokens += piece.ids.len() as f64;
            self.limits.check_audio(*tokens, voice.speed)?;
            // Pieces are consecutive substrings of the sentence's text.
            let at = sentence.text[search_from..]
                .find(piece.text.as_str())
                .map_or(search_from, |i| i + search_from);
            search_from = at + piece.text.len();
            let first = sentence.text[..at].chars().count();
            let within = first..first + piece.text.chars().count();
            let norm = stream::chunk_source_chars(sentence, &text.normalized, within);
            let orig = text.map.source_range(norm);
            // A chunk boundary inside one replacement would give both chunks the whole of it:
            // the later chunk starts where the earlier one ended.
            let prev_end = bytes.floor();
            let start = bytes.byte_of(&text.input, orig.start).max(prev_end);
            let end = bytes.byte_of(&text.input, orig.end).max(start);
            bytes.set_floor(end);
            // The pause before this chunk, from what ended the one before.
            let lead_break = bytes.prev_break.map(|b| {
                if text
                    .input
                    .get(prev_end..start)
                    .is_some_and(timing::has_blank_line)
                {
                    Break::Paragraph
                } else {
                    b
                }
            });
            let lead = lead_break.map_or(0, |b| {
                (f64::from(b.seconds(&text.pauses)) * f64::from(crate::SAMPLE_RATE)).round()
                    as usize
            });
            bytes.prev_break = Some(if k + 1 < count || !timing::ends_sentence(&piece.text) {
                Break::Clause
            } else {
                Break::Sentence
            });
            let plan = text
                .word_timings
                .then(|| self.word_plan(sentence, text, &piece, first, bytes));
            jobs.push(Job {
                index: index + k,
                input_ids: kittentts_phonemize::wrap_ids(&piece.ids),
                style: voice.mix.style_row(&self.voices, &piece.text),
                speed: voice.speed,
                text: piece.text,
                text_range: start..end,
                lead,
                ending: text.ending,
                silence_threshold: text.silence_threshold,
                plan,
                width: RunWidth::Auto,
            });
        }
        Ok(jobs)
    }

    /// The words of one piece (which starts at character `first` of its sentence's text) and
    /// where each is in the input and in the ids.
    fn word_plan(
        &self,
        sentence: &TextChunk,
        text: &LazyText,
        piece: &kittentts_phonemize::PhonemeChunk,
        first: usize,
        cursor: &mut ByteCursor,
    ) -> WordPlan {
        let chars: Vec<char> = piece.text.chars().collect();
        let mut words = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_whitespace() {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            // The word's letters and digits, its punctuation aside.
            let Some(a) = (start..i).find(|&j| chars[j].is_alphanumeric()) else {
                continue;
            };
            let b = (start..i)
                .rfind(|&j| chars[j].is_alphanumeric())
                .map_or(i, |j| j + 1);
            let norm = stream::chunk_source_chars(sentence, &text.normalized, first + a..first + b);
            let orig = text.map.source_range(norm);
            let from = cursor.byte_of(&text.input, orig.start);
            let to = cursor.byte_of(&text.input, orig.end).max(from);
            words.push(TextWord {
                word: text.input.get(from..to).unwrap_or_default().to_owned(),
                text_range: from..to,
                letters: chars[a..b].iter().filter(|c| c.is_alphanumeric()).count(),
            });
        }
        let ranges = kittentts_phonemize::word_id_ranges(&piece.phonemes);
        WordPlan {
            words,
            phoneme_lens: ranges.iter().map(ExactSizeIterator::len).collect(),
            phoneme_words: ranges.into_iter().map(|r| r.start + 1..r.end + 1).collect(),
        }
    }

    /// Runs one job on a free session; `None` when the stream was cancelled first.
    pub(crate) fn run_job(&self, job: Job, cancel: &AtomicBool) -> Result<Option<AudioChunk>> {
        #[cfg(test)]
        if self
            .panic_at_chunk
            .load(std::sync::atomic::Ordering::Relaxed)
            == job.index
        {
            panic!("injected panic in chunk {}", job.index);
        }
        #[cfg(test)]
        let started = std::time::Instant::now();
        let Some(out) = self.model.run_with_width(
            &job.input_ids,
            &job.style,
            job.speed,
            job.width,
            Some(cancel),
        )?
        else {
            return Ok(None);
        };
        #[cfg(test)]
        self.runs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((job.index, started, std::time::Instant::now()));
        let mut waveform = out.waveform;
        timing::cut(&mut waveform, job.ending, out.durations.as_deref());
        let removed = job
            .silence_threshold
            .map_or(0, |t| timing::trim_silence(&mut waveform, t));
        let mut samples = vec![0.0; job.lead];
        samples.extend_from_slice(&waveform);
        let words = match (&job.plan, &out.durations) {
            (Some(plan), Some(d)) => {
                timing::word_timings(plan, d, removed, job.lead, samples.len())
            }
            _ => Vec::new(),
        };
        Ok(Some(AudioChunk {
            index: job.index,
            samples,
            sample_rate: crate::SAMPLE_RATE,
            text: job.text,
            text_range: job.text_range,
            words,
        }))
    }
}

/// English text to 24 kHz speech with a KittenTTS model.
///
/// `Send + Sync` and cheap to clone (the model is shared); every method takes `&self`, so
/// one synthesizer serves many threads.
#[derive(Clone)]
pub struct Synthesizer {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Synthesizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Synthesizer")
            .field("model_dir", &self.inner.model_dir)
            .field("frontend", &self.inner.frontend)
            .finish_non_exhaustive()
    }
}

impl Synthesizer {
    /// Starts a [`SynthesizerBuilder`].
    pub fn builder() -> SynthesizerBuilder {
        SynthesizerBuilder::default()
    }

    /// Speaks `text` and returns all of its audio.
    ///
    /// Each chunk is synthesised as the reference does it: its waveform minus the last
    /// [`REFERENCE_TRIM_SAMPLES`] samples, chunks concatenated. The whole text is phonemised
    /// and every limit checked before the first model run; the chunks then run on every free
    /// session at once. The result equals the concatenation of [`stream`](Self::stream)'s
    /// chunks with the same options (given the same [`FirstChunk`] in force).
    ///
    /// # Errors
    /// [`Error::UnknownVoice`], [`Error::InvalidSpeed`], [`Error::SpeedOutOfRange`],
    /// [`Error::TextTooLong`], [`Error::AudioTooLong`], and [`Error::EmptyText`] when the
    /// text has nothing to speak; layer errors otherwise.
    pub fn synthesize(&self, text: &str, options: &SynthesisOptions) -> Result<Audio> {
        let lazy = self.prepare(text, options, false)?;
        let jobs = self.prepare_all(&lazy)?;
        let mut samples = Vec::new();
        let mut words = Vec::new();
        for chunk in stream::start(&self.inner, Source::Prepared(jobs), self.inner.lookahead) {
            let chunk = chunk?;
            samples.extend_from_slice(&chunk.samples);
            words.extend(chunk.words);
        }
        let mut audio = Audio::new(samples);
        audio.words = words;
        Ok(audio)
    }

    /// Speaks `text` chunk by chunk, as the audio is made.
    ///
    /// Returns at once (after normalising and checking the limits); the chunks then come
    /// from the iterator in order, each as soon as it and those before it are ready. With
    /// [`FirstChunk::Auto`] the first chunk is short, so the first audio comes quickly. The
    /// next chunks are phonemised while the model runs, on every free session at once, at
    /// most [`SynthesizerBuilder::lookahead`] ahead of the caller: memory stays bounded
    /// however long the text. Dropping the stream stops the work.
    ///
    /// Limits: the text length and the speed are checked here; the audio length first from an
    /// estimate of the text's tokens ([`MIN_TOKENS_PER_CHAR`] per normalised character), then
    /// exactly, from each chunk's tokens, before that chunk runs (a stream that gets too long
    /// yields [`Error::AudioTooLong`] instead of its next chunk), unless
    /// [`SynthesisOptions::check_limits_first`] asks for the whole check up front.
    ///
    /// # Errors
    /// As [`synthesize`](Self::synthesize), here or from the iterator.
    pub fn stream(&self, text: &str, options: &SynthesisOptions) -> Result<SynthesisStream> {
        let lazy = self.prepare(text, options, true)?;
        let source = if options.check_limits_first
            && !self
                .inner
                .limits
                .audio_surely_within(&lazy.normalized, lazy.voice.speed)
        {
            Source::Prepared(self.prepare_all(&lazy)?)
        } else {
            Source::Lazy(lazy)
        };
        Ok(stream::start(&self.inner, source, self.inner.lookahead))
    }

    /// Phonemises every chunk of `lazy` and checks the audio limit on the whole text, before
    /// any model run.
    fn prepare_all(&self, lazy: &LazyText) -> Result<Vec<stream::Job>> {
        let mut jobs = Vec::new();
        let mut tokens = 0.0;
        let mut bytes = ByteCursor::default();
        for sentence in &lazy.sentences {
            let more =
                self.inner
                    .prepare_sentence(sentence, lazy, jobs.len(), &mut tokens, &mut bytes)?;
            jobs.extend(more);
        }
        Ok(jobs)
    }

    /// Checks the voice, speed and text limits, normalises and chunks the text.
    fn prepare(&self, text: &str, options: &SynthesisOptions, streaming: bool) -> Result<LazyText> {
        let limits = &self.inner.limits;
        let mix = voice_spec::resolve(&self.inner.voices, &options.voice)?;
        // The reference's arithmetic: the product in f64, then f32.
        let effective = (f64::from(options.speed) * mix.prior) as f32;
        if !(options.speed.is_finite()
            && options.speed > 0.0
            && effective.is_finite()
            && effective > 0.0)
        {
            return Err(Error::InvalidSpeed {
                speed: options.speed,
            });
        }
        limits.check_speed(options.speed, mix.prior, effective)?;
        let pauses = options.pauses.unwrap_or(match options.ending {
            Ending::Reference => Pauses::NONE,
            _ => Pauses::NATURAL,
        });
        pauses.validate()?;
        if let Some(t) = options.silence_threshold
            && !(t.is_finite() && t > 0.0 && t < 1.0)
        {
            return Err(Error::InvalidSetting {
                setting: "silence_threshold",
                value: t.to_string(),
                expected: "a level between 0 and 1",
            });
        }
        let input_chars = text.chars().count();
        limits.check_text(input_chars)?;
        let (normalized, map) = if options.normalize {
            let n = self.inner.frontend.normalize_with_spans(text);
            let map = n.source_map(text);
            (n.text, map)
        } else {
            (text.to_owned(), SourceMap::identity(input_chars))
        };
        let normalized_chars: Vec<char> = normalized.chars().collect();
        if !normalized_chars.iter().any(|c| c.is_alphanumeric()) {
            return Err(Error::EmptyText);
        }
        limits.check_audio(
            normalized_chars.len() as f64 * MIN_TOKENS_PER_CHAR,
            effective,
        )?;
        let mut sentences = self.inner.frontend.sentences(&normalized);
        if let Some(max) = options.first_chunk.max_chars(streaming) {
            stream::split_first(&mut sentences, &normalized_chars, &map, max);
        }
        Ok(LazyText {
            input: text.to_owned(),
            normalized: normalized_chars,
            sentences,
            map,
            voice: PreparedVoice {
                mix,
                speed: effective,
            },
            ending: options.ending,
            pauses,
            silence_threshold: options.silence_threshold,
            word_timings: options.word_timings,
        })
    }

    /// The version of the libespeak-ng in use, e.g. `1.52.0` (the reference's); another
    /// version works, with a warning, unless
    /// [`SynthesizerBuilder::strict_espeak_version`] is set.
    pub fn espeak_version(&self) -> &str {
        self.inner.frontend.espeak_version()
    }

    /// How many model runs may go at once ([`SynthesizerBuilder::sessions`]).
    pub fn sessions(&self) -> usize {
        self.inner.model.sessions()
    }

    /// ONNX Runtime intra-op threads per session.
    pub fn intra_threads(&self) -> usize {
        self.inner.threads
    }

    /// How many chunks a stream may have made ahead of its caller.
    pub fn lookahead(&self) -> usize {
        self.inner.lookahead
    }

    /// How many chunks of one text run at once ([`SynthesizerBuilder::chunks_at_once`],
    /// at most [`sessions`](Self::sessions)).
    pub fn chunks_at_once(&self) -> usize {
        self.inner.chunks_at_once
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// The model's run counters and queue: sessions, idle sessions, callers waiting, and
    /// runs started since loading (for metrics).
    pub fn model(&self) -> &AcousticModel {
        &self.inner.model
    }

    /// The voices this model offers: aliases first (with the id each stands for), then ids.
    pub fn voices(&self) -> Vec<VoiceInfo> {
        self.inner
            .voices
            .names()
            .into_iter()
            .map(|v| VoiceInfo {
                name: v.name,
                id: v.id,
            })
            .collect()
    }

    /// The model's config.json.
    pub fn config(&self) -> &ModelConfig {
        &self.inner.config
    }

    /// The folder the model was loaded from (a hub snapshot folder for hub models).
    pub fn model_dir(&self) -> &Path {
        &self.inner.model_dir
    }

    /// The text front end (normaliser, chunker, phonemiser) this synthesizer uses.
    pub fn frontend(&self) -> &Frontend {
        &self.inner.frontend
    }

    /// Written text → spoken-form text.
    pub fn normalize(&self, text: &str) -> String {
        self.inner.frontend.normalize(text)
    }

    /// Text → IPA phonemes, as one chunk.
    pub fn phonemize(&self, text: &str) -> Result<String> {
        self.inner.frontend.phonemize(text)
    }

    /// Text → token ids (unwrapped), as one chunk.
    pub fn token_ids(&self, text: &str) -> Result<Vec<i64>> {
        self.inner.frontend.token_ids(text)
    }

    /// The whole front end for `text`: normalised text and the chunks the model would get.
    pub fn analyze(&self, text: &str, normalize: bool) -> Result<Analysis> {
        self.inner.frontend.analyze(text, normalize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_builder_sets_fields() {
        let o = SynthesisOptions::new()
            .voice("Leo")
            .speed(1.5)
            .normalize(false);
        assert_eq!(o.voice, "Leo");
        assert_eq!(o.speed, 1.5);
        assert!(!o.normalize);
        assert_eq!(SynthesisOptions::default().voice, DEFAULT_VOICE);
    }

    #[test]
    fn synthesizer_is_send_and_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Synthesizer>();
        check::<Frontend>();
    }

    #[test]
    fn specs_that_can_only_be_folders() {
        for spec in [
            "tests/data/nothere",
            "./x",
            "/abs/model",
            "~/m",
            "a/b/c@main",
        ] {
            assert!(looks_like_path(spec), "{spec}");
        }
        for spec in [
            "KittenML/kitten-tts-mini-0.8",
            "kitten-tts-nano-0.8",
            "org/name@refs/pr/1",
        ] {
            assert!(!looks_like_path(spec), "{spec}");
        }
        assert!(matches!(
            Synthesizer::builder().model("tests/data/nothere").build(),
            Err(Error::ModelDirNotFound { path }) if path == Path::new("tests/data/nothere")
        ));
    }

    #[test]
    fn build_without_model_is_an_error() {
        assert!(matches!(
            Synthesizer::builder().build(),
            Err(Error::NoModel)
        ));
        let missing = Synthesizer::builder()
            .model_dir("/nonexistent/kittentts-model")
            .build();
        assert!(
            matches!(missing, Err(Error::ModelDirNotFound { path }) if path == Path::new("/nonexistent/kittentts-model"))
        );
    }
}
