//! `Synthesizer::builder().model(…)` through the Hugging Face Hub code path, against a mock hub
//! on 127.0.0.1 (crates/kittentts-mockhub) serving the fixture model as a KittenML repo.
#![cfg(feature = "hub")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kittentts::hub::{self, HubOptions};
use kittentts::{Error, SynthesisOptions, Synthesizer};
use kittentts_mockhub::MockHub;

const REPO: &str = "KittenML/kitten-tts-mini-0.8";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixture")
}

fn mock_hub() -> MockHub {
    MockHub::builder()
        .files_from_dir(REPO, &fixture_dir())
        .unwrap()
        .start()
        .unwrap()
}

fn options(hub: &MockHub, cache: &Path) -> HubOptions {
    HubOptions::default()
        .with_endpoint(hub.url())
        .with_cache_dir(cache)
        .with_offline(false)
}

fn speak(tts: &Synthesizer) -> Vec<f32> {
    tts.synthesize("Hello from the hub.", &SynthesisOptions::new().voice("Leo"))
        .unwrap()
        .samples
}

#[test]
fn bare_name_downloads_once_then_loads_from_the_cache_with_the_server_gone() {
    let cache = tempfile::tempdir().unwrap();
    let mut hub = mock_hub();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let tts = Synthesizer::builder()
        .model("kitten-tts-mini-0.8")
        .hub_options(options(&hub, cache.path()))
        .download_progress(move |p| {
            seen.lock()
                .unwrap()
                .push((p.file.clone(), p.downloaded, p.total))
        })
        .build()
        .unwrap();
    let online = speak(&tts);
    let local = Synthesizer::builder()
        .model_dir(fixture_dir())
        .build()
        .unwrap();
    assert_eq!(online, speak(&local), "the hub copy speaks like the folder");
    assert!(tts.model_dir().starts_with(cache.path()));
    assert!(
        tts.model_dir()
            .to_string_lossy()
            .contains("models--KittenML--kitten-tts-mini-0.8/snapshots/")
    );
    // Progress ends at each file's full size, for all three files.
    let events = events.lock().unwrap();
    for file in ["config.json", "model.onnx", "voices.npz"] {
        let size = std::fs::metadata(fixture_dir().join(file)).unwrap().len();
        let last = events.iter().rev().find(|e| e.0 == file).unwrap();
        assert_eq!((last.1, last.2), (size, Some(size)), "{file}");
    }
    let requests = hub.requests();
    assert!(requests >= 3, "{requests} requests");

    hub.stop();
    let again = Synthesizer::builder()
        .model(REPO)
        .hub_options(options(&hub, cache.path()))
        .build()
        .unwrap();
    assert_eq!(speak(&again), online);
    let offline = Synthesizer::builder()
        .model(REPO)
        .hub_options(options(&hub, cache.path()).with_offline(true))
        .build()
        .unwrap();
    assert_eq!(speak(&offline), online);
}

#[test]
fn offline_with_an_empty_cache_is_a_typed_error() {
    let cache = tempfile::tempdir().unwrap();
    let err = Synthesizer::builder()
        .model(REPO)
        .hub_options(
            HubOptions::default()
                .with_cache_dir(cache.path())
                .with_offline(true),
        )
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Hub(hub::Error::Offline { file, .. }) if file == "config.json"),
        "{err:?}"
    );
}

#[test]
fn missing_repo_and_missing_file_are_typed_errors() {
    let cache = tempfile::tempdir().unwrap();
    let hub = mock_hub();
    let err = Synthesizer::builder()
        .model("KittenML/kitten-tts-giant-9.9")
        .hub_options(options(&hub, cache.path()))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Hub(hub::Error::RepoNotFound { .. })),
        "{err:?}"
    );

    // A repo whose config names a model file it does not have.
    let broken = MockHub::builder()
        .file(
            REPO,
            "config.json",
            std::fs::read(fixture_dir().join("config.json")).unwrap(),
        )
        .file(
            REPO,
            "voices.npz",
            std::fs::read(fixture_dir().join("voices.npz")).unwrap(),
        )
        .start()
        .unwrap();
    let err = Synthesizer::builder()
        .model(REPO)
        .hub_options(options(&broken, cache.path()))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Hub(hub::Error::FileNotFound { file, .. }) if file == "model.onnx"),
        "{err:?}"
    );
}

#[test]
fn a_wrong_config_is_refused_before_the_big_downloads() {
    let cache = tempfile::tempdir().unwrap();
    let hub = MockHub::builder()
        .file(REPO, "config.json", b"{ not json".to_vec())
        .file(
            REPO,
            "model.onnx",
            std::fs::read(fixture_dir().join("model.onnx")).unwrap(),
        )
        .start()
        .unwrap();
    let err = Synthesizer::builder()
        .model(REPO)
        .hub_options(options(&hub, cache.path()))
        .build()
        .unwrap_err();
    assert!(matches!(&err, Error::Voices(_)), "{err:?}");
    assert!(err.to_string().contains("config.json"), "{err}");
    assert!(
        !hub.request_log().iter().any(|r| r.contains("model.onnx")),
        "{:?}",
        hub.request_log()
    );
}
