//! The one search order for both native runtimes (see [`kittentts_runtimes`]), applied before
//! anything is loaded, and the error that lists every place tried.

use std::path::{Path, PathBuf};

use kittentts_onnx::ModelOptions;
use kittentts_phonemize::EspeakConfig;
use kittentts_runtimes::{Library, Located, Place};

use crate::{Error, Result};

/// This repository's `runtimes/` folder (filled by `scripts/fetch-runtimes.sh`), found by
/// binaries built here; for a published copy of the crate it names a folder that does not
/// exist, and is skipped.
fn build_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("runtimes")
}

/// Where `library` would be loaded from by the search order (see "Native runtimes" in the
/// crate docs), with every place looked at: what `kittentts runtimes status` prints.
///
/// # Errors
/// [`Error::Runtime`] when a place is unusable (a variable naming nothing, a bad file).
pub fn locate_runtime(library: Library) -> Result<Located> {
    Ok(kittentts_runtimes::locate(
        library,
        None,
        Some(&build_dir()),
    )?)
}

/// Where libespeak-ng is, by the search order; `explicit` is the builder's path.
pub(crate) fn locate_espeak(config: &EspeakConfig) -> Result<(EspeakConfig, Located)> {
    let located = kittentts_runtimes::locate(
        Library::Espeak,
        config.library.as_deref(),
        Some(&build_dir()),
    )?;
    let mut config = config.clone();
    if located.place != Place::System {
        config.library = Some(located.path.clone());
    }
    Ok((config, located))
}

/// Where ONNX Runtime is, by the search order.
pub(crate) fn locate_onnx(options: &ModelOptions) -> Result<(ModelOptions, Located)> {
    let located = kittentts_runtimes::locate(
        Library::OnnxRuntime,
        options.ort_library.as_deref(),
        Some(&build_dir()),
    )?;
    let mut options = options.clone();
    if located.place != Place::System {
        options.ort_library = Some(located.path.clone());
    }
    Ok((options, located))
}

/// Turns a failure to open a library that no place of the search order held into
/// [`Error::RuntimeNotFound`], which lists the places.
pub(crate) fn not_found(
    library: Library,
    located: &Located,
    source: Box<dyn std::error::Error + Send + Sync>,
) -> Error {
    Error::RuntimeNotFound {
        library: library.to_string(),
        tried: located.describe_tried(),
        source,
    }
}
