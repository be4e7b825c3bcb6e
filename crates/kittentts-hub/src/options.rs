//! [`HubOptions`]: endpoint, token, cache folder and offline mode, explicitly or from the
//! environment variables Python's `huggingface_hub` reads.

use std::path::PathBuf;

/// The public Hugging Face Hub.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// How a [`Hub`](crate::Hub) reaches the hub and where it caches files.
///
/// `None` fields take their defaults in [`Hub::new`](crate::Hub::new): the public endpoint, no
/// token, the default cache folder ([`default_cache_dir`]), online, 2 retries.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HubOptions {
    /// Base URL, `https://huggingface.co` by default (`HF_ENDPOINT`).
    pub endpoint: Option<String>,
    /// Access token sent as `Authorization: Bearer …` (`HF_TOKEN`, or the token file).
    pub token: Option<String>,
    /// The hub cache folder that holds `models--Org--name/` (`HF_HUB_CACHE`, `$HF_HOME/hub`).
    pub cache_dir: Option<PathBuf>,
    /// Cache only, never the network (`HF_HUB_OFFLINE=1`).
    pub offline: Option<bool>,
    /// How many times a failed download is resumed before giving up (default 2).
    pub retries: Option<usize>,
}

impl std::fmt::Debug for HubOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubOptions")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("cache_dir", &self.cache_dir)
            .field("offline", &self.offline)
            .field("retries", &self.retries)
            .finish()
    }
}

impl HubOptions {
    /// Options read from the process environment; see [`from_vars`](Self::from_vars).
    #[must_use]
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Options read through `var` (a stand-in for `std::env::var`, handy in tests), with the
    /// precedence of Python's `huggingface_hub`:
    ///
    /// - `endpoint`: `HF_ENDPOINT` (trailing `/` removed);
    /// - `token`: `HF_TOKEN`, then `HUGGING_FACE_HUB_TOKEN`, then the file `HF_TOKEN_PATH`, then
    ///   `$HF_HOME/token` (where `huggingface-cli login` writes it); blank values are ignored;
    /// - `cache_dir`: `HF_HUB_CACHE`, then `HUGGINGFACE_HUB_CACHE`, then `$HF_HOME/hub`, then
    ///   `$XDG_CACHE_HOME/huggingface/hub`, then `~/.cache/huggingface/hub`;
    /// - `offline`: `HF_HUB_OFFLINE` is `1`, `ON`, `YES` or `TRUE` (any case) → `Some(true)`,
    ///   any other value → `Some(false)`, unset → `None`.
    #[must_use]
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let non_empty = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let hf_home = hf_home(&var);
        let token = non_empty("HF_TOKEN")
            .or_else(|| non_empty("HUGGING_FACE_HUB_TOKEN"))
            .or_else(|| {
                let path = non_empty("HF_TOKEN_PATH")
                    .map(PathBuf::from)
                    .or_else(|| hf_home.as_ref().map(|home| home.join("token")))?;
                let token = std::fs::read_to_string(path).ok()?;
                Some(token.trim().to_owned()).filter(|t| !t.is_empty())
            });
        Self {
            endpoint: non_empty("HF_ENDPOINT").map(|e| e.trim_end_matches('/').to_owned()),
            token,
            cache_dir: cache_dir_from(&var),
            offline: var("HF_HUB_OFFLINE").map(|v| is_true(&v)),
            retries: None,
        }
    }

    /// Sets [`endpoint`](Self::endpoint).
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Sets [`token`](Self::token).
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sets [`cache_dir`](Self::cache_dir).
    #[must_use]
    pub fn with_cache_dir(mut self, cache_dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(cache_dir.into());
        self
    }

    /// Sets [`offline`](Self::offline).
    #[must_use]
    pub fn with_offline(mut self, offline: bool) -> Self {
        self.offline = Some(offline);
        self
    }

    /// Sets [`retries`](Self::retries).
    #[must_use]
    pub fn with_retries(mut self, retries: usize) -> Self {
        self.retries = Some(retries);
        self
    }
}

/// `huggingface_hub`'s truthy values: `1`, `ON`, `YES`, `TRUE`, any case.
fn is_true(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_uppercase().as_str(),
        "1" | "ON" | "YES" | "TRUE"
    )
}

fn hf_home(var: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let set = |name: &str| {
        var(name)
            .filter(|v| !v.trim().is_empty())
            .map(PathBuf::from)
    };
    set("HF_HOME")
        .or_else(|| set("XDG_CACHE_HOME").map(|x| x.join("huggingface")))
        .or_else(|| {
            set("HOME")
                .or_else(|| set("USERPROFILE"))
                .map(|h| h.join(".cache").join("huggingface"))
        })
}

fn cache_dir_from(var: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let set = |name: &str| {
        var(name)
            .filter(|v| !v.trim().is_empty())
            .map(PathBuf::from)
    };
    set("HF_HUB_CACHE")
        .or_else(|| set("HUGGINGFACE_HUB_CACHE"))
        .or_else(|| hf_home(var).map(|home| home.join("hub")))
}

/// The cache folder `huggingface_hub` uses in this environment (see
/// [`HubOptions::from_vars`]); `None` when no variable is set and there is no home folder.
#[must_use]
pub fn default_cache_dir() -> Option<PathBuf> {
    cache_dir_from(&|name: &str| std::env::var(name).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn cache_dir_precedence() {
        let o = HubOptions::from_vars(vars(&[("HOME", "/h")]));
        assert_eq!(
            o.cache_dir,
            Some(PathBuf::from("/h/.cache/huggingface/hub"))
        );
        let o = HubOptions::from_vars(vars(&[("HOME", "/h"), ("XDG_CACHE_HOME", "/x")]));
        assert_eq!(o.cache_dir, Some(PathBuf::from("/x/huggingface/hub")));
        let o = HubOptions::from_vars(vars(&[("HOME", "/h"), ("HF_HOME", "/hf")]));
        assert_eq!(o.cache_dir, Some(PathBuf::from("/hf/hub")));
        let o = HubOptions::from_vars(vars(&[
            ("HF_HOME", "/hf"),
            ("HUGGINGFACE_HUB_CACHE", "/old"),
        ]));
        assert_eq!(o.cache_dir, Some(PathBuf::from("/old")));
        let o = HubOptions::from_vars(vars(&[
            ("HF_HOME", "/hf"),
            ("HF_HUB_CACHE", "/c"),
            ("HUGGINGFACE_HUB_CACHE", "/old"),
        ]));
        assert_eq!(o.cache_dir, Some(PathBuf::from("/c")));
        assert_eq!(HubOptions::from_vars(vars(&[])).cache_dir, None);
    }

    #[test]
    fn offline_endpoint_and_token() {
        for (value, expected) in [
            ("1", true),
            ("on", true),
            ("Yes", true),
            ("TRUE", true),
            ("0", false),
            ("", false),
            ("no", false),
        ] {
            assert_eq!(
                HubOptions::from_vars(vars(&[("HF_HUB_OFFLINE", value)])).offline,
                Some(expected),
                "{value:?}"
            );
        }
        assert_eq!(HubOptions::from_vars(vars(&[])).offline, None);
        let o = HubOptions::from_vars(vars(&[
            ("HF_ENDPOINT", "http://127.0.0.1:9/"),
            ("HF_TOKEN", " hf_abc "),
        ]));
        assert_eq!(o.endpoint.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(o.token.as_deref(), Some("hf_abc"));
        assert!(!format!("{o:?}").contains("hf_abc"));
    }

    #[test]
    fn token_file_under_hf_home() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "hf_file\n").unwrap();
        let home = dir.path().to_str().unwrap();
        let o = HubOptions::from_vars(vars(&[("HF_HOME", home)]));
        assert_eq!(o.token.as_deref(), Some("hf_file"));
        let o = HubOptions::from_vars(vars(&[("HF_HOME", home), ("HF_TOKEN", "hf_env")]));
        assert_eq!(o.token.as_deref(), Some("hf_env"));
        let other = dir.path().join("other");
        std::fs::write(&other, "hf_other").unwrap();
        let o = HubOptions::from_vars(vars(&[
            ("HF_HOME", home),
            ("HF_TOKEN_PATH", other.to_str().unwrap()),
        ]));
        assert_eq!(o.token.as_deref(), Some("hf_other"));
    }
}
