//! The app's configuration: one versioned JSON record in KV (`config`) holding one section per
//! provider (`{"version": 2, "epm": {...}}`), plus secrets in secret storage. Each provider
//! decodes and validates its own section ([`Section`]); this module only keeps the record, so a
//! save never drops the section of a provider this build lacks.

pub mod check;
pub mod egress;
pub mod rules;

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::caps::Caps;

/// KV key of the configuration record.
pub const CONFIG_KEY: &str = "config";
/// Version 2: sections per provider. Version 1 was one flat record of EPM settings.
const VERSION: u32 = 2;
/// Where a version-1 record's settings belong (it predates providers; EPM was the only one).
const VERSION_1_SECTION: &str = "epm";

/// One provider's settings in the record.
pub trait Section: Serialize + DeserializeOwned + Default {
    /// The section's name in the record, the provider's name.
    const KEY: &'static str;

    /// Decodes the stored section; the message says what is wrong.
    fn decode_section(value: Value) -> Result<Self, String>;
}

/// The stored record: every provider's section, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    sections: BTreeMap<String, Value>,
}

impl Config {
    /// Reads a stored record of either version.
    pub fn decode(text: &str) -> Result<Config, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("configuration is not valid: {e}"))?;
        let Value::Object(mut object) = value else {
            return Err("configuration is not valid: not a JSON object".into());
        };
        if object.get("version").and_then(Value::as_u64) != Some(u64::from(VERSION)) {
            // A version-1 record (or one that is no record at all, which the section refuses).
            let mut sections = BTreeMap::new();
            sections.insert(VERSION_1_SECTION.to_string(), Value::Object(object));
            return Ok(Config { sections });
        }
        object.remove("version");
        if let Some((key, _)) = object.iter().find(|(_, v)| !v.is_object()) {
            return Err(format!(
                "configuration is not valid: section \"{key}\" is not an object"
            ));
        }
        Ok(Config {
            sections: object.into_iter().collect(),
        })
    }

    pub fn encode(&self) -> String {
        let mut object = Map::new();
        object.insert("version".into(), VERSION.into());
        object.extend(self.sections.clone());
        Value::Object(object).to_string()
    }

    /// A provider's section, or its defaults when it was never saved.
    pub fn section<T: Section>(&self) -> Result<T, String> {
        match self.sections.get(T::KEY) {
            None => Ok(T::default()),
            Some(value) => T::decode_section(value.clone()),
        }
    }

    /// Whether a provider's section was ever saved.
    pub fn has<T: Section>(&self) -> bool {
        self.sections.contains_key(T::KEY)
    }

    /// Replaces a provider's section, leaving the others as stored.
    pub fn set<T: Section>(&mut self, section: &T) {
        let value = serde_json::to_value(section).unwrap_or(Value::Null);
        self.sections.insert(T::KEY.to_string(), value);
    }

    /// A record holding only `section`.
    pub fn of<T: Section>(section: &T) -> Config {
        let mut config = Config::default();
        config.set(section);
        config
    }
}

/// The stored configuration record, empty when none was saved yet. The message is for a log
/// line or a 503; it never holds a setting's value.
pub async fn load(caps: &Caps) -> Result<Config, String> {
    match caps.kv_get(CONFIG_KEY).await {
        Ok(None) => Ok(Config::default()),
        Ok(Some(text)) => Config::decode(&text).map_err(|e| format!("the stored configuration is unreadable: {e}")),
        Err(e) => Err(format!("the configuration could not be read ({e}); retry later")),
    }
}

/// A provider's section of the stored configuration (its defaults when none was saved).
pub async fn load_section<T: Section>(caps: &Caps) -> Result<T, String> {
    load(caps)
        .await?
        .section()
        .map_err(|e| format!("the stored configuration is unreadable: {e}"))
}

/// A setting that is not acceptable, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ConfigError {
    pub field: &'static str,
    pub problem: String,
}

/// A [`ConfigError`] for `field`.
pub fn bad(field: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        field,
        problem: problem.into(),
    }
}

/// Stores a provider's section in the configuration record (the other sections stay as
/// stored); the message says what failed.
pub async fn save_section<T: Section>(caps: &Caps, section: &T) -> Result<(), String> {
    let mut record = load(caps).await?;
    record.set(section);
    caps.kv_set(CONFIG_KEY, &record.encode())
        .await
        .map_err(|e| format!("The app's storage could not be used ({e}); try again."))
}

/// Host provisioning of a provider's section: `changes` over the stored section (the rest stay
/// as stored), tidied by `normalize` and validated like a save (`Section::decode_section`),
/// then stored. With `only_if_unconfigured`, a stored section is left alone. Answers whether
/// anything was applied.
pub async fn provision_section<T: Section + serde::Serialize>(
    caps: &Caps,
    changes: serde_json::Map<String, Value>,
    only_if_unconfigured: bool,
    normalize: fn(T) -> T,
) -> Result<bool, String> {
    let mut record = load(caps).await?;
    if changes.is_empty() || (only_if_unconfigured && record.has::<T>()) {
        return Ok(false);
    }
    let current: T = record
        .section()
        .map_err(|e| format!("the stored {} settings are unreadable: {e}", T::KEY))?;
    let mut merged = serde_json::to_value(current).map_err(|e| e.to_string())?;
    if let Value::Object(object) = &mut merged {
        object.extend(changes);
    }
    let settings: T = serde_json::from_value(merged).map_err(|e| format!("config: {e}"))?;
    let settings = T::decode_section(serde_json::to_value(normalize(settings)).map_err(|e| e.to_string())?)
        .map_err(|e| format!("config: {e}"))?;
    record.set(&settings);
    caps.kv_set(CONFIG_KEY, &record.encode())
        .await
        .map_err(|e| format!("the configuration could not be stored: {e}"))?;
    Ok(true)
}

/// Why `payload` is not an `admin.save` request of type `T` whose settings object is under
/// `section` (`config`, `settings`), naming the field: each of the settings' keys, then each
/// other key, is read alone, and the first one `T` cannot read is the one to fix (serde's own
/// error names no field for a wrong type). Never quotes a value: a secret may have been typed
/// into the wrong shape.
pub fn shape_problem<T: DeserializeOwned>(payload: &Value, section: &str, error: &serde_json::Error) -> String {
    // (the field as the message names it, a payload with that field alone)
    let mut candidates: Vec<(String, Value)> = Vec::new();
    let object = payload.as_object().into_iter().flatten();
    for (key, value) in object {
        let shown = crate::text::printable(key, 40);
        let mut probe = |name: String, value: Value| {
            let mut alone = Map::new();
            alone.insert(section.to_string(), Value::Object(Map::new()));
            alone.insert(key.clone(), value);
            candidates.push((name, Value::Object(alone)));
        };
        // The keys of an object (the settings, `secrets`) one by one, then the whole value.
        for (inner, inner_value) in value.as_object().into_iter().flatten() {
            let one = Value::Object(Map::from_iter([(inner.clone(), inner_value.clone())]));
            probe(format!("{shown}.{}", crate::text::printable(inner, 40)), one);
        }
        probe(shown, value.clone());
    }
    for (field, probe) in candidates {
        if let Err(e) = serde_json::from_value::<T>(probe) {
            return format!("`{field}` {}", what_is_wrong(&e));
        }
    }
    match crate::text::serde_message(error).as_str() {
        missing if missing.starts_with("missing field `") => missing.to_string(),
        _ => format!("the payload must be an object with `{section}`"),
    }
}

/// serde's complaint about one field, without the value it quotes.
fn what_is_wrong(error: &serde_json::Error) -> String {
    let text = crate::text::serde_message(error);
    if text.starts_with("unknown field `") {
        return "is not a known setting".into();
    }
    match text.split_once(", expected ") {
        Some((_, expected)) => format!("must be {}", crate::text::printable(expected, 120)),
        None => "is not in the expected shape".into(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Demo {
        #[serde(default)]
        level: u32,
    }

    impl Section for Demo {
        const KEY: &'static str = "demo";

        fn decode_section(value: Value) -> Result<Self, String> {
            serde_json::from_value(value).map_err(|e| e.to_string())
        }
    }

    #[test]
    fn sections_round_trip_and_others_are_kept() {
        let mut config = Config::decode(r#"{"version":2,"other":{"x":1}}"#).unwrap();
        assert_eq!(config.section::<Demo>().unwrap(), Demo::default());
        config.set(&Demo { level: 3 });
        let again = Config::decode(&config.encode()).unwrap();
        assert_eq!(again.section::<Demo>().unwrap(), Demo { level: 3 });
        let value: Value = serde_json::from_str(&again.encode()).unwrap();
        assert_eq!(value, json!({"version": 2, "other": {"x": 1}, "demo": {"level": 3}}));
    }

    /// A version-1 record was EPM's flat settings: it reads as the `epm` section.
    #[test]
    fn a_version_1_record_is_the_epm_section() {
        let config = Config::decode(r#"{"version":1,"projectKey":"OPS"}"#).unwrap();
        let value: Value = serde_json::from_str(&config.encode()).unwrap();
        assert_eq!(value, json!({"version": 2, "epm": {"version": 1, "projectKey": "OPS"}}));
    }

    #[test]
    fn malformed_records_say_what_is_wrong() {
        assert!(Config::decode("{not json").unwrap_err().contains("not valid"));
        assert!(Config::decode("[1]").unwrap_err().contains("not a JSON object"));
        let err = Config::decode(r#"{"version":2,"demo":3}"#).unwrap_err();
        assert!(err.contains("section \"demo\" is not an object"), "{err}");
    }
}
