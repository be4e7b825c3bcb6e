//! KittenTTS model resolution: a model spec → local files, from a folder or the Hugging Face Hub,
//! cached in the standard Hugging Face cache and usable offline.
//!
//! Pipeline role: the first step of loading a model, before any other crate runs.
//! `Synthesizer::builder().model(spec)` in the facade resolves `spec` with
//! [`ModelSource::resolve_spec`], fetches `config.json` with [`Hub::locate`], lets
//! `kittentts-voices` parse it, then fetches the model and voices files it names; `kittentts-onnx`
//! and `kittentts-voices` load and validate them. This crate depends on no other kittentts crate.
//!
//! - **Specs**: an existing folder laid out like a hub repo; `Org/name`; a bare name
//!   (`kitten-tts-mini-0.8` means `KittenML/kitten-tts-mini-0.8`, as in Python); an optional
//!   `@revision` suffix. [`KNOWN_MODELS`] lists the published repos; [`DEFAULT_MODEL`] is nano 0.8
//!   int8.
//! - **Cache**: Python's layout (`models--Org--name/{blobs,refs,snapshots}`) in `HF_HUB_CACHE` /
//!   `$HF_HOME/hub` / `~/.cache/huggingface/hub`, so a model that Python already fetched is not
//!   fetched again, and the other way round. See [`HubOptions::from_vars`] for every variable
//!   (`HF_ENDPOINT`, `HF_TOKEN`, token file, `HF_HUB_OFFLINE`).
//! - **Cache first**: [`Hub::fetch`] returns a cached file without any request, for a commit
//!   revision and for a branch (`main` by default) alike: the branch is looked up through
//!   `refs/<branch>`, which records the commit it pointed at when it was fetched. KittenTTS repos
//!   change rarely, and this is what makes the second load work offline without configuration.
//!   To pick up a newer upload of a branch, name its commit (`…@<sha>`) or clear the cache.
//! - **Offline** (`HF_HUB_OFFLINE=1` or [`HubOptions::offline`]): the cache only;
//!   a miss is [`Error::Offline`] with what to set.
//! - **Downloads** (cargo feature `download`, on by default): a blocking ureq client set up by
//!   `kittentts-net` (the system trust store plus `SSL_CERT_FILE`/`SSL_CERT_DIR`; `HTTPS_PROXY`,
//!   `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`; 30 s to connect, 60 s without bytes).
//!   Nothing downloads in [`Hub::new`]; only [`Hub::fetch`], [`Hub::fetch_model_files`] and
//!   [`Hub::locate`] on a hub source do. Files arrive as `blobs/<etag>.part`, are renamed when
//!   complete, and are then checked against the ETag (sha256 for LFS files, git blob sha1
//!   otherwise) and the announced size; a bad file is removed ([`Error::ChecksumMismatch`]). A cut
//!   connection is [`Error::Truncated`] and leaves only the `.part` file, which the next fetch
//!   resumes (and a fetch retries [`HubOptions::retries`] times itself). [`Progress`] callbacks
//!   report bytes as they arrive. A failure with no HTTP answer is [`Error::Network`], whose
//!   source says why (TLS, DNS, refused, the proxy).
//!
//! ## Why its own downloader
//!
//! The cache layout is the hub's (shared with Python's `huggingface_hub`, checked both ways by
//! `scripts/hub-python-interop.sh`); the download is the hub's protocol in a few hundred lines.
//! hf-hub 0.4, used before, built its own HTTP client: it trusted only the built-in roots, read
//! no `NO_PROXY`, had no timeouts and checked nothing it downloaded; hf-hub 1.0 costs five times
//! the build and a tokio runtime inside a synchronous library (measured: 186 s against 36 s for
//! a clean release build, 225 crates against 83).
//!
//! ## Example: the facade's loading flow
//!
//! ```
//! use std::path::{Path, PathBuf};
//! use kittentts_hub::{Hub, HubOptions, ModelSource, Progress};
//!
//! /// spec → config.json → (parse) → model and voices files.
//! fn model_files(
//!     hub: &Hub,
//!     spec: &str,
//!     parse_config: impl Fn(&Path) -> Result<(String, String), Box<dyn std::error::Error>>,
//! ) -> Result<(PathBuf, PathBuf), Box<dyn std::error::Error>> {
//!     let source = ModelSource::resolve_spec(spec)?;
//!     let config = hub.locate(&source, "config.json", None)?;
//!     // In the facade: kittentts-voices parses config.json (type, model_file, voices, aliases).
//!     let (model_file, voices_file) = parse_config(&config)?;
//!     let bar = |p: Progress| {
//!         tracing::info!(file = %p.file, done = p.downloaded, total = ?p.total, "downloading");
//!     };
//!     let model = hub.locate(&source, &model_file, Some(&bar))?;
//!     let voices = hub.locate(&source, &voices_file, Some(&bar))?;
//!     Ok((model, voices))
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A local folder laid out like a hub repo (a hub spec such as "kitten-tts-mini-0.8" takes
//! // the same path through the cache and, when missing, the network).
//! let dir = tempfile::tempdir()?;
//! std::fs::write(
//!     dir.path().join("config.json"),
//!     r#"{"type": "ONNX2", "model_file": "model.onnx", "voices": "voices.npz"}"#,
//! )?;
//! std::fs::write(dir.path().join("model.onnx"), b"onnx")?;
//! std::fs::write(dir.path().join("voices.npz"), b"npz")?;
//!
//! let hub = Hub::new(HubOptions::default().with_cache_dir(dir.path().join("cache")))?;
//! let parse = |config: &Path| -> Result<(String, String), Box<dyn std::error::Error>> {
//!     let json: serde_json::Value = serde_json::from_slice(&std::fs::read(config)?)?;
//!     Ok((
//!         json["model_file"].as_str().ok_or("no model_file")?.to_owned(),
//!         json["voices"].as_str().ok_or("no voices")?.to_owned(),
//!     ))
//! };
//! let spec = dir.path().to_str().ok_or("path")?;
//! let (model, voices) = model_files(&hub, spec, parse)?;
//! assert_eq!(model, dir.path().join("model.onnx"));
//! assert_eq!(voices, dir.path().join("voices.npz"));
//! # Ok(())
//! # }
//! ```

mod cache;
#[cfg(feature = "download")]
mod download;
mod error;
mod options;
mod spec;
#[cfg(feature = "download")]
mod verify;

use std::path::{Path, PathBuf};

pub use cache::repo_folder_name;
pub use error::Error;
pub use options::{DEFAULT_ENDPOINT, HubOptions, default_cache_dir};
pub use spec::{DEFAULT_MODEL, DEFAULT_ORG, KNOWN_MODELS, KnownModel, ModelSource, known_model};

/// The revision used when none is given.
pub const DEFAULT_REVISION: &str = "main";

/// Download progress of one file, passed to the callback of [`Hub::fetch`].
///
/// The first call of a download has `downloaded == 0` (or the resumed offset); each later call
/// has a larger `downloaded`; the last equals `total` when the download completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The file name inside the repo.
    pub file: String,
    /// Bytes received so far (including a resumed `.part` file).
    pub downloaded: u64,
    /// The size the hub announced.
    pub total: Option<u64>,
}

/// Resolves and fetches model files: the cache, the hub, or a local folder.
///
/// `Send + Sync`; methods take `&self`. [`Hub::new`] never touches the network.
pub struct Hub {
    endpoint: String,
    cache_dir: PathBuf,
    offline: bool,
    #[cfg(feature = "download")]
    downloader: download::Downloader,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("endpoint", &self.endpoint)
            .field("cache_dir", &self.cache_dir)
            .field("offline", &self.offline)
            .finish_non_exhaustive()
    }
}

impl Hub {
    /// A hub client with `options` (defaults: see [`HubOptions`]); no network.
    ///
    /// # Errors
    /// [`Error::NoCacheDir`] when no cache folder is given or derivable; [`Error::Network`] when
    /// the HTTP client cannot be set up.
    pub fn new(options: HubOptions) -> Result<Self, Error> {
        let endpoint = options.endpoint.map_or_else(
            || DEFAULT_ENDPOINT.to_owned(),
            |e| e.trim_end_matches('/').to_owned(),
        );
        let cache_dir = options
            .cache_dir
            .or_else(default_cache_dir)
            .ok_or(Error::NoCacheDir)?;
        let offline = options.offline.unwrap_or(false);
        #[cfg(feature = "download")]
        let downloader = download::Downloader::new(
            &endpoint,
            options.token,
            &cache_dir,
            options.retries.unwrap_or(2),
        );
        tracing::debug!(%endpoint, cache_dir = %cache_dir.display(), offline, "hub client ready");
        Ok(Self {
            endpoint,
            cache_dir,
            offline,
            #[cfg(feature = "download")]
            downloader,
        })
    }

    /// `Hub::new(HubOptions::from_env())`.
    ///
    /// # Errors
    /// As [`Hub::new`].
    pub fn from_env() -> Result<Self, Error> {
        Self::new(HubOptions::from_env())
    }

    /// The hub cache folder (the one holding `models--Org--name/`).
    #[must_use]
    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    /// The endpoint files are downloaded from.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Whether this client stays off the network.
    #[must_use]
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// The cached path of `file`, without any network; `Ok(None)` when it is not cached.
    ///
    /// # Errors
    /// [`Error::InvalidSpec`] for a bad repo id or revision, [`Error::InvalidFileName`].
    pub fn cached(
        &self,
        repo: &str,
        revision: Option<&str>,
        file: &str,
    ) -> Result<Option<PathBuf>, Error> {
        let revision = check(repo, revision, file)?;
        Ok(cache::lookup(&self.cache_dir, repo, revision, file))
    }

    /// The local path of `file` from `repo` at `revision` (`main` when `None`): from the cache
    /// when it is there (no request), else downloaded into the cache unless offline.
    ///
    /// # Errors
    /// [`Error::InvalidSpec`], [`Error::InvalidFileName`]; [`Error::Offline`] or
    /// [`Error::DownloadDisabled`] on a cache miss without network; [`Error::RepoNotFound`],
    /// [`Error::RevisionNotFound`], [`Error::FileNotFound`], [`Error::Unauthorized`],
    /// [`Error::Http`], [`Error::Network`] from the hub; [`Error::Truncated`] and
    /// [`Error::ChecksumMismatch`] for a bad download; [`Error::Io`].
    pub fn fetch(
        &self,
        repo: &str,
        revision: Option<&str>,
        file: &str,
        progress: Option<&dyn Fn(Progress)>,
    ) -> Result<PathBuf, Error> {
        let revision = check(repo, revision, file)?;
        if let Some(path) = cache::lookup(&self.cache_dir, repo, revision, file) {
            tracing::debug!(repo, revision, file, path = %path.display(), "cache hit");
            return Ok(path);
        }
        if self.offline {
            return Err(Error::Offline {
                repo: repo.to_owned(),
                revision: revision.to_owned(),
                file: file.to_owned(),
                cache_dir: self.cache_dir.clone(),
            });
        }
        self.download(repo, revision, file, progress)
    }

    #[cfg(feature = "download")]
    fn download(
        &self,
        repo: &str,
        revision: &str,
        file: &str,
        progress: Option<&dyn Fn(Progress)>,
    ) -> Result<PathBuf, Error> {
        self.downloader.download(repo, revision, file, progress)
    }

    #[cfg(not(feature = "download"))]
    fn download(
        &self,
        repo: &str,
        _revision: &str,
        file: &str,
        _progress: Option<&dyn Fn(Progress)>,
    ) -> Result<PathBuf, Error> {
        Err(Error::DownloadDisabled {
            repo: repo.to_owned(),
            file: file.to_owned(),
            cache_dir: self.cache_dir.clone(),
        })
    }

    /// Fetches every file of `files` (as [`Hub::fetch`]) and returns their snapshot folder,
    /// `<cache>/models--Org--name/snapshots/<commit>`, in which `files` now all exist.
    ///
    /// # Errors
    /// The first error of [`Hub::fetch`]; [`Error::InvalidFileName`] when `files` is empty.
    pub fn fetch_model_files(
        &self,
        repo: &str,
        revision: Option<&str>,
        files: &[&str],
        progress: Option<&dyn Fn(Progress)>,
    ) -> Result<PathBuf, Error> {
        let mut snapshot = None;
        for file in files {
            let path = self.fetch(repo, revision, file, progress)?;
            snapshot.get_or_insert_with(|| cache::snapshot_dir(&path, file));
        }
        snapshot.ok_or(Error::InvalidFileName {
            file: String::new(),
            reason: "no files asked for",
        })
    }

    /// The local path of `file` of a resolved model: inside the folder for
    /// [`ModelSource::Local`], through [`Hub::fetch`] for [`ModelSource::Hub`].
    ///
    /// # Errors
    /// [`Error::LocalFileMissing`] when the folder lacks the file; [`Error::InvalidFileName`];
    /// the errors of [`Hub::fetch`].
    pub fn locate(
        &self,
        source: &ModelSource,
        file: &str,
        progress: Option<&dyn Fn(Progress)>,
    ) -> Result<PathBuf, Error> {
        match source {
            ModelSource::Local(dir) => {
                spec::validate_file_name(file)?;
                let path = dir.join(file);
                if path.is_file() {
                    Ok(path)
                } else {
                    Err(Error::LocalFileMissing {
                        dir: dir.clone(),
                        file: file.to_owned(),
                    })
                }
            }
            ModelSource::Hub { repo, revision } => {
                self.fetch(repo, revision.as_deref(), file, progress)
            }
        }
    }
}

/// Validates the arguments of a fetch; returns the revision to use.
fn check<'a>(repo: &str, revision: Option<&'a str>, file: &str) -> Result<&'a str, Error> {
    let revision = revision.unwrap_or(DEFAULT_REVISION);
    let spec = || format!("{repo}@{revision}");
    spec::validate_repo_id(repo).map_err(|reason| Error::InvalidSpec {
        spec: spec(),
        reason,
    })?;
    spec::validate_revision(revision).map_err(|reason| Error::InvalidSpec {
        spec: spec(),
        reason,
    })?;
    spec::validate_file_name(file)?;
    Ok(revision)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Hub>();
        assert_send_sync::<Error>();
    }

    #[test]
    fn new_uses_options_without_network() {
        let hub = Hub::new(
            HubOptions::default()
                .with_endpoint("http://127.0.0.1:9/")
                .with_cache_dir("/nonexistent/c")
                .with_offline(true),
        )
        .unwrap();
        assert_eq!(hub.endpoint(), "http://127.0.0.1:9");
        assert_eq!(hub.cache_dir(), Path::new("/nonexistent/c"));
        assert!(hub.is_offline());
        assert_eq!(
            hub.cached("KittenML/kitten-tts-mini-0.8", None, "config.json")
                .unwrap(),
            None
        );
    }

    #[cfg(not(feature = "download"))]
    #[test]
    fn without_download_a_miss_is_download_disabled() {
        let cache = tempfile::tempdir().unwrap();
        let hub = Hub::new(
            HubOptions::default()
                .with_cache_dir(cache.path())
                .with_offline(false),
        )
        .unwrap();
        match hub.fetch("KittenML/kitten-tts-mini-0.8", None, "config.json", None) {
            Err(Error::DownloadDisabled {
                repo,
                file,
                cache_dir,
            }) => {
                assert_eq!(
                    (repo.as_str(), file.as_str()),
                    ("KittenML/kitten-tts-mini-0.8", "config.json")
                );
                assert_eq!(cache_dir, cache.path());
            }
            other => panic!("expected DownloadDisabled, got {other:?}"),
        }
    }
}
