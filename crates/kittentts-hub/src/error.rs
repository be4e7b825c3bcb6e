//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong resolving a model spec or fetching a file.
///
/// Each variant names what the user acts on: the spec, the repo, the file, the URL or the path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The model spec is neither an existing folder, nor `Org/name`, nor a bare name.
    #[error("invalid model spec {spec:?}: {reason}")]
    InvalidSpec {
        /// The spec as given.
        spec: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The spec looks like a path (`/…`, `./…`, `~/…`, `C:\…`) but no such folder exists.
    #[error("model folder {path:?} does not exist")]
    LocalNotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// A local model folder lacks a file that was asked for (for example `config.json`).
    #[error("model folder {dir:?} has no file {file:?}")]
    LocalFileMissing {
        /// The model folder.
        dir: PathBuf,
        /// The missing file, relative to the folder.
        file: String,
    },
    /// A file name (usually from `config.json`) is empty, absolute or leaves the repo (`..`).
    #[error("invalid file name {file:?}: {reason}")]
    InvalidFileName {
        /// The name as given.
        file: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The hub says the repo does not exist (or is private and no token was sent).
    #[error(
        "model repo {repo:?} not found on the hub (check the name; private repos need HF_TOKEN)"
    )]
    RepoNotFound {
        /// The repo id.
        repo: String,
    },
    /// The repo exists but the revision (branch, tag or commit) does not.
    #[error("revision {revision:?} not found in model repo {repo:?}")]
    RevisionNotFound {
        /// The repo id.
        repo: String,
        /// The revision asked for.
        revision: String,
    },
    /// The repo exists but has no such file at that revision.
    #[error("file {file:?} not found in model repo {repo:?} at revision {revision:?}")]
    FileNotFound {
        /// The repo id.
        repo: String,
        /// The revision asked for.
        revision: String,
        /// The file name.
        file: String,
    },
    /// The hub refused access (HTTP 401/403: gated or private repo, bad token).
    #[error("access to {repo:?} refused (HTTP {status}); set HF_TOKEN to a token that can read it")]
    Unauthorized {
        /// The repo id.
        repo: String,
        /// The HTTP status.
        status: u16,
    },
    /// Offline mode (`HF_HUB_OFFLINE=1` or [`HubOptions::offline`](crate::HubOptions::offline))
    /// and the file is not in the cache.
    #[error(
        "{file:?} of {repo:?} (revision {revision:?}) is not in the cache {cache_dir:?} and offline \
         mode is on; unset HF_HUB_OFFLINE (or set offline=false) to download it once, or point \
         HF_HUB_CACHE/HF_HOME at a cache that has it"
    )]
    Offline {
        /// The repo id.
        repo: String,
        /// The revision asked for.
        revision: String,
        /// The file name.
        file: String,
        /// The cache folder that was searched.
        cache_dir: PathBuf,
    },
    /// The file is not cached and this build has no `download` feature.
    #[error(
        "{file:?} of {repo:?} is not in the cache {cache_dir:?} and kittentts-hub was built \
         without the `download` feature"
    )]
    DownloadDisabled {
        /// The repo id.
        repo: String,
        /// The file name.
        file: String,
        /// The cache folder that was searched.
        cache_dir: PathBuf,
    },
    /// Connecting to or talking with the hub failed (DNS, refused connection, TLS, a proxy,
    /// bad headers): no HTTP answer. The source says which.
    #[error("could not fetch {url} (no HTTP answer)")]
    Network {
        /// The URL requested.
        url: String,
        /// The client's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The hub answered with an unexpected HTTP status.
    #[error("HTTP {status} fetching {url}")]
    Http {
        /// The URL requested.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The connection ended before the whole file arrived; the partial download is kept as a
    /// `.part` file in the cache's blobs folder (never as the file itself) and the next fetch
    /// resumes it.
    #[error("download of {file:?} cut short: got {got} of {} bytes", expected.map_or_else(|| "?".to_owned(), |n| n.to_string()))]
    Truncated {
        /// The file name.
        file: String,
        /// The size the server announced, when it did.
        expected: Option<u64>,
        /// The bytes received so far.
        got: u64,
    },
    /// The downloaded bytes do not hash to the ETag the hub announced; the file was removed.
    #[error(
        "downloaded {file:?} is corrupt: expected {algorithm} {expected}, got {actual} (removed from the cache)"
    )]
    ChecksumMismatch {
        /// The file name.
        file: String,
        /// `"sha256"` (LFS files) or `"git-sha1"` (regular files).
        algorithm: &'static str,
        /// The hash the hub announced.
        expected: String,
        /// The hash of the bytes received.
        actual: String,
    },
    /// No cache folder could be derived: none given, no `HF_HUB_CACHE`/`HF_HOME`, no home folder.
    #[error("no Hugging Face cache folder: set HF_HUB_CACHE or HF_HOME (no home folder found)")]
    NoCacheDir,
    /// A file-system operation failed.
    #[error("I/O error on {path:?}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    #[cfg(feature = "download")]
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
