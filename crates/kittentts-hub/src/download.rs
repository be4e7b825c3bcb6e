//! Downloads through hf-hub 0.4's blocking (ureq) API, with typed errors and a check of every
//! downloaded file against its ETag.
//!
//! hf-hub writes `blobs/<etag>.part` (resuming it with a `Range` request when it exists), renames
//! it to `blobs/<etag>` when the body ends, links `snapshots/<commit>/<file>` to it and writes
//! `refs/<revision>`. It does not check what it received, so [`Downloader::download`] hashes the
//! blob (sha256 for LFS files, git blob sha1 otherwise, as the hub's ETags are) and compares its
//! length with the announced size; a mismatch removes the blob and its link.

use std::cell::Cell;
use std::io;
use std::path::{Path, PathBuf};

use hf_hub::api::Progress as HfProgress;
use hf_hub::api::sync::{Api, ApiBuilder, ApiError};
use hf_hub::{Cache, Repo, RepoType};

use crate::verify::Checksum;
use crate::{Error, Progress};

/// hf-hub's blocking client, set up from [`HubOptions`](crate::HubOptions).
#[derive(Debug)]
pub(crate) struct Downloader {
    api: Api,
    cache_dir: PathBuf,
}

impl Downloader {
    /// Builds the client; no network.
    pub(crate) fn new(
        endpoint: &str,
        token: Option<String>,
        cache_dir: &Path,
        retries: usize,
    ) -> Result<Self, Error> {
        let api = ApiBuilder::from_cache(Cache::new(cache_dir.to_path_buf()))
            .with_endpoint(endpoint.to_owned())
            .with_token(token)
            .with_progress(false)
            .with_retries(retries)
            .with_user_agent("kittentts-hub", env!("CARGO_PKG_VERSION"))
            .build()
            .map_err(|source| Error::Network {
                url: endpoint.to_owned(),
                source: Box::new(source),
            })?;
        Ok(Self {
            api,
            cache_dir: cache_dir.to_path_buf(),
        })
    }

    /// Downloads `file` into the cache and returns its snapshot path.
    pub(crate) fn download(
        &self,
        repo: &str,
        revision: &str,
        file: &str,
        progress: Option<&dyn Fn(Progress)>,
    ) -> Result<PathBuf, Error> {
        match self.download_once(repo, revision, file, progress) {
            // A `.part` file that already holds every byte (the process stopped between the
            // last write and the rename) makes hf-hub ask for `bytes=<size>-`: 416. Drop it and
            // download again.
            Err(Error::Http { status: 416, .. }) => {
                let stale = self.remove_full_parts(repo, file)?;
                tracing::warn!(
                    file,
                    stale,
                    "removed complete-sized .part files; downloading again"
                );
                self.download_once(repo, revision, file, progress)
            }
            other => other,
        }
    }

    /// Removes the `.part` files of `repo` whose name is the hash of their contents (finished
    /// downloads that were never renamed); returns how many.
    fn remove_full_parts(&self, repo: &str, file: &str) -> Result<usize, Error> {
        let blobs = self
            .cache_dir
            .join(crate::repo_folder_name(repo))
            .join("blobs");
        let entries = std::fs::read_dir(&blobs).map_err(Error::io(&blobs))?;
        let mut removed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(etag) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".part"))
            else {
                continue;
            };
            let Some(checksum) = Checksum::from_etag(etag) else {
                continue;
            };
            if checksum.of_file(&path)?.eq_ignore_ascii_case(etag) {
                std::fs::remove_file(&path).map_err(Error::io(&path))?;
                tracing::debug!(file, part = %path.display(), "removed a finished .part file");
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn download_once(
        &self,
        repo: &str,
        revision: &str,
        file: &str,
        progress: Option<&dyn Fn(Progress)>,
    ) -> Result<PathBuf, Error> {
        let api_repo = self.api.repo(Repo::with_revision(
            repo.to_owned(),
            RepoType::Model,
            revision.to_owned(),
        ));
        let url = api_repo.url(file);
        let state = State::default();
        let adapter = Adapter {
            file,
            callback: progress,
            state: &state,
        };
        tracing::info!(%url, "downloading");
        // hf-hub 0.4 unwraps a few server answers (a 3xx without `Location`, for one); a server
        // that is not quite the hub must give an error, not a panic.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            api_repo.download_with_progress(file, adapter)
        }))
        .map_err(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Error::Network {
                url: url.clone(),
                source: format!("unexpected answer from the server ({message})").into(),
            }
        })?;
        let path = result.map_err(|e| {
            let ctx = Context {
                repo,
                revision,
                file,
                url: &url,
                state: &state,
            };
            ctx.map(e)
        })?;
        verify(&path, file, state.total.get())?;
        tracing::info!(path = %path.display(), bytes = state.done.get(), "downloaded");
        Ok(path)
    }
}

/// Byte counts seen by the progress adapter (hf-hub announces the size in `init`).
#[derive(Default)]
struct State {
    total: Cell<Option<u64>>,
    done: Cell<u64>,
    announced: Cell<bool>,
}

struct Adapter<'a> {
    file: &'a str,
    callback: Option<&'a dyn Fn(Progress)>,
    state: &'a State,
}

impl Adapter<'_> {
    fn emit(&self) {
        if let Some(callback) = self.callback {
            callback(Progress {
                file: self.file.to_owned(),
                downloaded: self.state.done.get(),
                total: self.state.total.get(),
            });
        }
    }
}

impl HfProgress for Adapter<'_> {
    fn init(&mut self, size: usize, _filename: &str) {
        // hf-hub calls `init` again before each (resumed) request, then `update(offset)`.
        self.state.total.set(u64::try_from(size).ok());
        self.state.done.set(0);
        if !self.state.announced.replace(true) {
            self.emit();
        }
    }

    fn update(&mut self, size: usize) {
        if size > 0 {
            let size = u64::try_from(size).unwrap_or(u64::MAX);
            self.state
                .done
                .set(self.state.done.get().saturating_add(size));
            self.emit();
        }
    }

    fn finish(&mut self) {}
}

struct Context<'a> {
    repo: &'a str,
    revision: &'a str,
    file: &'a str,
    url: &'a str,
    state: &'a State,
}

impl Context<'_> {
    fn map(&self, error: ApiError) -> Error {
        match error {
            ApiError::TooManyRetries(inner) => self.map(*inner),
            ApiError::RequestError(inner) => self.map_request(*inner),
            ApiError::IoError(source) => self.map_io(source),
            ApiError::LockAcquisition(path) => Error::Io {
                path,
                source: io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "another process is downloading this file",
                ),
            },
            other => Error::Network {
                url: self.url.to_owned(),
                source: Box::new(other),
            },
        }
    }

    fn map_request(&self, error: ureq::Error) -> Error {
        match error {
            ureq::Error::Status(status, response) => {
                let code = response
                    .header("x-error-code")
                    .unwrap_or_default()
                    .to_owned();
                let (repo, revision, file) = (
                    self.repo.to_owned(),
                    self.revision.to_owned(),
                    self.file.to_owned(),
                );
                match (code.as_str(), status) {
                    ("RepoNotFound", _) => Error::RepoNotFound { repo },
                    ("RevisionNotFound", _) => Error::RevisionNotFound { repo, revision },
                    ("EntryNotFound", _) => Error::FileNotFound {
                        repo,
                        revision,
                        file,
                    },
                    ("GatedRepo", _) | (_, 401 | 403) => Error::Unauthorized { repo, status },
                    _ => Error::Http {
                        url: response.get_url().to_owned(),
                        status,
                    },
                }
            }
            ureq::Error::Transport(transport) => {
                let url = transport
                    .url()
                    .map_or_else(|| self.url.to_owned(), ToString::to_string);
                Error::Network {
                    url,
                    source: Box::new(transport),
                }
            }
        }
    }

    fn map_io(&self, source: io::Error) -> Error {
        let cut = matches!(
            source.kind(),
            io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::TimedOut
        );
        match self.state.total.get() {
            Some(expected) if cut && self.state.done.get() < expected => {
                tracing::warn!(file = self.file, error = %source, "download cut short");
                Error::Truncated {
                    file: self.file.to_owned(),
                    expected: Some(expected),
                    got: self.state.done.get(),
                }
            }
            _ => Error::Io {
                path: PathBuf::from(self.url),
                source,
            },
        }
    }
}

/// Checks a freshly downloaded file against its blob name (the ETag) and the announced size;
/// removes the link and the blob when they disagree.
fn verify(path: &Path, file: &str, expected_len: Option<u64>) -> Result<(), Error> {
    let blob = std::fs::canonicalize(path).map_err(Error::io(path))?;
    let len = std::fs::metadata(&blob).map_err(Error::io(&blob))?.len();
    let remove = || {
        for p in [path, blob.as_path()] {
            if let Err(e) = std::fs::remove_file(p) {
                tracing::warn!(path = %p.display(), error = %e, "could not remove a bad download");
            }
        }
    };
    if let Some(expected) = expected_len
        && expected != len
    {
        remove();
        return Err(Error::Truncated {
            file: file.to_owned(),
            expected: Some(expected),
            got: len,
        });
    }
    // Where symlinks are unavailable hf-hub moves the blob itself; then there is no ETag to check.
    if blob == path {
        return Ok(());
    }
    let etag = blob
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let Some(checksum) = Checksum::from_etag(&etag) else {
        tracing::debug!(etag, "ETag is not a hash; only the length was checked");
        return Ok(());
    };
    let actual = checksum.of_file(&blob)?;
    if !actual.eq_ignore_ascii_case(&etag) {
        remove();
        return Err(Error::ChecksumMismatch {
            file: file.to_owned(),
            algorithm: checksum.name(),
            expected: etag,
            actual,
        });
    }
    Ok(())
}
