//! The Hugging Face cache layout, shared with Python's `huggingface_hub`:
//!
//! ```text
//! <cache_dir>/models--Org--name/
//!     blobs/<etag>                       file contents (sha256 for LFS files, git sha1 otherwise)
//!     blobs/<etag>.part                  an unfinished download (hf-hub 0.4), resumed next time
//!     refs/<branch>                      the commit the branch pointed at when last fetched
//!     snapshots/<commit>/<file>          symlink to ../../blobs/<etag>
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};

use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::Error;

/// `models--Org--name`, the folder of `repo` in the cache.
#[must_use]
pub fn repo_folder_name(repo: &str) -> String {
    format!("models--{}", repo.replace('/', "--"))
}

/// True for a 40-hex-digit commit hash.
pub(crate) fn is_commit_hash(revision: &str) -> bool {
    revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The cached path of `file` in `repo` at `revision`, if the cache has it complete.
///
/// A branch or tag goes through `refs/<revision>`; a commit hash is looked up directly.
pub(crate) fn lookup(cache_dir: &Path, repo: &str, revision: &str, file: &str) -> Option<PathBuf> {
    let repo_dir = cache_dir.join(repo_folder_name(repo));
    let commit = if is_commit_hash(revision) {
        revision.to_owned()
    } else {
        let commit = std::fs::read_to_string(repo_dir.join("refs").join(revision)).ok()?;
        commit.trim().to_owned()
    };
    if !is_commit_hash(&commit) {
        return None;
    }
    let path = repo_dir.join("snapshots").join(&commit).join(file);
    // `is_file` follows the symlink: a dangling link (blob deleted) is a miss.
    path.is_file().then_some(path)
}

/// The snapshot folder that holds `path`, the cached path of `file`.
pub(crate) fn snapshot_dir(path: &Path, file: &str) -> PathBuf {
    let depth = file.split('/').count();
    path.ancestors()
        .nth(depth)
        .map_or_else(|| path.to_path_buf(), Path::to_path_buf)
}

/// What an ETag says about the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checksum {
    /// 64 hex digits: the sha256 of the contents (LFS files).
    Sha256,
    /// 40 hex digits: the git blob sha1 (regular files).
    GitSha1,
}

impl Checksum {
    pub(crate) fn from_etag(etag: &str) -> Option<Self> {
        let hex = etag.bytes().all(|b| b.is_ascii_hexdigit());
        match etag.len() {
            64 if hex => Some(Self::Sha256),
            40 if hex => Some(Self::GitSha1),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::GitSha1 => "git-sha1",
        }
    }

    /// The lowercase hex hash of the file at `path`.
    pub(crate) fn of_file(self, path: &Path) -> Result<String, Error> {
        let len = std::fs::metadata(path).map_err(Error::io(path))?.len();
        let mut file = std::fs::File::open(path).map_err(Error::io(path))?;
        match self {
            Self::Sha256 => hash_reader(Sha256::new(), &mut file, path),
            Self::GitSha1 => {
                let mut hasher = Sha1::new();
                hasher.update(format!("blob {len}\0").as_bytes());
                hash_reader(hasher, &mut file, path)
            }
        }
    }
}

fn hash_reader<D: Digest>(
    mut hasher: D,
    reader: &mut impl Read,
    path: &Path,
) -> Result<String, Error> {
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf).map_err(Error::io(path))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_names() {
        assert_eq!(
            repo_folder_name("KittenML/kitten-tts-mini-0.8"),
            "models--KittenML--kitten-tts-mini-0.8"
        );
        assert!(is_commit_hash("0123456789abcdef0123456789abcdef01234567"));
        assert!(!is_commit_hash("main"));
        assert_eq!(
            snapshot_dir(
                Path::new("/c/snapshots/abc/onnx/model.onnx"),
                "onnx/model.onnx"
            ),
            PathBuf::from("/c/snapshots/abc")
        );
        assert_eq!(
            snapshot_dir(Path::new("/c/snapshots/abc/config.json"), "config.json"),
            PathBuf::from("/c/snapshots/abc")
        );
    }

    #[test]
    fn checksums_of_known_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"hello\n").unwrap();
        assert_eq!(
            Checksum::GitSha1.of_file(&path).unwrap(),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(
            Checksum::Sha256.of_file(&path).unwrap(),
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
        assert_eq!(
            Checksum::from_etag("ce013625030ba8dba906f756967f9e9ca394464a"),
            Some(Checksum::GitSha1)
        );
        assert_eq!(Checksum::from_etag("W/abc"), None);
    }

    #[test]
    fn lookup_follows_refs_and_commits() {
        let dir = tempfile::tempdir().unwrap();
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let repo_dir = dir.path().join("models--Org--m");
        std::fs::create_dir_all(repo_dir.join("refs")).unwrap();
        std::fs::create_dir_all(repo_dir.join("snapshots").join(commit)).unwrap();
        std::fs::write(repo_dir.join("refs/main"), commit).unwrap();
        std::fs::write(
            repo_dir.join("snapshots").join(commit).join("config.json"),
            "{}",
        )
        .unwrap();
        let expected = repo_dir.join("snapshots").join(commit).join("config.json");
        assert_eq!(
            lookup(dir.path(), "Org/m", "main", "config.json"),
            Some(expected.clone())
        );
        assert_eq!(
            lookup(dir.path(), "Org/m", commit, "config.json"),
            Some(expected)
        );
        assert_eq!(lookup(dir.path(), "Org/m", "dev", "config.json"), None);
        assert_eq!(lookup(dir.path(), "Org/m", "main", "voices.npz"), None);
        assert_eq!(lookup(dir.path(), "Org/other", "main", "config.json"), None);
    }
}
