//! Checking downloaded bytes against the hub's ETag: sha256 for LFS files, the git blob sha1
//! for regular files.

use std::io::Read;
use std::path::Path;

use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::Error;

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
}
