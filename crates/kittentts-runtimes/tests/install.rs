//! `install` against a mock package index on 127.0.0.1 (the mock hub's canned answers), with
//! small stand-in wheels whose hashes the tests pin: first install, idempotence, the local
//! wheel folder, offline mode, a bad hash, a cut download, an unwritable folder, a wheel
//! without its library. Only loopback traffic; each test makes a handful of requests.
#![cfg(feature = "install")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;

use kittentts_mockhub::{MockHub, sha256_hex};
use kittentts_runtimes::{InstallError, InstallOptions, Library, Wheel, install, locate};

/// A 64-bit little-endian ELF header for this machine, with its (empty) section table inside
/// the file, padded to `len` bytes, carrying `version` as text.
fn fake_library(version: &str, len: usize) -> Vec<u8> {
    let mut b = vec![0u8; len.max(128)];
    b[..4].copy_from_slice(b"\x7fELF");
    b[4] = 2; // 64-bit
    b[5] = 1; // little-endian
    let machine: u16 = if cfg!(target_arch = "aarch64") {
        183
    } else {
        62
    };
    b[18..20].copy_from_slice(&machine.to_le_bytes());
    b[40..48].copy_from_slice(&64u64.to_le_bytes()); // e_shoff
    b[58..60].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
    b[60..62].copy_from_slice(&0u16.to_le_bytes()); // e_shnum
    b[100..100 + version.len()].copy_from_slice(version.as_bytes());
    b
}

fn zip(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        for (name, bytes) in files {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}

struct Fixture {
    ort: Vec<u8>,
    espeak: Vec<u8>,
}

impl Fixture {
    fn new() -> Self {
        Self {
            ort: zip(&[
                (
                    "onnxruntime/capi/libonnxruntime.so.1.32.0",
                    fake_library("1.32.0", 4096),
                ),
                ("onnxruntime/__init__.py", b"".to_vec()),
            ]),
            espeak: zip(&[
                (
                    "espeakng_loader/libespeak-ng.so.1.52.0",
                    fake_library("1.52.0", 2048),
                ),
                ("espeakng_loader/espeak-ng-data/en_dict", b"dict".to_vec()),
                (
                    "espeakng_loader/espeak-ng-data/voices/en-us",
                    b"voice".to_vec(),
                ),
            ]),
        }
    }

    fn wheels(&self) -> Vec<Wheel> {
        vec![
            Wheel {
                project: "onnxruntime".into(),
                filename: "onnxruntime-1.32.0-test.whl".into(),
                sha256: sha256_hex(&self.ort),
                library: Library::OnnxRuntime,
                library_member: "onnxruntime/capi/libonnxruntime.so.1.32.0".into(),
                data_prefix: None,
                version: "1.32.0".into(),
            },
            Wheel {
                project: "espeakng-loader".into(),
                filename: "espeakng_loader-0.2.4-test.whl".into(),
                sha256: sha256_hex(&self.espeak),
                library: Library::Espeak,
                library_member: "espeakng_loader/libespeak-ng.so.1.52.0".into(),
                data_prefix: Some("espeakng_loader/espeak-ng-data/".into()),
                version: "1.52.0".into(),
            },
        ]
    }

    /// A simple index: project pages linking (relatively, with a hash fragment) to files.
    fn index(&self, ort_body: Option<&[u8]>) -> MockHub {
        let page = |file: &str, digest: &str| {
            format!(
                "<!DOCTYPE html><html><body>\n<a href=\"../../files/{file}#sha256={digest}\">{file}</a><br/>\n</body></html>"
            )
        };
        let w = self.wheels();
        MockHub::builder()
            .canned(
                "/simple/onnxruntime/",
                200,
                &[("Content-Type", "text/html")],
                page(&w[0].filename, &w[0].sha256).as_bytes(),
            )
            .canned(
                "/simple/espeakng-loader/",
                200,
                &[("Content-Type", "text/html")],
                page(&w[1].filename, &w[1].sha256).as_bytes(),
            )
            .canned(
                &format!("/files/{}", w[0].filename),
                200,
                &[],
                ort_body.unwrap_or(&self.ort),
            )
            .canned(&format!("/files/{}", w[1].filename), 200, &[], &self.espeak)
            .start()
            .unwrap()
    }
}

fn options(hub: &MockHub, dest: &Path, wheels: Vec<Wheel>) -> InstallOptions {
    InstallOptions {
        dest: Some(dest.to_path_buf()),
        index_url: Some(format!("{}/simple", hub.url())),
        wheels: Some(wheels),
        ..InstallOptions::default()
    }
}

#[test]
fn installs_from_the_index_then_does_nothing() {
    let fx = Fixture::new();
    let hub = fx.index(None);
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("rt");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut opts = options(&hub, &dest, fx.wheels());
    let log = seen.clone();
    opts.progress = Some(Box::new(move |p| log.lock().unwrap().push(p.clone())));
    let done = install(&opts).unwrap();
    assert!(!done.already);
    assert_eq!(done.dir, dest);
    for (sub, file, versioned) in [
        (
            "onnxruntime",
            "libonnxruntime.so",
            "libonnxruntime.so.1.32.0",
        ),
        ("espeak-ng", "libespeak-ng.so.1", "libespeak-ng.so.1.52.0"),
    ] {
        let path = dest.join(sub).join(file);
        assert!(path.is_file(), "{}", path.display());
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(dest.join(sub).join(versioned)).unwrap()
        );
    }
    assert!(dest.join("onnxruntime/libonnxruntime.so.1").is_file());
    assert_eq!(
        std::fs::read(dest.join("espeak-ng/espeak-ng-data/voices/en-us")).unwrap(),
        b"voice"
    );
    assert!(dest.join(kittentts_runtimes::STAMP_FILE).is_file());
    // No wheel and no partial folder left behind.
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["rt"]);
    assert!(!dest.join("onnxruntime-1.32.0-test.whl").exists());
    let progress = seen.lock().unwrap();
    assert!(progress.iter().any(|p| p.file.starts_with("onnxruntime")
        && p.total == Some(fx.ort.len() as u64)
        && p.downloaded == fx.ort.len() as u64));
    drop(progress);
    // Four requests: two pages, two files. A second run asks nothing.
    assert_eq!(hub.requests(), 4);
    let again = install(&opts).unwrap();
    assert!(again.already);
    assert_eq!(hub.requests(), 4);
}

#[test]
fn a_wheel_folder_works_offline_and_a_missing_wheel_is_named() {
    let fx = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let wheels = tmp.path().join("wheels");
    std::fs::create_dir(&wheels).unwrap();
    std::fs::write(wheels.join("onnxruntime-1.32.0-test.whl"), &fx.ort).unwrap();
    let dest = tmp.path().join("rt");
    let opts = InstallOptions {
        dest: Some(dest.clone()),
        wheel_dir: Some(wheels.clone()),
        offline: true,
        index_url: Some("http://127.0.0.1:9/never".into()),
        wheels: Some(fx.wheels()),
        ..InstallOptions::default()
    };
    match install(&opts) {
        Err(e @ InstallError::WheelMissing { .. }) => {
            assert!(e.to_string().contains("espeakng_loader-0.2.4-test.whl"))
        }
        other => panic!("{other:?}"),
    }
    assert!(!dest.exists());
    std::fs::write(wheels.join("espeakng_loader-0.2.4-test.whl"), &fx.espeak).unwrap();
    assert!(!install(&opts).unwrap().already);
    assert!(dest.join("espeak-ng/libespeak-ng.so.1").is_file());
    // The caller's wheels are left where they are.
    assert!(wheels.join("onnxruntime-1.32.0-test.whl").is_file());
    // Offline without a folder is refused up front.
    let none = InstallOptions {
        dest: Some(tmp.path().join("other")),
        offline: true,
        wheels: Some(fx.wheels()),
        ..InstallOptions::default()
    };
    assert!(matches!(
        install(&none),
        Err(InstallError::OfflineWithoutWheels { .. })
    ));
}

#[test]
fn a_bad_hash_installs_nothing() {
    let fx = Fixture::new();
    let mut tampered = fx.ort.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0xff;
    let hub = fx.index(Some(&tampered));
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("rt");
    match install(&options(&hub, &dest, fx.wheels())) {
        Err(e @ InstallError::HashMismatch { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("onnxruntime-1.32.0-test.whl") && msg.contains(&fx.wheels()[0].sha256)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_cut_download_installs_nothing() {
    let fx = Fixture::new();
    let w = fx.wheels();
    let half = &fx.ort[..fx.ort.len() / 2];
    let full_len = fx.ort.len().to_string();
    let hub = MockHub::builder()
        .canned(
            "/simple/onnxruntime/",
            200,
            &[],
            format!("<a href=\"/files/{0}\">{0}</a>", w[0].filename).as_bytes(),
        )
        .canned(
            &format!("/files/{}", w[0].filename),
            200,
            &[("Content-Length", &full_len)],
            half,
        )
        .start()
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("rt");
    match install(&options(&hub, &dest, w)) {
        Err(e @ InstallError::Download { .. }) => {
            assert!(e.to_string().contains("run the command again"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn an_unlisted_wheel_and_a_wheel_without_its_library_are_typed_errors() {
    let fx = Fixture::new();
    let hub = fx.index(None);
    let tmp = tempfile::tempdir().unwrap();
    let mut wheels = fx.wheels();
    wheels[0].filename = "onnxruntime-9.9.9-nothere.whl".into();
    match install(&options(&hub, &tmp.path().join("a"), wheels)) {
        Err(e @ InstallError::Index { .. }) => {
            assert!(e.to_string().contains("onnxruntime-9.9.9-nothere.whl"))
        }
        other => panic!("{other:?}"),
    }
    let mut wheels = fx.wheels();
    wheels[0].library_member = "onnxruntime/capi/libmissing.so".into();
    assert!(matches!(
        install(&options(&hub, &tmp.path().join("b"), wheels)),
        Err(InstallError::BadWheel { .. })
    ));
    assert!(!tmp.path().join("a").exists() && !tmp.path().join("b").exists());
}

#[test]
fn an_unwritable_folder_is_a_typed_error_naming_it() {
    let fx = Fixture::new();
    let hub = fx.index(None);
    let tmp = tempfile::tempdir().unwrap();
    // A file where a parent folder should be: no permission bits needed (CI runs as root).
    let blocker = tmp.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let dest = blocker.join("rt");
    match install(&options(&hub, &dest, fx.wheels())) {
        Err(e @ InstallError::NotWritable { .. }) => {
            assert!(e.to_string().contains("not-a-folder"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(hub.requests(), 0);
}

#[test]
fn an_installed_folder_is_found_through_the_runtime_dir_variable() {
    let fx = Fixture::new();
    let hub = fx.index(None);
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("rt");
    install(&options(&hub, &dest, fx.wheels())).unwrap();
    // SAFETY: this test binary's tests do not read the variable concurrently except here.
    unsafe { std::env::set_var("KITTENTTS_RUNTIME_DIR", &dest) };
    let found = locate(Library::Espeak, None, None).unwrap();
    unsafe { std::env::remove_var("KITTENTTS_RUNTIME_DIR") };
    assert_eq!(found.path, dest.join("espeak-ng/libespeak-ng.so.1"));
}
