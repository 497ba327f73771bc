//! The diagnostics against the in-memory world: what a delivery, a job and a dead letter leave
//! in the lists, what the page is shown, who may see it and "retry now".

use serde_json::{Value, json};

use crate::protocol::HttpResponse;
use crate::testkit::{SAMPLE, SAMPLE_REQUEST_ID, World, drive, http, webhook};

const URL: &str = "https://site.example/x/epm-webhook";

fn view(world: &mut World) -> Value {
    let answer: Value = serde_json::from_str(&world.resolve("admin.diagnostics", &json!({}), URL)).unwrap();
    assert_eq!(answer["ok"], json!(true), "{answer}");
    answer["diagnostics"].clone()
}

fn deliveries(view: &Value, trigger: &str) -> Vec<Value> {
    view["triggers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["trigger"] == json!(trigger))
        .unwrap_or_else(|| panic!("no {trigger} in {view}"))["deliveries"]
        .as_array()
        .unwrap()
        .clone()
}

fn ticket(n: usize) -> String {
    SAMPLE.replace(SAMPLE_REQUEST_ID, &format!("7f3c2a91-5d4e-4b8a-9c1f-{n:012}"))
}

#[test]
fn a_delivery_is_listed_once_with_its_attempts_and_outcome() {
    let mut world = World::admin_configured();
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!(status, 201);
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!(status, 200);
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", "{\"x\": 1}")));
    assert_eq!(status, 400);
    let view = view(&mut world);
    let listed = deliveries(&view, "epm-webhook");
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0]["status"], json!(400));
    assert!(
        listed[0]["outcome"].as_str().unwrap().contains("field"),
        "{}",
        listed[0]
    );
    assert_eq!(listed[0]["request"], json!(""));
    assert_eq!(listed[1]["event"], json!("ticket created"));
    assert_eq!(listed[1]["request"], json!(SAMPLE_REQUEST_ID));
    assert_eq!(listed[1]["attempts"], json!(2), "the same body twice: one entry");
    assert_eq!(listed[1]["status"], json!(200));
    assert!(listed[1]["outcome"].as_str().unwrap().contains("exists already"));
    assert!(listed[1]["at"].as_str().unwrap().ends_with('Z'));
    assert!(deliveries(&view, "pra-ticket").is_empty());
}

/// A stranger (or a request refused before its provider saw it) writes nothing, not even a
/// diagnostics entry: bad input may not fill the app's storage.
#[test]
fn unauthenticated_and_generic_refusals_write_nothing() {
    let mut world = World::admin_configured();
    let before = world.kv.clone();
    for invocation in [
        webhook("hook", "wrong", SAMPLE),
        webhook("hook", "pw-123456", &"x".repeat(300 * 1024)),
    ] {
        let (status, _) = http(&drive(&mut world, invocation));
        assert!(status == 401 || status == 413);
    }
    assert_eq!(world.kv, before);
}

#[test]
fn each_list_keeps_the_newest_hundred() {
    let mut world = World::admin_configured();
    let mut config =
        crate::providers::epm::settings::EpmSettings::from_stored(&world.kv[crate::config::CONFIG_KEY]).unwrap();
    config.enabled = false;
    world.kv.insert(crate::config::CONFIG_KEY.into(), config.stored());
    for n in 0..105 {
        let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", &ticket(n))));
        assert_eq!(status, 503);
    }
    let listed = deliveries(&view(&mut world), "epm-webhook");
    assert_eq!(listed.len(), crate::store::ring::LIMIT);
    assert_eq!(listed[0]["request"], json!("7f3c2a91-5d4e-4b8a-9c1f-000000000104"));
    assert_eq!(listed[99]["request"], json!("7f3c2a91-5d4e-4b8a-9c1f-000000000005"));
    assert!(listed[0]["outcome"].as_str().unwrap().contains("disabled"));
}

/// Jira refuses the create: the delivery answers 502, the queued job gives up at once and is
/// listed as a dead letter; "retry now" queues it again and, Jira willing, the issue is made.
#[test]
fn a_dead_letter_is_listed_and_retried_now() {
    let mut world = World::admin_configured();
    let refused = || {
        HttpResponse::json(
            400,
            &json!({"errors": {"summary": "You must specify a summary of the issue."}}),
        )
    };
    world.create_faults.extend([refused(), refused()]);
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", SAMPLE)));
    assert_eq!(status, 502);
    world.run_jobs(60_000);
    let seen = view(&mut world);
    let dead = seen["dead"].as_array().unwrap().clone();
    assert_eq!(dead.len(), 1, "{seen}");
    assert_eq!(dead[0]["kind"], json!("epm.webhook"));
    assert_eq!(
        dead[0]["request"],
        json!(SAMPLE_REQUEST_ID),
        "the job's digest read as its request"
    );
    assert!(dead[0]["reason"].as_str().unwrap().contains("Jira refused the create"));
    let jobs = seen["jobs"].as_array().unwrap();
    assert_eq!(jobs[0]["outcome"], json!("given up"));
    assert_eq!(jobs[0]["attempts"], json!(1));
    assert_eq!(world.issue_count(), 0);

    // Only a listed letter; the payload cannot name another key.
    let before = world.kv.clone();
    for payload in [json!({}), json!({"deadLetter": 3}), json!({"deadLetter": "config"})] {
        let answer: Value = serde_json::from_str(&world.resolve("admin.retry", &payload, URL)).unwrap();
        assert_eq!(answer["ok"], json!(false), "{answer}");
        assert!(["invalid", "not-found"].contains(&answer["error"]["code"].as_str().unwrap()));
    }
    assert_eq!(world.kv, before, "nothing written");

    let key = dead[0]["key"].as_str().unwrap();
    let answer: Value = serde_json::from_str(&world.resolve("admin.retry", &json!({"deadLetter": key}), URL)).unwrap();
    assert_eq!(answer["ok"], json!(true), "{answer}");
    assert_eq!(answer["diagnostics"]["dead"], json!([]));
    assert_eq!(answer["diagnostics"]["jobs"][0]["outcome"], json!("retrying"));
    assert!(!world.kv.contains_key(key), "the letter is gone once queued again");
    world.run_jobs(60_000);
    assert_eq!(world.issue_count(), 1);
    let after = view(&mut world);
    assert_eq!(after["jobs"][0]["outcome"], json!("done"));
    assert_eq!(after["jobs"][0]["request"], json!(SAMPLE_REQUEST_ID));
    // Retrying it again: it is not listed any more.
    let again: Value = serde_json::from_str(&world.resolve("admin.retry", &json!({"deadLetter": key}), URL)).unwrap();
    assert_eq!(again["error"]["code"], json!("not-found"));
}

#[test]
fn only_administrators_see_or_retry_and_nothing_secret_shows() {
    let mut world = World::admin_configured();
    let _ = drive(&mut world, webhook("hook", "pw-123456", SAMPLE));
    // The webhook's user name ("hook") is no secret, and a word of "epm-webhook".
    let secrets: Vec<String> = world.secrets.values().filter(|s| s.len() >= 8).cloned().collect();
    assert!(secrets.len() >= 2, "the password and the client secret");
    world.user = Some("acc-alice".into());
    let before = world.kv.clone();
    for name in ["admin.diagnostics", "admin.retry"] {
        let answer: Value =
            serde_json::from_str(&world.resolve(name, &json!({"deadLetter": "jobs:dead:x:y"}), URL)).unwrap();
        assert_eq!(answer["error"]["code"], json!("forbidden"), "{name}: {answer}");
    }
    assert_eq!(world.kv, before);
    world.user = Some(crate::testkit_site::ADMIN.into());
    let text = view(&mut world).to_string();
    for secret in secrets {
        assert!(!text.contains(&secret), "a secret in the diagnostics");
    }
    assert!(!text.contains("Basic "), "no headers");
    assert!(!text.contains("requestInfo"), "no bodies");
}
