//! Fetching the runtimes at run time: the pinned PyPI wheels, verified and unpacked into the
//! per-user folder.
//!
//! Steps: find each wheel (a local folder, or the package index's simple page for the
//! project), download it to a temporary file, check its SHA-256 against the pin, unpack the
//! library (and espeak's data) into `<dest>.partial-<pid>`, check the unpacked files, write a
//! stamp, and rename the folder into place. A cut download, a bad hash or any other failure
//! leaves no folder that looks installed: the stamp is written last and the rename is atomic.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use kittentts_net::Failure;

use crate::{
    ESPEAK_VERSION, Library, ORT_VERSION, Platform, STAMP_FILE, check_library_for, user_runtime_dir,
};

/// The package index used unless told otherwise.
pub const DEFAULT_INDEX_URL: &str = "https://pypi.org/simple";
/// Environment variable naming another package index (a PEP 503 "simple" index).
pub const INDEX_URL_ENV: &str = "KITTENTTS_INDEX_URL";

/// One pinned wheel and what to take out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wheel {
    /// The PyPI project (`onnxruntime`, `espeakng-loader`).
    pub project: String,
    /// The wheel's file name.
    pub filename: String,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// Which library it carries.
    pub library: Library,
    /// The member holding the library (`onnxruntime/capi/libonnxruntime.so.1.32.0`).
    pub library_member: String,
    /// A folder of members to unpack beside the library (`espeakng_loader/espeak-ng-data/`),
    /// as `espeak-ng-data/`.
    pub data_prefix: Option<String>,
    /// The version string the library must contain.
    pub version: String,
}

/// The wheels this build of kittentts is tested with, for this machine (see
/// [`pinned_wheels_for`]); `None` on a machine with no pinned platform.
pub fn pinned_wheels() -> Option<Vec<Wheel>> {
    Platform::host().map(pinned_wheels_for)
}

/// The wheels of ONNX Runtime 1.32.0 (PyPI `onnxruntime`, cp311 wheels: the library inside
/// does not depend on the Python version) and libespeak-ng 1.52.0 (`espeakng-loader` 0.2.4,
/// the build the Python reference uses) for `platform`, with their SHA-256 from PyPI.
pub fn pinned_wheels_for(platform: Platform) -> Vec<Wheel> {
    let (ort_file, ort_sha, ort_member, esp_file, esp_sha, esp_member) = match platform {
        Platform::LinuxX86_64 => (
            "onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl",
            "5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d",
            "onnxruntime/capi/libonnxruntime.so.1.32.0",
            "espeakng_loader-0.2.4-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "08721baf27d13d461f6be6eed9a65277e70d68234ff484fd8b9897b222cdcb6d",
            "espeakng_loader/libespeak-ng.so.1.52.0",
        ),
        Platform::LinuxAarch64 => (
            "onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_aarch64.whl",
            "2303372a85299b6757b0e11e1cbf13e410ddf7e10c37f4b37e99d1c90e7daf7c",
            "onnxruntime/capi/libonnxruntime.so.1.32.0",
            "espeakng_loader-0.2.4-py3-none-manylinux_2_28_aarch64.whl",
            "d1e798141b46a050cdb75fcf3c17db969bb2c40394f3f4a48910655d547508b9",
            "espeakng_loader/libespeak-ng.so.1.52.0",
        ),
        Platform::MacosArm64 => (
            "onnxruntime-1.32.0-cp311-cp311-macosx_14_0_arm64.whl",
            "366b9e53d07812cc5c92822cecf7563b76a8a0f32ba3bb8dd232a206ac3bcb6c",
            "onnxruntime/capi/libonnxruntime.1.32.0.dylib",
            "espeakng_loader-0.2.4-py3-none-macosx_11_0_arm64.whl",
            "d27cdca31112226e7299d8562e889d3e38a1e48055c9ee381b45d669072ee59f",
            "espeakng_loader/libespeak-ng.1.52.0.dylib",
        ),
        Platform::WindowsX86_64 => (
            "onnxruntime-1.32.0-cp311-cp311-win_amd64.whl",
            "d7e0c45cc5f456ad7805e6dd256a7662736cda9c2fd17becae194eb3c2f6df72",
            "onnxruntime/capi/onnxruntime.dll",
            "espeakng_loader-0.2.4-py3-none-win_amd64.whl",
            "41f1e08ac9deda2efd1ea9de0b81dab9f5ae3c4b24284f76533d0a7b1dd7abd7",
            "espeakng_loader/espeak-ng.dll",
        ),
    };
    vec![
        Wheel {
            project: "onnxruntime".into(),
            filename: ort_file.into(),
            sha256: ort_sha.into(),
            library: Library::OnnxRuntime,
            library_member: ort_member.into(),
            data_prefix: None,
            version: ORT_VERSION.into(),
        },
        Wheel {
            project: "espeakng-loader".into(),
            filename: esp_file.into(),
            sha256: esp_sha.into(),
            library: Library::Espeak,
            library_member: esp_member.into(),
            data_prefix: Some("espeakng_loader/espeak-ng-data/".into()),
            version: ESPEAK_VERSION.into(),
        },
    ]
}

/// A report of a download's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The wheel's file name.
    pub file: String,
    /// Bytes so far.
    pub downloaded: u64,
    /// Total bytes, when the server said.
    pub total: Option<u64>,
}

/// How to install.
#[derive(Default)]
pub struct InstallOptions {
    /// Where to install (default: [`user_runtime_dir`]).
    pub dest: Option<PathBuf>,
    /// The package index (default: `$KITTENTTS_INDEX_URL`, else [`DEFAULT_INDEX_URL`]).
    pub index_url: Option<String>,
    /// Take the wheels from this folder instead of downloading them.
    pub wheel_dir: Option<PathBuf>,
    /// Never use the network (then [`wheel_dir`](Self::wheel_dir) is needed).
    pub offline: bool,
    /// Install again even when the folder is complete.
    pub force: bool,
    /// The machine to install for (default: this one). Another platform's runtimes (a
    /// Raspberry Pi image, an app bundle) need [`dest`](Self::dest).
    pub platform: Option<Platform>,
    /// The wheels (default: [`pinned_wheels_for`] the platform); tests pin their own.
    pub wheels: Option<Vec<Wheel>>,
    /// Called as downloads go on.
    pub progress: Option<Box<ProgressFn>>,
}

/// A download progress callback.
pub type ProgressFn = dyn Fn(&Progress);

impl std::fmt::Debug for InstallOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstallOptions")
            .field("dest", &self.dest)
            .field("index_url", &self.index_url)
            .field("wheel_dir", &self.wheel_dir)
            .field("offline", &self.offline)
            .field("force", &self.force)
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

/// What [`install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The runtimes folder (`onnxruntime/`, `espeak-ng/` inside).
    pub dir: PathBuf,
    /// `true` when it was already complete and nothing was done.
    pub already: bool,
}

/// What can go wrong while installing. Each names the file or folder and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// No wheel is pinned for this platform.
    #[error(
        "no runtime wheels are pinned for {os}-{arch}; install ONNX Runtime and libespeak-ng 1.52 yourself and set ORT_DYLIB_PATH and KITTENTTS_ESPEAK_LIBRARY"
    )]
    UnsupportedPlatform {
        /// The OS.
        os: &'static str,
        /// The architecture.
        arch: &'static str,
    },
    /// Another platform's runtimes were asked for without a folder to put them in.
    #[error(
        "--platform {platform} installs another machine's runtimes: pass the folder to fill with --dir"
    )]
    DirNeeded {
        /// The platform asked for.
        platform: Platform,
    },
    /// No home folder is known, so there is no per-user folder.
    #[error(
        "no per-user folder is known (HOME and XDG_DATA_HOME are unset); pass a folder with --dir"
    )]
    NoUserDir,
    /// The destination cannot be written.
    #[error("cannot write to {}: {source}; pass another folder with --dir or fix its permissions", path.display())]
    NotWritable {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Offline without a wheel folder, or the folder lacks a wheel.
    #[error("{filename} is not in {} (offline); download it with `pip download --no-deps {project}` first", dir.display())]
    WheelMissing {
        /// The wheel's project.
        project: String,
        /// The wheel's file name.
        filename: String,
        /// The folder looked in.
        dir: PathBuf,
    },
    /// Offline and no wheel folder given.
    #[error("--offline needs a folder of wheels (--wheels DIR) holding {filenames}")]
    OfflineWithoutWheels {
        /// The wheels needed.
        filenames: String,
    },
    /// The index answered, and its project page does not list the wheel.
    #[error("the package index {url} has no {filename}: {reason}")]
    Index {
        /// The URL asked.
        url: String,
        /// The wheel looked for.
        filename: String,
        /// What went wrong.
        reason: String,
    },
    /// No connection could be made (TLS, DNS, refused, the proxy): no HTTP answer at all.
    #[error("could not connect to {url} ({kind}): {detail}")]
    Connect {
        /// The URL.
        url: String,
        /// Why, in one word.
        kind: crate::ConnectKind,
        /// The details, with what to do.
        detail: String,
    },
    /// The server answered with an HTTP error status.
    #[error("{url} answered HTTP status {status}")]
    HttpStatus {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The download was cut or failed while reading.
    #[error("downloading {url} failed: {reason}; run the command again")]
    Download {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The wheel's SHA-256 is not the pinned one.
    #[error(
        "{filename} has SHA-256 {actual}, not the pinned {expected}: the file is corrupt or not the tested build; delete it and run again"
    )]
    HashMismatch {
        /// The wheel.
        filename: String,
        /// The pin.
        expected: String,
        /// What the file hashes to.
        actual: String,
    },
    /// The wheel is not a zip, or lacks what should be in it.
    #[error("{filename} is not a usable wheel: {reason}")]
    BadWheel {
        /// The wheel.
        filename: String,
        /// What is wrong.
        reason: String,
    },
    /// An unpacked library failed its check.
    #[error(transparent)]
    BadLibrary(#[from] crate::Error),
    /// Another I/O error, with the path.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

/// Whether `dir` holds a complete install for this machine (the stamp and both libraries).
pub fn is_complete(dir: &Path) -> bool {
    Platform::host().is_some_and(|p| is_complete_for(dir, p))
}

fn is_complete_for(dir: &Path, platform: Platform) -> bool {
    let file = |l: Library| platform.file_names(l)[0];
    dir.join(STAMP_FILE).is_file()
        && [Library::OnnxRuntime, Library::Espeak]
            .iter()
            .all(|&l| dir.join(l.subdir()).join(file(l)).is_file())
        && dir.join("espeak-ng").join("espeak-ng-data").is_dir()
}

/// Installs the runtimes (see the module docs). Idempotent: a complete folder is left alone
/// unless `force`.
///
/// # Errors
/// An [`InstallError`] naming what failed; nothing half-installed is left looking complete.
pub fn install(options: &InstallOptions) -> Result<Installed, InstallError> {
    let host = Platform::host();
    let platform = options
        .platform
        .or(host)
        .ok_or(InstallError::UnsupportedPlatform {
            os: std::env::consts::OS,
            arch: std::env::consts::ARCH,
        })?;
    let wheels = match &options.wheels {
        Some(w) => w.clone(),
        None => pinned_wheels_for(platform),
    };
    let dest = match &options.dest {
        Some(d) => d.clone(),
        None if host == Some(platform) => user_runtime_dir().ok_or(InstallError::NoUserDir)?,
        None => return Err(InstallError::DirNeeded { platform }),
    };
    if !options.force && is_complete_for(&dest, platform) {
        return Ok(Installed {
            dir: dest,
            already: true,
        });
    }
    if options.offline && options.wheel_dir.is_none() {
        return Err(InstallError::OfflineWithoutWheels {
            filenames: wheels
                .iter()
                .map(|w| w.filename.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let parent = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| InstallError::NotWritable {
        path: parent.to_path_buf(),
        source,
    })?;
    let partial = with_suffix(&dest, &format!(".partial-{}", std::process::id()));
    remove_all(&partial)?;
    std::fs::create_dir_all(&partial).map_err(|source| InstallError::NotWritable {
        path: partial.clone(),
        source,
    })?;
    let result = fill(&partial, &wheels, platform, options);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(e);
    }
    // Replace an incomplete or forced old folder, then move the new one in.
    remove_all(&dest)?;
    std::fs::rename(&partial, &dest).map_err(|source| InstallError::Io {
        path: dest.clone(),
        source,
    })?;
    Ok(Installed {
        dir: dest,
        already: false,
    })
}

fn fill(
    dir: &Path,
    wheels: &[Wheel],
    platform: Platform,
    options: &InstallOptions,
) -> Result<(), InstallError> {
    for wheel in wheels {
        let (file, _keep) = fetch(wheel, dir, options)?;
        let digest = sha256_file(&file)?;
        if digest != wheel.sha256.to_ascii_lowercase() {
            return Err(InstallError::HashMismatch {
                filename: wheel.filename.clone(),
                expected: wheel.sha256.clone(),
                actual: digest,
            });
        }
        unpack(&file, wheel, platform, &dir.join(wheel.library.subdir()))?;
        if file.starts_with(dir) {
            let _ = std::fs::remove_file(&file);
        }
    }
    let stamp = dir.join(STAMP_FILE);
    let text: String = wheels
        .iter()
        .map(|w| format!("{} {}\n", w.filename, w.sha256))
        .collect();
    std::fs::write(&stamp, text).map_err(|source| InstallError::Io {
        path: stamp,
        source,
    })
}

/// The wheel file: from the wheel folder, or downloaded into `dir`. The bool says whether the
/// file is the caller's (left alone).
fn fetch(
    wheel: &Wheel,
    dir: &Path,
    options: &InstallOptions,
) -> Result<(PathBuf, bool), InstallError> {
    if let Some(wheels) = &options.wheel_dir {
        let path = wheels.join(&wheel.filename);
        if path.is_file() {
            return Ok((path, true));
        }
        if options.offline {
            return Err(InstallError::WheelMissing {
                project: wheel.project.clone(),
                filename: wheel.filename.clone(),
                dir: wheels.clone(),
            });
        }
    }
    let index = options
        .index_url
        .clone()
        .or_else(|| std::env::var(crate::install::INDEX_URL_ENV).ok())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_INDEX_URL.to_owned());
    let url = find_in_index(&index, wheel)?;
    let path = dir.join(&wheel.filename);
    download(&url, &path, &wheel.filename, options.progress.as_deref())?;
    Ok((path, false))
}

/// GET `url` through the installer's client (trust store, proxy), with errors that tell a
/// failed connection from an HTTP status.
fn get(url: &str) -> Result<ureq::Response, InstallError> {
    let connect = |e: crate::ConnectError| InstallError::Connect {
        url: url.to_owned(),
        kind: e.kind,
        detail: e.detail,
    };
    let (agent, proxy) =
        kittentts_net::agent_for(url, &kittentts_net::AgentOptions::default()).map_err(connect)?;
    agent
        .get(url)
        .call()
        .map_err(|e| match Failure::from_ureq(e, proxy.as_deref()) {
            Failure::Connect(c) => connect(c),
            Failure::Status(status, _) => InstallError::HttpStatus {
                url: url.to_owned(),
                status,
            },
        })
}

/// The wheel's URL from the project's page of a PEP 503 simple index.
fn find_in_index(index: &str, wheel: &Wheel) -> Result<String, InstallError> {
    let page = format!(
        "{}/{}/",
        index.trim_end_matches('/'),
        normalize_project(&wheel.project)
    );
    let err = |reason: String| InstallError::Index {
        url: page.clone(),
        filename: wheel.filename.clone(),
        reason,
    };
    let body = get(&page)?
        .into_string()
        .map_err(|e| InstallError::Download {
            url: page.clone(),
            reason: e.to_string(),
        })?;
    let href = body
        .split("<a ")
        .skip(1)
        .find_map(|a| {
            let (attrs, rest) = a.split_once('>')?;
            let text = rest.split('<').next()?.trim();
            (text == wheel.filename).then(|| {
                attrs
                    .split("href=\"")
                    .nth(1)
                    .and_then(|h| h.split('"').next())
                    .map(|h| h.replace("&amp;", "&"))
            })?
        })
        .ok_or_else(|| err("the file is not listed on the project's page".into()))?;
    let href = href.split('#').next().unwrap_or_default().to_owned();
    Ok(kittentts_net::join_url(&page, &href))
}

/// PEP 503 name normalisation: lowercase, runs of `-_.` become `-`.
fn normalize_project(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn download(
    url: &str,
    path: &Path,
    filename: &str,
    progress: Option<&dyn Fn(&Progress)>,
) -> Result<(), InstallError> {
    let err = |reason: String| InstallError::Download {
        url: url.to_owned(),
        reason,
    };
    let response = get(url)?;
    let total = response
        .header("Content-Length")
        .and_then(|v| v.parse::<u64>().ok());
    let io_err = |source| InstallError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut out = File::create(path).map_err(io_err)?;
    let mut report = |downloaded| {
        if let Some(report) = progress {
            report(&Progress {
                file: filename.to_owned(),
                downloaded,
                total,
            });
        }
    };
    let downloaded =
        kittentts_net::copy_reporting(&mut response.into_reader(), &mut out, 0, &mut report)
            .map_err(|e| match e {
                kittentts_net::CopyError::Read(e) => err(e.to_string()),
                kittentts_net::CopyError::Write(e) => io_err(e),
            })?;
    if let Some(total) = total
        && downloaded != total
    {
        return Err(err(format!(
            "the connection ended after {downloaded} of {total} bytes"
        )));
    }
    out.sync_all().map_err(io_err)
}

fn sha256_file(path: &Path) -> Result<String, InstallError> {
    let io_err = |source| InstallError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(io_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Unpacks the library (as its versioned name, with the usual links) and the data folder.
fn unpack(
    wheel_file: &Path,
    wheel: &Wheel,
    platform: Platform,
    into: &Path,
) -> Result<(), InstallError> {
    let bad = |reason: String| InstallError::BadWheel {
        filename: wheel.filename.clone(),
        reason,
    };
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InstallError::Io { path, source }
    };
    let file = File::open(wheel_file).map_err(io_err(wheel_file))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;
    std::fs::create_dir_all(into).map_err(io_err(into))?;
    let versioned = wheel
        .library_member
        .rsplit('/')
        .next()
        .unwrap_or(&wheel.library_member)
        .to_owned();
    let mut found_library = false;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
        let name = entry.name().to_owned();
        let target = if name == wheel.library_member {
            found_library = true;
            into.join(&versioned)
        } else if let Some(prefix) = &wheel.data_prefix
            && let Some(rel) = name.strip_prefix(prefix.as_str())
        {
            if rel.is_empty() || name.ends_with('/') {
                continue; // a folder entry
            }
            // Only plain relative paths: nothing may leave the folder.
            let rel = Path::new(rel);
            if entry.enclosed_name().is_none()
                || !rel
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)))
            {
                return Err(bad(format!("unsafe member path {name:?}")));
            }
            into.join("espeak-ng-data").join(rel)
        } else {
            continue;
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let mut out = File::create(&target).map_err(io_err(&target))?;
        io::copy(&mut entry, &mut out).map_err(io_err(&target))?;
    }
    if !found_library {
        return Err(bad(format!("it has no {}", wheel.library_member)));
    }
    let library = into.join(&versioned);
    check_library_for(&library, platform)?;
    let bytes = std::fs::read(&library).map_err(io_err(&library))?;
    if !contains(&bytes, wheel.version.as_bytes()) {
        return Err(bad(format!(
            "{} does not carry version {}",
            wheel.library_member, wheel.version
        )));
    }
    link_names(into, &versioned, platform.file_names(wheel.library))?;
    if wheel.data_prefix.is_some() && !into.join("espeak-ng-data").join("en_dict").is_file() {
        return Err(bad("its espeak-ng-data has no en_dict".into()));
    }
    Ok(())
}

/// The platform's other names for the library (`libx.so`, `libx.so.1`) as links to the
/// versioned file (copies where links are not available).
fn link_names(dir: &Path, versioned: &str, names: &[&str]) -> Result<(), InstallError> {
    for &name in names {
        if name == versioned {
            continue;
        }
        let link = dir.join(name);
        let _ = std::fs::remove_file(&link);
        #[cfg(unix)]
        let made = std::os::unix::fs::symlink(versioned, &link);
        #[cfg(not(unix))]
        let made = std::fs::copy(dir.join(versioned), &link).map(|_| ());
        made.map_err(|source| InstallError::Io { path: link, source })?;
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn remove_all(path: &Path) -> Result<(), InstallError> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(InstallError::NotWritable {
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_are_normalised() {
        assert_eq!(normalize_project("espeakng_loader"), "espeakng-loader");
        assert_eq!(normalize_project("Foo.__Bar"), "foo-bar");
    }

    #[test]
    fn each_platform_pins_its_own_wheels() {
        let tags = [
            (Platform::LinuxX86_64, "x86_64.whl", ".so.", "ELF"),
            (Platform::LinuxAarch64, "aarch64.whl", ".so.", "ELF"),
            (Platform::MacosArm64, "arm64.whl", ".dylib", "Mach-O"),
            (Platform::WindowsX86_64, "win_amd64.whl", ".dll", "PE"),
        ];
        let mut files = std::collections::BTreeSet::new();
        for (platform, tag, lib, _) in tags {
            let wheels = pinned_wheels_for(platform);
            assert_eq!(wheels.len(), 2);
            for w in &wheels {
                assert!(w.filename.ends_with(tag), "{platform}: {}", w.filename);
                assert!(
                    w.library_member.contains(lib),
                    "{platform}: {}",
                    w.library_member
                );
                assert_eq!(w.sha256.len(), 64);
                assert!(files.insert(w.filename.clone()), "one wheel per platform");
                // The unpacked versioned file is one of the names the search looks for.
                let versioned = w.library_member.rsplit('/').next().unwrap_or_default();
                assert!(
                    platform.file_names(w.library).contains(&versioned),
                    "{versioned}"
                );
            }
            assert_eq!(wheels[0].project, "onnxruntime");
            assert_eq!(wheels[1].project, "espeakng-loader");
        }
        assert_eq!(pinned_wheels(), Platform::host().map(pinned_wheels_for));
    }

    #[test]
    fn another_platform_needs_a_folder() {
        let other = Platform::ALL
            .into_iter()
            .find(|p| Some(*p) != Platform::host())
            .unwrap_or(Platform::WindowsX86_64);
        let options = InstallOptions {
            platform: Some(other),
            offline: true,
            ..InstallOptions::default()
        };
        match install(&options) {
            Err(e @ InstallError::DirNeeded { .. }) => {
                assert!(e.to_string().contains("--dir"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
}
