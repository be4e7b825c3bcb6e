//! `kittentts_rs._native`: the Python module over the `kittentts` facade.
//!
//! The Rust crates know nothing of Python; this module converts at the edge (options from
//! keyword arguments, samples into NumPy arrays without a copy, byte offsets into character
//! offsets), releases the GIL around everything that is not Python, and maps the facade's
//! errors to the exception classes of `kittentts_rs.errors`. The Python layer beside it
//! (`python/kittentts_rs/`) adds runtime discovery, `astream` and the drop-in classes.

mod errors;
mod options;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use numpy::{IntoPyArray, PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyDictMethods, PyTuple};

use crate::errors::{IntoPyResult, invalid};
use crate::options::{CharOffsets, provider_from, synthesis_options};

/// When one written word of the input is spoken.
#[pyclass(module = "kittentts_rs", frozen, get_all, eq)]
#[derive(Debug, Clone, PartialEq)]
struct WordTiming {
    /// The word as written in the input (`"$5.99"`, not "five dollars…").
    word: String,
    /// When it starts, in seconds from the start of the audio.
    start: f64,
    /// When it ends, in seconds from the start of the audio.
    end: f64,
    /// Its place in the input text as `(start, end)` character offsets: `text[start:end]`.
    text_range: (usize, usize),
}

#[pymethods]
impl WordTiming {
    fn __repr__(&self) -> String {
        format!(
            "WordTiming(word={:?}, start={:.3}, end={:.3}, text_range={:?})",
            self.word, self.start, self.end, self.text_range
        )
    }
}

fn words(list: Vec<kittentts::WordTiming>, offsets: &CharOffsets) -> Vec<WordTiming> {
    list.into_iter()
        .map(|w| WordTiming {
            text_range: offsets.range(&w.text_range),
            word: w.word,
            start: w.start,
            end: w.end,
        })
        .collect()
}

/// Synthesised speech: 1-D float32 samples at `sample_rate` (24 000) Hz.
#[pyclass(module = "kittentts_rs", frozen)]
struct Audio {
    samples: Py<PyArray1<f32>>,
    sample_rate: u32,
    len: usize,
    words: Vec<WordTiming>,
}

#[pymethods]
impl Audio {
    /// The samples, a 1-D `np.float32` array (the Rust buffer, moved, not copied).
    #[getter]
    fn samples(&self, py: Python<'_>) -> Py<PyArray1<f32>> {
        self.samples.clone_ref(py)
    }

    /// Samples per second: 24000.
    #[getter]
    fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// How long the audio plays, in seconds.
    #[getter]
    fn duration(&self) -> f64 {
        self.len as f64 / f64::from(self.sample_rate)
    }

    /// When each written word is spoken (with `word_timings=True`; empty otherwise).
    #[getter]
    fn words(&self) -> Vec<WordTiming> {
        self.words.clone()
    }

    /// The audio encoded as `format`: "wav" (16-bit), "wav-f32", "pcm", "f32", "flac",
    /// "mp3" or "opus".
    #[pyo3(signature = (format = "wav"))]
    fn to_bytes<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Py<pyo3::types::PyBytes>> {
        let bytes = encode(py, self.samples.bind(py), self.sample_rate, format)?;
        Ok(pyo3::types::PyBytes::new(py, &bytes).unbind())
    }

    /// Writes the audio to `path`, in `format` or else by the file's extension (`.flac`,
    /// `.mp3`, `.opus`/`.ogg`, `.pcm`; WAV otherwise).
    #[pyo3(signature = (path, format = None))]
    fn save(&self, py: Python<'_>, path: PathBuf, format: Option<&str>) -> PyResult<()> {
        write_file(py, self.samples.bind(py), self.sample_rate, &path, format)
    }

    fn __len__(&self) -> usize {
        self.len
    }

    fn __repr__(&self) -> String {
        format!(
            "Audio(samples={}, sample_rate={}, duration={:.3}, words={})",
            self.len,
            self.sample_rate,
            self.duration(),
            self.words.len()
        )
    }
}

/// `samples` encoded as `format`.
fn encode(
    py: Python<'_>,
    samples: &Bound<'_, PyArray1<f32>>,
    sample_rate: u32,
    format: &str,
) -> PyResult<Vec<u8>> {
    let format: kittentts_audio::Format = format
        .parse()
        .map_err(|e: kittentts_audio::Error| invalid(py, errors::message(&e)))?;
    let readonly = samples.readonly();
    let slice = readonly
        .as_slice()
        .map_err(|e| invalid(py, format!("samples: {e}")))?;
    py.detach(|| kittentts_audio::encode(format, sample_rate, slice))
        .map_err(|e| invalid(py, errors::message(&e)))
}

/// `samples` written to `path` in `format` or by its extension.
fn write_file(
    py: Python<'_>,
    samples: &Bound<'_, PyArray1<f32>>,
    sample_rate: u32,
    path: &std::path::Path,
    format: Option<&str>,
) -> PyResult<()> {
    let name = match format {
        Some(f) => f.to_owned(),
        None => kittentts_audio::Format::from_extension(path)
            .unwrap_or(kittentts_audio::Format::Wav)
            .to_string(),
    };
    let bytes = encode(py, samples, sample_rate, &name)?;
    py.detach(|| std::fs::write(path, bytes))
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("{}: {e}", path.display())))
}

/// `samples` (any 1-D float32 array) written to `path` at `sample_rate`, by its extension:
/// what the drop-in classes' `generate_to_file` does.
#[pyfunction]
#[pyo3(signature = (path, samples, sample_rate = 24000, format = None))]
fn write_audio(
    py: Python<'_>,
    path: PathBuf,
    samples: Bound<'_, PyArray1<f32>>,
    sample_rate: u32,
    format: Option<&str>,
) -> PyResult<()> {
    write_file(py, &samples, sample_rate, &path, format)
}

/// One chunk of a stream: its samples, where it came from and its words' timings.
#[pyclass(module = "kittentts_rs", frozen, get_all)]
struct AudioChunk {
    /// The chunk's position in the stream: 0, 1, 2…
    index: usize,
    /// Its samples, a 1-D `np.float32` array at 24 kHz.
    samples: Py<PyArray1<f32>>,
    /// Samples per second: 24000.
    sample_rate: u32,
    /// The text the model spoke (normalised).
    text: String,
    /// The part of the input it speaks, as `(start, end)` character offsets.
    text_range: (usize, usize),
    /// Its words' timings, in seconds from the start of the stream.
    words: Vec<WordTiming>,
}

#[pymethods]
impl AudioChunk {
    /// How long the chunk plays, in seconds.
    #[getter]
    fn duration(&self, py: Python<'_>) -> f64 {
        numpy::PyUntypedArrayMethods::len(self.samples.bind(py)) as f64
            / f64::from(self.sample_rate)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "AudioChunk(index={}, samples={}, text={:?}, text_range={:?})",
            self.index,
            numpy::PyUntypedArrayMethods::len(self.samples.bind(py)),
            self.text,
            self.text_range
        )
    }
}

/// A stream of `AudioChunk`s: each `next()` releases the GIL while the model works; the
/// chunks after it are made meanwhile. Dropping, closing or cancelling it stops the work.
#[pyclass(module = "kittentts_rs")]
struct AudioStream {
    stream: Mutex<Option<kittentts::SynthesisStream>>,
    canceller: kittentts::StreamCanceller,
    offsets: Arc<CharOffsets>,
}

#[pymethods]
impl AudioStream {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<AudioChunk>> {
        let next = py.detach(|| {
            let mut guard = self.stream.lock().unwrap_or_else(PoisonError::into_inner);
            let item = guard.as_mut().and_then(Iterator::next);
            if item.is_none() {
                *guard = None;
            }
            item
        });
        match next {
            None => Ok(None),
            Some(Err(e)) => Err(errors::to_py(py, &e)),
            Some(Ok(chunk)) => Ok(Some(AudioChunk {
                index: chunk.index,
                text_range: self.offsets.range(&chunk.text_range),
                words: words(chunk.words, &self.offsets),
                sample_rate: chunk.sample_rate,
                text: chunk.text,
                samples: chunk.samples.into_pyarray(py).unbind(),
            })),
        }
    }

    /// Stops the work; the stream then ends. Safe from any thread, even while another is in
    /// `next()`.
    fn cancel(&self) {
        self.canceller.cancel();
    }

    /// Stops the work and frees the stream.
    fn close(&self, py: Python<'_>) {
        self.canceller.cancel();
        py.detach(|| {
            let stream = self
                .stream
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            drop(stream);
        });
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }
}

/// The speech synthesizer: a model, its voices and a pool of ONNX Runtime sessions, shared by
/// any number of Python threads.
#[pyclass(module = "kittentts_rs", frozen)]
struct Synthesizer {
    inner: kittentts::Synthesizer,
}

/// Where the native runtimes are, from `kittentts_rs._runtimes.discover()`.
struct Runtimes {
    onnxruntime: Option<PathBuf>,
    espeak_library: Option<PathBuf>,
    espeak_data: Option<PathBuf>,
}

fn discover_runtimes(py: Python<'_>) -> PyResult<Runtimes> {
    let found = py
        .import("kittentts_rs._runtimes")?
        .call_method0("discover")?;
    let dict = found.cast::<PyDict>()?;
    let path = |key: &str| -> PyResult<Option<PathBuf>> {
        match dict.get_item(key)? {
            Some(v) if !v.is_none() => Ok(Some(v.extract()?)),
            _ => Ok(None),
        }
    };
    Ok(Runtimes {
        onnxruntime: path("onnxruntime")?,
        espeak_library: path("espeak_library")?,
        espeak_data: path("espeak_data")?,
    })
}

/// A lexicon from a file path or a `{word: ipa}` dict.
fn lexicon_from(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<kittentts::Lexicon> {
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut lexicon = kittentts::Lexicon::new();
        for (word, ipa) in dict.iter() {
            let (word, ipa): (String, String) = (word.extract()?, ipa.extract()?);
            lexicon
                .insert(&word, &ipa)
                .map_err(kittentts::Error::from)
                .py_err(py)?;
        }
        return Ok(lexicon);
    }
    let path: PathBuf = value
        .extract()
        .map_err(|_| invalid(py, "lexicon must be a file path or a dict of word → IPA"))?;
    py.detach(|| kittentts::Lexicon::from_file(&path))
        .map_err(kittentts::Error::from)
        .py_err(py)
}

/// A model given as files: `(model_path, voices_path, speed_priors, voice_aliases)`.
fn model_files_from(value: &Bound<'_, PyAny>) -> PyResult<kittentts::ModelFiles> {
    let (model, voices, priors, aliases): (
        PathBuf,
        PathBuf,
        std::collections::BTreeMap<String, f64>,
        std::collections::BTreeMap<String, String>,
    ) = value.extract()?;
    Ok(kittentts::ModelFiles::new(model, voices)
        .with_speed_priors(priors)
        .with_voice_aliases(aliases))
}

#[pymethods]
impl Synthesizer {
    /// Loads a model: a local folder, a Hugging Face repo id or a bare KittenML name
    /// (downloaded into the Hugging Face cache). See the stub for every argument.
    #[new]
    #[pyo3(signature = (
        model = "kitten-tts-nano-0.8-int8",
        *,
        sessions = None,
        threads = None,
        adaptive_threads = true,
        cache_dir = None,
        offline = false,
        lexicon = None,
        provider = "cpu",
        strict_espeak = false,
        onnxruntime = None,
        espeak_library = None,
        espeak_data = None,
        model_files = None,
        max_text_chars = None,
        max_audio_seconds = None,
        ids_in_flight = Some(kittentts::onnx::DEFAULT_IDS_IN_FLIGHT),
        chunks_at_once = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        model: &str,
        sessions: Option<usize>,
        threads: Option<usize>,
        adaptive_threads: bool,
        cache_dir: Option<PathBuf>,
        offline: bool,
        lexicon: Option<Bound<'_, PyAny>>,
        provider: &str,
        strict_espeak: bool,
        onnxruntime: Option<PathBuf>,
        espeak_library: Option<PathBuf>,
        espeak_data: Option<PathBuf>,
        model_files: Option<Bound<'_, PyAny>>,
        max_text_chars: Option<usize>,
        max_audio_seconds: Option<f64>,
        ids_in_flight: Option<usize>,
        chunks_at_once: Option<usize>,
    ) -> PyResult<Self> {
        let found = discover_runtimes(py)?;
        let mut builder = kittentts::Synthesizer::builder().strict_espeak_version(strict_espeak);
        builder = match model_files {
            Some(files) => builder.model_files(model_files_from(&files)?),
            None => builder.model(model),
        };
        if let Some(path) = onnxruntime.or(found.onnxruntime) {
            builder = builder.onnx_runtime(path);
        }
        if let Some(path) = espeak_library.or(found.espeak_library) {
            builder = builder.espeak_library(path);
        }
        if let Some(path) = espeak_data.or(found.espeak_data) {
            builder = builder.espeak_data(path);
        }
        if let Some(n) = sessions {
            builder = builder.sessions(n);
        }
        if let Some(n) = threads {
            builder = builder.intra_threads(n);
        }
        builder = builder
            .adaptive_threads(adaptive_threads)
            .ids_in_flight(ids_in_flight);
        if let Some(n) = chunks_at_once {
            builder = builder.chunks_at_once(n);
        }
        if let Some(n) = max_text_chars {
            builder = builder.max_text_chars(n);
        }
        if let Some(s) = max_audio_seconds {
            builder = builder.max_audio_seconds(s);
        }
        if cache_dir.is_some() || offline {
            let mut hub = kittentts::hub::HubOptions::from_env();
            if let Some(dir) = cache_dir {
                hub = hub.with_cache_dir(dir);
            }
            if offline {
                hub = hub.with_offline(true);
            }
            builder = builder.hub_options(hub);
        }
        if let Some(lexicon) = lexicon {
            builder = builder.lexicon(lexicon_from(py, &lexicon)?);
        }
        let provider = provider_from(py, provider)?;
        if provider != kittentts::ExecutionProvider::Cpu {
            builder = builder
                .execution_provider(provider)
                .require_execution_providers(true);
        }
        let inner = py.detach(|| builder.build()).py_err(py)?;
        Ok(Self { inner })
    }

    /// Speaks `text`; returns the whole `Audio`. The GIL is released while it works.
    #[pyo3(signature = (
        text, *, voice = None, speed = 1.0, normalize = true, ending = "auto", pauses = None,
        word_timings = false, first_chunk = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn synthesize(
        &self,
        py: Python<'_>,
        text: &str,
        voice: Option<String>,
        speed: f64,
        normalize: bool,
        ending: &str,
        pauses: Option<Bound<'_, PyAny>>,
        word_timings: bool,
        first_chunk: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Audio> {
        let options = synthesis_options(
            py,
            voice,
            speed,
            normalize,
            ending,
            pauses.as_ref(),
            word_timings,
            first_chunk.as_ref(),
        )?;
        let audio = py
            .detach(|| self.inner.synthesize(text, &options))
            .py_err(py)?;
        // Character offsets only when there are words to place.
        let words = if audio.words.is_empty() {
            Vec::new()
        } else {
            words(audio.words, &CharOffsets::new(text))
        };
        Ok(Audio {
            len: audio.samples.len(),
            sample_rate: audio.sample_rate,
            words,
            samples: audio.samples.into_pyarray(py).unbind(),
        })
    }

    /// Speaks `text` chunk by chunk: an iterator of `AudioChunk`. Arguments as `synthesize`.
    #[pyo3(signature = (
        text, *, voice = None, speed = 1.0, normalize = true, ending = "auto", pauses = None,
        word_timings = false, first_chunk = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn stream(
        &self,
        py: Python<'_>,
        text: &str,
        voice: Option<String>,
        speed: f64,
        normalize: bool,
        ending: &str,
        pauses: Option<Bound<'_, PyAny>>,
        word_timings: bool,
        first_chunk: Option<Bound<'_, PyAny>>,
    ) -> PyResult<AudioStream> {
        let options = synthesis_options(
            py,
            voice,
            speed,
            normalize,
            ending,
            pauses.as_ref(),
            word_timings,
            first_chunk.as_ref(),
        )?;
        let stream = py.detach(|| self.inner.stream(text, &options)).py_err(py)?;
        Ok(AudioStream {
            canceller: stream.canceller(),
            stream: Mutex::new(Some(stream)),
            offsets: Arc::new(CharOffsets::new(text)),
        })
    }

    /// Speaks `text` chunk by chunk for asyncio: an async iterator of `AudioChunk`. The first
    /// chunk arrives while the rest is being made; cancelling the consuming task (or leaving
    /// the `async for`) stops the work. Arguments as `synthesize`.
    #[pyo3(signature = (text, **kwargs))]
    fn astream<'py>(
        slf: &Bound<'py, Self>,
        text: &str,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        py.import("kittentts_rs._aio")?
            .getattr("astream")?
            .call((slf, text), kwargs)
    }

    /// The ONNX model file.
    #[getter]
    fn model_path(&self) -> PathBuf {
        self.inner.model_dir().join(&self.inner.config().model_file)
    }

    /// The voices archive.
    #[getter]
    fn voices_path(&self) -> PathBuf {
        self.inner
            .model_dir()
            .join(&self.inner.config().voices_file)
    }

    /// The names a `voice` argument takes: aliases (`Leo`) first, then voice ids.
    #[getter]
    fn voices(&self) -> Vec<String> {
        self.inner.voices().into_iter().map(|v| v.name).collect()
    }

    /// `{name: voice id}` for every name in `voices`.
    #[getter]
    fn voice_ids(&self) -> std::collections::BTreeMap<String, String> {
        self.inner
            .voices()
            .into_iter()
            .map(|v| (v.name, v.id))
            .collect()
    }

    /// The model config's speed priors: `{voice id: factor}`.
    #[getter]
    fn speed_priors(&self) -> std::collections::BTreeMap<String, f64> {
        self.inner.config().speed_priors.clone()
    }

    /// The spoken form of `text` (numbers, money, dates… in words).
    fn normalize(&self, py: Python<'_>, text: &str) -> String {
        py.detach(|| self.inner.normalize(text))
    }

    /// The IPA phonemes of `text` as one chunk, as the model gets them: not normalised (call
    /// `normalize` first for written forms), a lexicon's words as it says.
    fn phonemize(&self, py: Python<'_>, text: &str) -> PyResult<String> {
        py.detach(|| self.inner.phonemize(text)).py_err(py)
    }

    /// The model's token ids for `text` as one chunk (not normalised, without the wrapping
    /// `[0] … [10, 0]`).
    fn token_ids(&self, py: Python<'_>, text: &str) -> PyResult<Vec<i64>> {
        py.detach(|| self.inner.token_ids(text)).py_err(py)
    }

    /// The libespeak-ng version in use ("1.52.0" for the reference's).
    #[getter]
    fn espeak_version(&self) -> String {
        self.inner.espeak_version().to_owned()
    }

    /// Samples per second: 24000.
    #[getter]
    fn sample_rate(&self) -> u32 {
        kittentts::SAMPLE_RATE
    }

    /// ONNX Runtime sessions (runs at once).
    #[getter]
    fn sessions(&self) -> usize {
        self.inner.sessions()
    }

    /// Intra-op threads per session.
    #[getter]
    fn threads(&self) -> usize {
        self.inner.intra_threads()
    }

    /// Whether the thread count follows the load (a run alone has every thread, runs side
    /// by side a share): asked for with `adaptive_threads` and possible here (more than one
    /// session, more than one thread, the CPU).
    #[getter]
    fn adaptive_threads(&self) -> bool {
        self.inner.model().adaptive_threads()
    }

    /// The most input ids that runs going at once hold together; `None`: no limit.
    #[getter]
    fn ids_in_flight(&self) -> Option<usize> {
        self.inner.model().ids_in_flight()
    }

    /// How many chunks of one text run at once.
    #[getter]
    fn chunks_at_once(&self) -> usize {
        self.inner.chunks_at_once()
    }

    /// The folder the model was loaded from.
    #[getter]
    fn model_dir(&self) -> PathBuf {
        self.inner.model_dir().to_path_buf()
    }

    fn __repr__(&self) -> String {
        format!(
            "Synthesizer(model_dir={:?}, sessions={}, threads={})",
            self.inner.model_dir(),
            self.inner.sessions(),
            self.inner.intra_threads()
        )
    }
}

/// The compiled part of `kittentts_rs`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Synthesizer>()?;
    m.add_class::<Audio>()?;
    m.add_class::<AudioChunk>()?;
    m.add_class::<AudioStream>()?;
    m.add_class::<WordTiming>()?;
    m.add_function(wrap_pyfunction!(write_audio, m)?)?;
    m.add("SAMPLE_RATE", kittentts::SAMPLE_RATE)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
