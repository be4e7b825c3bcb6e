//! The search order, one scenario after another in a single test (the scenarios set process
//! environment variables, so they must not run in parallel).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use kittentts_runtimes::{Error, Library, Place, locate, user_runtime_dir};

const VARS: [&str; 4] = [
    "KITTENTTS_RUNTIME_DIR",
    "ORT_DYLIB_PATH",
    "KITTENTTS_ESPEAK_LIBRARY",
    "XDG_DATA_HOME",
];

fn set(var: &str, value: &Path) {
    // SAFETY: the only test in this binary; nothing reads the environment concurrently.
    unsafe { std::env::set_var(var, value) };
}

fn clear() {
    for v in VARS {
        // SAFETY: as above.
        unsafe { std::env::remove_var(v) };
    }
}

fn elf(len: usize, machine: u16) -> Vec<u8> {
    let mut b = vec![0u8; len];
    b[..4].copy_from_slice(b"\x7fELF");
    b[4] = 2;
    b[5] = 1;
    b[18..20].copy_from_slice(&machine.to_le_bytes());
    b[40..48].copy_from_slice(&64u64.to_le_bytes());
    b[58..60].copy_from_slice(&64u16.to_le_bytes());
    b[60..62].copy_from_slice(&2u16.to_le_bytes()); // two section headers: 64 + 128 bytes
    b
}

const HERE: u16 = if cfg!(target_arch = "aarch64") {
    183
} else {
    62
};

fn runtimes(root: &Path, espeak: &[u8]) {
    std::fs::create_dir_all(root.join("espeak-ng")).unwrap();
    std::fs::create_dir_all(root.join("onnxruntime")).unwrap();
    std::fs::write(root.join("espeak-ng/libespeak-ng.so.1"), espeak).unwrap();
    std::fs::write(root.join("onnxruntime/libonnxruntime.so"), elf(256, HERE)).unwrap();
}

#[test]
fn the_search_order() {
    clear();
    let tmp = tempfile::tempdir().unwrap();
    let good = elf(256, HERE);

    // Nothing anywhere: the system's loader gets the bare name, after the places tried.
    set("XDG_DATA_HOME", &tmp.path().join("data"));
    let build = tmp.path().join("build");
    let found = locate(Library::Espeak, None, Some(&build)).unwrap();
    assert_eq!(found.place, Place::System);
    assert_eq!(found.path, Path::new("libespeak-ng.so.1"));
    let places: Vec<Place> = found.tried.iter().map(|c| c.place).collect();
    assert!(places.contains(&Place::BesideExecutable));
    assert!(
        places.ends_with(&[Place::UserDir, Place::BuildDir]),
        "{places:?}"
    );
    let listing = found.describe_tried();
    assert!(listing.contains(&build.display().to_string()), "{listing}");
    assert!(listing.contains("data/kittentts/runtimes/ort-1.32.0-espeak-ng-1.52.0"));

    // The build folder, then the per-user folder before it.
    runtimes(&build, &good);
    let found = locate(Library::Espeak, None, Some(&build)).unwrap();
    assert_eq!(found.place, Place::BuildDir);
    let user = user_runtime_dir().unwrap();
    assert!(user.starts_with(tmp.path().join("data")));
    runtimes(&user, &good);
    let found = locate(Library::OnnxRuntime, None, Some(&build)).unwrap();
    assert_eq!(found.place, Place::UserDir);
    assert_eq!(found.path, user.join("onnxruntime/libonnxruntime.so"));

    // KITTENTTS_RUNTIME_DIR, relative to the working folder, wins over both.
    let env_dir = tmp.path().join("env-rt");
    runtimes(&env_dir, &good);
    std::env::set_current_dir(tmp.path()).unwrap();
    set("KITTENTTS_RUNTIME_DIR", Path::new("env-rt"));
    let found = locate(Library::Espeak, None, Some(&build)).unwrap();
    assert_eq!(found.place, Place::RuntimeDirEnv);
    assert_eq!(
        found.path.canonicalize().unwrap(),
        env_dir
            .join("espeak-ng/libespeak-ng.so.1")
            .canonicalize()
            .unwrap()
    );
    assert!(found.path.is_absolute());

    // A value naming no folder is an error that names it, not a fall-through.
    set("KITTENTTS_RUNTIME_DIR", Path::new("nothere"));
    match locate(Library::Espeak, None, Some(&build)) {
        Err(e @ Error::EnvPathMissing { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("nothere") && msg.contains("runtimes install"),
                "{msg}"
            );
        }
        other => panic!("{other:?}"),
    }
    clear();
    set("XDG_DATA_HOME", &tmp.path().join("data"));

    // The library's own variable comes first; a missing file is an error.
    set("KITTENTTS_ESPEAK_LIBRARY", &tmp.path().join("missing.so"));
    assert!(matches!(
        locate(Library::Espeak, None, Some(&build)),
        Err(Error::EnvPathMissing {
            var: "KITTENTTS_ESPEAK_LIBRARY",
            ..
        })
    ));
    set(
        "KITTENTTS_ESPEAK_LIBRARY",
        &env_dir.join("espeak-ng/libespeak-ng.so.1"),
    );
    assert_eq!(
        locate(Library::Espeak, None, Some(&build)).unwrap().place,
        Place::EnvFile
    );
    // The builder's path beats everything.
    let explicit = Path::new("/opt/custom/libespeak-ng.so.1");
    let found = locate(Library::Espeak, Some(explicit), Some(&build)).unwrap();
    assert_eq!(
        (found.place, found.path.as_path()),
        (Place::Explicit, explicit)
    );
    clear();
    set("XDG_DATA_HOME", &tmp.path().join("data"));

    // Broken files found on the way are typed errors naming the file.
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("truncated", good[..150].to_vec(), "cut short"),
        (
            "arm",
            elf(256, if HERE == 62 { 183 } else { 62 }),
            "another architecture",
        ),
        (
            "text",
            b"not a library at all, just text".repeat(4),
            "not an ELF",
        ),
        ("empty", Vec::new(), "empty"),
    ];
    for (name, bytes, why) in cases {
        let dir = tmp.path().join(name);
        runtimes(&dir, &bytes);
        set("KITTENTTS_RUNTIME_DIR", &dir);
        match locate(Library::Espeak, None, None) {
            Err(e @ Error::BadLibrary { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains(why) && msg.contains(name), "{name}: {msg}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    clear();
}
