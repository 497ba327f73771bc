//! One outcome of "Validate configuration": what was checked, how it went and, when it did not
//! pass, the exact fix. Every provider's checks answer in these.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    /// Not run because an earlier check failed (the detail says which).
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub detail: String,
    /// What to change; "" when the check passes.
    pub fix: String,
}

impl Check {
    pub fn pass(id: &str, title: impl Into<String>, detail: impl Into<String>) -> Check {
        Check::new(id, title, Status::Pass, detail, "")
    }

    pub fn fail(id: &str, title: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check::new(id, title, Status::Fail, detail, fix)
    }

    pub fn warn(id: &str, title: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check::new(id, title, Status::Warn, detail, fix)
    }

    /// A check that could not be made (Jira or the PAM system did not answer usefully).
    pub fn could_not_check(id: &str, title: impl Into<String>, e: &impl std::fmt::Display) -> Check {
        Check::fail(
            id,
            title,
            format!("Could not be checked: {e}"),
            "Run the validation again; if it keeps failing, check that Jira is reachable and the app is installed.",
        )
    }

    pub fn skip(id: &str, title: impl Into<String>, detail: impl Into<String>) -> Check {
        Check::new(id, title, Status::Skip, detail, "")
    }

    fn new(
        id: &str,
        title: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            id: id.into(),
            title: title.into(),
            status,
            detail: detail.into(),
            fix: fix.into(),
        }
    }
}

/// Counts per status, for the page's summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub warnings: usize,
    pub skipped: usize,
}

/// A section's "Validate configuration" answer: its checks and their summary.
pub fn answer(section: &str, checks: Vec<Check>) -> serde_json::Value {
    let summary = summary(&checks);
    serde_json::json!({ "section": section, "checks": checks, "summary": summary })
}

pub fn summary(checks: &[Check]) -> Summary {
    let count = |status| checks.iter().filter(|c| c.status == status).count();
    Summary {
        passed: count(Status::Pass),
        failed: count(Status::Fail),
        warnings: count(Status::Warn),
        skipped: count(Status::Skip),
    }
}
