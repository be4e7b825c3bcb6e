//! Loading ONNX Runtime in a fresh process: bad libraries first, then the real one.
//! (One test only: which library a process loads is process-wide state.)

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns, where clippy.toml already allows it

use std::path::{Path, PathBuf};

use kittentts_onnx::{Error, LibrarySource};

#[test]
fn bad_libraries_are_typed_errors_and_a_later_good_one_loads() {
    assert_eq!(kittentts_onnx::runtime_version(), None);

    let missing = Path::new("/nonexistent/dir/libonnxruntime.so");
    let err = kittentts_onnx::init_runtime(Some(missing)).unwrap_err();
    match &err {
        Error::RuntimeLoad { path, origin, .. } => {
            assert_eq!(path, missing);
            assert_eq!(*origin, LibrarySource::Explicit);
        }
        other => panic!("{other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("bash scripts/fetch-runtimes.sh"),
        "{message}"
    );
    assert!(
        message.contains("/nonexistent/dir/libonnxruntime.so"),
        "{message}"
    );

    // A real shared library that is not ONNX Runtime.
    #[cfg(target_os = "linux")]
    {
        let libm = Path::new("libm.so.6");
        match kittentts_onnx::init_runtime(Some(libm)) {
            Err(Error::RuntimeLoad { source, .. }) => {
                assert!(
                    source
                        .to_string()
                        .contains("does not export `OrtGetApiBase`"),
                    "{source}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(kittentts_onnx::runtime_version(), None);

    // The failures left nothing behind: the fetched runtime loads now.
    let fetched = PathBuf::from(std::env::var_os("KITTENTTS_RUNTIME_DIR").unwrap())
        .join("onnxruntime")
        .join(kittentts_onnx::library_file_name());
    kittentts_onnx::init_runtime(Some(&fetched)).unwrap();
    assert_eq!(kittentts_onnx::runtime_version().as_deref(), Some("1.32.0"));
    assert_eq!(kittentts_onnx::runtime_library(), Some(fetched));
}
