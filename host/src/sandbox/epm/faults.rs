//! Failures on demand: `POST /_sandbox/fail` plans how the next management calls fail, so tests
//! can show what the app does when EPM is down or unreachable.

use serde::Deserialize;

/// Most calls one plan may cover (a typo like 1e9 should not wedge the sandbox for good).
const MAX_TIMES: u32 = 1000;

/// How one call fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
    /// Answer this HTTP status with a JSON message.
    Status(u16),
    /// No answer at all: the caller gets a transport failure.
    Unreachable,
}

/// The failures still to serve.
#[derive(Debug, Default)]
pub(super) struct FaultPlan {
    remaining: u32,
    fault: Option<Fault>,
}

/// The body of `POST /_sandbox/fail`: `{"times": n, "status": 503}` or
/// `{"times": n, "unreachable": true}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    #[serde(default = "one")]
    times: u32,
    status: Option<u16>,
    #[serde(default)]
    unreachable: bool,
}

fn one() -> u32 {
    1
}

impl FaultPlan {
    /// Parses a control body into a plan, or says what is wrong with it.
    pub(super) fn parse(body: &[u8]) -> Result<FaultPlan, String> {
        let request: Request = serde_json::from_slice(body).map_err(|e| {
            format!("expected {{\"times\": n, \"status\": 400-599}} or {{\"times\": n, \"unreachable\": true}}: {e}")
        })?;
        if request.times > MAX_TIMES {
            return Err(format!("times must be at most {MAX_TIMES}"));
        }
        let fault = match (request.status, request.unreachable) {
            (Some(_), true) => return Err("give either status or unreachable, not both".into()),
            (None, false) => return Err("give a status (400-599) or \"unreachable\": true".into()),
            (Some(status), false) if !(400..=599).contains(&status) => {
                return Err(format!("status {status} is not a failure (400-599)"));
            }
            (Some(status), false) => Fault::Status(status),
            (None, true) => Fault::Unreachable,
        };
        Ok(FaultPlan {
            remaining: request.times,
            fault: Some(fault),
        })
    }

    /// The fault for the next call, if any is planned (counts it).
    pub(super) fn take(&mut self) -> Option<Fault> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        self.fault
    }

    pub(super) fn describe(&self) -> serde_json::Value {
        match self.fault {
            Some(Fault::Status(status)) if self.remaining > 0 => {
                serde_json::json!({"times": self.remaining, "status": status})
            }
            Some(Fault::Unreachable) if self.remaining > 0 => {
                serde_json::json!({"times": self.remaining, "unreachable": true})
            }
            _ => serde_json::json!({"times": 0}),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_count_down_and_bad_bodies_are_refused() {
        let mut plan = FaultPlan::parse(br#"{"times": 2, "status": 503}"#).expect("valid");
        assert_eq!(plan.take(), Some(Fault::Status(503)));
        assert_eq!(plan.take(), Some(Fault::Status(503)));
        assert_eq!(plan.take(), None);
        let mut plan = FaultPlan::parse(br#"{"unreachable": true}"#).expect("valid");
        assert_eq!(plan.take(), Some(Fault::Unreachable));
        assert_eq!(plan.take(), None);
        for bad in [
            r#"{"times": 1}"#,
            r#"{"times": 1, "status": 200}"#,
            r#"{"times": 1, "status": 503, "unreachable": true}"#,
            r#"{"times": 5000, "status": 503}"#,
            r#"{"times": 1, "status": 503, "extra": 1}"#,
            "not json",
        ] {
            assert!(FaultPlan::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
