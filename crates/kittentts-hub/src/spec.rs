//! Model specs: what a user types (`kitten-tts-mini-0.8`, `KittenML/kitten-tts-nano-0.8-int8`,
//! `./my-model`, `…@revision`) and what it means.

use std::path::{Path, PathBuf};

use crate::Error;

/// The model the examples use when none is named.
pub const DEFAULT_MODEL: &str = "KittenML/kitten-tts-nano-0.8-int8";

/// The organisation a bare model name belongs to.
pub const DEFAULT_ORG: &str = "KittenML";

/// One published KittenTTS repo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownModel {
    /// The hub repo id, `KittenML/…`.
    pub repo: &'static str,
    /// The `type` its `config.json` declares (`ONNX1` for the 0.1/0.2 models, `ONNX2` for 0.8).
    pub model_type: &'static str,
    /// A one-line description.
    pub description: &'static str,
}

impl KnownModel {
    /// The bare name, the repo id without `KittenML/`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.repo.rsplit('/').next().unwrap_or(self.repo)
    }
}

/// The published KittenTTS ONNX repos this workspace supports.
pub const KNOWN_MODELS: &[KnownModel] = &[
    KnownModel {
        repo: "KittenML/kitten-tts-nano-0.8",
        model_type: "ONNX2",
        description: "nano 0.8 (15M parameters), the Python package's default",
    },
    KnownModel {
        repo: "KittenML/kitten-tts-nano-0.8-fp32",
        model_type: "ONNX2",
        description: "nano 0.8, float32 weights",
    },
    KnownModel {
        repo: "KittenML/kitten-tts-nano-0.8-int8",
        model_type: "ONNX2",
        description: "nano 0.8, int8-quantised weights (smallest download; this crate's default)",
    },
    KnownModel {
        repo: "KittenML/kitten-tts-micro-0.8",
        model_type: "ONNX2",
        description: "micro 0.8 (40M parameters)",
    },
    KnownModel {
        repo: "KittenML/kitten-tts-mini-0.8",
        model_type: "ONNX2",
        description: "mini 0.8 (80M parameters), the best quality",
    },
    KnownModel {
        repo: "KittenML/kitten-tts-nano-0.1",
        model_type: "ONNX1",
        description: "nano 0.1 preview",
    },
    KnownModel {
        repo: "KittenML/kitten-tts-nano-0.2",
        model_type: "ONNX1",
        description: "nano 0.2",
    },
];

/// Looks a repo id or bare name up in [`KNOWN_MODELS`] (case-sensitive, like the hub).
#[must_use]
pub fn known_model(name_or_repo: &str) -> Option<&'static KnownModel> {
    KNOWN_MODELS
        .iter()
        .find(|m| m.repo == name_or_repo || m.name() == name_or_repo)
}

/// Where a model's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// A folder laid out like a hub repo (`config.json` plus the files it names).
    Local(PathBuf),
    /// A hub repo, at a revision (branch, tag or commit; `None` means `main`).
    Hub {
        /// `Org/name`.
        repo: String,
        /// The revision after `@`, if any.
        revision: Option<String>,
    },
}

impl ModelSource {
    /// Resolves what a user typed, in this order:
    ///
    /// 1. an existing folder → [`ModelSource::Local`] (even if its name contains `/` or `@`);
    /// 2. something that looks like a path (starts with `/`, `./`, `../`, `~`, or contains `\` or
    ///    a drive letter) but does not exist → [`Error::LocalNotFound`];
    /// 3. `Org/name[@revision]` → [`ModelSource::Hub`];
    /// 4. a bare `name[@revision]` → `KittenML/name`, as the Python package does (a name outside
    ///    [`KNOWN_MODELS`] is allowed and logged at debug level; the hub decides whether it
    ///    exists).
    ///
    /// `@revision` names a branch, tag or commit (`kitten-tts-mini-0.8@main`,
    /// `KittenML/kitten-tts-mini-0.8@0123…`); URL-style revisions such as `refs/pr/1` are allowed.
    /// Repo ids follow the hub's rules: one `/`, each part 1–96 of `A-Z a-z 0-9 - _ .`, not
    /// starting or ending with `-` or `.`, no `--` or `..`.
    ///
    /// # Errors
    /// [`Error::InvalidSpec`] or [`Error::LocalNotFound`].
    pub fn resolve_spec(spec: &str) -> Result<Self, Error> {
        let invalid = |reason| Error::InvalidSpec {
            spec: spec.to_owned(),
            reason,
        };
        if spec.trim().is_empty() {
            return Err(invalid("empty"));
        }
        let path = Path::new(spec);
        if path.is_dir() {
            return Ok(Self::Local(path.to_path_buf()));
        }
        if looks_like_path(spec) {
            return Err(Error::LocalNotFound {
                path: path.to_path_buf(),
            });
        }
        let (id, revision) = match spec.split_once('@') {
            Some((id, revision)) => (id, Some(revision)),
            None => (spec, None),
        };
        if let Some(revision) = revision {
            validate_revision(revision).map_err(invalid)?;
        }
        let repo = if id.contains('/') {
            validate_repo_id(id).map_err(invalid)?;
            id.to_owned()
        } else {
            validate_part(id).map_err(invalid)?;
            if known_model(id).is_none() {
                tracing::debug!(
                    name = id,
                    "bare model name not in KNOWN_MODELS; trying KittenML/{id}"
                );
            }
            format!("{DEFAULT_ORG}/{id}")
        };
        Ok(Self::Hub {
            repo,
            revision: revision.map(str::to_owned),
        })
    }
}

impl std::fmt::Display for ModelSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Local(dir) => write!(f, "{}", dir.display()),
            Self::Hub {
                repo,
                revision: Some(revision),
            } => write!(f, "{repo}@{revision}"),
            Self::Hub {
                repo,
                revision: None,
            } => f.write_str(repo),
        }
    }
}

fn looks_like_path(spec: &str) -> bool {
    let bytes = spec.as_bytes();
    spec.starts_with('/')
        || spec.starts_with("./")
        || spec.starts_with("../")
        || spec == "."
        || spec == ".."
        || spec.starts_with('~')
        || spec.contains('\\')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

/// Checks a hub repo id, `Org/name`.
pub(crate) fn validate_repo_id(id: &str) -> Result<(), &'static str> {
    let mut parts = id.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(org), Some(name), None) => {
            validate_part(org)?;
            validate_part(name)
        }
        _ => Err("a repo id is `Org/name` with exactly one `/`"),
    }
}

fn validate_part(part: &str) -> Result<(), &'static str> {
    if part.is_empty() {
        return Err("empty organisation or model name");
    }
    if part.len() > 96 {
        return Err("organisation and model names have at most 96 characters");
    }
    if !part
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err("names use only A-Z a-z 0-9 - _ .");
    }
    if part.starts_with(['-', '.']) || part.ends_with(['-', '.']) {
        return Err("names cannot start or end with `-` or `.`");
    }
    if part.contains("--") || part.contains("..") {
        return Err("names cannot contain `--` or `..`");
    }
    Ok(())
}

pub(crate) fn validate_revision(revision: &str) -> Result<(), &'static str> {
    if revision.is_empty() {
        return Err("empty revision after `@`");
    }
    if revision.len() > 256
        || revision.contains("..")
        || revision.starts_with('/')
        || revision.ends_with('/')
        || revision
            .bytes()
            .any(|b| b.is_ascii_control() || b == b' ' || b == b'\\' || b == b'@')
    {
        return Err("revision must be a branch, tag or commit (no spaces, `..`, `\\` or `@`)");
    }
    Ok(())
}

/// Checks a file name inside a repo (relative, `/`-separated, no `..`): it becomes a cache path.
pub(crate) fn validate_file_name(file: &str) -> Result<(), Error> {
    let invalid = |reason| Error::InvalidFileName {
        file: file.to_owned(),
        reason,
    };
    if file.is_empty() {
        return Err(invalid("empty"));
    }
    if file.starts_with('/') || file.contains('\\') || file.contains(':') {
        return Err(invalid(
            "must be a relative `/`-separated path inside the repo",
        ));
    }
    if file
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(invalid("no empty, `.` or `..` path components"));
    }
    if file.bytes().any(|b| b.is_ascii_control()) {
        return Err(invalid("no control characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names() {
        assert_eq!(KNOWN_MODELS.len(), 7);
        assert_eq!(
            known_model("kitten-tts-mini-0.8").map(|m| m.repo),
            Some("KittenML/kitten-tts-mini-0.8")
        );
        assert_eq!(
            known_model("KittenML/kitten-tts-nano-0.1").map(|m| m.model_type),
            Some("ONNX1")
        );
        assert_eq!(
            known_model(DEFAULT_MODEL).map(|m| m.name()),
            Some("kitten-tts-nano-0.8-int8")
        );
        assert_eq!(known_model("kitten-tts-giga-9"), None);
    }

    #[test]
    fn file_names() {
        assert!(validate_file_name("config.json").is_ok());
        assert!(validate_file_name("onnx/model.onnx").is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "C:x",
            "a\\b",
            "./a",
            "a/",
        ] {
            assert!(
                matches!(validate_file_name(bad), Err(Error::InvalidFileName { ref file, .. }) if file == bad),
                "{bad:?}"
            );
        }
    }
}
