//! Model specs that name Hugging Face Hub repos: config.json first, then the files it names.

use std::path::PathBuf;
use std::sync::Arc;

use kittentts_hub::{Hub, HubOptions, ModelSource, Progress};
use kittentts_voices::ModelConfig;

use crate::Result;
use crate::synthesizer::DownloadProgress;

/// Resolves `spec` to a local folder holding config.json and the model and voices files it
/// names, downloading what the Hugging Face cache lacks (nothing when everything is cached).
pub(crate) fn fetch_model(
    spec: &str,
    options: Option<HubOptions>,
    progress: Option<Arc<DownloadProgress>>,
) -> Result<PathBuf> {
    let source = ModelSource::resolve_spec(spec)?;
    if let ModelSource::Local(dir) = source {
        return Ok(dir);
    }
    let hub = match options {
        Some(options) => Hub::new(options)?,
        None => Hub::from_env()?,
    };
    let report = |p: Progress| {
        if let Some(progress) = &progress {
            progress(&p);
        }
    };
    let config_path = hub.locate(&source, "config.json", Some(&report))?;
    // Parsed (and so validated) before anything large is downloaded.
    let config = ModelConfig::from_file(&config_path)?;
    hub.locate(&source, &config.model_file, Some(&report))?;
    hub.locate(&source, &config.voices_file, Some(&report))?;
    // All three now live in one snapshot folder, laid out like the repo.
    Ok(config_path.parent().map(PathBuf::from).unwrap_or_default())
}
