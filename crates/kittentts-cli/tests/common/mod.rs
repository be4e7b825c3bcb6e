//! What the binary's tests share: the command with a clean environment, and a mock package
//! index on 127.0.0.1 serving the real pinned wheels.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kittentts_mockhub::MockHub;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_kittentts");

pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn fixture() -> PathBuf {
    repo().join("tests/data/fixture").canonicalize().unwrap()
}

/// The command with a clean environment: a home of its own, none of kittentts's variables.
pub(crate) fn kittentts(home: &Path) -> Command {
    let mut c = Command::new(BIN);
    for var in [
        "KITTENTTS_RUNTIME_DIR",
        "ORT_DYLIB_PATH",
        "KITTENTTS_ESPEAK_LIBRARY",
        "KITTENTTS_ESPEAK_DATA",
        "XDG_DATA_HOME",
        "KITTENTTS_INDEX_URL",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        c.env_remove(var);
    }
    c.env("HOME", home).current_dir(home);
    c
}

pub(crate) fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) fn index() -> MockHub {
    let wheels = repo().join("runtimes/wheels");
    let mut b = MockHub::builder();
    for (project, prefix) in [
        ("onnxruntime", "onnxruntime-"),
        ("espeakng-loader", "espeakng_loader-"),
    ] {
        let file = std::fs::read_dir(&wheels)
            .expect("runtimes/wheels: run bash scripts/fetch-runtimes.sh")
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .find(|n| n.starts_with(prefix))
            .unwrap();
        let bytes = std::fs::read(wheels.join(&file)).unwrap();
        b = b
            .canned(
                &format!("/simple/{project}/"),
                200,
                &[("Content-Type", "text/html")],
                format!("<html><body><a href=\"/packages/{file}\">{file}</a></body></html>")
                    .as_bytes(),
            )
            .canned(&format!("/packages/{file}"), 200, &[], &bytes);
    }
    b.start().unwrap()
}
