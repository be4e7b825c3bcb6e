//! A config and its voices file, checked against each other: alias and prior resolution.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Error, ModelConfig, ModelType, VoiceBank, VoiceTable};

/// A model's voices with the config's aliases and speed priors, validated together.
///
/// `Send + Sync`; resolving a voice borrows, it copies nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Voices {
    bank: VoiceBank,
    /// Alias → voice id, sorted by alias; every target is in `bank`.
    aliases: BTreeMap<String, String>,
    /// Voice id → prior; every key is in `bank`, every value finite and > 0.
    priors: BTreeMap<String, f64>,
    model_type: ModelType,
    config_origin: PathBuf,
}

/// A listed voice name: an alias with the id it stands for, or a voice id (then `name == id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceName {
    /// What a caller passes to [`Voices::resolve`].
    pub name: String,
    /// The voice id in the voices file.
    pub id: String,
}

impl VoiceName {
    /// Whether `name` is an alias rather than the id itself.
    pub fn is_alias(&self) -> bool {
        self.name != self.id
    }
}

/// A resolved voice: its id, table and speed prior, borrowed from [`Voices`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Voice<'a> {
    id: &'a str,
    alias: Option<&'a str>,
    table: &'a VoiceTable,
    prior: Option<f64>,
}

impl<'a> Voice<'a> {
    /// The voice id in the voices file (`expr-voice-5-m`).
    pub fn id(&self) -> &'a str {
        self.id
    }

    /// The alias it was resolved through (`Leo`), if any.
    pub fn alias(&self) -> Option<&'a str> {
        self.alias
    }

    /// The voice's style table.
    pub fn table(&self) -> &'a VoiceTable {
        self.table
    }

    /// The style row for a chunk; see [`VoiceTable::style_row`].
    pub fn style_row(&self, chunk_text: &str) -> &'a [f32] {
        self.table.style_row(chunk_text)
    }

    /// The config's speed prior for this voice id, 1.0 when it has none. `f64`, as the
    /// reference multiplies it (a Python float) in double precision.
    pub fn speed_prior(&self) -> f64 {
        self.prior.unwrap_or(1.0)
    }

    /// The speed the model gets: `user_speed × prior` computed in `f64`, then cast to `f32`
    /// (the reference's `np.array([speed * prior], dtype=np.float32)`).
    ///
    /// `user_speed` is an `f32` here; a decimal speed such as 0.12 is then rounded to `f32`
    /// before the product, which can land 1 ulp away from the reference (which multiplies the
    /// Python float). [`effective_speed_f64`](Self::effective_speed_f64) is bit-exact.
    ///
    /// # Errors
    /// [`Error::InvalidSpeed`] when `user_speed` is zero, negative, NaN or infinite, or the
    /// product is not a finite `f32` > 0 (overflow, underflow). The reference passes such
    /// speeds to the model; we refuse them.
    pub fn effective_speed(&self, user_speed: f32) -> Result<f32, Error> {
        self.effective_speed_f64(f64::from(user_speed))
    }

    /// As [`effective_speed`](Self::effective_speed) with the user's speed in double
    /// precision, as Python passes it: bit-identical to the reference's speed input.
    ///
    /// # Errors
    /// [`Error::InvalidSpeed`], as [`effective_speed`](Self::effective_speed).
    pub fn effective_speed_f64(&self, user_speed: f64) -> Result<f32, Error> {
        let prior = self.speed_prior();
        let invalid = || Error::InvalidSpeed {
            speed: user_speed,
            prior,
        };
        if !user_speed.is_finite() || user_speed <= 0.0 {
            return Err(invalid());
        }
        // The cast is the point: the reference rounds the f64 product to float32.
        let effective = (user_speed * prior) as f32;
        if !effective.is_finite() || effective <= 0.0 {
            return Err(invalid());
        }
        Ok(effective)
    }
}

impl Voices {
    /// Loads `model_dir/<config.voices_file>` and checks it against `config`.
    ///
    /// # Errors
    /// Everything [`VoiceBank::load`] reports, then as [`Voices::new`].
    pub fn load(config: &ModelConfig, model_dir: &Path) -> Result<Self, Error> {
        let bank = VoiceBank::load(&model_dir.join(&config.voices_file))?;
        Self::new(config, bank)
    }

    /// Checks an already loaded bank against `config`:
    ///
    /// - an ONNX2 model needs 400 rows in every table ([`Error::RowCount`]): the model was
    ///   trained with one style per chunk length up to 400 chars. An ONNX1 model's tables
    ///   have one row; another count is accepted with a warning and indexed like the
    ///   reference does (`min(chars, rows - 1)`).
    /// - every alias points at a voice id of the bank ([`Error::AliasTarget`]); an alias that
    ///   equals a voice id wins over the id, as in the reference (with a warning).
    /// - every speed prior names a voice id or an alias ([`Error::SpeedPriorVoice`]). The
    ///   reference looks priors up by the resolved voice id, so a prior keyed by an alias
    ///   never applies; it is kept out, with a warning, so the result matches the reference.
    ///
    /// # Errors
    /// [`Error::RowCount`], [`Error::AliasTarget`], [`Error::SpeedPriorVoice`],
    /// [`Error::SpeedPrior`] (a prior that is not finite and > 0, for configs not built by
    /// [`ModelConfig::from_json`]).
    pub fn new(config: &ModelConfig, bank: VoiceBank) -> Result<Self, Error> {
        let model_type = config.model_type;
        let expected = model_type.expected_rows();
        for (id, table) in bank.iter() {
            if table.rows() == expected {
                continue;
            }
            if model_type == ModelType::Onnx2 {
                return Err(Error::RowCount {
                    path: bank.origin().to_path_buf(),
                    voice: id.to_owned(),
                    rows: table.rows(),
                    expected,
                    model_type,
                });
            }
            tracing::warn!(
                voices = %bank.origin().display(),
                voice = id,
                rows = table.rows(),
                expected,
                %model_type,
                "unexpected row count; rows are picked by chunk length like the reference does"
            );
        }
        for (alias, target) in &config.voice_aliases {
            if bank.get(target).is_none() {
                return Err(Error::AliasTarget {
                    path: config.origin.clone(),
                    alias: alias.clone(),
                    target: target.clone(),
                    voices_file: bank.origin().to_path_buf(),
                });
            }
            if alias != target && bank.get(alias).is_some() {
                tracing::warn!(
                    config = %config.origin.display(),
                    alias = alias.as_str(),
                    target = target.as_str(),
                    "alias shadows a voice id of the same name; the alias wins"
                );
            }
        }
        let mut priors = BTreeMap::new();
        for (voice, &prior) in &config.speed_priors {
            if !prior.is_finite() || prior <= 0.0 {
                return Err(Error::SpeedPrior {
                    path: config.origin.clone(),
                    voice: voice.clone(),
                    value: prior,
                });
            }
            if bank.get(voice).is_some() {
                priors.insert(voice.clone(), prior);
            } else if config.voice_aliases.contains_key(voice) {
                tracing::warn!(
                    config = %config.origin.display(),
                    alias = voice.as_str(),
                    "speed prior keyed by an alias; the reference never applies it, nor do we"
                );
            } else {
                return Err(Error::SpeedPriorVoice {
                    path: config.origin.clone(),
                    voice: voice.clone(),
                });
            }
        }
        Ok(Self {
            bank,
            aliases: config.voice_aliases.clone(),
            priors,
            model_type,
            config_origin: config.origin.clone(),
        })
    }

    /// Resolves an alias (`Leo`) or a voice id (`expr-voice-5-m`), aliases first, like the
    /// reference. A name that matches no alias or id exactly matches one that differs only in
    /// ASCII letter case (`leo` → `Leo`).
    ///
    /// # Errors
    /// [`Error::UnknownVoice`] listing aliases (sorted) then ids (in voices-file order).
    pub fn resolve(&self, name: &str) -> Result<Voice<'_>, Error> {
        // Exact names first; then, for a name no voice has exactly, any letter case
        // (`leo` is `Leo`, `EXPR-VOICE-5-M` is `expr-voice-5-m`).
        let exact = self.aliases.contains_key(name) || self.bank.get(name).is_some();
        let name_in_case = if exact {
            name
        } else {
            self.aliases
                .keys()
                .map(String::as_str)
                .chain(self.bank.ids())
                .find(|n| n.eq_ignore_ascii_case(name))
                .unwrap_or(name)
        };
        let (alias, id) = match self.aliases.get_key_value(name_in_case) {
            Some((alias, id)) => (Some(alias.as_str()), id.as_str()),
            None => (None, name_in_case),
        };
        // Alias targets were checked at load time, so only an unknown name misses here.
        let Some((id, table)) = self.bank.iter().find(|(v, _)| *v == id) else {
            return Err(Error::UnknownVoice {
                name: name.to_owned(),
                available: self.names().into_iter().map(|n| n.name).collect(),
            });
        };
        Ok(Voice {
            id,
            alias,
            table,
            prior: self.priors.get(id).copied(),
        })
    }

    /// Every name [`resolve`](Self::resolve) accepts: aliases (sorted, each with its id),
    /// then voice ids (in voices-file order). An id that an alias of the same name shadows
    /// is left out, since resolving that name gives the alias's voice.
    pub fn names(&self) -> Vec<VoiceName> {
        let aliases = self.aliases.iter().map(|(alias, id)| VoiceName {
            name: alias.clone(),
            id: id.clone(),
        });
        let ids = self
            .bank
            .ids()
            .filter(|id| !self.aliases.contains_key(*id))
            .map(|id| VoiceName {
                name: id.to_owned(),
                id: id.to_owned(),
            });
        aliases.chain(ids).collect()
    }

    /// The voice ids, in voices-file order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.bank.ids()
    }

    /// The underlying voices file.
    pub fn bank(&self) -> &VoiceBank {
        &self.bank
    }

    /// The model type from the config.
    pub fn model_type(&self) -> ModelType {
        self.model_type
    }

    /// The config file the aliases and priors came from.
    pub fn config_origin(&self) -> &Path {
        &self.config_origin
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::STYLE_DIM;

    fn bank(ids: &[&str]) -> VoiceBank {
        let origin = Path::new("v.npz");
        let tables = ids.iter().enumerate().map(|(i, id)| {
            let values = vec![i as f32; 400 * STYLE_DIM];
            (
                (*id).to_owned(),
                VoiceTable::from_rows(values, origin, id).unwrap(),
            )
        });
        VoiceBank::from_tables(tables, origin).unwrap()
    }

    fn config(json: &str) -> ModelConfig {
        ModelConfig::from_json(json, Path::new("c.json")).unwrap()
    }

    #[test]
    fn a_shadowing_alias_wins_and_hides_the_id() {
        let c = config(
            r#"{"type": "ONNX2", "model_file": "m", "voices": "v",
                "voice_aliases": {"b": "c", "A": "a"}}"#,
        );
        let voices = Voices::new(&c, bank(&["a", "b", "c"])).unwrap();
        let b = voices.resolve("b").unwrap();
        assert_eq!(
            (b.id(), b.alias(), b.style_row("")[0]),
            ("c", Some("b"), 2.0)
        );
        let names: Vec<(String, String)> =
            voices.names().into_iter().map(|n| (n.name, n.id)).collect();
        let pairs = [("A", "a"), ("b", "c"), ("a", "a"), ("c", "c")];
        assert_eq!(
            names,
            pairs.map(|(n, i)| (n.to_owned(), i.to_owned())).to_vec()
        );
    }

    #[test]
    fn priors_outside_the_config_parser_are_still_checked() {
        let mut c = config(r#"{"type": "ONNX2", "model_file": "m", "voices": "v"}"#);
        for bad in [0.0, -2.0, f64::NAN, f64::INFINITY] {
            c.speed_priors = BTreeMap::from([("a".to_owned(), bad)]);
            assert!(matches!(
                Voices::new(&c, bank(&["a"])),
                Err(Error::SpeedPrior { voice, .. }) if voice == "a"
            ));
        }
    }

    #[test]
    fn accessors_report_the_sources() {
        let c = config(r#"{"type": "ONNX2", "model_file": "m", "voices": "v"}"#);
        let voices = Voices::new(&c, bank(&["x", "y"])).unwrap();
        assert_eq!(voices.model_type(), ModelType::Onnx2);
        assert_eq!(voices.config_origin(), Path::new("c.json"));
        assert_eq!(voices.bank().origin(), Path::new("v.npz"));
        assert_eq!(voices.ids().collect::<Vec<_>>(), ["x", "y"]);
    }
}
