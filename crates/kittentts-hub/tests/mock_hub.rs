//! Downloads, the cache, offline mode and failures, against `kittentts-mockhub` on 127.0.0.1.

// Helpers outside #[test] functions unwrap too (clippy.toml only covers test functions).
#![allow(clippy::unwrap_used)]
// Without the `download` feature a cache miss is `DownloadDisabled` (tested in src/lib.rs).
#![cfg(feature = "download")]

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use kittentts_hub::{Error, Hub, HubOptions, ModelSource, Progress};
use kittentts_mockhub::{MockHub, git_blob_sha1_hex, sha256_hex};

const REPO: &str = "KittenML/kitten-tts-mini-0.8";
const COMMIT: &str = "4f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2";
const MODEL: &str = "kitten_tts_mini_v0_8.onnx";
const VOICES: &str = "voices.npz";

fn config() -> Vec<u8> {
    format!(r#"{{"name": "Kitten TTS Mini", "version": "0.8", "type": "ONNX2", "model_file": "{MODEL}", "voices": "{VOICES}"}}"#)
        .into_bytes()
}

/// Deterministic bytes that are not all alike (a tiny LCG).
fn bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

fn model() -> Vec<u8> {
    bytes(300_000, 1)
}

fn voices() -> Vec<u8> {
    bytes(40_000, 2)
}

fn mock() -> MockHub {
    MockHub::builder()
        .commit(REPO, COMMIT)
        .file(REPO, "config.json", config())
        .file(REPO, MODEL, model())
        .file(REPO, VOICES, voices())
        .repo("KittenML/empty")
        .start()
        .unwrap()
}

/// Online, no retries (so a cut shows), this endpoint and cache.
fn options(endpoint: &str, cache: &Path) -> HubOptions {
    HubOptions::default()
        .with_endpoint(endpoint)
        .with_cache_dir(cache)
        .with_offline(false)
        .with_retries(0)
}

fn hub(endpoint: &str, cache: &Path) -> Hub {
    Hub::new(options(endpoint, cache)).unwrap()
}

fn repo_dir(cache: &Path) -> PathBuf {
    cache.join("models--KittenML--kitten-tts-mini-0.8")
}

fn blob_names(cache: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_dir(cache).join("blobs"))
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn first_download_then_cache_with_the_server_stopped() {
    let mut server = mock();
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(server.url(), cache.path());

    let config_path = hub.fetch(REPO, None, "config.json", None).unwrap();
    let model_path = hub.fetch(REPO, None, MODEL, None).unwrap();
    let voices_path = hub.fetch(REPO, None, VOICES, None).unwrap();
    assert_eq!(std::fs::read(&config_path).unwrap(), config());
    assert_eq!(std::fs::read(&model_path).unwrap(), model());
    assert_eq!(std::fs::read(&voices_path).unwrap(), voices());

    // Python's layout: snapshots/<commit>/<file> → ../../blobs/<etag>, refs/main = <commit>.
    let snapshot = repo_dir(cache.path()).join("snapshots").join(COMMIT);
    assert_eq!(config_path, snapshot.join("config.json"));
    assert_eq!(model_path, snapshot.join(MODEL));
    assert_eq!(
        std::fs::read_to_string(repo_dir(cache.path()).join("refs/main")).unwrap(),
        COMMIT
    );
    let link = std::fs::read_link(&model_path).unwrap();
    assert_eq!(
        link,
        PathBuf::from("../../blobs").join(sha256_hex(&model()))
    );
    let link = std::fs::read_link(&config_path).unwrap();
    assert_eq!(
        link,
        PathBuf::from("../../blobs").join(git_blob_sha1_hex(&config()))
    );
    let mut expected_blobs = vec![
        git_blob_sha1_hex(&config()),
        git_blob_sha1_hex(&config()) + ".lock",
        sha256_hex(&model()),
        sha256_hex(&model()) + ".lock",
        sha256_hex(&voices()),
        sha256_hex(&voices()) + ".lock",
    ];
    expected_blobs.sort();
    assert_eq!(blob_names(cache.path()), expected_blobs);

    let served = server.requests();
    assert!(served >= 3, "{:?}", server.request_log());
    server.stop();

    // A fresh client (as in a new process) finds everything without a request.
    let again = self::hub(server.url(), cache.path());
    assert_eq!(
        again.fetch(REPO, None, "config.json", None).unwrap(),
        config_path
    );
    assert_eq!(
        again.fetch(REPO, Some("main"), MODEL, None).unwrap(),
        model_path
    );
    assert_eq!(
        again.fetch(REPO, Some(COMMIT), VOICES, None).unwrap(),
        voices_path
    );
    assert_eq!(
        again
            .fetch_model_files(REPO, None, &["config.json", MODEL, VOICES], None)
            .unwrap(),
        snapshot
    );
    assert_eq!(server.requests(), served);
}

#[test]
fn offline_uses_the_cache_or_says_what_to_set() {
    let server = mock();
    let cache = tempfile::tempdir().unwrap();
    let offline = Hub::new(options(server.url(), cache.path()).with_offline(true)).unwrap();

    let err = offline.fetch(REPO, None, "config.json", None).unwrap_err();
    match &err {
        Error::Offline {
            repo,
            revision,
            file,
            cache_dir,
        } => {
            assert_eq!(
                (repo.as_str(), revision.as_str(), file.as_str()),
                (REPO, "main", "config.json")
            );
            assert_eq!(cache_dir, cache.path());
        }
        other => panic!("expected Offline, got {other:?}"),
    }
    assert!(err.to_string().contains("HF_HUB_OFFLINE"), "{err}");
    assert_eq!(server.requests(), 0);

    let online_path = hub(server.url(), cache.path())
        .fetch(REPO, None, "config.json", None)
        .unwrap();
    let served = server.requests();
    assert_eq!(
        offline.fetch(REPO, None, "config.json", None).unwrap(),
        online_path
    );
    assert_eq!(
        offline
            .fetch(REPO, Some(COMMIT), "config.json", None)
            .unwrap(),
        online_path
    );
    // A branch that was never fetched has no ref: still a miss.
    assert!(matches!(
        offline.fetch(REPO, Some("dev"), "config.json", None),
        Err(Error::Offline { .. })
    ));
    assert_eq!(server.requests(), served);
}

#[test]
fn missing_repo_revision_and_file_are_typed() {
    let server = mock();
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(server.url(), cache.path());

    match hub.fetch("KittenML/kitten-tts-giga-9", None, "config.json", None) {
        Err(Error::RepoNotFound { repo }) => assert_eq!(repo, "KittenML/kitten-tts-giga-9"),
        other => panic!("expected RepoNotFound, got {other:?}"),
    }
    match hub.fetch(REPO, None, "missing.onnx", None) {
        Err(Error::FileNotFound {
            repo,
            revision,
            file,
        }) => {
            assert_eq!(
                (repo.as_str(), revision.as_str(), file.as_str()),
                (REPO, "main", "missing.onnx")
            );
        }
        other => panic!("expected FileNotFound, got {other:?}"),
    }
    match hub.fetch("KittenML/empty", None, "config.json", None) {
        Err(Error::FileNotFound { repo, .. }) => assert_eq!(repo, "KittenML/empty"),
        other => panic!("expected FileNotFound, got {other:?}"),
    }
    match hub.fetch(REPO, Some("v9"), "config.json", None) {
        Err(Error::RevisionNotFound { repo, revision }) => {
            assert_eq!((repo.as_str(), revision.as_str()), (REPO, "v9"))
        }
        other => panic!("expected RevisionNotFound, got {other:?}"),
    }
    // Nothing was written for failed lookups.
    assert!(!repo_dir(cache.path()).join("snapshots").exists());
}

#[test]
fn a_cut_connection_leaves_no_complete_looking_file_and_resumes() {
    let server = mock();
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(server.url(), cache.path());
    let half = model().len() as u64 / 2;
    server.cut_next(REPO, MODEL, half);

    match hub.fetch(REPO, None, MODEL, None) {
        Err(Error::Truncated {
            file,
            expected,
            got,
        }) => {
            assert_eq!(file, MODEL);
            assert_eq!(expected, Some(model().len() as u64));
            assert_eq!(got, half);
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    let sha = sha256_hex(&model());
    assert_eq!(
        blob_names(cache.path()),
        vec![format!("{sha}.lock"), format!("{sha}.part")]
    );
    assert_eq!(
        std::fs::metadata(
            repo_dir(cache.path())
                .join("blobs")
                .join(format!("{sha}.part"))
        )
        .unwrap()
        .len(),
        half
    );
    assert!(!repo_dir(cache.path()).join("snapshots").exists());
    assert_eq!(hub.cached(REPO, None, MODEL).unwrap(), None);

    // The next fetch resumes from the .part file with a Range request.
    let seen = RefCell::new(Vec::new());
    let record = |p: Progress| seen.borrow_mut().push(p.downloaded);
    let path = hub.fetch(REPO, None, MODEL, Some(&record)).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), model());
    let log = server.request_log();
    assert!(
        log.iter().any(|l| l.ends_with(&format!("[bytes={half}-]"))),
        "{log:?}"
    );
    assert_eq!(seen.borrow().first(), Some(&0));
    assert_eq!(seen.borrow().get(1), Some(&half));
    assert_eq!(seen.borrow().last(), Some(&(model().len() as u64)));
}

#[test]
fn retries_resume_a_cut_download_within_one_fetch() {
    let server = mock();
    let cache = tempfile::tempdir().unwrap();
    let hub = Hub::new(options(server.url(), cache.path()).with_retries(1)).unwrap();
    server.cut_next(REPO, VOICES, 1000);
    let path = hub.fetch(REPO, None, VOICES, None).unwrap();
    assert_eq!(std::fs::read(path).unwrap(), voices());
    assert!(
        server
            .request_log()
            .iter()
            .any(|l| l.ends_with("[bytes=1000-]"))
    );
}

#[test]
fn a_corrupt_download_is_removed() {
    let server = mock();
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(server.url(), cache.path());
    for file in [MODEL, "config.json"] {
        server.corrupt_next(REPO, file);
        match hub.fetch(REPO, None, file, None) {
            Err(Error::ChecksumMismatch {
                file: f,
                algorithm,
                expected,
                actual,
            }) => {
                assert_eq!(f, file);
                let (algo, want) = if file == MODEL {
                    ("sha256", sha256_hex(&model()))
                } else {
                    ("git-sha1", git_blob_sha1_hex(&config()))
                };
                assert_eq!((algorithm, expected.as_str()), (algo, want.as_str()));
                assert_ne!(actual, want);
            }
            other => panic!("expected ChecksumMismatch, got {other:?}"),
        }
        assert_eq!(hub.cached(REPO, None, file).unwrap(), None);
        assert!(
            !blob_names(cache.path())
                .iter()
                .any(|n| !n.ends_with(".lock")),
            "{:?}",
            blob_names(cache.path())
        );
    }
    // The hub now serves good bytes again.
    assert_eq!(
        std::fs::read(hub.fetch(REPO, None, MODEL, None).unwrap()).unwrap(),
        model()
    );
}

#[test]
fn progress_increases_to_the_total() {
    let server = mock();
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(server.url(), cache.path());
    let seen = RefCell::new(Vec::new());
    let record = |p: Progress| seen.borrow_mut().push(p);
    hub.fetch(REPO, None, MODEL, Some(&record)).unwrap();
    let seen = seen.into_inner();
    let total = model().len() as u64;
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(
        seen.iter()
            .all(|p| p.file == MODEL && p.total == Some(total))
    );
    assert_eq!(seen.first().map(|p| p.downloaded), Some(0));
    assert_eq!(seen.last().map(|p| p.downloaded), Some(total));
    assert!(seen.windows(2).all(|w| w[0].downloaded < w[1].downloaded));

    // A cache hit reports nothing.
    let calls = RefCell::new(0);
    let count = |_: Progress| *calls.borrow_mut() += 1;
    hub.fetch(REPO, None, MODEL, Some(&count)).unwrap();
    assert_eq!(*calls.borrow(), 0);
}

#[test]
fn the_token_is_sent_as_a_bearer_header() {
    let server = mock();
    let cache = tempfile::tempdir().unwrap();
    let hub = Hub::new(options(server.url(), cache.path()).with_token("hf_test")).unwrap();
    hub.fetch(REPO, None, "config.json", None).unwrap();
    let log = server.request_log();
    assert!(!log.is_empty());
    assert!(
        log.iter()
            .all(|l| l.ends_with("(Authorization: Bearer hf_test)")),
        "{log:?}"
    );
}

#[test]
fn an_unreachable_endpoint_is_a_network_error() {
    let mut server = mock();
    let url = server.url().to_owned();
    server.stop();
    let cache = tempfile::tempdir().unwrap();
    match hub(&url, cache.path()).fetch(REPO, None, "config.json", None) {
        Err(Error::Network { url: u, .. }) => assert!(u.starts_with(&url), "{u}"),
        other => panic!("expected Network, got {other:?}"),
    }
}

/// The facade's flow on a config that names files the repo lacks or paths outside it.
#[test]
fn a_wrong_config_names_the_bad_file() {
    let bad =
        br#"{"type": "ONNX2", "model_file": "model_v9.onnx", "voices": "../../../etc/passwd"}"#
            .to_vec();
    let server = MockHub::builder()
        .file("KittenML/broken", "config.json", bad)
        .start()
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(server.url(), cache.path());
    let source = ModelSource::resolve_spec("KittenML/broken").unwrap();
    let config = hub.locate(&source, "config.json", None).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(config).unwrap()).unwrap();
    let model_file = json["model_file"].as_str().unwrap();
    let voices_file = json["voices"].as_str().unwrap();
    match hub.locate(&source, model_file, None) {
        Err(Error::FileNotFound { file, .. }) => assert_eq!(file, "model_v9.onnx"),
        other => panic!("expected FileNotFound, got {other:?}"),
    }
    let requests = server.requests();
    match hub.locate(&source, voices_file, None) {
        Err(Error::InvalidFileName { file, .. }) => assert_eq!(file, "../../../etc/passwd"),
        other => panic!("expected InvalidFileName, got {other:?}"),
    }
    assert_eq!(
        server.requests(),
        requests,
        "a bad name never reaches the network"
    );
}

#[test]
fn local_folders_are_read_in_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), config()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let hub = Hub::new(
        HubOptions::default()
            .with_cache_dir(cache.path())
            .with_offline(true),
    )
    .unwrap();
    let source = ModelSource::resolve_spec(dir.path().to_str().unwrap()).unwrap();
    assert_eq!(
        hub.locate(&source, "config.json", None).unwrap(),
        dir.path().join("config.json")
    );
    match hub.locate(&source, MODEL, None) {
        Err(Error::LocalFileMissing { dir: d, file }) => {
            assert_eq!((d.as_path(), file.as_str()), (dir.path(), MODEL));
        }
        other => panic!("expected LocalFileMissing, got {other:?}"),
    }
    let empty = tempfile::tempdir().unwrap();
    let source = ModelSource::resolve_spec(empty.path().to_str().unwrap()).unwrap();
    assert!(matches!(
        hub.locate(&source, "config.json", None),
        Err(Error::LocalFileMissing { file, .. }) if file == "config.json"
    ));
}

#[test]
fn a_finished_but_unrenamed_part_file_is_replaced() {
    let server = mock();
    let cache = tempfile::tempdir().unwrap();
    let blobs = repo_dir(cache.path()).join("blobs");
    std::fs::create_dir_all(&blobs).unwrap();
    let part = blobs.join(format!("{}.part", sha256_hex(&voices())));
    std::fs::write(&part, voices()).unwrap();
    let path = hub(server.url(), cache.path())
        .fetch(REPO, None, VOICES, None)
        .unwrap();
    assert_eq!(std::fs::read(path).unwrap(), voices());
    assert!(!part.exists());
    let log = server.request_log();
    assert!(
        log.iter()
            .any(|l| l.ends_with(&format!("[bytes={}-]", voices().len()))),
        "{log:?}"
    );
}

/// Servers that are not quite the hub: errors, not panics.
#[test]
fn odd_servers_give_network_errors() {
    let no_location = "/KittenML/odd/resolve/main/redirect.onnx";
    let no_commit = "/KittenML/odd/resolve/main/no-commit.json";
    let server = MockHub::builder()
        .canned(
            no_location,
            302,
            &[("X-Repo-Commit", COMMIT), ("ETag", "\"abc\"")],
            b"",
        )
        .canned(no_commit, 200, &[("ETag", "\"abc\"")], b"{}")
        .canned("/KittenML/odd/resolve/main/teapot.json", 418, &[], b"")
        .start()
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(server.url(), cache.path());
    for (file, needle) in [
        ("redirect.onnx", "unexpected answer"),
        ("no-commit.json", "x-repo-commit"),
    ] {
        match hub.fetch("KittenML/odd", None, file, None) {
            Err(Error::Network { url, source }) => {
                assert_eq!(
                    url,
                    format!("{}/KittenML/odd/resolve/main/{file}", server.url())
                );
                assert!(source.to_string().contains(needle), "{source}");
            }
            other => panic!("{file}: expected Network, got {other:?}"),
        }
    }
    match hub.fetch("KittenML/odd", None, "teapot.json", None) {
        Err(Error::Http { status, url }) => {
            assert_eq!(status, 418);
            assert!(url.ends_with("/teapot.json"), "{url}");
        }
        other => panic!("expected Http, got {other:?}"),
    }
    assert!(
        !cache
            .path()
            .join("models--KittenML--odd/snapshots")
            .exists()
    );
}
