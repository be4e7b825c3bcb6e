//! The Hugging Face cache layout, shared with Python's `huggingface_hub`:
//!
//! ```text
//! <cache_dir>/models--Org--name/
//!     blobs/<etag>                       file contents (sha256 for LFS files, git sha1 otherwise)
//!     blobs/<etag>.part                  an unfinished download, resumed next time
//!     blobs/<etag>.lock                  the download lock (left in place; Python keeps
//!                                        its locks in <cache_dir>/.locks and ignores these)
//!     refs/<branch>                      the commit the branch pointed at when last fetched
//!     snapshots/<commit>/<file>          symlink to ../../blobs/<etag>
//! ```

use std::path::{Path, PathBuf};

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
