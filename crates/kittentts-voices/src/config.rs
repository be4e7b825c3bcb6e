//! `config.json`: model type, file names, speed priors and voice aliases.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use crate::Error;

/// The ONNX model family a config declares in its `type` key.
///
/// The reference runs both through the same code path (`KittenTTS_1_Onnx`): the style
/// input is one row of the voice table, `min(chunk chars, rows - 1)`. They differ in the
/// voice tables they ship with, which [`Voices::load`](crate::Voices::load) checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ModelType {
    /// `"ONNX1"`: the 0.1/0.2 models. Each voice is one style vector, a `(1, 256)` table.
    Onnx1,
    /// `"ONNX2"`: the 0.8 models. Each voice is a `(400, 256)` table indexed by chunk length.
    Onnx2,
}

impl ModelType {
    /// Parses the `type` value of a config (`"ONNX1"`, `"ONNX2"`; case-sensitive like the
    /// reference). Anything else (including `"KITTEN2"`) is `None`.
    pub fn from_type_str(value: &str) -> Option<Self> {
        match value {
            "ONNX1" => Some(Self::Onnx1),
            "ONNX2" => Some(Self::Onnx2),
            _ => None,
        }
    }

    /// The `type` string as config.json spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Onnx1 => "ONNX1",
            Self::Onnx2 => "ONNX2",
        }
    }

    /// Rows each voice table of this model family has: 1 for ONNX1, 400 for ONNX2.
    pub fn expected_rows(self) -> usize {
        match self {
            Self::Onnx1 => 1,
            Self::Onnx2 => 400,
        }
    }
}

impl fmt::Display for ModelType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed and checked `config.json` of a KittenTTS ONNX model.
///
/// Keys the reference reads are checked here; other keys (`model`, `name`, `version`, and
/// anything new) are tolerated. Checks that need the voices file (alias targets, prior
/// keys, row counts) are done by [`Voices::load`](crate::Voices::load).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelConfig {
    /// `name` ("Kitten TTS Mini"), when present and a string.
    pub name: Option<String>,
    /// `version` ("0.8"), when present and a string.
    pub version: Option<String>,
    /// `model` ("kitten-tts-mini-0.8"), when present and a string.
    pub model: Option<String>,
    /// `type`.
    pub model_type: ModelType,
    /// `model_file`: the ONNX file, relative to the model directory.
    pub model_file: String,
    /// `voices`: the voices archive, relative to the model directory.
    pub voices_file: String,
    /// `speed_priors`: voice id → factor multiplied into the user's speed. Kept as `f64`
    /// because the reference multiplies the JSON number (a Python float) in double precision.
    /// Empty when the key is absent.
    pub speed_priors: BTreeMap<String, f64>,
    /// `voice_aliases`: friendly name → voice id. Empty when the key is absent.
    pub voice_aliases: BTreeMap<String, String>,
    /// The file this config was read from (used in error messages).
    pub origin: PathBuf,
}

impl ModelConfig {
    /// A config for a model given as two files rather than a folder with `config.json` (as
    /// the reference's `KittenTTS_1_Onnx(model_path, voices_path, …)` takes it): no priors
    /// and no aliases yet (fill [`speed_priors`](Self::speed_priors) and
    /// [`voice_aliases`](Self::voice_aliases)); `origin` names the files in errors.
    pub fn for_files(
        model_type: ModelType,
        model_file: impl Into<String>,
        voices_file: impl Into<String>,
        origin: impl Into<PathBuf>,
    ) -> Self {
        Self {
            name: None,
            version: None,
            model: None,
            model_type,
            model_file: model_file.into(),
            voices_file: voices_file.into(),
            speed_priors: BTreeMap::new(),
            voice_aliases: BTreeMap::new(),
            origin: origin.into(),
        }
    }

    /// Reads and checks `path` (a `config.json`).
    ///
    /// # Errors
    /// [`Error::NotFound`]/[`Error::Io`] when the file cannot be read, otherwise as
    /// [`ModelConfig::from_json`].
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_slice(&bytes, path)
    }

    /// Parses and checks the text of a `config.json`; `origin` names the file in errors.
    ///
    /// # Errors
    /// [`Error::ConfigJson`] when the text is not JSON (including the `NaN`/`Infinity`
    /// literals Python's `json` accepts); [`Error::ConfigField`] when the top level is not an
    /// object, `model_file`/`voices`/`type` are missing or not strings, a file name is empty
    /// or leaves the model directory, `speed_priors`/`voice_aliases` are not objects of
    /// numbers/strings; [`Error::UnknownModelType`] for a `type` other than ONNX1/ONNX2;
    /// [`Error::SpeedPrior`] for a prior that is not a finite number > 0.
    pub fn from_json(json: &str, origin: &Path) -> Result<Self, Error> {
        Self::from_slice(json.as_bytes(), origin)
    }

    fn from_slice(bytes: &[u8], origin: &Path) -> Result<Self, Error> {
        let value: Value = serde_json::from_slice(bytes).map_err(|source| Error::ConfigJson {
            path: origin.to_path_buf(),
            source,
        })?;
        let fields = Fields {
            origin,
            value: &value,
        };
        let root = fields.root()?;
        let type_str = fields.required_str(root, "type")?;
        let model_type =
            ModelType::from_type_str(type_str).ok_or_else(|| Error::UnknownModelType {
                path: origin.to_path_buf(),
                found: type_str.to_owned(),
            })?;
        let model_file = fields.file_name(root, "model_file")?;
        let voices_file = fields.file_name(root, "voices")?;
        let speed_priors = fields.speed_priors(root)?;
        let voice_aliases = fields.voice_aliases(root)?;
        let config = Self {
            name: fields.optional_str(root, "name"),
            version: fields.optional_str(root, "version"),
            model: fields.optional_str(root, "model"),
            model_type,
            model_file,
            voices_file,
            speed_priors,
            voice_aliases,
            origin: origin.to_path_buf(),
        };
        tracing::debug!(
            origin = %origin.display(),
            model_type = %config.model_type,
            model_file = %config.model_file,
            voices = %config.voices_file,
            aliases = config.voice_aliases.len(),
            priors = config.speed_priors.len(),
            "read model config"
        );
        Ok(config)
    }
}

/// Typed access to the JSON value with errors that name the file and key.
struct Fields<'a> {
    origin: &'a Path,
    value: &'a Value,
}

impl<'a> Fields<'a> {
    fn error(&self, key: &str, reason: impl Into<String>) -> Error {
        Error::ConfigField {
            path: self.origin.to_path_buf(),
            key: key.to_owned(),
            reason: reason.into(),
        }
    }

    fn root(&self) -> Result<&'a Map<String, Value>, Error> {
        self.value.as_object().ok_or_else(|| {
            self.error(
                "",
                format!("the top level is {}, expected an object", kind(self.value)),
            )
        })
    }

    fn required_str(&self, root: &'a Map<String, Value>, key: &str) -> Result<&'a str, Error> {
        match root.get(key) {
            None => Err(self.error(key, "missing")),
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(self.error(key, format!("is {}, expected a string", kind(other)))),
        }
    }

    fn optional_str(&self, root: &Map<String, Value>, key: &str) -> Option<String> {
        match root.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            None | Some(Value::Null) => None,
            Some(other) => {
                tracing::warn!(
                    origin = %self.origin.display(),
                    key,
                    "config key is {}, not a string; ignored",
                    kind(other)
                );
                None
            }
        }
    }

    /// A file name relative to the model directory: non-empty, not absolute, no `..`.
    fn file_name(&self, root: &'a Map<String, Value>, key: &str) -> Result<String, Error> {
        let name = self.required_str(root, key)?;
        if name.trim().is_empty() {
            return Err(self.error(key, "is empty"));
        }
        let inside = Path::new(name)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            return Err(self.error(
                key,
                format!("{name:?} is not a relative path inside the model directory"),
            ));
        }
        Ok(name.to_owned())
    }

    fn optional_object(
        &self,
        root: &'a Map<String, Value>,
        key: &str,
    ) -> Result<Option<&'a Map<String, Value>>, Error> {
        match root.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(other) => Err(self.error(key, format!("is {}, expected an object", kind(other)))),
        }
    }

    fn speed_priors(&self, root: &'a Map<String, Value>) -> Result<BTreeMap<String, f64>, Error> {
        let mut priors = BTreeMap::new();
        let Some(map) = self.optional_object(root, "speed_priors")? else {
            return Ok(priors);
        };
        for (voice, value) in map {
            let number = value.as_f64().ok_or_else(|| {
                self.error(
                    &format!("speed_priors.{voice}"),
                    format!("is {}, expected a number", kind(value)),
                )
            })?;
            if !number.is_finite() || number <= 0.0 {
                return Err(Error::SpeedPrior {
                    path: self.origin.to_path_buf(),
                    voice: voice.clone(),
                    value: number,
                });
            }
            priors.insert(voice.clone(), number);
        }
        Ok(priors)
    }

    fn voice_aliases(
        &self,
        root: &'a Map<String, Value>,
    ) -> Result<BTreeMap<String, String>, Error> {
        let mut aliases = BTreeMap::new();
        let Some(map) = self.optional_object(root, "voice_aliases")? else {
            return Ok(aliases);
        };
        for (alias, value) in map {
            let Value::String(target) = value else {
                return Err(self.error(
                    &format!("voice_aliases.{alias}"),
                    format!("is {}, expected a string", kind(value)),
                ));
            };
            aliases.insert(alias.clone(), target.clone());
        }
        Ok(aliases)
    }
}

/// The JSON type of a value, for error messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<ModelConfig, Error> {
        ModelConfig::from_json(json, Path::new("cfg/config.json"))
    }

    const MINIMAL: &str = r#"{"type": "ONNX2", "model_file": "m.onnx", "voices": "v.npz"}"#;

    #[test]
    fn minimal_config_has_empty_priors_and_aliases() {
        let c = parse(MINIMAL).unwrap();
        assert_eq!(c.model_type, ModelType::Onnx2);
        assert_eq!(c.model_file, "m.onnx");
        assert_eq!(c.voices_file, "v.npz");
        assert!(c.speed_priors.is_empty());
        assert!(c.voice_aliases.is_empty());
        assert_eq!((c.name, c.version, c.model), (None, None, None));
        assert_eq!(c.origin, Path::new("cfg/config.json"));
    }

    #[test]
    fn unknown_keys_are_tolerated_and_bad_optional_strings_ignored() {
        let c = parse(
            r#"{"type": "ONNX1", "model_file": "m.onnx", "voices": "v.npz",
                "version": 0.1, "name": "N", "extra": [1, 2], "model": null}"#,
        )
        .unwrap();
        assert_eq!(c.model_type, ModelType::Onnx1);
        assert_eq!(c.name.as_deref(), Some("N"));
        assert_eq!(c.version, None);
        assert_eq!(c.model, None);
    }

    #[test]
    fn priors_keep_double_precision() {
        let c = parse(
            r#"{"type": "ONNX2", "model_file": "m.onnx", "voices": "v.npz",
                "speed_priors": {"a": 0.9, "b": 2}}"#,
        )
        .unwrap();
        assert_eq!(c.speed_priors.get("a"), Some(&0.9f64));
        assert_eq!(c.speed_priors.get("b"), Some(&2.0f64));
    }

    #[test]
    fn model_type_strings_round_trip() {
        for t in [ModelType::Onnx1, ModelType::Onnx2] {
            assert_eq!(ModelType::from_type_str(t.as_str()), Some(t));
            assert_eq!(t.to_string(), t.as_str());
        }
        assert_eq!(ModelType::from_type_str("onnx2"), None);
        assert_eq!(ModelType::Onnx1.expected_rows(), 1);
        assert_eq!(ModelType::Onnx2.expected_rows(), 400);
    }

    #[test]
    fn file_names_must_stay_inside_the_model_dir() {
        for bad in ["/etc/passwd", "../v.npz", "a/../../v.npz", "", "  "] {
            let json = format!(r#"{{"type": "ONNX2", "model_file": "m.onnx", "voices": {bad:?}}}"#);
            match parse(&json) {
                Err(Error::ConfigField { key, .. }) => assert_eq!(key, "voices", "{bad:?}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        let ok = parse(r#"{"type": "ONNX2", "model_file": "./sub/m.onnx", "voices": "v.npz"}"#);
        assert_eq!(ok.unwrap().model_file, "./sub/m.onnx");
    }
}
