//! The `admin.*` resolvers' answers (`docs/resolvers.md`): `{"ok": true, "view", "sections"}`
//! from `admin.config` and `admin.save`, `{"ok": true, "checks", "summary"}` from
//! `admin.validate`, or a refusal. EPM's view and the checks are the core's own types; the PRA
//! section's view is `pra::view`.

use pam_approvals::config::check::{Check, Summary};
use pam_approvals::providers::epm::settings::view::AdminView;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::answer::Refusal;

/// The answer of `admin.config` and `admin.save`: EPM's view, or another section's.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ViewAnswer<V = AdminView> {
    pub view: V,
    /// The providers this build has settings for (`["epm", "pra"]`): a section each.
    #[serde(default)]
    pub sections: Vec<String>,
}

/// The answer of `admin.validate`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChecksAnswer {
    pub checks: Vec<Check>,
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply<T> {
    Ok(T),
    Refused(Refusal),
}

#[derive(Deserialize)]
struct Wire {
    ok: bool,
    error: Option<Refusal>,
}

/// Reads an answer; one of another shape is an error for the person, not a panic.
pub fn parse<T: DeserializeOwned>(value: Value) -> Result<Reply<T>, String> {
    let wire: Wire = serde_json::from_value(value.clone()).map_err(unexpected)?;
    match (wire.ok, wire.error) {
        (true, _) => serde_json::from_value(value).map(Reply::Ok).map_err(unexpected),
        (false, Some(refusal)) => Ok(Reply::Refused(refusal)),
        (false, None) => Err("the app refused without saying why".into()),
    }
}

fn unexpected(error: serde_json::Error) -> String {
    format!("the app answered in an unexpected form ({error})")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_checks_and_refusals() {
        let answer = json!({"ok": true, "checks": [{"id": "enabled", "title": "Integration enabled",
            "status": "warn", "detail": "Off.", "fix": "Turn it on."}],
            "summary": {"passed": 0, "failed": 0, "warnings": 1, "skipped": 0}});
        let Ok(Reply::Ok(ChecksAnswer { checks, summary })) = parse::<ChecksAnswer>(answer) else {
            panic!("checks")
        };
        assert_eq!((checks.len(), summary.warnings), (1, 1));
        let forbidden = json!({"ok": false, "error": {"code": "forbidden", "message": "Admins only."}});
        assert!(matches!(parse::<ViewAnswer>(forbidden), Ok(Reply::Refused(r)) if r.code == "forbidden"));
    }

    #[test]
    fn odd_answers_are_errors() {
        assert!(
            parse::<ViewAnswer>(json!({"ok": true}))
                .unwrap_err()
                .contains("unexpected form")
        );
        assert!(
            parse::<ViewAnswer>(json!({"ok": false}))
                .unwrap_err()
                .contains("without saying why")
        );
        assert!(
            parse::<ChecksAnswer>(json!([1]))
                .unwrap_err()
                .contains("unexpected form")
        );
    }
}
