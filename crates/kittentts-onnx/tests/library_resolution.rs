//! The order in which the ONNX Runtime library is looked for. One test: it changes environment
//! variables, which are process-wide.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns, where clippy.toml already allows it

use std::path::{Path, PathBuf};

use kittentts_onnx::{
    LibrarySource, ORT_DYLIB_PATH_ENV, RUNTIME_DIR_ENV, library_file_name, resolve_library,
};

#[test]
fn explicit_then_env_then_runtime_dir_then_system() {
    let runtime_dir = PathBuf::from(std::env::var_os(RUNTIME_DIR_ENV).unwrap());
    let fetched = runtime_dir.join("onnxruntime").join(library_file_name());
    assert!(
        fetched.is_file(),
        "run `bash scripts/fetch-runtimes.sh` first"
    );
    let explicit = Path::new("/x/libonnxruntime.so");
    // SAFETY: this test binary has a single test, so no other thread reads the environment.
    unsafe {
        std::env::set_var(ORT_DYLIB_PATH_ENV, "/from/env/libonnxruntime.so");
    }
    assert_eq!(
        resolve_library(Some(explicit)),
        (explicit.to_path_buf(), LibrarySource::Explicit)
    );
    assert_eq!(
        resolve_library(None),
        (
            PathBuf::from("/from/env/libonnxruntime.so"),
            LibrarySource::OrtDylibPathEnv
        )
    );
    // An empty ORT_DYLIB_PATH counts as unset.
    unsafe {
        std::env::set_var(ORT_DYLIB_PATH_ENV, "");
    }
    assert_eq!(resolve_library(None), (fetched, LibrarySource::RuntimeDir));
    // A runtime folder without the library falls through to the system loader.
    unsafe {
        std::env::set_var(RUNTIME_DIR_ENV, "/nonexistent-runtimes");
    }
    assert_eq!(
        resolve_library(None),
        (PathBuf::from("libonnxruntime.so"), LibrarySource::System)
    );
    unsafe {
        std::env::remove_var(RUNTIME_DIR_ENV);
        std::env::remove_var(ORT_DYLIB_PATH_ENV);
    }
    assert_eq!(resolve_library(None).1, LibrarySource::System);
}
