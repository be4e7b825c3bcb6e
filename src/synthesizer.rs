//! The [`Synthesizer`] and its builder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kittentts_onnx::{AcousticModel, ExecutionProvider, ModelOptions};
use kittentts_phonemize::EspeakConfig;
use kittentts_text::NormalizeOptions;
use kittentts_voices::{ModelConfig, Voices};

use crate::frontend::{Analysis, Frontend};
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
}

impl Default for SynthesisOptions {
    fn default() -> Self {
        Self {
            voice: DEFAULT_VOICE.to_owned(),
            speed: 1.0,
            normalize: true,
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

    /// The libespeak-ng shared library to load (default: `KITTENTTS_ESPEAK_LIBRARY`, then the
    /// fetched runtime folder, then the system's `libespeak-ng.so.1`).
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

    /// The ONNX Runtime shared library to load (default: `ORT_DYLIB_PATH`, then the fetched
    /// runtime folder, then the system's).
    pub fn onnx_runtime(mut self, path: impl Into<PathBuf>) -> Self {
        self.onnx.ort_library = Some(path.into());
        self
    }

    /// Threads ONNX Runtime uses inside one operator (default: its own choice).
    pub fn intra_threads(mut self, threads: usize) -> Self {
        self.onnx.intra_threads = Some(threads);
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
    pub fn build(self) -> Result<Synthesizer> {
        let dir = self.resolve_model_dir()?;
        let config = ModelConfig::from_file(&dir.join("config.json"))?;
        let voices = Voices::load(&config, &dir)?;
        let frontend = Frontend::new(&self.espeak, self.normalize)?;
        let model = AcousticModel::load(&dir.join(&config.model_file), &self.onnx)?;
        tracing::debug!(model_dir = %dir.display(), espeak = frontend.espeak_version(), "synthesizer ready");
        Ok(Synthesizer {
            inner: Arc::new(Inner {
                frontend,
                voices,
                model,
                config,
                model_dir: dir,
            }),
        })
    }

    fn resolve_model_dir(&self) -> Result<PathBuf> {
        match &self.model {
            None => Err(Error::NoModel),
            Some(ModelSpec::Dir(dir)) => local_dir(dir),
            Some(ModelSpec::Spec(spec)) => {
                let path = Path::new(spec);
                if path.is_dir() {
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

fn local_dir(dir: &Path) -> Result<PathBuf> {
    if dir.is_dir() {
        Ok(dir.to_path_buf())
    } else {
        Err(Error::ModelDirNotFound {
            path: dir.to_path_buf(),
        })
    }
}

struct Inner {
    frontend: Frontend,
    voices: Voices,
    model: AcousticModel,
    config: ModelConfig,
    model_dir: PathBuf,
}

/// English text to 24 kHz speech with a KittenTTS model.
///
/// `Send + Sync` and cheap to clone (the model is shared); every method takes `&self`, so
/// one synthesizer serves many threads.
#[derive(Clone)]
pub struct Synthesizer {
    inner: Arc<Inner>,
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

    /// Speaks `text`.
    ///
    /// Each chunk is synthesised as the reference does it: its waveform minus the last
    /// [`REFERENCE_TRIM_SAMPLES`] samples, chunks concatenated.
    ///
    /// # Errors
    /// [`Error::UnknownVoice`], [`Error::InvalidSpeed`], and [`Error::EmptyText`] when the
    /// text is empty, whitespace only, or normalises to nothing; layer errors otherwise.
    pub fn synthesize(&self, text: &str, options: &SynthesisOptions) -> Result<Audio> {
        let voice = self.resolve_voice(&options.voice)?;
        let speed = voice
            .effective_speed(options.speed)
            .map_err(|_| Error::InvalidSpeed {
                speed: options.speed,
            })?;
        let analysis = self.analyze(text, options.normalize)?;
        if analysis.chunks.is_empty() {
            return Err(Error::EmptyText);
        }
        let mut samples = Vec::new();
        for chunk in &analysis.chunks {
            let style = voice.table().style_row(&chunk.text);
            let out = self.inner.model.run(&chunk.input_ids, style, speed)?;
            let keep = out.waveform.len().saturating_sub(REFERENCE_TRIM_SAMPLES);
            samples.extend_from_slice(&out.waveform[..keep]);
        }
        Ok(Audio::new(samples))
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

    fn resolve_voice(&self, name: &str) -> Result<kittentts_voices::Voice<'_>> {
        self.inner.voices.resolve(name).map_err(|e| match e {
            kittentts_voices::Error::UnknownVoice { name, available } => {
                Error::UnknownVoice { name, available }
            }
            other => Error::Voices(other),
        })
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
