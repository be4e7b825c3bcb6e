//! Helpers shared by the integration tests.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use kittentts_voices::Error;

/// A model directory under the repository's `tests/data` (`kitten-mini-0.8`, ...).
pub(crate) fn model_dir(model: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(model)
}

/// The variant name of an error (`"Dtype"`), as the data files spell it.
pub(crate) fn variant(e: &Error) -> String {
    let debug = format!("{e:?}");
    debug.split([' ', '(', '{']).next().unwrap().to_owned()
}
