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
    locate(library, None).map(|(_, located)| located)
}

/// `library` by the search order, `explicit` (the builder's path) first: the path to hand
/// the layer crate (`None` when only the system's loader is left, so that it searches as it
/// would alone) and where it came from.
fn locate(library: Library, explicit: Option<&Path>) -> Result<(Option<PathBuf>, Located)> {
    let located = kittentts_runtimes::locate(library, explicit, Some(&build_dir()))?;
    let path = (located.place != Place::System).then(|| located.path.clone());
    Ok((path, located))
}

/// Where libespeak-ng is, by the search order.
pub(crate) fn locate_espeak(config: &EspeakConfig) -> Result<(EspeakConfig, Located)> {
    let (path, located) = locate(Library::Espeak, config.library.as_deref())?;
    let mut config = config.clone();
    config.library = path.or(config.library);
    Ok((config, located))
}

/// Where ONNX Runtime is, by the search order.
pub(crate) fn locate_onnx(options: &ModelOptions) -> Result<(ModelOptions, Located)> {
    let (path, located) = locate(Library::OnnxRuntime, options.ort_library.as_deref())?;
    let mut options = options.clone();
    options.ort_library = path.or(options.ort_library);
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
