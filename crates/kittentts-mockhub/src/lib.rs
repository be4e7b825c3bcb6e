//! A tiny mock of the Hugging Face Hub file endpoints, for kittentts tests only (`publish = false`).
//!
//! Pipeline role: none at run time. `kittentts-hub` (and the facade's tests) start a [`MockHub`]
//! on `127.0.0.1:0`, point their client at [`MockHub::url`] (the `HF_ENDPOINT` a real client would
//! use) and check downloads, the cache, offline mode and failures without any network.
//!
//! What it serves, with the headers that kittentts-hub and Python's `huggingface_hub` read:
//!
//! - `HEAD` and `GET /{org}/{name}/resolve/{revision}/{file}`, where `revision` is `main` or the
//!   repo's commit. Answers carry `X-Repo-Commit`, `ETag` (quoted), `Content-Length`,
//!   `Accept-Ranges: bytes`; `Range: bytes=a-` / `bytes=a-b` gets `206` with `Content-Range`.
//! - LFS files (names ending in `.onnx`, `.npz`, `.bin`, `.safetensors`, or added with
//!   [`MockHubBuilder::lfs_file`]) answer `302` with `X-Linked-Etag` (the sha256),
//!   `X-Linked-Size` and an absolute `Location: http://localhost:{port}/lfs/{sha256}`: the same
//!   server under another host name, as the real hub redirects to its CDN host (Python's
//!   `huggingface_hub` follows redirects only within the hub's host, so it reads the metadata
//!   from the `302`); the `/lfs/{sha256}` path serves the bytes.
//! - Regular files use the git blob sha1 as their ETag, as the real hub does.
//! - Errors: `404` with `X-Error-Code: RepoNotFound`, `RevisionNotFound` or `EntryNotFound`.
//! - A knob ([`MockHub::cut_next`]) cuts the connection half-way through a file body, after
//!   sending a `Content-Length` for the whole range.
//! - Another ([`MockHub::corrupt_next`]) flips a byte of a body, so it no longer matches its ETag.
//! - Every request is counted and logged ([`MockHub::requests`], [`MockHub::request_log`]).
//!
//! Connections are handled one at a time with `Connection: close`; the server binds only
//! `127.0.0.1`, and [`MockHub::stop`] (or drop) joins its thread.
//!
//! ```
//! use kittentts_mockhub::MockHub;
//!
//! # fn main() -> std::io::Result<()> {
//! let hub = MockHub::builder()
//!     .file("KittenML/kitten-tts-mini-0.8", "config.json", b"{}".to_vec())
//!     .start()?;
//! assert!(hub.url().starts_with("http://127.0.0.1:"));
//! assert_eq!(hub.requests(), 0);
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The commit every repo gets unless [`MockHubBuilder::commit`] sets another one.
pub const DEFAULT_COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// One file of a mock repo.
#[derive(Debug, Clone)]
struct MockFile {
    bytes: Vec<u8>,
    lfs: bool,
}

/// One mock repo: a commit and its files.
#[derive(Debug, Clone)]
struct MockRepo {
    commit: String,
    files: BTreeMap<String, MockFile>,
}

/// Where the next download of a file is cut.
#[derive(Debug, Clone)]
struct Cut {
    repo: String,
    file: String,
    at: u64,
}

/// Builds a [`MockHub`]: repos, their commits and files.
#[derive(Debug, Default, Clone)]
pub struct MockHubBuilder {
    repos: BTreeMap<String, MockRepo>,
    canned: BTreeMap<String, Canned>,
}

/// A fixed answer for one path, to imitate servers that are not quite the hub.
#[derive(Debug, Clone)]
struct Canned {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl MockHubBuilder {
    fn repo_mut(&mut self, repo: &str) -> &mut MockRepo {
        self.repos
            .entry(repo.to_owned())
            .or_insert_with(|| MockRepo {
                commit: DEFAULT_COMMIT.to_owned(),
                files: BTreeMap::new(),
            })
    }

    /// Sets the commit hash (40 hex digits on the real hub) that `repo` reports.
    #[must_use]
    pub fn commit(mut self, repo: &str, commit: &str) -> Self {
        commit.clone_into(&mut self.repo_mut(repo).commit);
        self
    }

    /// Declares an empty repo (so that its files give `EntryNotFound`, not `RepoNotFound`).
    #[must_use]
    pub fn repo(mut self, repo: &str) -> Self {
        self.repo_mut(repo);
        self
    }

    /// Adds a file; it is an LFS file when its name ends in `.onnx`, `.npz`, `.bin` or
    /// `.safetensors`.
    #[must_use]
    pub fn file(mut self, repo: &str, name: &str, bytes: Vec<u8>) -> Self {
        let lfs = [".onnx", ".npz", ".bin", ".safetensors"]
            .iter()
            .any(|ext| name.ends_with(ext));
        self.repo_mut(repo)
            .files
            .insert(name.to_owned(), MockFile { bytes, lfs });
        self
    }

    /// Adds a file served the LFS way (`302` to `/lfs/{sha256}` with `X-Linked-*` headers).
    #[must_use]
    pub fn lfs_file(mut self, repo: &str, name: &str, bytes: Vec<u8>) -> Self {
        self.repo_mut(repo)
            .files
            .insert(name.to_owned(), MockFile { bytes, lfs: true });
        self
    }

    /// Adds every regular file directly inside `dir` to `repo` (names as on disk).
    ///
    /// # Errors
    /// Any I/O error reading the folder or a file.
    pub fn files_from_dir(mut self, repo: &str, dir: &Path) -> io::Result<Self> {
        let mut entries = std::fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            if entry.file_type()?.is_file() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let bytes = std::fs::read(entry.path())?;
                self = self.file(repo, &name, bytes);
            }
        }
        Ok(self)
    }

    /// Answers every request for `path` (for example `/Org/name/resolve/main/config.json`) with
    /// `status`, `headers` and `body` instead of the normal routing; `Content-Length` is added
    /// unless given.
    #[must_use]
    pub fn canned(
        mut self,
        path: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Self {
        let headers = headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        self.canned.insert(
            path.to_owned(),
            Canned {
                status,
                headers,
                body: body.to_vec(),
            },
        );
        self
    }

    /// Binds `127.0.0.1:0` and starts serving on a background thread.
    ///
    /// # Errors
    /// The I/O error from binding or spawning the thread.
    pub fn start(self) -> io::Result<MockHub> {
        self.start_on(0)
    }

    /// Like [`start`](Self::start) on a fixed port (`0` picks a free one).
    ///
    /// # Errors
    /// The I/O error from binding or spawning the thread.
    pub fn start_on(self, port: u16) -> io::Result<MockHub> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            repos: self.repos,
            canned: self.canned,
            url: format!("http://{addr}"),
            lfs_url: format!("http://localhost:{}", addr.port()),
            requests: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
            cut: Mutex::new(None),
            corrupt: Mutex::new(None),
            stop: AtomicBool::new(false),
        });
        let thread_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("kittentts-mockhub".to_owned())
            .spawn(move || serve(&listener, &thread_state))?;
        Ok(MockHub {
            addr,
            state,
            thread: Some(thread),
        })
    }
}

struct State {
    repos: BTreeMap<String, MockRepo>,
    canned: BTreeMap<String, Canned>,
    url: String,
    /// The same server under the name `localhost`: a different host, like the hub's CDN.
    lfs_url: String,
    requests: AtomicUsize,
    log: Mutex<Vec<String>>,
    cut: Mutex<Option<Cut>>,
    corrupt: Mutex<Option<(String, String)>>,
    stop: AtomicBool,
}

/// A running mock hub; stops on [`stop`](Self::stop) or drop.
pub struct MockHub {
    addr: SocketAddr,
    state: Arc<State>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MockHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockHub")
            .field("url", &self.state.url)
            .finish_non_exhaustive()
    }
}

impl MockHub {
    /// A new builder with no repos.
    #[must_use]
    pub fn builder() -> MockHubBuilder {
        MockHubBuilder::default()
    }

    /// The endpoint, `http://127.0.0.1:{port}` (what `HF_ENDPOINT` would be set to).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.state.url
    }

    /// How many HTTP requests were served so far (all paths and methods).
    #[must_use]
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// `"METHOD /path [range] (Authorization: …)"` for each request so far, in order (the range
    /// and authorization parts only when the request had those headers).
    #[must_use]
    pub fn request_log(&self) -> Vec<String> {
        self.state
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Cuts the connection of the next body response of `repo`/`file` that covers byte offset
    /// `at`: the headers announce the whole range, but only the bytes before `at` are sent.
    /// Applies once.
    pub fn cut_next(&self, repo: &str, file: &str, at: u64) {
        *self
            .state
            .cut
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Cut {
            repo: repo.to_owned(),
            file: file.to_owned(),
            at,
        });
    }

    /// Flips the first byte of the next full `GET` body of `repo`/`file` (length and headers
    /// unchanged), so the bytes no longer match the ETag. Applies once.
    pub fn corrupt_next(&self, repo: &str, file: &str) {
        *self
            .state
            .corrupt
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some((repo.to_owned(), file.to_owned()));
    }

    /// The sha256 (hex) of a served file, `None` when the repo or file is unknown.
    #[must_use]
    pub fn sha256(&self, repo: &str, file: &str) -> Option<String> {
        let file = self.state.repos.get(repo)?.files.get(file)?;
        Some(sha256_hex(&file.bytes))
    }

    /// Stops serving and joins the server thread; later requests are refused.
    pub fn stop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; an error here only means the listener is already gone.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for MockHub {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The hex sha256 of `bytes` (the ETag of LFS files).
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The git blob sha1 of `bytes` (the ETag of regular files on the hub).
#[must_use]
pub fn git_blob_sha1_hex(bytes: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn serve(listener: &TcpListener, state: &State) {
    for stream in listener.incoming() {
        if state.stop.load(Ordering::SeqCst) {
            break;
        }
        if let Ok(stream) = stream {
            // A client that misbehaves only loses its own connection.
            let _ = handle(stream, state);
        }
    }
}

struct Request {
    method: String,
    path: String,
    range: Option<String>,
    authorization: Option<String>,
}

fn read_request(stream: &TcpStream) -> io::Result<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut range = None;
    let mut authorization = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("range")
        {
            range = Some(value.trim().to_owned());
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("authorization")
        {
            authorization = Some(value.trim().to_owned());
        }
    }
    // Requests we answer (GET, HEAD) have no body.
    Ok(Request {
        method,
        path,
        range,
        authorization,
    })
}

struct Response {
    status: u16,
    reason: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Send only this many body bytes, then close (a cut connection).
    cut_after: Option<usize>,
}

impl Response {
    fn new(status: u16, reason: &'static str) -> Self {
        Self {
            status,
            reason,
            headers: Vec::new(),
            body: Vec::new(),
            cut_after: None,
        }
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    fn error(status: u16, reason: &'static str, code: &str, message: &str) -> Self {
        let mut response = Self::new(status, reason)
            .header("X-Error-Code", code)
            .header("X-Error-Message", message)
            .header("Content-Type", "text/plain; charset=utf-8");
        response.body = message.as_bytes().to_vec();
        response
    }
}

fn handle(mut stream: TcpStream, state: &State) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let request = read_request(&stream)?;
    state.requests.fetch_add(1, Ordering::SeqCst);
    let mut entry = format!("{} {}", request.method, request.path);
    if let Some(range) = &request.range {
        entry.push_str(&format!(" [{range}]"));
    }
    if let Some(authorization) = &request.authorization {
        entry.push_str(&format!(" (Authorization: {authorization})"));
    }
    state
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(entry);

    let response = route(&request, state);
    let head_only = request.method.eq_ignore_ascii_case("HEAD");
    let mut out = format!("HTTP/1.1 {} {}\r\n", response.status, response.reason);
    let mut has_length = false;
    for (name, value) in &response.headers {
        has_length |= name.eq_ignore_ascii_case("content-length");
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if !has_length {
        out.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    }
    out.push_str("Connection: close\r\n\r\n");
    stream.write_all(out.as_bytes())?;
    if !head_only {
        let send = response
            .cut_after
            .unwrap_or(response.body.len())
            .min(response.body.len());
        stream.write_all(&response.body[..send])?;
    }
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Both);
    Ok(())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(pair) = bytes.get(i + 1..i + 3)
            && let Ok(pair) = std::str::from_utf8(pair)
            && let Ok(b) = u8::from_str_radix(pair, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn route(request: &Request, state: &State) -> Response {
    if let Some(canned) = state.canned.get(&request.path) {
        let mut response = Response::new(canned.status, "Canned");
        response.headers.clone_from(&canned.headers);
        response.body.clone_from(&canned.body);
        return response;
    }
    let method = request.method.to_ascii_uppercase();
    if method != "GET" && method != "HEAD" {
        return Response::error(
            405,
            "Method Not Allowed",
            "MethodNotAllowed",
            "only GET and HEAD",
        );
    }
    let path = request.path.split('?').next().unwrap_or_default();
    if let Some(sha) = path.strip_prefix("/lfs/") {
        let found = state
            .repos
            .iter()
            .flat_map(|(repo, r)| r.files.iter().map(move |(name, f)| (repo, name, f)))
            .find(|(_, _, f)| f.lfs && sha256_hex(&f.bytes) == sha);
        return match found {
            Some((repo, name, file)) => body_response(
                state,
                request,
                repo,
                name,
                &file.bytes,
                &format!("\"{sha}\""),
            ),
            None => Response::error(404, "Not Found", "EntryNotFound", "no such LFS object"),
        };
    }
    let Some((repo_part, rest)) = path.split_once("/resolve/") else {
        return Response::error(404, "Not Found", "RepoNotFound", "unknown path");
    };
    let repo_id = percent_decode(repo_part.trim_start_matches('/'));
    let repo_id = repo_id
        .strip_prefix("models/")
        .unwrap_or(&repo_id)
        .to_owned();
    let Some(repo) = state.repos.get(&repo_id) else {
        return Response::error(404, "Not Found", "RepoNotFound", "Repository not found");
    };
    let (revision, file) = rest.split_once('/').unwrap_or((rest, ""));
    let revision = percent_decode(revision);
    if revision != "main" && revision != repo.commit {
        return Response::error(404, "Not Found", "RevisionNotFound", "Invalid rev id");
    }
    let file_name = percent_decode(file);
    let Some(file) = repo.files.get(&file_name) else {
        return Response::error(404, "Not Found", "EntryNotFound", "Entry not found")
            .header("X-Repo-Commit", repo.commit.clone());
    };
    if file.lfs {
        let sha = sha256_hex(&file.bytes);
        return Response::new(302, "Found")
            .header("Location", format!("{}/lfs/{sha}", state.lfs_url))
            .header("X-Repo-Commit", repo.commit.clone())
            .header("ETag", format!("\"{sha}\""))
            .header("X-Linked-Etag", format!("\"{sha}\""))
            .header("X-Linked-Size", file.bytes.len().to_string())
            .header("Content-Length", "0");
    }
    let etag = format!("\"{}\"", git_blob_sha1_hex(&file.bytes));
    body_response(state, request, &repo_id, &file_name, &file.bytes, &etag)
        .header("X-Repo-Commit", repo.commit.clone())
}

/// Parses `bytes=a-` or `bytes=a-b` against a body of `len` bytes; `Err(())` when unsatisfiable.
fn parse_range(range: &str, len: u64) -> Result<(u64, u64), ()> {
    let spec = range.trim().strip_prefix("bytes=").ok_or(())?;
    let (start, end) = spec.split_once('-').ok_or(())?;
    let start: u64 = start.trim().parse().map_err(|_| ())?;
    let end: u64 = if end.trim().is_empty() {
        len.checked_sub(1).ok_or(())?
    } else {
        end.trim()
            .parse::<u64>()
            .map_err(|_| ())?
            .min(len.saturating_sub(1))
    };
    if start >= len || start > end {
        return Err(());
    }
    Ok((start, end))
}

fn body_response(
    state: &State,
    request: &Request,
    repo: &str,
    file: &str,
    bytes: &[u8],
    etag: &str,
) -> Response {
    let len = bytes.len() as u64;
    let (mut response, start, body) = match &request.range {
        Some(range) => match parse_range(range, len) {
            Ok((start, end)) => {
                let body = bytes[start as usize..=end as usize].to_vec();
                let response = Response::new(206, "Partial Content")
                    .header("Content-Range", format!("bytes {start}-{end}/{len}"));
                (response, start, body)
            }
            Err(()) => {
                return Response::new(416, "Range Not Satisfiable")
                    .header("Content-Range", format!("bytes */{len}"));
            }
        },
        None => (Response::new(200, "OK"), 0, bytes.to_vec()),
    };
    response = response
        .header("ETag", etag)
        .header("Accept-Ranges", "bytes")
        .header("Content-Type", "application/octet-stream")
        .header("Content-Length", body.len().to_string());
    let is_get = request.method.eq_ignore_ascii_case("GET");
    let mut cut = state.cut.lock().unwrap_or_else(PoisonError::into_inner);
    let end = start + body.len() as u64;
    let hit = cut
        .as_ref()
        .is_some_and(|c| is_get && c.repo == repo && c.file == file && c.at > start && c.at < end);
    if hit && let Some(c) = cut.take() {
        response.cut_after = usize::try_from(c.at - start).ok();
    }
    let mut body = body;
    let mut corrupt = state.corrupt.lock().unwrap_or_else(PoisonError::into_inner);
    let flip = corrupt.as_ref().is_some_and(|(r, f)| {
        is_get && r == repo && f == file && start == 0 && body.len() as u64 == len
    });
    if flip && let Some(first) = body.first_mut() {
        *first ^= 0xff;
        *corrupt = None;
    }
    response.body = body;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_like_http() {
        assert_eq!(parse_range("bytes=0-0", 10), Ok((0, 0)));
        assert_eq!(parse_range("bytes=4-", 10), Ok((4, 9)));
        assert_eq!(parse_range("bytes=4-100", 10), Ok((4, 9)));
        assert_eq!(parse_range("bytes=10-", 10), Err(()));
        assert_eq!(parse_range("bytes=0-", 0), Err(()));
        assert_eq!(parse_range("items=0-1", 10), Err(()));
    }

    #[test]
    fn hashes_match_git_and_sha256() {
        // `printf 'hello\n' | git hash-object --stdin` and `sha256sum`.
        assert_eq!(
            git_blob_sha1_hex(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(
            sha256_hex(b"hello\n"),
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
    }

    #[test]
    fn percent_decoding_keeps_plain_text() {
        assert_eq!(percent_decode("refs%2Fpr%2F1"), "refs/pr/1");
        assert_eq!(percent_decode("config.json"), "config.json");
        assert_eq!(percent_decode("bad%zz"), "bad%zz");
    }
}
