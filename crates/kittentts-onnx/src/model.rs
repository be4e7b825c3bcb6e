//! The acoustic model: one ONNX Runtime session with the KittenTTS input/output contract.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use ort::session::Session;
use ort::session::builder::{PrepackedWeights, SessionBuilder};
use ort::value::{Outlet, TensorElementType, TensorRef, ValueType};

use crate::parallel;
use crate::pool::{Layout, Lazy, Pool, RunWidth};
use crate::run::RunNames;
use crate::runtime::{Runtime, runtime};
use crate::{Error, ExecutionProvider};

/// Positions of the text encoder: the most input ids (wrapping included) one run accepts.
pub const MAX_INPUT_IDS: usize = 512;
/// Values in one style row (128 decoder + 128 prosody), the usual `style` input size.
pub const STYLE_DIM: usize = 256;
/// Output sample rate of the KittenTTS models, in Hz.
pub const SAMPLE_RATE: u32 = 24_000;
/// Samples per `duration` frame (25 ms at 24 kHz).
pub const SAMPLES_PER_FRAME: usize = 600;

const INPUT_IDS: &str = "input_ids";
const STYLE: &str = "style";
const SPEED: &str = "speed";
const WAVEFORM: &str = "waveform";
const DURATION: &str = "duration";

/// How to load a model: which ONNX Runtime, how many threads, which execution providers.
///
/// `ModelOptions::default()` loads the runtime from the usual places (see
/// [`resolve_library`](crate::resolve_library)), lets ONNX Runtime pick thread counts and runs
/// on the CPU.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelOptions {
    /// Explicit path of the ONNX Runtime library; `None` resolves it (builder >
    /// `ORT_DYLIB_PATH` > `$KITTENTTS_RUNTIME_DIR/onnxruntime` > system). Only the first load in
    /// a process picks the library; see [`init_runtime`](crate::init_runtime).
    pub ort_library: Option<PathBuf>,
    /// Threads used inside one operator, per session; `None` = ONNX Runtime's default (one
    /// per core).
    pub intra_threads: Option<usize>,
    /// How many runs may go at once (`0` is treated as 1): concurrent
    /// [`run`](AcousticModel::run) calls each take a free place and wait, first come first
    /// served, only when all are taken. On the CPU they share one ONNX Runtime session (see
    /// [`share_session`](Self::share_session)); otherwise each place is a session of its own,
    /// and the sessions share ONNX Runtime's prepacked weights.
    pub sessions: usize,
    /// Threads used across independent operators; `None` = ONNX Runtime's default.
    pub inter_threads: Option<usize>,
    /// Whether the intra-op threads spin while they wait for work (ONNX Runtime's
    /// `session.intra_op.allow_spinning`); `None` = ONNX Runtime's default (they spin).
    /// Spinning makes a run that has the cores to itself a little faster, and two runs that
    /// share the cores much slower (each spins on the cores the other needs): turn it off when
    /// sessions × threads exceeds the cores.
    pub intra_spinning: Option<bool>,
    /// Execution providers to try in order; the CPU is always the last resort.
    pub providers: Vec<ExecutionProvider>,
    /// On the CPU, whether the [`sessions`](Self::sessions) concurrent runs share one ONNX
    /// Runtime session (its weights, kernels and memory arena) instead of each having its own.
    /// On by default: it saves memory (a fifth of the peak on a long text with the nano
    /// model) and load time (one session to make); concurrent long runs were up to ~9% slower
    /// on 2 cores.
    /// Ignored with other execution providers, whose runs each get their own session.
    pub share_session: bool,
    /// With shared sessions on the CPU and more than one run at once: whether the thread
    /// count follows the load. The runs then go to two ONNX Runtime sessions: a run that
    /// starts while no other is going gets the wide one ([`intra_threads`](Self::intra_threads)
    /// threads, every core by default), a run that starts beside another gets the narrow one
    /// (the wide one's threads divided among the [`sessions`](Self::sessions): one on 2 cores
    /// with 2 runs). One sentence alone thus has every core, and runs at once each have their
    /// share instead of fighting over all of them (on 2 cores, two one-thread runs serve
    /// 1.27× what one two-thread run serves). A caller about to start runs beside this one
    /// (the chunks of one text) asks for the narrow session at once with
    /// [`RunWidth::Narrow`]. The narrow session is made by the first run that takes it (a
    /// process that only ever runs one chunk at a time never makes it: half the load time).
    /// Default `true`; once made it costs the second session's memory: about
    /// 43 MB with the nano fp32 model when both load from the
    /// [`optimized_cache`](Self::optimized_cache), whose weights file they share (about
    /// 65 MB without the cache).
    /// Ignored when the narrow session would not have fewer threads, with separate sessions
    /// and with other execution providers.
    pub adaptive_threads: bool,
    /// A folder where the model, as ONNX Runtime optimises it for this CPU, is kept between
    /// loads (CPU only). Loading that file skips graph optimisation, most of a load's time.
    /// The weights are kept in a file of their own beside it, which ONNX Runtime maps into
    /// memory instead of copying: the sessions of a process share one copy.
    /// The file's name holds the model file's path, size and date, the runtime's version and
    /// the CPU's features, so a change of any makes a new one. Default `None`.
    pub optimized_cache: Option<PathBuf>,
    /// Whether each run hands the memory its activations took back to the system when it ends
    /// (ONNX Runtime's arena shrinkage). Without it each session keeps the most memory any of
    /// its runs needed, for as long as it lives. Default `true` (`ModelOptions::default()`
    /// included); see [`with_shrink_arena`](Self::with_shrink_arena).
    pub shrink_arena: bool,
    /// Whether a provider that cannot be registered is an error ([`Error::ProviderUnavailable`])
    /// instead of a warning followed by the CPU.
    pub require_providers: bool,
    /// On the CPU, whether the model's `Sin` and `InstanceNormalization` nodes run on every
    /// intra-op thread. ONNX Runtime's own kernels for them are single-threaded: on 2 threads
    /// they take about a fifth of a lone run of the nano model. With this on, kernels of this
    /// crate cut each tensor into pieces (at 64-byte bounds, or between channels) and run
    /// ONNX Runtime's kernel on each piece on the session's threads, so the output is bit for
    /// bit the same. The decoder's chains of adaptive instance normalisation and snake
    /// activation (eight nodes that each read and write a whole tensor) also become one node
    /// that computes them in one pass of cache-sized blocks, with the same float operations in
    /// the same order and ONNX Runtime's own normalisation and `Sin` kernels: the same bits,
    /// with less memory traffic and less memory. On x86-64 CPUs with AVX2, the int8 models'
    /// one-dimensional `ConvInteger` nodes run on a direct convolution of this crate instead of
    /// ONNX Runtime's `im2col` and GEMM (most of an int8 run): integer sums, so the same bits
    /// in any order, and about a third of the time. Default `true`.
    pub parallel_kernels: bool,
    /// The most input ids that the runs going at once may hold together: a run that would
    /// take the runs going above it waits (first come first served) until enough of them end;
    /// a run that would be alone always starts, whatever its length. A run's memory grows with
    /// its length (its activations: a 250-id chunk of the stand-in mini takes about 300 MB on
    /// top of the model), so two long chunks at once double the peak while short ones (most
    /// requests to a server) still run side by side. `None`: only
    /// [`sessions`](Self::sessions) limits them. Default: [`DEFAULT_IDS_IN_FLIGHT`].
    pub ids_in_flight: Option<usize>,
}

/// The default [`ModelOptions::ids_in_flight`]: half the model's context, so that the runs at
/// once never hold more than one run of the longest chunk would, and two runs of up to 128
/// ids (a sentence or two) go side by side.
pub const DEFAULT_IDS_IN_FLIGHT: usize = 256;

/// A [`ModelOptions::ids_in_flight`] as settings and command lines write it: a count of input
/// ids, or `none` (in any case) for no budget. Parsed with [`str::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdsInFlight(pub Option<usize>);

/// A value that is neither a count of ids nor `none`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is neither a count of ids nor `none`")]
pub struct ParseIdsInFlightError(pub String);

impl std::str::FromStr for IdsInFlight {
    type Err = ParseIdsInFlightError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let trimmed = value.trim();
        if trimmed.eq_ignore_ascii_case("none") {
            return Ok(IdsInFlight(None));
        }
        trimmed
            .parse()
            .map(|ids| IdsInFlight(Some(ids)))
            .map_err(|_| ParseIdsInFlightError(value.to_owned()))
    }
}

impl Default for ModelOptions {
    fn default() -> Self {
        Self {
            ort_library: None,
            intra_threads: None,
            sessions: 1,
            optimized_cache: None,
            inter_threads: None,
            intra_spinning: None,
            providers: Vec::new(),
            shrink_arena: true,
            share_session: true,
            adaptive_threads: true,
            require_providers: false,
            parallel_kernels: true,
            ids_in_flight: Some(DEFAULT_IDS_IN_FLIGHT),
        }
    }
}

impl ModelOptions {
    /// Sets [`optimized_cache`](Self::optimized_cache).
    #[must_use]
    pub fn with_optimized_cache(mut self, dir: Option<PathBuf>) -> Self {
        self.optimized_cache = dir;
        self
    }

    /// Sets [`parallel_kernels`](Self::parallel_kernels).
    #[must_use]
    pub fn with_parallel_kernels(mut self, parallel: bool) -> Self {
        self.parallel_kernels = parallel;
        self
    }

    /// Sets [`shrink_arena`](Self::shrink_arena).
    #[must_use]
    pub fn with_shrink_arena(mut self, shrink: bool) -> Self {
        self.shrink_arena = shrink;
        self
    }

    /// The default options (same as [`Default::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`ort_library`](Self::ort_library).
    #[must_use]
    pub fn with_ort_library(mut self, path: impl Into<PathBuf>) -> Self {
        self.ort_library = Some(path.into());
        self
    }

    /// Sets [`intra_threads`](Self::intra_threads).
    #[must_use]
    pub fn with_intra_threads(mut self, threads: usize) -> Self {
        self.intra_threads = Some(threads);
        self
    }

    /// Whether a model loaded with these options has [`adaptive_threads`](Self::adaptive_threads)
    /// in effect: asked for, shared sessions, the CPU only, more than one run at once, and
    /// a narrow session that would have fewer threads than the wide one.
    pub fn threads_follow_load(&self) -> bool {
        self.adaptive_threads
            && self.share_session
            && self.providers.is_empty()
            && self.sessions > 1
            && self.narrow_threads() < self.wide_threads()
    }

    /// The wide session's intra-op threads: [`intra_threads`](Self::intra_threads), or one
    /// per core.
    fn wide_threads(&self) -> usize {
        self.intra_threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
            .max(1)
    }

    /// The narrow session's intra-op threads: the wide session's divided among the runs at
    /// once (1 on 2 cores with 2 runs, 2 on 4 cores), at least 1.
    fn narrow_threads(&self) -> usize {
        (self.wide_threads() / self.sessions.max(1)).max(1)
    }

    /// Sets [`adaptive_threads`](Self::adaptive_threads).
    #[must_use]
    pub fn with_adaptive_threads(mut self, adaptive: bool) -> Self {
        self.adaptive_threads = adaptive;
        self
    }

    /// Sets [`share_session`](Self::share_session).
    #[must_use]
    pub fn with_share_session(mut self, share: bool) -> Self {
        self.share_session = share;
        self
    }

    /// Sets [`sessions`](Self::sessions).
    #[must_use]
    pub fn with_sessions(mut self, sessions: usize) -> Self {
        self.sessions = sessions;
        self
    }

    /// Sets [`intra_spinning`](Self::intra_spinning).
    #[must_use]
    pub fn with_intra_spinning(mut self, spin: bool) -> Self {
        self.intra_spinning = Some(spin);
        self
    }

    /// Sets [`inter_threads`](Self::inter_threads).
    #[must_use]
    pub fn with_inter_threads(mut self, threads: usize) -> Self {
        self.inter_threads = Some(threads);
        self
    }

    /// Appends a provider to [`providers`](Self::providers).
    #[must_use]
    pub fn with_provider(mut self, provider: ExecutionProvider) -> Self {
        self.providers.push(provider);
        self
    }

    /// Sets [`require_providers`](Self::require_providers).
    #[must_use]
    pub fn with_require_providers(mut self, require: bool) -> Self {
        self.require_providers = require;
        self
    }
}

/// What one run of the model produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelOutput {
    /// The waveform at [`SAMPLE_RATE`], flattened whatever the output's rank; untrimmed.
    pub waveform: Vec<f32>,
    /// Frames ([`SAMPLES_PER_FRAME`] samples each) per input id, when the model has a
    /// `duration` output (the 0.8 models do; legacy 0.1 models may not).
    pub durations: Option<Vec<i64>>,
}

/// A loaded KittenTTS acoustic model: `(input_ids, style, speed) → waveform (+ durations)`.
///
/// `Send + Sync`. Up to [`ModelOptions::sessions`] runs go at once: concurrent
/// [`run`](Self::run) calls each take a free place, and wait (first come first served) only
/// when all are taken. On the CPU they share one ONNX Runtime session
/// ([`ModelOptions::share_session`]); elsewhere each place is a session. Each run spreads
/// over [`ModelOptions::intra_threads`] threads. A panic in a caller's thread never leaves a
/// session unusable.
pub struct AcousticModel {
    path: PathBuf,
    pool: Pool,
    names: RunNames,
    style_shape: Vec<usize>,
    waveform_output: Output,
    duration_output: Option<Output>,
    providers: Vec<ExecutionProvider>,
    shrink_arena: bool,
    _runtime: Arc<Runtime>,
}

impl fmt::Debug for AcousticModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcousticModel")
            .field("path", &self.path)
            .field("style_shape", &self.style_shape)
            .field("waveform_output", &self.waveform_output)
            .field("duration_output", &self.duration_output)
            .field("providers", &self.providers)
            .field("sessions", &self.pool.len())
            .finish_non_exhaustive()
    }
}

impl AcousticModel {
    /// Loads ONNX Runtime if needed, creates a session for the model file and checks that its
    /// inputs and outputs follow the KittenTTS contract:
    /// `input_ids` int64, `style` float32, `speed` float32 (no other inputs) → a float32 output
    /// (`waveform`, or else the first float32 output) and optionally `duration` int64.
    ///
    /// # Errors
    /// [`Error::ModelFile`] (missing/unreadable file), [`Error::InvalidModel`] (not ONNX),
    /// [`Error::ContractMismatch`] (other inputs/outputs), [`Error::ProviderUnavailable`]
    /// (with `require_providers`), and the runtime errors of
    /// [`init_runtime`](crate::init_runtime).
    pub fn load(path: &Path, options: &ModelOptions) -> Result<AcousticModel, Error> {
        let meta = std::fs::metadata(path).map_err(|source| Error::ModelFile {
            path: path.to_path_buf(),
            source,
        })?;
        if !meta.is_file() {
            return Err(Error::ModelFile {
                path: path.to_path_buf(),
                source: std::io::Error::other("not a regular file"),
            });
        }
        let rt = runtime(options.ort_library.as_deref())?;
        let started = Instant::now();
        // Read only when a session is made from them: a cached optimised model is not.
        let bytes = ModelBytes::new(path);
        let prepacked = PrepackedWeights::new();
        let count = options.sessions.max(1);
        let layout = if options.threads_follow_load() {
            Layout::Adaptive
        } else {
            Layout::Fixed
        };
        // With only the CPU there is no fall-back to decide, so the separate sessions are
        // made at once, one thread each (graph optimisation is most of a load,
        // and each session's is independent). With other providers the first session settles
        // which ones register.
        let mut narrow = None;
        let (sessions, providers) = if options.providers.is_empty() {
            // On the CPU the runs share one session unless told otherwise (see `run.rs`);
            // adaptively, a wide session now and a narrow one on its first run.
            let made = match layout {
                Layout::Adaptive => 1,
                Layout::Fixed if options.share_session => 1,
                Layout::Fixed => count,
            };
            let (sessions, used) = match cpu_sessions(&rt, path, &bytes, &prepacked, options, made)
            {
                // A build of ONNX Runtime without `CreateOp`, or a node the parallel kernels
                // do not take: ONNX Runtime's own kernels, with a warning.
                Err(Error::InvalidModel { source, .. }) if bytes.was_rewritten() => {
                    tracing::warn!(model = %path.display(), error = %source, "the model does not load with the parallel kernels: loading it with ONNX Runtime's own");
                    let plain = options.clone().with_parallel_kernels(false);
                    let sessions = cpu_sessions(&rt, path, &bytes, &prepacked, &plain, made)?;
                    (sessions, plain)
                }
                made => (made?, options.clone()),
            };
            if layout == Layout::Adaptive {
                narrow = Some(narrow_session(&rt, path, &meta, &prepacked, &used));
            }
            (sessions, Vec::new())
        } else {
            let bytes = bytes.get()?;
            let (first, providers) = match create_session(
                &rt,
                path,
                Load::Bytes(bytes),
                &prepacked,
                options,
                &options.providers,
            ) {
                Ok(made) => made,
                Err(Error::InvalidModel { source, .. })
                    if !options.require_providers
                        && options
                            .providers
                            .iter()
                            .any(|p| *p != ExecutionProvider::Cpu) =>
                {
                    tracing::warn!(
                        model = %path.display(),
                        error = %source,
                        "session creation with the requested execution providers failed; retrying on the CPU"
                    );
                    create_session(&rt, path, Load::Bytes(bytes), &prepacked, options, &[])?
                }
                Err(e) => return Err(e),
            };
            let mut all = vec![first];
            all.extend(create_sessions(
                &rt,
                path,
                Load::Bytes(bytes),
                &prepacked,
                options,
                &providers,
                count - 1,
            )?);
            (all, providers)
        };
        let first = sessions.first().ok_or_else(|| Error::ModelFile {
            path: path.to_path_buf(),
            source: std::io::Error::other("no session was created"),
        })?;
        let contract = check_contract(path, first.inputs(), first.outputs())?;
        let Some(names) = RunNames::new(&[INPUT_IDS, STYLE, SPEED], first) else {
            return Err(Error::ContractMismatch {
                path: path.to_path_buf(),
                details: "an output name holds a NUL byte".to_owned(),
            });
        };
        tracing::debug!(
            model = %path.display(),
            ?providers,
            runs_at_once = count,
            sessions = sessions.len(),
            load_ms = started.elapsed().as_secs_f64() * 1e3,
            durations = contract.duration_output.is_some(),
            "model loaded"
        );
        Ok(AcousticModel {
            path: path.to_path_buf(),
            pool: match (narrow, sessions.len()) {
                (Some(narrow), 1) => {
                    let wide = sessions
                        .into_iter()
                        .next()
                        .ok_or_else(|| Error::ModelFile {
                            path: path.to_path_buf(),
                            source: std::io::Error::other("no session was created"),
                        })?;
                    Pool::adaptive(wide, narrow, count)
                }
                _ => Pool::new(sessions, count),
            }
            .with_ids_in_flight(options.ids_in_flight),
            names,
            style_shape: contract.style_shape,
            waveform_output: contract.waveform_output,
            duration_output: contract.duration_output,
            providers,
            shrink_arena: options.shrink_arena,
            _runtime: rt,
        })
    }

    /// Runs the model once.
    ///
    /// `input_ids` are already wrapped (`[0] + ids + [10, 0]`), 1 to [`MAX_INPUT_IDS`] of them;
    /// `style` is one style row ([`style_len`](Self::style_len) values, 256 for the released
    /// models); `speed` is the effective speed (user speed × the voice's prior), finite and > 0.
    /// Ids are not checked against the vocabulary: an id the model's embedding does not have
    /// makes ONNX Runtime fail with [`Error::Inference`].
    ///
    /// # Errors
    /// [`Error::EmptyInput`], [`Error::TooManyIds`], [`Error::StyleLength`],
    /// [`Error::InvalidSpeed`] before running; [`Error::Inference`] or [`Error::InvalidOutput`]
    /// from the run.
    pub fn run(&self, input_ids: &[i64], style: &[f32], speed: f32) -> Result<ModelOutput, Error> {
        self.run_inner(input_ids, style, speed, None, RunWidth::Auto)?
            .ok_or(Error::Cancelled)
    }

    /// [`run`](Self::run), unless `cancel` is set before a session is free: then no run starts
    /// and the result is `Ok(None)`. Whoever sets `cancel` should call
    /// [`wake_waiters`](Self::wake_waiters) so that a caller waiting for a session sees it at
    /// once. A run that has started is not interrupted.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn run_unless_cancelled(
        &self,
        input_ids: &[i64],
        style: &[f32],
        speed: f32,
        cancel: &AtomicBool,
    ) -> Result<Option<ModelOutput>, Error> {
        self.run_inner(input_ids, style, speed, Some(cancel), RunWidth::Auto)
    }

    /// [`run_unless_cancelled`](Self::run_unless_cancelled) (or [`run`](Self::run) with no
    /// flag), asking for a session of the given [`RunWidth`]. A caller that is about to start
    /// other runs beside this one (the chunks of one text) asks for [`RunWidth::Narrow`]: with
    /// [`adaptive_threads`](Self::adaptive_threads) such a run would otherwise take the wide
    /// session and share its cores with the runs that follow it. Without adaptive threads the
    /// width changes nothing.
    ///
    /// # Errors
    /// As [`run`](Self::run); with no flag a run is never cancelled.
    pub fn run_with_width(
        &self,
        input_ids: &[i64],
        style: &[f32],
        speed: f32,
        width: RunWidth,
        cancel: Option<&AtomicBool>,
    ) -> Result<Option<ModelOutput>, Error> {
        self.run_inner(input_ids, style, speed, cancel, width)
    }

    /// Wakes the callers waiting for a session, so that those whose cancel flag is set leave.
    pub fn wake_waiters(&self) {
        self.pool.wake();
    }

    /// How many runs may go at once ([`ModelOptions::sessions`]).
    pub fn sessions(&self) -> usize {
        self.pool.len()
    }

    /// How many ONNX Runtime sessions those runs use: 1 when they share one
    /// ([`ModelOptions::share_session`], on the CPU), 2 with
    /// [`adaptive_threads`](Self::adaptive_threads) once a run has taken the narrow session
    /// (1 before), else [`sessions`](Self::sessions).
    pub fn ort_sessions(&self) -> usize {
        self.pool.session_count()
    }

    /// Makes the sessions that are otherwise made by their first run (the narrow session of
    /// [`adaptive_threads`](Self::adaptive_threads)), so that no run waits for one: a server
    /// calls this before it takes requests. Nothing to do in other layouts or once made; a
    /// session that does not load is reported as a warning, and its runs take the wide one.
    pub fn make_all_sessions(&self) {
        self.pool.make_all();
    }

    /// Whether the runs' thread count follows the load ([`ModelOptions::adaptive_threads`]
    /// took effect): a run alone gets the wide session, a run beside another the narrow one.
    pub fn adaptive_threads(&self) -> bool {
        self.pool.layout() == Layout::Adaptive
    }

    /// The most input ids that runs going at once may hold together
    /// ([`ModelOptions::ids_in_flight`]); `None`: no limit.
    pub fn ids_in_flight(&self) -> Option<usize> {
        self.pool.ids_in_flight()
    }

    /// How many runs could start right now without waiting.
    pub fn idle_sessions(&self) -> usize {
        self.pool.idle()
    }

    /// How many callers are waiting for a place to run right now.
    pub fn waiting(&self) -> usize {
        self.pool.waiting()
    }

    /// How many runs have started on this model since it was loaded (a run counts as started
    /// once it has its session). After a canceller's [`wake_waiters`](Self::wake_waiters)
    /// returns, no run for its flag starts, so this count stops growing for it.
    pub fn runs_started(&self) -> u64 {
        self.pool.grants()
    }

    /// How many of those runs started while another run was going: in the adaptive layout
    /// ([`adaptive_threads`](Self::adaptive_threads)), the runs of the narrow session.
    pub fn runs_started_beside_others(&self) -> u64 {
        self.pool.grants_beside()
    }

    /// How many runs took the narrow session ([`adaptive_threads`](Self::adaptive_threads)):
    /// those started beside others and those that asked for [`RunWidth::Narrow`]; 0 without
    /// adaptive threads.
    pub fn narrow_runs(&self) -> u64 {
        self.pool.grants_narrow()
    }

    fn run_inner(
        &self,
        input_ids: &[i64],
        style: &[f32],
        speed: f32,
        cancel: Option<&AtomicBool>,
        width: RunWidth,
    ) -> Result<Option<ModelOutput>, Error> {
        if input_ids.is_empty() {
            return Err(Error::EmptyInput);
        }
        if input_ids.len() > MAX_INPUT_IDS {
            return Err(Error::TooManyIds {
                len: input_ids.len(),
                max: MAX_INPUT_IDS,
            });
        }
        if style.len() != self.style_len() {
            return Err(Error::StyleLength {
                expected: self.style_len(),
                actual: style.len(),
            });
        }
        if !(speed.is_finite() && speed > 0.0) {
            return Err(Error::InvalidSpeed { speed });
        }
        let inference = |source| Error::Inference {
            path: self.path.clone(),
            source,
        };
        let started = Instant::now();
        let ids = TensorRef::from_array_view(([1usize, input_ids.len()], input_ids))
            .map_err(inference)?;
        let style_t =
            TensorRef::from_array_view((self.style_shape.clone(), style)).map_err(inference)?;
        let speed_t = TensorRef::from_array_view(([1usize], std::slice::from_ref(&speed)))
            .map_err(inference)?;
        let Some(lease) = self.pool.acquire(cancel, width, input_ids.len()) else {
            return Ok(None);
        };
        let mut run_options = ort::session::RunOptions::new().map_err(inference)?;
        if self.shrink_arena {
            run_options
                .set("memory.enable_memory_arena_shrinkage", "cpu:0")
                .map_err(inference)?;
        }
        let invalid = |details: String| Error::InvalidOutput {
            path: self.path.clone(),
            details,
        };
        let mut outputs = crate::run::run(
            lease.session(),
            &self.names,
            &[&*ids, &*style_t, &*speed_t],
            &run_options,
        )
        .map_err(inference)?;
        let mut take = |index: usize, name: &str| {
            outputs
                .get_mut(index)
                .and_then(Option::take)
                .ok_or_else(|| invalid(format!("output `{name}` is missing")))
        };
        let wave = &self.waveform_output;
        let waveform = take(wave.index, &wave.name)?
            .try_extract_tensor::<f32>()
            .map_err(|e| invalid(format!("output `{}`: {e}", wave.name)))?
            .1
            .to_vec();
        let durations = match &self.duration_output {
            None => None,
            Some(Output { index, name }) => Some(
                take(*index, name)?
                    .try_extract_tensor::<i64>()
                    .map_err(|e| invalid(format!("output `{name}`: {e}")))?
                    .1
                    .to_vec(),
            ),
        };
        drop(outputs);
        drop(lease);
        tracing::debug!(
            ids = input_ids.len(),
            samples = waveform.len(),
            speed,
            run_ms = started.elapsed().as_secs_f64() * 1e3,
            "model run"
        );
        Ok(Some(ModelOutput {
            waveform,
            durations,
        }))
    }

    /// Whether [`run`](Self::run) returns per-token durations (the model has a `duration` output).
    pub fn has_durations(&self) -> bool {
        self.duration_output.is_some()
    }

    /// How many values the model's `style` input takes (256 for the released models).
    pub fn style_len(&self) -> usize {
        self.style_shape.iter().product()
    }

    /// The model file this was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The execution providers that registered, in order (empty = ONNX Runtime's default CPU).
    pub fn providers(&self) -> &[ExecutionProvider] {
        &self.providers
    }
}

/// The narrow session of adaptive threads, made on its first run: one sentence never needs
/// it, and a process that speaks one sentence then loads one session instead of two (half the
/// load time, and its memory). A text's chunks ask for it at once (the first one runs on the
/// wide session meanwhile). It loads like the wide one, from the optimised-model cache when
/// there is one. If the model file changed since `meta` was read, or the load fails, it is
/// not made and its runs take the wide session (same results, with a warning).
fn narrow_session(
    rt: &Arc<Runtime>,
    path: &Path,
    meta: &std::fs::Metadata,
    prepacked: &PrepackedWeights,
    options: &ModelOptions,
) -> Lazy {
    let rt = Arc::clone(rt);
    let path = path.to_path_buf();
    let stamp = (meta.len(), meta.modified().ok());
    let prepacked = prepacked.clone();
    let options = options.clone().with_intra_threads(options.narrow_threads());
    Lazy::new(Box::new(move || {
        let now = std::fs::metadata(&path).map(|m| (m.len(), m.modified().ok()));
        if now.as_ref().ok() != Some(&stamp) {
            tracing::warn!(model = %path.display(), "the model file changed since it was loaded: its runs beside others share the wide session");
            return None;
        }
        let started = Instant::now();
        let bytes = ModelBytes::new(&path);
        match cpu_sessions(&rt, &path, &bytes, &prepacked, &options, 1) {
            Ok(mut sessions) => {
                tracing::debug!(
                    model = %path.display(),
                    load_ms = started.elapsed().as_secs_f64() * 1e3,
                    "narrow session loaded"
                );
                sessions.pop()
            }
            Err(e) => {
                tracing::warn!(model = %path.display(), error = %e, "the narrow session does not load: its runs share the wide session");
                None
            }
        }
    }))
}

/// `count` CPU sessions. With [`ModelOptions::optimized_cache`], from the model optimised
/// before when there is one (several times faster than optimising it again), else optimised
/// once and saved there; a cached file that fails to load is replaced.
fn cpu_sessions(
    rt: &Runtime,
    path: &Path,
    bytes: &ModelBytes<'_>,
    prepacked: &PrepackedWeights,
    options: &ModelOptions,
    count: usize,
) -> Result<Vec<Session>, Error> {
    let from_bytes = |count: usize| {
        create_sessions(
            rt,
            path,
            Load::Bytes(bytes.cpu(options)?),
            prepacked,
            options,
            &[],
            count,
        )
    };
    let Some(dir) = &options.optimized_cache else {
        return from_bytes(count);
    };
    let file = optimized_file(dir, path, rt, options);
    let from_cache = || {
        create_sessions(
            rt,
            path,
            Load::Optimized(&file),
            prepacked,
            options,
            &[],
            count,
        )
    };
    if file.is_file() {
        match from_cache() {
            Ok(sessions) => return Ok(sessions),
            Err(e) => {
                tracing::warn!(file = %file.display(), error = %e, "the cached optimised model does not load: optimising again");
                let _ = std::fs::remove_file(&file);
            }
        }
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        tracing::warn!(dir = %dir.display(), error = %e, "cannot create the optimised-model cache: not caching");
        return from_bytes(count);
    }
    let (first, kept) = save_optimized(rt, path, bytes.cpu(options)?, prepacked, options, &file)?;
    if count == 1 {
        return Ok(vec![first]);
    }
    if kept {
        // The saving session holds the weights it optimised; the others share the saved
        // weights file. Reload it too, so that every session shares them.
        drop(first);
        return from_cache().or_else(|e| {
            tracing::warn!(file = %file.display(), error = %e, "the optimised model just saved does not load: not using it");
            from_bytes(count)
        });
    }
    let mut all = vec![first];
    all.extend(from_bytes(count - 1)?);
    Ok(all)
}

/// Makes a session from `bytes` and saves its optimised model as `file`, its weights beside it
/// in [`weights_file`]`(file)`, which the saved graph names. Both are written in a folder of
/// this call's own and then moved into place, the weights first: a process that finds
/// `file` finds its weights too (saved with it, or by another load of the same model at the
/// same time, which optimises it the same way), and no file is ever seen half written.
/// Returns the session and whether `file` was kept.
fn save_optimized(
    rt: &Runtime,
    path: &Path,
    bytes: &[u8],
    prepacked: &PrepackedWeights,
    options: &ModelOptions,
    file: &Path,
) -> Result<(Session, bool), Error> {
    let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else {
        let (session, _) = create_session(rt, path, Load::Bytes(bytes), prepacked, options, &[])?;
        return Ok((session, false));
    };
    let weights = weights_file(file);
    // Of this call's own: loads in other processes and threads may fill the cache at once.
    static SAVES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let save = SAVES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp_dir = dir.join(format!(".tmp-{}-{save}", std::process::id()));
    let tmp = tmp_dir.join(name);
    let tmp_weights = weights_file(&tmp);
    let made = std::fs::create_dir_all(&tmp_dir).map_err(|e| e.to_string());
    let load = if made.is_ok() {
        Load::BytesSaving(bytes, &tmp)
    } else {
        Load::Bytes(bytes)
    };
    let (session, _) =
        create_session(rt, path, load, prepacked, options, &[]).inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&tmp_dir);
        })?;
    let kept = made.and_then(|()| {
        // A model small enough to have no weights file is kept without one.
        if tmp_weights.is_file() {
            std::fs::rename(&tmp_weights, &weights).map_err(|e| e.to_string())?;
        }
        std::fs::rename(&tmp, file).map_err(|e| e.to_string())
    });
    let _ = std::fs::remove_dir_all(&tmp_dir);
    if let Err(e) = &kept {
        tracing::warn!(file = %file.display(), error = %e, "cannot keep the optimised model");
    }
    Ok((session, kept.is_ok()))
}

/// The weights of the optimised model `file`: its initializers, stored outside its graph so
/// that ONNX Runtime maps them from the file instead of copying them into each session.
fn weights_file(file: &Path) -> PathBuf {
    file.with_extension("weights")
}

/// `count` sessions, made on as many threads at once.
fn create_sessions(
    rt: &Runtime,
    path: &Path,
    load: Load<'_>,
    prepacked: &PrepackedWeights,
    options: &ModelOptions,
    providers: &[ExecutionProvider],
    count: usize,
) -> Result<Vec<Session>, Error> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..count)
            .map(|_| s.spawn(|| create_session(rt, path, load, prepacked, options, providers)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| {
                        Err(Error::ModelFile {
                            path: path.to_path_buf(),
                            source: std::io::Error::other("session creation panicked"),
                        })
                    })
                    .map(|(session, _)| session)
            })
            .collect()
    })
}

/// The model file's bytes, read on first use.
struct ModelBytes<'a> {
    path: &'a Path,
    bytes: std::sync::OnceLock<Vec<u8>>,
    /// The bytes for the CPU: with [`ModelOptions::parallel_kernels`], the model rewritten by
    /// [`parallel::parallelise`] (`None` when it had nothing to rewrite).
    cpu: std::sync::OnceLock<Option<Vec<u8>>>,
}

impl<'a> ModelBytes<'a> {
    fn new(path: &'a Path) -> Self {
        Self {
            path,
            bytes: std::sync::OnceLock::new(),
            cpu: std::sync::OnceLock::new(),
        }
    }

    /// Whether [`cpu`](Self::cpu) gave the model rewritten for the parallel kernels.
    fn was_rewritten(&self) -> bool {
        matches!(self.cpu.get(), Some(Some(_)))
    }

    /// The bytes CPU sessions are made from (see [`ModelOptions::parallel_kernels`]).
    fn cpu(&self, options: &ModelOptions) -> Result<&[u8], Error> {
        let bytes = self.get()?;
        if !options.parallel_kernels {
            return Ok(bytes);
        }
        let rewritten = self.cpu.get_or_init(|| parallel::parallelise(bytes));
        Ok(rewritten.as_deref().unwrap_or(bytes))
    }

    fn get(&self) -> Result<&[u8], Error> {
        if let Some(bytes) = self.bytes.get() {
            return Ok(bytes);
        }
        let read = std::fs::read(self.path).map_err(|source| Error::ModelFile {
            path: self.path.to_path_buf(),
            source,
        })?;
        Ok(self.bytes.get_or_init(|| read))
    }
}

/// What a session is made from.
#[derive(Clone, Copy)]
enum Load<'a> {
    /// The model file's bytes, optimised as the session is made.
    Bytes(&'a [u8]),
    /// The bytes, optimised, and the optimised model saved to this file.
    BytesSaving(&'a [u8], &'a Path),
    /// A model this ONNX Runtime optimised before, loaded without optimising again.
    Optimized(&'a Path),
}

fn create_session(
    rt: &Runtime,
    path: &Path,
    load: Load<'_>,
    prepacked: &PrepackedWeights,
    options: &ModelOptions,
    providers: &[ExecutionProvider],
) -> Result<(Session, Vec<ExecutionProvider>), Error> {
    let option_error = |context| {
        move |e: ort::Error<SessionBuilder>| Error::Runtime {
            context,
            source: e.into(),
        }
    };
    let mut builder = Session::builder(&rt.env).map_err(|source| Error::Runtime {
        context: "create session options",
        source,
    })?;
    if let Some(threads) = options.intra_threads {
        builder = builder
            .with_intra_threads(threads)
            .map_err(option_error("set the intra-op thread count"))?;
    }
    if let Some(threads) = options.inter_threads {
        builder = builder
            .with_inter_threads(threads)
            .map_err(option_error("set the inter-op thread count"))?;
    }
    if let Some(spin) = options.intra_spinning {
        builder = builder
            .with_intra_op_spinning(spin)
            .map_err(option_error("set intra-op spinning"))?;
    }
    builder = builder
        .with_prepacked_weights(prepacked)
        .map_err(option_error("share prepacked weights"))?;
    if providers.is_empty() && options.parallel_kernels {
        let domain = parallel::domain().map_err(|source| Error::Runtime {
            context: "register the parallel kernels",
            source,
        })?;
        builder = builder
            .with_operators(domain)
            .map_err(option_error("register the parallel kernels"))?;
    }
    let mut active = Vec::new();
    for provider in providers {
        let outcome = match provider.dispatch() {
            None => Err(format!(
                "kittentts-onnx was built without its `{}` feature",
                provider.feature().unwrap_or("?")
            )),
            Some(dispatch) => dispatch.register(&mut builder).map_err(|e| e.to_string()),
        };
        match outcome {
            Ok(()) => active.push(*provider),
            Err(reason) if options.require_providers => {
                return Err(Error::ProviderUnavailable {
                    provider: *provider,
                    reason,
                });
            }
            Err(reason) => {
                tracing::warn!(%provider, %reason, "execution provider unavailable; falling back to the CPU");
            }
        }
    }
    let committed = match load {
        Load::Bytes(bytes) => builder.commit_from_memory(bytes),
        // ONNX Runtime warns that the saved model is for this CPU only: the cache's file
        // name holds the CPU's features for that reason, so the warning is not passed on.
        // The initializers go to a file of their own beside the graph (named relative to
        // it): a session made from the saved graph maps them from that file, so that the
        // sessions of one process share one copy of the weights.
        Load::BytesSaving(bytes, save) => builder
            .with_log_level(ort::logging::LogLevel::Error)
            .map_err(option_error("set the log level"))?
            .with_optimized_model_path(save)
            .map_err(option_error("set the optimised model's path"))?
            .with_config_entry(
                "session.optimized_model_external_initializers_file_name",
                weights_file(Path::new(save.file_name().unwrap_or_default())).to_string_lossy(),
            )
            .map_err(option_error("set the optimised model's weights file"))?
            .with_config_entry(
                "session.optimized_model_external_initializers_min_size_in_bytes",
                EXTERNAL_MIN_BYTES,
            )
            .map_err(option_error("set the optimised model's weights threshold"))?
            .commit_from_memory(bytes),
        Load::Optimized(file) => builder
            .with_optimization_level(ort::session::builder::GraphOptimizationLevel::Disable)
            .map_err(option_error("turn graph optimisation off"))?
            .commit_from_file(file),
    };
    let session = committed.map_err(|source| Error::InvalidModel {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((session, active))
}

/// The file in `dir` that holds `path`'s model as this ONNX Runtime optimises it on this CPU:
/// named by the model file (path, size, modification time), the runtime's version, the
/// machine's architecture and CPU features and the inter-op thread setting, so that any change makes
/// a new one.
fn optimized_file(dir: &Path, path: &Path, rt: &Runtime, options: &ModelOptions) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    OPTIMIZED_FORMAT.hash(&mut h);
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .hash(&mut h);
    if let Ok(meta) = std::fs::metadata(path) {
        meta.len().hash(&mut h);
        meta.modified().ok().hash(&mut h);
    }
    rt.version.hash(&mut h);
    std::env::consts::ARCH.hash(&mut h);
    cpu_features().hash(&mut h);
    // Not the intra-op threads: the graph does not depend on them, and the wide and narrow
    // sessions of adaptive threads then share one file (and its weights).
    options.inter_threads.hash(&mut h);
    options.parallel_kernels.hash(&mut h);
    let stem = path
        .file_stem()
        .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned());
    dir.join(format!("{stem}-{:016x}.onnx", h.finish()))
}

/// Bumped when the way optimised models are made or named changes (2: weights in a file of
/// their own; one file for every thread count; 3: with or without the parallel kernels; 4: the
/// fused normalisation and snake chains; 5: the direct integer convolutions).
const OPTIMIZED_FORMAT: u32 = 5;

/// Initializers at least this large go to the optimised model's weights file; smaller ones
/// (shapes, scalars) stay in its graph.
const EXTERNAL_MIN_BYTES: &str = "1024";

/// The CPU features ONNX Runtime's kernels choose between, as a bit set.
fn cpu_features() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        let flags = [
            std::arch::is_x86_feature_detected!("sse4.1"),
            std::arch::is_x86_feature_detected!("avx"),
            std::arch::is_x86_feature_detected!("avx2"),
            std::arch::is_x86_feature_detected!("fma"),
            std::arch::is_x86_feature_detected!("f16c"),
            std::arch::is_x86_feature_detected!("avx512f"),
            std::arch::is_x86_feature_detected!("avx512bw"),
            std::arch::is_x86_feature_detected!("avx512vl"),
            std::arch::is_x86_feature_detected!("avx512vnni"),
            std::arch::is_x86_feature_detected!("avxvnni"),
        ];
        flags
            .iter()
            .enumerate()
            .fold(0, |acc, (i, &on)| acc | (u64::from(on) << i))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        0
    }
}

struct Contract {
    style_shape: Vec<usize>,
    waveform_output: Output,
    duration_output: Option<Output>,
}

fn output((index, outlet): (usize, &Outlet)) -> Output {
    Output {
        index,
        name: outlet.name().to_owned(),
    }
}

/// One of the session's outputs: its position in the session's outputs, and its name.
#[derive(Debug)]
struct Output {
    index: usize,
    name: String,
}

fn describe(outlets: &[Outlet]) -> String {
    outlets
        .iter()
        .map(|o| format!("{}: {}", o.name(), type_name(o.dtype())))
        .collect::<Vec<_>>()
        .join(", ")
}

fn type_name(ty: &ValueType) -> String {
    match ty {
        ValueType::Tensor { ty, shape, .. } => format!("{ty:?} {:?}", &**shape),
        other => format!("{other:?}"),
    }
}

fn tensor_type(ty: &ValueType) -> Option<TensorElementType> {
    match ty {
        ValueType::Tensor { ty, .. } => Some(*ty),
        _ => None,
    }
}

fn check_contract(path: &Path, inputs: &[Outlet], outputs: &[Outlet]) -> Result<Contract, Error> {
    let mut problems = Vec::new();
    let expected = [
        (INPUT_IDS, TensorElementType::Int64),
        (STYLE, TensorElementType::Float32),
        (SPEED, TensorElementType::Float32),
    ];
    for (name, ty) in expected {
        match inputs.iter().find(|o| o.name() == name) {
            None => problems.push(format!("missing input `{name}` ({ty:?})")),
            Some(o) if tensor_type(o.dtype()) != Some(ty) => problems.push(format!(
                "input `{name}` is {}, expected a {ty:?} tensor",
                type_name(o.dtype())
            )),
            Some(_) => {}
        }
    }
    for o in inputs {
        if !expected.iter().any(|(name, _)| *name == o.name()) {
            problems.push(format!("unexpected input `{}`", o.name()));
        }
    }
    let find = |f: &dyn Fn(&Outlet) -> bool| outputs.iter().enumerate().find(|(_, o)| f(o));
    let waveform = find(&|o| o.name() == WAVEFORM)
        .or_else(|| find(&|o| tensor_type(o.dtype()) == Some(TensorElementType::Float32)));
    match waveform {
        None => problems.push("no float32 output for the waveform".to_owned()),
        Some((_, o)) if tensor_type(o.dtype()) != Some(TensorElementType::Float32) => problems
            .push(format!(
                "output `{}` is {}, expected a Float32 tensor",
                o.name(),
                type_name(o.dtype())
            )),
        Some(_) => {}
    }
    let duration = find(&|o| o.name() == DURATION);
    if let Some((_, o)) = duration
        && tensor_type(o.dtype()) != Some(TensorElementType::Int64)
    {
        problems.push(format!(
            "output `{DURATION}` is {}, expected an Int64 tensor",
            type_name(o.dtype())
        ));
    }
    let (Some(waveform), true) = (waveform, problems.is_empty()) else {
        return Err(Error::ContractMismatch {
            path: path.to_path_buf(),
            details: format!(
                "{}; the model has inputs [{}] and outputs [{}]",
                problems.join("; "),
                describe(inputs),
                describe(outputs)
            ),
        });
    };
    let style_shape = inputs
        .iter()
        .find(|o| o.name() == STYLE)
        .and_then(|o| match o.dtype() {
            ValueType::Tensor { shape, .. } => shape
                .iter()
                .map(|&d| usize::try_from(d).ok().filter(|&d| d > 0))
                .collect::<Option<Vec<usize>>>(),
            _ => None,
        })
        .filter(|dims| !dims.is_empty())
        .unwrap_or_else(|| vec![1, STYLE_DIM]);
    Ok(Contract {
        style_shape,
        waveform_output: output(waveform),
        duration_output: duration.map(output),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_flight_is_a_count_or_none() {
        let parse = |s: &str| s.parse::<IdsInFlight>();
        assert_eq!(parse("256"), Ok(IdsInFlight(Some(256))));
        assert_eq!(parse(" 0 "), Ok(IdsInFlight(Some(0))));
        assert_eq!(parse("none"), Ok(IdsInFlight(None)));
        assert_eq!(parse("None"), Ok(IdsInFlight(None)));
        for bad in ["", "-1", "1.5", "all", "12 ids"] {
            let e = parse(bad).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("`{bad}` is neither a count of ids nor `none`")
            );
        }
        assert_eq!(
            ModelOptions::default().ids_in_flight,
            Some(DEFAULT_IDS_IN_FLIGHT)
        );
    }
}
