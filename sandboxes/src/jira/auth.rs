//! Who is calling: no `Authorization` header means the app itself (what the host sends for
//! "as app"); Basic auth with a seeded person's email and the sandbox password means that
//! person; anything else is refused with a 401.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::catalog::Catalog;
use super::error::JiraError;

/// The account a request acts as (inserted into request extensions by the gate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub account_id: String,
}

pub(crate) fn resolve(catalog: &Catalog, headers: &HeaderMap) -> Result<Caller, JiraError> {
    let Some(header) = headers.get(AUTHORIZATION) else {
        let app = catalog.app_user().ok_or_else(JiraError::unauthorized)?;
        return Ok(Caller {
            account_id: app.account_id.clone(),
        });
    };
    let header = header.to_str().map_err(|_| JiraError::unauthorized())?.trim();
    let (scheme, credentials) = header.split_once(' ').ok_or_else(JiraError::unauthorized)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(JiraError::unauthorized());
    }
    let decoded = STANDARD
        .decode(credentials.trim())
        .map_err(|_| JiraError::unauthorized())?;
    let decoded = String::from_utf8(decoded).map_err(|_| JiraError::unauthorized())?;
    let (email, password) = decoded.split_once(':').ok_or_else(JiraError::unauthorized)?;
    let user = catalog.user_by_email(email).ok_or_else(JiraError::unauthorized)?;
    if !user.active || user.password.as_deref() != Some(password) {
        return Err(JiraError::unauthorized());
    }
    Ok(Caller {
        account_id: user.account_id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::seed;
    use axum::http::HeaderValue;

    fn headers(value: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(AUTHORIZATION, HeaderValue::from_str(value).expect("header"));
        }
        headers
    }

    fn basic(user: &str, password: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
    }

    #[test]
    fn callers() {
        let catalog = seed::catalog();
        assert_eq!(
            resolve(&catalog, &headers(None)).map(|c| c.account_id).ok(),
            Some(seed::APP_ACCOUNT_ID.to_string())
        );
        assert_eq!(
            resolve(&catalog, &headers(Some(&basic("Alice@Example.com", "sandbox"))))
                .map(|c| c.account_id)
                .ok(),
            Some(seed::ALICE_APPROVER.to_string())
        );
        for bad in [
            basic("alice@example.com", "wrong"),
            basic("ivan@example.com", "sandbox"),
            basic("nobody@example.com", "sandbox"),
            "Bearer abc".to_string(),
            "Basic !!!".to_string(),
            "Basic".to_string(),
        ] {
            let error = resolve(&catalog, &headers(Some(&bad))).expect_err(&bad);
            assert_eq!(error.status(), axum::http::StatusCode::UNAUTHORIZED);
        }
    }
}
