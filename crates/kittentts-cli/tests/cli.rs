//! The `kittentts` binary as a user runs it: `runtimes install` from a mock package index on
//! 127.0.0.1 serving the real pinned wheels (kept by `scripts/fetch-runtimes.sh` in
//! `runtimes/wheels/`), into a fresh home folder, then `say` from another folder with none of
//! kittentts's variables set; and the small faults of the old examples, each fixed.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};

use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;

use common::{fixture, index, kittentts, repo, text};

#[test]
fn install_then_say_from_any_folder() {
    let hub = index();
    let home = tempfile::tempdir().unwrap();
    let out = kittentts(home.path())
        .args(["runtimes", "install", "--index-url"])
        .arg(format!("{}/simple", hub.url()))
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("runtimes installed"), "{err}");
    let dir = home
        .path()
        .join(".local/share/kittentts/runtimes/ort-1.32.0-espeak-ng-1.52.0");
    assert!(dir.join("onnxruntime/libonnxruntime.so").is_file());
    assert!(dir.join("espeak-ng/espeak-ng-data/en_dict").is_file());
    assert_eq!(hub.requests(), 4);

    // Idempotent: nothing asked the second time.
    let out = kittentts(home.path())
        .args(["runtimes", "install", "--index-url"])
        .arg(format!("{}/simple", hub.url()))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(text(&out).1.contains("already installed"));
    assert_eq!(hub.requests(), 4);

    // `status` shows the per-user folder in use for both.
    let out = kittentts(home.path())
        .args(["runtimes", "status"])
        .output()
        .unwrap();
    let (status, _) = text(&out);
    assert_eq!(
        status.matches("(the per-user folder)").count(),
        4,
        "{status}"
    );
    assert!(status.contains(&dir.display().to_string()));

    // `say` from another folder, no variables: it finds them and speaks.
    let elsewhere = tempfile::tempdir().unwrap();
    let wav = elsewhere.path().join("hi.wav");
    let out = kittentts(home.path())
        .current_dir(elsewhere.path())
        .args(["say", "--model"])
        .arg(fixture())
        .arg("--out")
        .arg(&wav)
        .arg("Hello there, from another folder.")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    let bytes = std::fs::read(&wav).unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    assert!(bytes.len() > 10_000);

    // Offline from the kept wheels into another folder gives the same files.
    let other = home.path().join("offline-rt");
    let out = kittentts(home.path())
        .args(["runtimes", "install", "--offline", "--wheels"])
        .arg(repo().join("runtimes/wheels"))
        .arg("--dir")
        .arg(&other)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(
        std::fs::read(other.join("espeak-ng/libespeak-ng.so.1")).unwrap(),
        std::fs::read(dir.join("espeak-ng/libespeak-ng.so.1")).unwrap()
    );
    assert_eq!(hub.requests(), 4);
}

#[test]
fn nothing_installed_lists_every_place_and_the_fix() {
    // A binary outside this repository's build would fall through to the system; this one
    // finds the repository's runtimes/, so point the search at an empty runtime folder and an
    // empty library variable to see the listing of `status`.
    let home = tempfile::tempdir().unwrap();
    let out = kittentts(home.path())
        .args(["runtimes", "status"])
        .env("XDG_DATA_HOME", home.path().join("data"))
        .output()
        .unwrap();
    let (status, _) = text(&out);
    assert!(out.status.success());
    assert!(status.contains("the per-user folder"), "{status}");
    assert!(status.contains("next to the executable"), "{status}");
    // A runtime folder variable that names nothing is an error naming it and the fix.
    let out = kittentts(home.path())
        .args(["say", "--model"])
        .arg(fixture())
        .args(["--out", "x.wav", "Hi."])
        .env("KITTENTTS_RUNTIME_DIR", "no-such-folder")
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("no-such-folder") && err.contains("kittentts runtimes install"),
        "{err}"
    );
}

#[test]
fn list_voices_does_not_wait_for_stdin_and_survives_a_closed_pipe() {
    let home = tempfile::tempdir().unwrap();
    let mut child = kittentts(home.path())
        .args(["say", "--list-voices", "--model"])
        .arg(fixture())
        .stdin(Stdio::piped()) // never written, never closed
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut first = [0u8; 5];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    assert_eq!(&first, b"Bella");
    drop(child.stdout.take()); // `| head -c 5`
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "still waiting");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    drop(child.stdin.take());
}

#[test]
fn an_unwritable_output_fails_before_synthesis_and_names_the_path() {
    let home = tempfile::tempdir().unwrap();
    let out = kittentts(home.path())
        .args([
            "say",
            "--model",
            "/nonexistent/model",
            "--out",
            "/proc/x.wav",
            "Hi.",
        ])
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert!(!out.status.success());
    // The output is checked first: the missing model is not even looked at.
    assert!(err.contains("/proc/x.wav"), "{err}");
    assert!(!err.contains("/nonexistent/model"), "{err}");
}

#[test]
fn a_missing_folder_is_reported_as_a_folder() {
    let home = tempfile::tempdir().unwrap();
    let out = kittentts(home.path())
        .args([
            "say",
            "--model",
            "tests/data/nothere",
            "--out",
            "x.wav",
            "Hi.",
        ])
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("model folder tests/data/nothere does not exist"),
        "{err}"
    );
    assert!(!err.to_lowercase().contains("repo id"), "{err}");
}

#[test]
fn inspect_goes_on_past_a_line_that_is_not_utf8() {
    let home = tempfile::tempdir().unwrap();
    let mut child = kittentts(home.path())
        .args(["inspect", "--only-normalize"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"It costs $5.\nbad \xff\xfe line\nThe end, 3 cats.\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["normalized"], "It costs five dollars.");
    assert!(lines[1]["error"].as_str().unwrap().contains("not UTF-8"));
    assert_eq!(lines[2]["normalized"], "The end, three cats.");
}

#[test]
fn a_redirected_stderr_gets_no_colour_codes_and_errors_print_once() {
    let home = tempfile::tempdir().unwrap();
    // A warning (threads capped) goes to the redirected stderr without ANSI codes.
    let out = kittentts(home.path())
        .args(["say", "--threads", "100000", "--sessions", "1", "--model"])
        .arg(fixture())
        .args(["--out", "x.wav", "Hi."])
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("capped"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    // A model that is not ONNX: ONNX Runtime's message appears once.
    let bad = tempfile::tempdir().unwrap();
    for f in ["config.json", "voices.npz"] {
        std::fs::copy(fixture().join(f), bad.path().join(f)).unwrap();
    }
    std::fs::copy(
        fixture().join("bad/not-onnx.onnx"),
        bad.path().join("model.onnx"),
    )
    .unwrap();
    let out = kittentts(home.path())
        .args(["say", "--model"])
        .arg(bad.path())
        .args(["--out", "x.wav", "Hi."])
        .output()
        .unwrap();
    let (_, err) = text(&out);
    assert!(!out.status.success());
    let first_line = err.lines().next().unwrap().to_owned();
    let ort_part = first_line.rsplit(": ").next().unwrap();
    assert!(ort_part.len() > 10, "{err}");
    assert_eq!(err.matches(ort_part).count(), 1, "{err}");
}
