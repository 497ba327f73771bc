//! `send-sample-pra`: plays a BeyondTrust PRA appliance against a running host in sandbox mode.
//! The sandbox appliance makes a pending ticket-ID request (`/sandbox/pra/_sandbox/requests`);
//! its form is posted to the app's PRA web trigger as the appliance would; then the sandbox
//! appliance is polled until the app's answer (`allow`/`deny`) arrives there.
//!
//! The web trigger URL carries a secret (`?secret=...`): when `--url` has none, the one the app
//! stored in `--data-dir` is added. It is never printed: messages show URLs without their query.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use reqwest::Url;
use serde_json::{Value, json};

/// The web trigger URL's query parameter that holds its secret.
const SECRET_PARAMETER: &str = "secret";
/// How often the sandbox appliance is asked whether the app answered.
const POLL_EVERY: Duration = Duration::from_millis(500);

#[derive(clap::Args)]
pub struct PraSampleArgs {
    /// The PRA web trigger URL the host printed (its secret is added from --data-dir when the
    /// URL has no `secret` query parameter). The sandbox appliance is on the same host.
    #[arg(long, default_value = "http://127.0.0.1:8080/x/pra-ticket")]
    url: String,
    /// The ticket ID the user enters in the access console (a Jira issue key, e.g. PMCJIT-1).
    #[arg(long, value_name = "KEY")]
    ticket: String,
    /// Post the request as JSON instead of a form (the app accepts both).
    #[arg(long)]
    json: bool,
    /// The Jump Item's host name (default: the sandbox appliance's, web-01.corp.example).
    #[arg(long)]
    computer_name: Option<String>,
    /// The requesting user's email (default: the sandbox appliance's, Bob Requester's).
    #[arg(long)]
    email: Option<String>,
    /// The host's data dir, to read the web trigger's secret from.
    #[arg(long, default_value = ".pam-approvals")]
    data_dir: PathBuf,
    /// How long to wait for the app's decision, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    wait: u64,
}

/// The host's root URL (`http://127.0.0.1:8080`) of a web trigger URL.
pub fn base_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// `url` for messages: without its query, so the secret stays out of them.
fn shown(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.to_string()
}

/// The web trigger URL with its secret: as given when it has one, else with `stored()` added.
pub fn with_secret(url: &str, stored: impl FnOnce() -> Option<String>) -> Result<Url> {
    let mut url = Url::parse(url).with_context(|| format!("--url is not an absolute URL: {url}"))?;
    if url.query_pairs().any(|(name, _)| name == SECRET_PARAMETER) {
        return Ok(url);
    }
    let Some(secret) = stored() else {
        bail!(
            "no web trigger secret: add ?{SECRET_PARAMETER}=... to --url, or point --data-dir at the data dir of the host (the app keeps it once PRA is configured)"
        );
    };
    url.query_pairs_mut().append_pair(SECRET_PARAMETER, &secret);
    Ok(url)
}

/// A pending request the sandbox appliance made.
#[derive(Debug, Clone)]
pub struct JumpRequest {
    pub request_id: String,
    /// The form body the appliance posts to the ticket system.
    pub form: String,
    /// The same keys as a JSON object.
    pub json: Value,
}

/// The sandbox appliance's URL for `segments` below `_sandbox` (each percent-encoded).
fn control_url(base: &str, segments: &[&str]) -> Result<Url> {
    let mut url = Url::parse(base).with_context(|| format!("{base} is not a URL"))?;
    url.path_segments_mut()
        .map_err(|()| anyhow::anyhow!("{base} cannot have a path"))?
        .clear()
        .extend(["sandbox", "pra", "_sandbox"])
        .extend(segments);
    Ok(url)
}

/// Sends a control call to the sandbox appliance at `url`: its status and JSON answer.
async fn ask(call: reqwest::RequestBuilder, url: &Url) -> Result<(reqwest::StatusCode, Value)> {
    let reply = call
        .send()
        .await
        .map_err(|e| e.without_url())
        .with_context(|| format!("asking the sandbox appliance at {url} (is the host running with --sandbox?)"))?;
    let status = reply.status();
    Ok((status, reply.json().await.unwrap_or(Value::Null)))
}

/// Asks the sandbox appliance at `base` for a pending request with this ticket ID.
pub async fn create_request(
    client: &reqwest::Client,
    base: &str,
    ticket: &str,
    computer_name: Option<&str>,
    email: Option<&str>,
) -> Result<JumpRequest> {
    let mut overrides = json!({ "ticketId": ticket });
    if let Some(name) = computer_name {
        overrides["computerName"] = json!(name);
    }
    if let Some(email) = email {
        overrides["user"] = json!({ "emailAddress": email });
    }
    let url = control_url(base, &["requests"])?;
    let (status, answer) = ask(client.post(url.clone()).json(&overrides), &url).await?;
    if !status.is_success() {
        bail!("the sandbox appliance refused the request (HTTP {status}): {answer}");
    }
    let text = |field: &str| {
        answer[field]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("the sandbox appliance's answer has no {field}: {answer}"))
    };
    Ok(JumpRequest {
        request_id: text("requestId")?,
        form: text("form")?,
        json: answer["json"].clone(),
    })
}

/// Polls the sandbox appliance every `every` until the app has answered request `request_id`
/// (its recorded response: `{response, message, sessionCustom, ...}`), for at most `wait`.
pub async fn wait_for_decision(
    client: &reqwest::Client,
    base: &str,
    request_id: &str,
    wait: Duration,
    every: Duration,
) -> Result<Value> {
    let url = control_url(base, &["requests", request_id])?;
    let deadline = Instant::now() + wait;
    loop {
        let (status, request) = ask(client.get(url.clone()), &url).await?;
        if !status.is_success() {
            bail!("the sandbox appliance does not know PRA request {request_id} (HTTP {status}): {request}");
        }
        match request["state"].as_str() {
            Some("answered") => return Ok(request["response"].clone()),
            Some("timedOut") => bail!(
                "the appliance timed PRA request {request_id} out before the app answered (its timeout: {base}/sandbox/pra/_sandbox/settings)"
            ),
            _ => {}
        }
        if Instant::now() + every > deadline {
            bail!(
                "no decision on PRA request {request_id} within {} s: the appliance still has it pending",
                wait.as_secs()
            );
        }
        tokio::time::sleep(every).await;
    }
}

/// The decision as printed: the answer, then the message and session attributes, if any.
pub fn describe(request_id: &str, response: &Value) -> String {
    let mut lines = vec![format!(
        "PRA request {request_id}: the app answered {}",
        response["response"].as_str().unwrap_or("?")
    )];
    if let Some(message) = response["message"].as_str() {
        lines.push(format!("  message: {message}"));
    }
    for (name, value) in response["sessionCustom"].as_object().into_iter().flatten() {
        let value = value.as_str().map_or_else(|| value.to_string(), str::to_string);
        lines.push(format!("  session.custom.{name} = {value}"));
    }
    lines.join("\n")
}

/// Posts the appliance's request to the web trigger; prints and answers its status.
async fn post_to_app(client: &reqwest::Client, target: &Url, request: &JumpRequest, as_json: bool) -> Result<()> {
    let builder = if as_json {
        client.post(target.clone()).json(&request.json)
    } else {
        client
            .post(target.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(request.form.clone())
    };
    let response = builder
        .send()
        .await
        .map_err(|e| e.without_url())
        .with_context(|| format!("sending to {}", shown(target)))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    println!(
        "PRA request {}: the web trigger answered HTTP {status} {text}",
        request.request_id
    );
    if !status.is_success() {
        bail!("the app refused the request (HTTP {status})");
    }
    Ok(())
}

pub async fn send(args: PraSampleArgs) -> Result<()> {
    let data_dir: &Path = &args.data_dir;
    let target = with_secret(&args.url, || crate::credentials::pra_url_secret(data_dir))?;
    let base = base_of(&target);
    // The secret goes to the URL given and nowhere else: no redirect is followed.
    let client = crate::outbound::client()?;
    let request = create_request(
        &client,
        &base,
        &args.ticket,
        args.computer_name.as_deref(),
        args.email.as_deref(),
    )
    .await?;
    post_to_app(&client, &target, &request, args.json).await?;
    println!(
        "Waiting up to {} s for the app's decision ({base}/sandbox/pra/_sandbox/requests/{})...",
        args.wait, request.request_id
    );
    let response = wait_for_decision(
        &client,
        &base,
        &request.request_id,
        Duration::from_secs(args.wait),
        POLL_EVERY,
    )
    .await?;
    println!("{}", describe(&request.request_id, &response));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_secret_is_added_when_the_url_has_none() {
        let url = with_secret("http://127.0.0.1:8080/x/pra-ticket", || Some("s e&cret".into())).expect("url");
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/x/pra-ticket?secret=s+e%26cret");
        assert_eq!(shown(&url), "http://127.0.0.1:8080/x/pra-ticket");
        let with_query = with_secret("http://h.test:9/x/pra-ticket?a=1", || Some("k".into())).expect("url");
        assert_eq!(with_query.as_str(), "http://h.test:9/x/pra-ticket?a=1&secret=k");
        assert_eq!(base_of(&with_query), "http://h.test:9");
    }

    #[test]
    fn a_url_with_a_secret_is_kept_as_given() {
        let given = "http://127.0.0.1:8080/x/pra-ticket?secret=given";
        let url = with_secret(given, || panic!("the stored secret is not read")).expect("url");
        assert_eq!(url.as_str(), given);
    }

    #[test]
    fn no_secret_anywhere_is_a_clear_error() {
        let error = with_secret("http://127.0.0.1:8080/x/pra-ticket", || None).expect_err("no secret");
        assert!(error.to_string().contains("--data-dir"), "{error}");
        assert!(with_secret("not a url", || None).is_err());
    }

    #[test]
    fn control_urls_encode_the_request_id() {
        let url = control_url("http://127.0.0.1:8080", &["requests", "a/b c"]).expect("url");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/sandbox/pra/_sandbox/requests/a%2Fb%20c"
        );
    }

    #[test]
    fn a_decision_is_described_with_its_message_and_attributes() {
        let response = json!({"response": "deny", "message": "No change window",
                              "sessionCustom": {"jira_issue": "PMCJIT-1"}});
        assert_eq!(
            describe("r1", &response),
            "PRA request r1: the app answered deny\n  message: No change window\n  session.custom.jira_issue = PMCJIT-1"
        );
        assert_eq!(
            describe(
                "r2",
                &json!({"response": "allow", "message": null, "sessionCustom": {}})
            ),
            "PRA request r2: the app answered allow"
        );
    }
}
