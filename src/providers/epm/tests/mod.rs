//! EPM provider tests: parsing, placeholders, the summary, the ADF description, the mapping and
//! the intake workflow (idempotency under duplicates, concurrency and crashes).

mod decide;
mod expiry;
mod jira_way;
mod queue;
mod trust;

use pam_sandboxes::jira::seed;
use serde_json::{Value, json};

use crate::protocol::{HttpResponse, Outcome};
use crate::providers::epm::mapping::map::{People, create_issue};
use crate::providers::epm::mapping::placeholders::{check_template, render_summary};
use crate::providers::epm::mapping::property::EpmProperty;
use crate::providers::epm::settings::EpmSettings;
use crate::providers::epm::wire::{Event, ParseError, TicketCreated, parse};
use crate::testkit::{SAMPLE, SAMPLE_REQUEST_ID, World, drive, drive_interleaved, http, webhook};

fn sample() -> TicketCreated {
    match parse(SAMPLE).unwrap() {
        Event::TicketCreated(t) => t,
        other => panic!("{other:?}"),
    }
}

fn with(field: &str, value: Value) -> String {
    let mut body: Value = serde_json::from_str(SAMPLE).unwrap();
    let path: Vec<&str> = field.split('.').collect();
    match path.as_slice() {
        [top] => body[*top] = value,
        [a, b] => body[*a][*b] = value,
        _ => unreachable!(),
    }
    body.to_string()
}

/// Atlassian's ADF JSON Schema (also used by `describe.rs`'s tests).
pub(super) fn adf_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("../../../../contracts/specs/adf-schema-v1-full.json")).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap()
}

#[test]
fn parses_every_field_of_the_seed_sample() {
    let t = sample();
    assert_eq!(t.request.request_id, SAMPLE_REQUEST_ID);
    assert_eq!(t.request.tenant_id, "0b9e4f6a-1c2d-4e3f-8a7b-9c0d1e2f3a4b");
    assert_eq!(t.ticket_number.as_deref(), Some("JIT-000431"));
    assert_eq!(t.user(), Some("CORP\\bob"));
    assert_eq!(t.host_name(), Some("FIN-LT-0042"));
    assert_eq!(
        t.get("sha256Hash"),
        Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
    );
    assert_eq!(t.get("reputationIntegrationType"), Some("VirusTotal"));
    assert_eq!(
        t.file_path(),
        Some("C:\\Users\\bob\\Downloads\\TaxSuiteSetup-4.2.1.exe")
    );
    // Placeholders left by EPM and empty values are absent.
    assert_eq!(t.get("clsId"), None);
    assert_eq!(t.get("comDisplayName"), None);
    assert_eq!(t.get("storeAppName"), None);
    assert!(t.extra.is_empty());
}

#[test]
fn the_raw_template_fails_only_on_its_placeholder_ids() {
    // The template as pasted into EPM, unsubstituted: EventType is a placeholder.
    let template = include_str!("../wire/templates/ticket-created.json");
    assert_eq!(parse(template), Err(ParseError::Placeholder("EventType".into())));
    let body = template.replace("%%EventType%%", "URM_NATIVE_TICKET_CREATED");
    assert_eq!(parse(&body), Err(ParseError::Placeholder("TenantId".into())));
}

#[test]
fn errors_name_the_field() {
    let cases: Vec<(String, &str)> = vec![
        ("not json".into(), "not valid JSON"),
        ("[1,2]".into(), "must be a JSON object, got an array"),
        ("\"x\"".into(), "got a string"),
        (with("RequestId", Value::Null), "`RequestId`"),
        (
            with("RequestId", json!("%%RequestId%%")),
            "`RequestId` is still the unsubstituted placeholder",
        ),
        (with("TenantId", json!("")), "`TenantId`"),
        (
            with("RequestId", json!("x".repeat(129))),
            "`RequestId` is longer than 128",
        ),
        (
            with("RequestId", json!("a\nb")),
            "`RequestId` contains control characters",
        ),
        (
            with("EventType", json!("URM_SOMETHING_ELSE")),
            "unknown EventType \"URM_SOMETHING_ELSE\"",
        ),
        (with("requestInfo", json!("x")), "field `requestInfo` must be an object"),
        (
            with("requestInfo.user", json!({"a": 1})),
            "field `requestInfo.user` must be a string, got an object",
        ),
        (
            with("requestInfo.hostName", json!([1])),
            "`requestInfo.hostName` must be a string, got an array",
        ),
    ];
    for (body, expected) in cases {
        let err = parse(&body).expect_err(&body).to_string();
        assert!(err.contains(expected), "{err:?} should contain {expected:?}");
    }
    let missing = SAMPLE.replace("\"requestInfo\"", "\"other\"");
    assert_eq!(parse(&missing).unwrap_err(), ParseError::Missing("requestInfo".into()));
}

#[test]
fn keeps_unknown_fields_and_reads_numbers_as_text() {
    let mut body: Value = serde_json::from_str(SAMPLE).unwrap();
    body["requestInfo"]["newField"] = json!("kept");
    body["Extra"] = json!(42);
    body["requestInfo"]["reputationScore"] = json!(82);
    let Event::TicketCreated(t) = parse(&body.to_string()).unwrap() else {
        panic!()
    };
    assert_eq!(t.extra.get("requestInfo.newField").map(String::as_str), Some("kept"));
    assert_eq!(t.extra.get("Extra").map(String::as_str), Some("42"));
    assert_eq!(t.get("reputationScore"), Some("82"));
}

#[test]
fn duplicate_keys_as_in_the_seed_template_are_accepted() {
    // The seed template lists "workstyle" twice, with the same placeholder: the same value twice.
    let Event::TicketCreated(t) = parse(SAMPLE).unwrap() else {
        panic!()
    };
    assert_eq!(t.get("workstyle"), Some("Finance Workstation Policy"));
    // Two different values: which one is meant is anyone's guess (parsers disagree), so neither.
    let body = SAMPLE.replacen(
        "\"workstyle\": \"Finance Workstation Policy\"",
        "\"workstyle\": \"first\"",
        1,
    );
    assert_eq!(
        parse(&body).unwrap_err().to_string(),
        "field `workstyle` is sent twice with different values"
    );
}

#[test]
fn summary_template_renders_any_field_and_caps_length() {
    let t = sample();
    assert_eq!(
        render_summary(crate::providers::epm::settings::DEFAULT_SUMMARY_TEMPLATE, &t),
        "EPM JIT Application Access Request - CORP\\bob"
    );
    assert_eq!(
        render_summary("%%User%% on %%HostName%% wants %%ProductName%%", &t),
        "CORP\\bob on FIN-LT-0042 wants Tax Reporting Suite"
    );
    assert_eq!(
        render_summary("[%%TicketNumber%%] %%ClsId%% x", &t),
        "[JIT-000431] x",
        "absent renders empty"
    );
    let body = with("requestInfo.user", json!("%%User%%"));
    let Event::TicketCreated(no_user) = parse(&body).unwrap() else {
        panic!()
    };
    assert_eq!(
        render_summary(crate::providers::epm::settings::DEFAULT_SUMMARY_TEMPLATE, &no_user),
        "EPM JIT Application Access Request"
    );
    let long = with("requestInfo.user", json!("u".repeat(400)));
    let Event::TicketCreated(long) = parse(&long).unwrap() else {
        panic!()
    };
    let summary = render_summary(crate::providers::epm::settings::DEFAULT_SUMMARY_TEMPLATE, &long);
    assert_eq!(summary.chars().count(), 255);
    assert!(summary.ends_with('…'));
    let newline = with("requestInfo.user", json!("a\nb\tc"));
    let Event::TicketCreated(newline) = parse(&newline).unwrap() else {
        panic!()
    };
    assert_eq!(render_summary("%%User%%", &newline), "a b c", "a summary is one line");
}

#[test]
fn templates_are_checked() {
    assert!(check_template("EPM %%User%% %%sha256Hash%% %%TicketNumber%%").is_ok());
    assert!(
        check_template("%%Nope%%")
            .unwrap_err()
            .contains("unknown placeholder %%Nope%%")
    );
    assert!(check_template("%%User").unwrap_err().contains("unclosed"));
    assert!(check_template("  ").is_err());
}

#[test]
fn description_is_valid_adf_with_grouped_details() {
    let validator = adf_validator();
    let doc = crate::providers::epm::mapping::describe::description(&sample());
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let text = doc.to_string();
    for expected in [
        "Who and where",
        "Application",
        "File and hashes",
        "Technical details",
        "FIN-LT-0042",
        "Tax Reporting Suite",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        SAMPLE_REQUEST_ID,
        "quarterly tax",
    ] {
        assert!(text.contains(expected), "description lacks {expected}");
    }
}

#[test]
fn description_stays_valid_and_bounded_for_a_maximal_request() {
    let mut body: Value = serde_json::from_str(SAMPLE).unwrap();
    for field in crate::providers::epm::wire::fields::REQUEST_INFO {
        body["requestInfo"][field.key] = json!("x".repeat(3000));
    }
    for i in 0..60 {
        body["requestInfo"][format!("extra{i}")] = json!("y".repeat(500));
    }
    let Event::TicketCreated(t) = parse(&body.to_string()).unwrap() else {
        panic!()
    };
    let doc = crate::providers::epm::mapping::describe::description(&t);
    assert!(adf_validator().is_valid(&doc));
    let text_chars: usize = collect_text(&doc).chars().count();
    assert!(text_chars < 32_000, "description text is {text_chars} characters");
}

/// Every text node of an ADF value, concatenated.
pub(super) fn collect_text(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            let own = o.get("text").and_then(Value::as_str).unwrap_or("").to_string();
            own + &o.get("content").map(collect_text).unwrap_or_default()
        }
        Value::Array(a) => a.iter().map(collect_text).collect(),
        _ => String::new(),
    }
}

#[test]
fn maps_to_one_create_request_with_everything() {
    let config = EpmSettings {
        labels: vec!["pam".into()],
        ..EpmSettings::default()
    };
    let people = People {
        assignee: Some("acc-john".into()),
        reporter: Some("acc-bob".into()),
    };
    let property = EpmProperty::new(&sample(), people.reporter.clone(), 42);
    let body = create_issue(&config, &sample(), &people, &property);
    let fields = &body["fields"];
    assert_eq!(fields["project"], json!({"key": "PMCJIT"}));
    assert_eq!(fields["issuetype"], json!({"name": "Access Request"}));
    assert_eq!(
        fields["summary"],
        json!("EPM JIT Application Access Request - CORP\\bob")
    );
    assert_eq!(fields["customfield_10001"], json!(SAMPLE_REQUEST_ID));
    assert_eq!(fields["labels"], json!(["pam"]));
    assert_eq!(fields["assignee"], json!({"accountId": "acc-john"}));
    assert_eq!(fields["reporter"], json!({"accountId": "acc-bob"}));
    assert_eq!(body["properties"][0]["key"], json!("pam-approvals.epm"));
    assert_eq!(
        body["properties"][0]["value"]["tenantId"],
        json!("0b9e4f6a-1c2d-4e3f-8a7b-9c0d1e2f3a4b")
    );
    assert_eq!(body["properties"][0]["value"]["receivedAt"], json!(42));
    let no_people = create_issue(&config, &sample(), &People::default(), &property);
    assert!(no_people["fields"].get("assignee").is_none() && no_people["fields"].get("reporter").is_none());
}

fn deliver(world: &mut World) -> (u16, Value) {
    http(&drive(world, webhook("hook", "pw-123456", SAMPLE)))
}

#[test]
fn creates_one_issue_with_assignee_and_reporter_in_one_create_call() {
    let mut world = World::configured();
    let (status, body) = deliver(&mut world);
    assert_eq!((status, body), (201, json!({"issueKey": "PMCJIT-1", "created": true})));
    let issues = world.jira_issues();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["fields"]["assignee"]["accountId"], seed::JOHN_DOE);
    assert_eq!(issues[0]["fields"]["reporter"]["accountId"], seed::BOB_REQUESTER);
    assert_eq!(world.jira_calls("POST", "/rest/api/3/issue"), 1);
}

#[test]
fn duplicates_return_the_same_key_and_lookups_are_cached() {
    let mut world = World::configured();
    deliver(&mut world);
    for _ in 0..3 {
        assert_eq!(
            deliver(&mut world),
            (200, json!({"issueKey": "PMCJIT-1", "created": false}))
        );
    }
    assert_eq!(world.issue_count(), 1);
    // A second request reuses the cached assignee and reporter.
    let before = world.jira_calls("GET", "/rest/api/3/user/search");
    let other = SAMPLE.replace(SAMPLE_REQUEST_ID, "another-request");
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", &other)));
    assert_eq!(status, 201);
    assert_eq!(world.jira_calls("GET", "/rest/api/3/user/search"), before);
    assert_eq!(
        world
            .calls
            .iter()
            .filter(|c| matches!(c, crate::Call::Jira { .. }))
            .count(),
        4,
        "2 user searches + 2 creates"
    );
}

#[test]
fn concurrent_deliveries_create_exactly_one_issue() {
    let mut world = World::configured();
    let invocations = (0..3).map(|_| webhook("hook", "pw-123456", SAMPLE)).collect();
    let outcomes = drive_interleaved(&mut world, invocations);
    let answers: Vec<(u16, Value)> = outcomes.iter().map(http).collect();
    assert_eq!(world.issue_count(), 1);
    assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1, "{answers:?}");
    assert!(answers.iter().all(|(_, b)| b["issueKey"] == "PMCJIT-1"), "{answers:?}");
}

#[test]
fn a_run_that_died_after_creating_is_recovered_from_jira() {
    let mut world = World::configured();
    deliver(&mut world);
    // Simulate a crash between the create and the record: drop the record, keep the claim.
    world.kv.retain(|k, _| !k.starts_with("epm:issue:"));
    world.now += crate::providers::epm::flows::intake::CLAIM_STALE_MS + 1;
    let (status, body) = deliver(&mut world);
    assert_eq!((status, body["issueKey"].clone()), (200, json!("PMCJIT-1")));
    assert_eq!(world.issue_count(), 1, "no second issue");
    assert_eq!(world.jira_calls("POST", "/rest/api/3/search/jql"), 1);
    assert!(
        world.kv.keys().any(|k| k.starts_with("epm:issue:")),
        "the record is restored"
    );
}

#[test]
fn jira_failure_is_accepted_and_the_queue_creates_without_a_redelivery() {
    let mut world = World::configured();
    world.jira_faults = vec![None, None, None].into();
    let outcome = drive(&mut world, webhook("hook", "pw-123456", SAMPLE));
    // Two user lookups and the create fail: people are skipped, the create's outcome is unknown
    // → 202: the body is kept and the job finishes it.
    let Outcome::Http(response) = &outcome else { panic!() };
    assert_eq!(response.status, 202, "{}", response.body);
    assert_eq!(world.issue_count(), 0);
    assert_eq!(world.queued("epm.webhook"), 1);
    let before = world.now;
    world.run_jobs(120_000);
    assert_eq!(world.issue_count(), 1, "{:?}", world.job_runs);
    assert!(world.queue.is_empty(), "finished: {:?}", world.queue);
    assert!(
        world.now - before >= crate::providers::epm::flows::intake::SETTLE_MS,
        "the job searched only after Jira's index settled"
    );
    assert_eq!(
        world.jira_calls("POST", "/rest/api/3/search/jql"),
        1,
        "searched before creating"
    );
    assert!(
        !world.kv.keys().any(|k| k.starts_with("epm:inbox:")),
        "the inbox is emptied"
    );
    // A redelivery is answered from the record.
    let (status, body) = deliver(&mut world);
    assert_eq!((status, body["created"].clone()), (200, json!(false)));
}

#[test]
fn jira_refusing_the_people_still_creates_the_issue() {
    let mut world = World::configured();
    deliver_with_cached_people(&mut world);
    // The people are cached now, so the next Jira call is the create: refuse its reporter.
    let refusal = HttpResponse::json(400, &json!({"errorMessages": [], "errors": {"reporter": "cannot set"}}));
    world.jira_faults.push_back(Some(refusal));
    let other = SAMPLE.replace(SAMPLE_REQUEST_ID, "req-2");
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", &other)));
    assert_eq!(status, 201);
    let issues = world.jira_issues();
    let issue = issues.last().unwrap();
    // Created without the refused reporter (Jira then makes the creator, the app, reporter).
    assert_eq!(issue["fields"]["reporter"]["accountId"], seed::APP_ACCOUNT_ID);
    assert_eq!(
        world.jira_calls("POST", "/rest/api/3/issue"),
        3,
        "first sample, refused create, retried create"
    );
}

fn deliver_with_cached_people(world: &mut World) {
    assert_eq!(deliver(world).0, 201);
}

#[test]
fn jira_refusal_is_a_502_naming_jira_errors_and_releases_the_claim() {
    let mut world = World::configured();
    deliver_with_cached_people(&mut world);
    world.jira_faults.push_back(Some(HttpResponse::json(
        400,
        &json!({"errorMessages": [], "errors": {"project": "valid project is required"}}),
    )));
    let other = SAMPLE.replace(SAMPLE_REQUEST_ID, "req-3");
    let (status, body) = http(&drive(&mut world, webhook("hook", "pw-123456", &other)));
    assert_eq!(status, 502);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("project: valid project is required"),
        "{body}"
    );
    // After the admin fixes Jira, the next delivery creates at once (no wait on the claim).
    let sleeps_before = world
        .calls
        .iter()
        .filter(|c| matches!(c, crate::Call::Sleep(_)))
        .count();
    let (status, _) = http(&drive(&mut world, webhook("hook", "pw-123456", &other)));
    assert_eq!(status, 201);
    assert_eq!(
        world
            .calls
            .iter()
            .filter(|c| matches!(c, crate::Call::Sleep(_)))
            .count(),
        sleeps_before
    );
}

#[test]
fn decision_updates_are_kept_newest_first_and_answered_202() {
    let mut world = World::configured();
    let update = include_str!("../../../../tests/fixtures/epm/decision-update.sample.json");
    let (status, body) = http(&drive(&mut world, webhook("hook", "pw-123456", update)));
    assert_eq!((status, body["accepted"].clone()), (202, json!(true)));
    let older = update
        .replace("2026-11-23T09:20:00Z", "2026-11-23T09:00:00Z")
        .replace("Approved", "Denied");
    drive(&mut world, webhook("hook", "pw-123456", &older));
    let kept = world
        .kv
        .iter()
        .find(|(k, _)| k.starts_with("epm:update:"))
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(kept.contains("Approved"), "{kept}");
    assert_eq!(world.issue_count(), 0);
}

#[test]
fn storage_outage_is_a_503_and_nothing_is_created() {
    let mut world = World::configured();
    world.storage_down = true;
    let (status, body) = deliver(&mut world);
    assert_eq!(status, 503, "{body}");
    assert_eq!(world.issue_count(), 0);
}
