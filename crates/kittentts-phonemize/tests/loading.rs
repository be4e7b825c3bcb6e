//! Loading libespeak-ng: typed errors for a missing runtime (with the fetch hint), one instance
//! per process, the version reported. One test function: the process's engine is global, so
//! the order matters (failed loads leave nothing behind).

// Helpers outside #[test] functions are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use kittentts_phonemize::{Error, EspeakConfig, Phonemizer};

fn runtime_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("KITTENTTS_RUNTIME_DIR").expect("set by .cargo/config.toml"))
}

#[test]
fn load_errors_then_one_instance_per_process() {
    let dir = tempfile::tempdir().unwrap();

    // 1. A library that is not there.
    let missing = EspeakConfig {
        library: Some(dir.path().join("libespeak-ng.so.1")),
        ..EspeakConfig::default()
    };
    let err = Phonemizer::new(&missing).unwrap_err();
    assert!(matches!(err, Error::LibraryLoad { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("bash scripts/fetch-runtimes.sh"), "{msg}");
    assert!(std::error::Error::source(&err).is_some());

    // 2. A data directory without espeak's tables.
    let lib = runtime_dir().join("espeak-ng/libespeak-ng.so.1");
    let no_data = EspeakConfig {
        library: Some(lib.clone()),
        data_dir: Some(dir.path().to_owned()),
        ..EspeakConfig::default()
    };
    let err = Phonemizer::new(&no_data).unwrap_err();
    assert!(
        matches!(
            err,
            Error::DataDir {
                missing: "phontab",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("bash scripts/fetch-runtimes.sh"));

    // 3. A file that is not libespeak-ng.
    let fake = dir.path().join("libfake.so");
    std::fs::write(&fake, b"not a library").unwrap();
    let err = Phonemizer::new(&EspeakConfig {
        library: Some(fake),
        ..EspeakConfig::default()
    })
    .unwrap_err();
    assert!(matches!(err, Error::LibraryLoad { .. }), "{err:?}");

    // 4. The fetched runtime loads and reports 1.52.
    let p = Phonemizer::new(&EspeakConfig::default()).unwrap();
    assert_eq!(p.espeak_version(), "1.52.0");
    assert!(p.is_reference_version());
    assert_eq!(p.espeak_instances(), 1);

    // 5. The same files by another path (the unversioned symlink, the data explicitly) share it.
    let same = EspeakConfig {
        library: Some(runtime_dir().join("espeak-ng/libespeak-ng.so")),
        data_dir: Some(runtime_dir().join("espeak-ng/espeak-ng-data")),
        ..EspeakConfig::default()
    };
    let q = Phonemizer::new(&same).unwrap();
    assert_eq!(
        q.phonemize("Hello.").unwrap(),
        p.phonemize("Hello.").unwrap()
    );

    // 6. Another library file in the same process is a typed error, not a silent reuse.
    let copy = dir.path().join("libespeak-ng.so.1");
    std::fs::copy(&lib, &copy).unwrap();
    let err = Phonemizer::new(&EspeakConfig {
        library: Some(copy),
        ..EspeakConfig::default()
    })
    .unwrap_err();
    assert!(matches!(err, Error::AlreadyInitialized { .. }), "{err:?}");
    assert!(err.to_string().contains("already loaded"));

    // ... and so is another data directory with the same library.
    let err = Phonemizer::new(&EspeakConfig {
        library: None,
        data_dir: Some(dir.path().to_owned()),
        ..EspeakConfig::default()
    })
    .unwrap_err();
    assert!(matches!(err, Error::AlreadyInitialized { .. }), "{err:?}");
}
