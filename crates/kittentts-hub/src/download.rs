//! Downloads into the Hugging Face cache layout, with the client that every KittenTTS download
//! shares (`kittentts-net`: the system trust store plus `SSL_CERT_FILE`/`SSL_CERT_DIR`, the proxy
//! variables with `NO_PROXY`, connect and read time limits), typed errors, and a check of every
//! downloaded file against its ETag.
//!
//! As the hub's own clients do (and hf-hub 0.4, which this replaced): a `Range: bytes=0-0` request
//! without redirects reads the commit (`X-Repo-Commit`), the ETag (`X-Linked-Etag`, else `ETag`)
//! and the size (`Content-Range`, following the redirect of an LFS file to its host); the file
//! is then written to `blobs/<etag>.part` (resumed with `Range: bytes=<have>-`), renamed to
//! `blobs/<etag>` when complete, linked from `snapshots/<commit>/<file>`, and `refs/<revision>`
//! records the commit. `blobs/<etag>.lock` keeps two processes from writing one file. The
//! blob is then hashed (sha256 for LFS files, git blob sha1 otherwise, as the hub's ETags are)
//! and its length compared with the announced size; a mismatch removes the blob and its link.

use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use kittentts_net::{AgentOptions, CopyError, Failure};

use crate::verify::Checksum;
use crate::{Error, Progress};

/// The blocking hub client, set up from [`HubOptions`](crate::HubOptions).
#[derive(Debug)]
pub(crate) struct Downloader {
    endpoint: String,
    token: Option<String>,
    cache_dir: PathBuf,
    retries: usize,
}

/// What the first answer says of a file.
struct Metadata {
    commit: String,
    etag: String,
    size: u64,
    /// Where the bytes are (the LFS host for large files).
    url: String,
}

impl Downloader {
    /// Builds the client; no network.
    pub(crate) fn new(
        endpoint: &str,
        token: Option<String>,
        cache_dir: &Path,
        retries: usize,
    ) -> Self {
        Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token: token.filter(|t| !t.is_empty()),
            cache_dir: cache_dir.to_path_buf(),
            retries,
        }
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
            // last write and the rename) is asked for `bytes=<size>-`: 416. Drop it and
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

    /// GET `url` with `range`, following redirects or not, with the token for the hub's host.
    fn get(&self, url: &str, range: &str, redirects: bool) -> Result<ureq::Response, Fail> {
        let options = AgentOptions {
            redirects,
            ..AgentOptions::default()
        };
        let (agent, proxy) = kittentts_net::agent_for(url, &options).map_err(Fail::Connect)?;
        let mut request = agent.get(url).set("Range", range).set(
            "User-Agent",
            concat!("kittentts-hub/", env!("CARGO_PKG_VERSION")),
        );
        if let Some(token) = &self.token
            && url.starts_with(&self.endpoint)
        {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        request
            .call()
            .map_err(|e| match Failure::from_ureq(e, proxy.as_deref()) {
                Failure::Connect(c) => Fail::Connect(c),
                Failure::Status(status, response) => Fail::Status(status, response),
            })
    }

    fn metadata(&self, url: &str) -> Result<Metadata, Fail> {
        let mut at = url.to_owned();
        let mut response = self.get(&at, "bytes=0-0", false)?;
        // Relative redirects (a renamed repo) are followed here; an absolute one goes to the
        // file's host (LFS), whose answer gives the size.
        for _ in 0..5 {
            if !(300..400).contains(&response.status()) {
                break;
            }
            let Some(location) = response.header("Location").map(str::to_owned) else {
                return Err(Fail::Odd("a redirect without a Location header".into()));
            };
            if location.contains("://") {
                break;
            }
            at = kittentts_net::join_url(&at, &location);
            response = self.get(&at, "bytes=0-0", false)?;
        }
        let header = |name: &str| response.header(name).map(str::to_owned);
        let etag = header("X-Linked-Etag")
            .or_else(|| header("ETag"))
            .ok_or_else(|| Fail::Odd("no etag header".into()))?
            .trim_start_matches("W/")
            .replace('"', "");
        let commit =
            header("X-Repo-Commit").ok_or_else(|| Fail::Odd("no x-repo-commit header".into()))?;
        if etag.is_empty() || etag.contains(['/', '\\']) || etag.contains("..") {
            return Err(Fail::Odd(format!("an unusable ETag {etag:?}")));
        }
        let (url, sized) = if (300..400).contains(&response.status()) {
            let location = header("Location").unwrap_or_default();
            let sized = self.get(&location, "bytes=0-0", true)?;
            (location, sized)
        } else {
            (at, response)
        };
        let size = sized
            .header("Content-Range")
            .and_then(|r| r.rsplit('/').next())
            .and_then(|n| n.trim().parse::<u64>().ok())
            .ok_or_else(|| Fail::Odd("no usable content-range header".into()))?;
        Ok(Metadata {
            commit,
            etag,
            size,
            url,
        })
    }

    fn download_once(
        &self,
        repo: &str,
        revision: &str,
        file: &str,
        progress: Option<&dyn Fn(Progress)>,
    ) -> Result<PathBuf, Error> {
        let url = format!("{}/{repo}/resolve/{revision}/{file}", self.endpoint);
        let ctx = Context {
            repo,
            revision,
            file,
            url: &url,
        };
        tracing::info!(%url, "downloading");
        let meta = self.metadata(&url).map_err(|f| ctx.map(f, None))?;
        let repo_dir = self.cache_dir.join(crate::repo_folder_name(repo));
        let blob = repo_dir.join("blobs").join(&meta.etag);
        let blobs = repo_dir.join("blobs");
        std::fs::create_dir_all(&blobs).map_err(Error::io(&blobs))?;
        let report = |done: u64| {
            if let Some(callback) = progress {
                callback(Progress {
                    file: file.to_owned(),
                    downloaded: done,
                    total: Some(meta.size),
                });
            }
        };
        if !blob.is_file() {
            let lock_path = blob.with_extension("lock");
            let lock = std::fs::File::create(&lock_path).map_err(Error::io(&lock_path))?;
            lock.lock().map_err(Error::io(&lock_path))?;
            // Another process may have finished it while this one waited.
            if !blob.is_file() {
                let part = blob.with_extension("part");
                self.fetch_part(&meta, &part, &ctx, &report)?;
                std::fs::rename(&part, &blob).map_err(Error::io(&blob))?;
            }
            drop(lock);
        } else {
            report(meta.size);
        }
        let snapshot = repo_dir.join("snapshots").join(&meta.commit);
        let pointer = snapshot.join(file);
        if let Some(parent) = pointer.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        }
        link(&blob, &pointer)?;
        let refs = repo_dir.join("refs").join(revision);
        if let Some(parent) = refs.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io(parent))?;
        }
        std::fs::write(&refs, meta.commit.trim()).map_err(Error::io(&refs))?;
        verify(&pointer, file, Some(meta.size))?;
        tracing::info!(path = %pointer.display(), bytes = meta.size, "downloaded");
        Ok(pointer)
    }

    /// Fills `part` up to the announced size, resuming what it holds; retries a cut connection
    /// (with a growing pause) up to `retries` times.
    fn fetch_part(
        &self,
        meta: &Metadata,
        part: &Path,
        ctx: &Context<'_>,
        report: &dyn Fn(u64),
    ) -> Result<(), Error> {
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(part)
            .map_err(Error::io(part))?;
        let mut attempt = 0;
        // The size is known: announced first, then what a resumed file already holds.
        report(0);
        loop {
            let have = out.seek(io::SeekFrom::End(0)).map_err(Error::io(part))?;
            if have > 0 {
                report(have);
            }
            let result = self.fetch_from(meta, have, &mut out, part, report);
            match result {
                Ok(()) => return Ok(()),
                Err(f @ (Fail::Cut(_) | Fail::Connect(_))) if attempt < self.retries => {
                    attempt += 1;
                    let pause = Duration::from_millis(300 << attempt.min(5));
                    tracing::warn!(file = ctx.file, attempt, error = ?f, "download interrupted; resuming");
                    std::thread::sleep(pause);
                }
                Err(f) => {
                    let got = out.seek(io::SeekFrom::End(0)).unwrap_or(have);
                    return Err(ctx.map(f, Some((got, meta.size))));
                }
            }
        }
    }

    fn fetch_from(
        &self,
        meta: &Metadata,
        have: u64,
        out: &mut std::fs::File,
        part: &Path,
        report: &dyn Fn(u64),
    ) -> Result<(), Fail> {
        if have > meta.size {
            return Err(Fail::Odd(format!(
                "{} holds {have} bytes, more than the {} announced",
                part.display(),
                meta.size
            )));
        }
        let response = self.get(&meta.url, &format!("bytes={have}-"), true)?;
        let done =
            kittentts_net::copy_reporting(&mut response.into_reader(), out, have, &mut |n| {
                report(n)
            })
            .map_err(|e| match e {
                CopyError::Read(e) => Fail::Cut(e),
                CopyError::Write(e) => Fail::Disk(part.to_path_buf(), e),
            })?;
        out.flush().map_err(|e| Fail::Disk(part.to_path_buf(), e))?;
        if done < meta.size {
            return Err(Fail::Cut(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the connection ended after {done} of {} bytes", meta.size),
            )));
        }
        Ok(())
    }
}

/// Why one step failed, before it becomes an [`Error`].
#[derive(Debug)]
enum Fail {
    /// No HTTP answer.
    Connect(kittentts_net::ConnectError),
    /// An HTTP error status.
    Status(u16, Box<ureq::Response>),
    /// The body stopped early.
    Cut(io::Error),
    /// The cache could not be written.
    Disk(PathBuf, io::Error),
    /// An answer that is not the hub's.
    Odd(String),
}

/// `snapshots/<commit>/<file>` → `../../blobs/<etag>` (a copy where links are unavailable).
fn link(blob: &Path, pointer: &Path) -> Result<(), Error> {
    if pointer.exists() {
        return Ok(());
    }
    let _ = std::fs::remove_file(pointer); // a dangling link
    let depth = pointer
        .strip_prefix(
            blob.parent()
                .and_then(Path::parent)
                .unwrap_or(Path::new("")),
        )
        .map_or(2, |rel| rel.components().count().saturating_sub(1));
    let mut target = PathBuf::new();
    for _ in 0..depth {
        target.push("..");
    }
    target.push("blobs");
    if let Some(name) = blob.file_name() {
        target.push(name);
    }
    #[cfg(unix)]
    let made = std::os::unix::fs::symlink(&target, pointer);
    #[cfg(not(unix))]
    let made = std::fs::copy(blob, pointer).map(|_| ());
    made.map_err(Error::io(pointer))
}

struct Context<'a> {
    repo: &'a str,
    revision: &'a str,
    file: &'a str,
    url: &'a str,
}

impl Context<'_> {
    /// `progress`: bytes held and announced, when the body was being read.
    fn map(&self, fail: Fail, progress: Option<(u64, u64)>) -> Error {
        let (repo, revision, file) = (
            self.repo.to_owned(),
            self.revision.to_owned(),
            self.file.to_owned(),
        );
        match fail {
            Fail::Connect(source) => Error::Network {
                url: self.url.to_owned(),
                source: Box::new(source),
            },
            Fail::Status(status, response) => {
                let code = response
                    .header("x-error-code")
                    .unwrap_or_default()
                    .to_owned();
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
            Fail::Cut(source) => match progress {
                Some((got, expected)) if got < expected => {
                    tracing::warn!(file = self.file, error = %source, "download cut short");
                    Error::Truncated {
                        file,
                        expected: Some(expected),
                        got,
                    }
                }
                _ => Error::Io {
                    path: PathBuf::from(self.url),
                    source,
                },
            },
            Fail::Disk(path, source) => Error::Io { path, source },
            Fail::Odd(what) => Error::Network {
                url: self.url.to_owned(),
                source: format!("unexpected answer from the server ({what})").into(),
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
    // Where links are unavailable the blob is copied; then there is no ETag to check.
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
