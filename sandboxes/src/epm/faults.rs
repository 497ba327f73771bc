//! The EPM sandbox's older `POST /_sandbox/fail` body, still accepted: `{"times": n, "status":
//! 503}` or `{"times": n, "unreachable": true}` (`times` defaults to 1) fails the next n
//! management calls, whatever they are, and *replaces* every rule in force. Any body with a
//! `fault` is a rule of the shared syntax instead (`crate::faults`), which is added.

use serde::Deserialize;

use crate::faults::{Fault, MAX_TIMES, Rule};

/// The older body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    #[serde(default = "one")]
    times: u64,
    status: Option<u16>,
    #[serde(default)]
    unreachable: bool,
}

fn one() -> u64 {
    1
}

/// A parsed older body: the rule to put in place of all others (none for `times: 0`), and the
/// answer the control has always given (`{"times": n, "status": s}`, `{"times": 0}`, ...).
#[derive(Debug)]
pub(super) struct Plan {
    pub rule: Option<Rule>,
    pub answer: serde_json::Value,
}

/// Whether a control body is the older form (a JSON object without `fault`).
pub(super) fn is_older_form(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|value| value.as_object().map(|object| !object.contains_key("fault")))
        .unwrap_or(false)
}

/// Parses the older body, or says what is wrong with it.
pub(super) fn parse(body: &[u8]) -> Result<Plan, String> {
    let request: Request = serde_json::from_slice(body).map_err(|e| {
        format!(
            "expected {{\"times\": n, \"status\": 400-599}}, {{\"times\": n, \"unreachable\": true}} or a rule with a \"fault\": {e}"
        )
    })?;
    if request.times > MAX_TIMES {
        return Err(format!("times must be at most {MAX_TIMES}"));
    }
    let (fault, answer) = match (request.status, request.unreachable) {
        (Some(_), true) => return Err("give either status or unreachable, not both".into()),
        (None, false) => return Err("give a status (400-599) or \"unreachable\": true".into()),
        (Some(status), false) if !(400..=599).contains(&status) => {
            return Err(format!("status {status} is not a failure (400-599)"));
        }
        (Some(status), false) => (
            Fault::Status {
                status,
                retry_after: None,
                after_handling: false,
            },
            serde_json::json!({"times": request.times, "status": status}),
        ),
        (None, true) => (
            Fault::Unreachable { after_handling: false },
            serde_json::json!({"times": request.times, "unreachable": true}),
        ),
    };
    if request.times == 0 {
        return Ok(Plan {
            rule: None,
            answer: serde_json::json!({"times": 0}),
        });
    }
    Ok(Plan {
        rule: Some(Rule::every_request(fault, request.times)),
        answer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::FaultRules;

    #[test]
    fn plans_count_down_and_bad_bodies_are_refused() {
        let mut rules = FaultRules::default();
        let plan = parse(br#"{"times": 2, "status": 503}"#).expect("valid");
        assert_eq!(plan.answer, serde_json::json!({"times": 2, "status": 503}));
        rules.add(plan.rule.expect("a rule")).expect("added");
        let status = Some(Fault::Status {
            status: 503,
            retry_after: None,
            after_handling: false,
        });
        assert_eq!(rules.decide("POST", "/oauth/connect/token"), status);
        assert_eq!(rules.decide("POST", "/oauth/connect/token"), status);
        assert_eq!(rules.decide("POST", "/oauth/connect/token"), None);
        let mut rules = FaultRules::default();
        rules
            .add(parse(br#"{"unreachable": true}"#).expect("valid").rule.expect("a rule"))
            .expect("added");
        assert_eq!(
            rules.decide("POST", "/x"),
            Some(Fault::Unreachable { after_handling: false })
        );
        assert_eq!(rules.decide("POST", "/x"), None);
        assert!(parse(br#"{"times": 0, "status": 503}"#).expect("valid").rule.is_none());
        for bad in [
            r#"{"times": 1}"#,
            r#"{"times": 1, "status": 200}"#,
            r#"{"times": 1, "status": 503, "unreachable": true}"#,
            r#"{"times": 5000, "status": 503}"#,
            r#"{"times": 1, "status": 503, "extra": 1}"#,
            "not json",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(is_older_form(br#"{"times": 1, "status": 503}"#));
        assert!(!is_older_form(br#"{"fault": {"status": 503}}"#));
        assert!(!is_older_form(b"not json"));
    }
}
