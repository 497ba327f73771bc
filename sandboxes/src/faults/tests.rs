//! The rule syntax, path patterns and schedules of `faults.rs`.

use super::*;

fn rule(body: &str) -> Rule {
    Rule::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"))
}

fn refused(body: &str) -> RuleError {
    match Rule::parse(body.as_bytes()) {
        Ok(rule) => panic!("{body} was accepted: {rule:?}"),
        Err(e) => e,
    }
}

fn rules(bodies: &[&str]) -> FaultRules {
    let mut all = FaultRules::default();
    for body in bodies {
        all.add(rule(body)).expect("added");
    }
    all
}

const S503: Fault = Fault::Status {
    status: 503,
    retry_after: None,
    after_handling: false,
};

/// Validates: every fault kind and schedule parses, and the answer describes the rule with its
/// id and counters.
#[test]
fn good_bodies_parse_and_describe_themselves() {
    let mut all = FaultRules::default();
    let first = all
        .add(rule(
            r#"{"method": "POST", "path": "/rest/api/3/issue", "fault": {"status": 503}, "times": 2}"#,
        ))
        .expect("added");
    assert_eq!(
        first,
        json!({"id": 1, "method": "POST", "path": "/rest/api/3/issue", "fault": {"status": 503},
               "times": 2, "matched": 0, "failed": 0, "active": true})
    );
    let second = all
        .add(rule(
            r#"{"fault": {"status": 429, "retryAfter": 2}, "rate": 0.2, "seed": 42, "limit": 3}"#,
        ))
        .expect("added");
    assert_eq!(
        second,
        json!({"id": 2, "method": null, "path": null, "fault": {"status": 429, "retryAfter": 2},
               "rate": 0.2, "seed": 42, "limit": 3, "matched": 0, "failed": 0, "active": true})
    );
    assert_eq!(
        rule(r#"{"fault": {"status": 503, "afterHandling": true}}"#).fault,
        Fault::Status {
            status: 503,
            retry_after: None,
            after_handling: true
        }
    );
    assert_eq!(rule(r#"{"fault": {"delayMs": 200}}"#).fault, Fault::Delay { ms: 200 });
    assert_eq!(
        rule(r#"{"fault": {"unreachable": true, "afterHandling": true}}"#).fault,
        Fault::Unreachable { after_handling: true }
    );
    assert_eq!(rule(r#"{"fault": {"status": 500}}"#).schedule, Schedule::Times(1));
    assert_eq!(
        rule(r#"{"fault": {"status": 500}, "rate": 1}"#).schedule,
        Schedule::Rate {
            rate: 1.0,
            seed: 0,
            limit: None
        }
    );
    assert_eq!(all.list().as_array().map(Vec::len), Some(2));
    assert_eq!(all.clear(), 2);
    assert_eq!(all.list(), json!([]));
}

/// Validates: each wrong body is refused with the field it concerns and a message saying why.
#[test]
fn bad_bodies_name_the_field() {
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("not json", None, "not JSON"),
        ("[1]", None, "JSON object"),
        (
            r#"{"fault": {"status": 503}, "tiems": 1}"#,
            Some("tiems"),
            "unknown field",
        ),
        (r#"{"times": 1}"#, Some("fault"), "missing"),
        (r#"{"fault": 503}"#, Some("fault"), "not an object"),
        (r#"{"fault": {}}"#, Some("fault"), "give one of"),
        (
            r#"{"fault": {"status": 503, "delayMs": 5}}"#,
            Some("fault"),
            "only one of",
        ),
        (r#"{"fault": {"status": 200}}"#, Some("fault.status"), "not a failure"),
        (r#"{"fault": {"status": "503"}}"#, Some("fault.status"), "whole number"),
        (
            r#"{"fault": {"status": 500, "retryAfter": 2}}"#,
            Some("fault.retryAfter"),
            "429 or 503",
        ),
        (
            r#"{"fault": {"status": 429, "retryAfter": -1}}"#,
            Some("fault.retryAfter"),
            "whole number",
        ),
        (
            r#"{"fault": {"delayMs": 0}}"#,
            Some("fault.delayMs"),
            "from 1 to 120000",
        ),
        (
            r#"{"fault": {"delayMs": 200000}}"#,
            Some("fault.delayMs"),
            "from 1 to 120000",
        ),
        (
            r#"{"fault": {"delayMs": 5, "afterHandling": true}}"#,
            Some("fault.afterHandling"),
            "does not go",
        ),
        (
            r#"{"fault": {"status": 503, "afterHandling": "yes"}}"#,
            Some("fault.afterHandling"),
            "true or false",
        ),
        (
            r#"{"fault": {"unreachable": false}}"#,
            Some("fault.unreachable"),
            "only true",
        ),
        (
            r#"{"fault": {"status": 503, "colour": 1}}"#,
            Some("fault.colour"),
            "unknown field",
        ),
        (
            r#"{"fault": {"status": 503}, "method": "post"}"#,
            Some("method"),
            "not one of",
        ),
        (
            r#"{"fault": {"status": 503}, "method": "FETCH"}"#,
            Some("method"),
            "not one of",
        ),
        (
            r#"{"fault": {"status": 503}, "path": "rest/api/3/issue"}"#,
            Some("path"),
            "start with /",
        ),
        (
            r#"{"fault": {"status": 503}, "path": "/rest//issue"}"#,
            Some("path"),
            "empty segment",
        ),
        (
            r#"{"fault": {"status": 503}, "path": "/rest/api/3/issue/"}"#,
            Some("path"),
            "empty segment",
        ),
        (
            r#"{"fault": {"status": 503}, "path": "/rest/**/issue"}"#,
            Some("path"),
            "last segment",
        ),
        (
            r#"{"fault": {"status": 503}, "path": "/rest/api/iss*"}"#,
            Some("path"),
            "whole segments",
        ),
        (
            r#"{"fault": {"status": 503}, "path": "/rest/api/3/issue?x=1"}"#,
            Some("path"),
            "query",
        ),
        (r#"{"fault": {"status": 503}, "path": 3}"#, Some("path"), "not a string"),
        (
            r#"{"fault": {"status": 503}, "times": 0}"#,
            Some("times"),
            "from 1 to 1000",
        ),
        (
            r#"{"fault": {"status": 503}, "times": 1001}"#,
            Some("times"),
            "from 1 to 1000",
        ),
        (
            r#"{"fault": {"status": 503}, "times": 1, "rate": 0.5}"#,
            Some("rate"),
            "not both",
        ),
        (r#"{"fault": {"status": 503}, "rate": 0}"#, Some("rate"), "probability"),
        (
            r#"{"fault": {"status": 503}, "rate": 1.5}"#,
            Some("rate"),
            "probability",
        ),
        (
            r#"{"fault": {"status": 503}, "seed": 4}"#,
            Some("seed"),
            "only goes with rate",
        ),
        (
            r#"{"fault": {"status": 503}, "limit": 4}"#,
            Some("limit"),
            "only goes with rate",
        ),
        (
            r#"{"fault": {"status": 503}, "rate": 0.5, "limit": 0}"#,
            Some("limit"),
            "whole number",
        ),
    ];
    for (body, field, why) in cases {
        let error = refused(body);
        assert_eq!(error.field.as_deref(), *field, "{body}: {error}");
        assert!(error.message.contains(why), "{body}: {error} (expected {why:?})");
        if let Some(field) = field {
            assert!(error.to_string().starts_with(&format!("{field}: ")), "{error}");
        }
    }
}

/// Validates: path patterns match literally, `*` one segment, a trailing `**` one or more.
#[test]
fn path_patterns_match_exact_one_segment_and_rest() {
    let pattern = |text: &str| PathPattern::parse(text).expect(text);
    let exact = pattern("/rest/api/3/issue");
    assert!(exact.matches("/rest/api/3/issue"));
    assert!(!exact.matches("/rest/api/3/issue/PMCJIT-1"));
    assert!(!exact.matches("/rest/api/3/issu"));
    assert!(!exact.matches("/rest/api/3"));
    let one = pattern("/rest/api/3/issue/*/transitions");
    assert!(one.matches("/rest/api/3/issue/PMCJIT-1/transitions"));
    assert!(one.matches("/rest/api/3/issue/10000/transitions"));
    assert!(!one.matches("/rest/api/3/issue/transitions"));
    assert!(!one.matches("/rest/api/3/issue//transitions"));
    assert!(!one.matches("/rest/api/3/issue/A/B/transitions"));
    assert!(!one.matches("/rest/api/3/issue/PMCJIT-1/comment"));
    let rest = pattern("/rest/api/3/issue/**");
    assert!(rest.matches("/rest/api/3/issue/PMCJIT-1"));
    assert!(rest.matches("/rest/api/3/issue/PMCJIT-1/properties/pam"));
    assert!(!rest.matches("/rest/api/3/issue"), "** needs at least one segment");
    assert!(!rest.matches("/rest/api/3/search/jql"));
    assert!(pattern("/**").matches("/oauth/connect/token"));
    assert!(
        pattern("/management-api/*/AuthorizationRequest/notification")
            .matches("/management-api/v3/AuthorizationRequest/notification")
    );
}

/// Validates: a rule matches on method and path; non-matching requests are neither counted nor
/// failed.
#[test]
fn rules_match_method_and_path() {
    let mut all =
        rules(&[r#"{"method": "POST", "path": "/rest/api/3/issue/*/comment", "fault": {"status": 503}, "times": 5}"#]);
    assert_eq!(all.decide("GET", "/rest/api/3/issue/A-1/comment"), None);
    assert_eq!(all.decide("POST", "/rest/api/3/issue/A-1/transitions"), None);
    assert_eq!(all.decide("POST", "/rest/api/3/issue/A-1/comment"), Some(S503));
    let listed = all.list();
    assert_eq!(
        (listed[0]["matched"].clone(), listed[0]["failed"].clone()),
        (json!(1), json!(1))
    );
}

/// Validates: `times` fails exactly the next n matching requests, then the rule stays listed,
/// inactive; the first rule that fires wins and the others only count the request.
#[test]
fn times_counts_down_and_the_first_rule_wins() {
    let mut all = rules(&[
        r#"{"path": "/rest/api/3/issue", "fault": {"status": 503}, "times": 2}"#,
        r#"{"fault": {"status": 500}, "times": 1}"#,
    ]);
    assert_eq!(all.decide("POST", "/rest/api/3/issue"), Some(S503));
    assert_eq!(all.decide("POST", "/rest/api/3/issue"), Some(S503));
    let s500 = Fault::Status {
        status: 500,
        retry_after: None,
        after_handling: false,
    };
    assert_eq!(all.decide("POST", "/rest/api/3/issue"), Some(s500));
    assert_eq!(all.decide("POST", "/rest/api/3/issue"), None);
    let listed = all.list();
    assert_eq!(
        (
            listed[0]["matched"].clone(),
            listed[0]["failed"].clone(),
            listed[0]["active"].clone()
        ),
        (json!(4), json!(2), json!(false))
    );
    assert_eq!(
        (
            listed[1]["matched"].clone(),
            listed[1]["failed"].clone(),
            listed[1]["active"].clone()
        ),
        (json!(4), json!(1), json!(false))
    );
}

fn pattern_of(body: &str, requests: usize) -> Vec<bool> {
    let mut all = rules(&[body]);
    (0..requests)
        .map(|_| all.decide("GET", "/rest/api/3/myself").is_some())
        .collect()
}

/// Validates: a seeded rate repeats exactly (same seed, same failures over 100 requests), a
/// different seed gives another sequence, about 20 % fail at 0.2, and `limit` caps failures.
#[test]
fn seeded_rate_repeats_and_limit_caps() {
    let body = r#"{"fault": {"status": 503}, "rate": 0.2, "seed": 42}"#;
    let first = pattern_of(body, 100);
    assert_eq!(first, pattern_of(body, 100), "same seed, same sequence");
    assert_ne!(
        first,
        pattern_of(r#"{"fault": {"status": 503}, "rate": 0.2, "seed": 43}"#, 100),
        "another seed, another sequence"
    );
    let failed = first.iter().filter(|failed| **failed).count();
    assert!((10..=30).contains(&failed), "{failed} of 100 failed at rate 0.2");
    let many = pattern_of(body, 10_000).iter().filter(|failed| **failed).count();
    assert!((1800..=2200).contains(&many), "{many} of 10000 failed at rate 0.2");

    let limited = pattern_of(r#"{"fault": {"status": 503}, "rate": 0.5, "seed": 7, "limit": 3}"#, 100);
    assert_eq!(limited.iter().filter(|failed| **failed).count(), 3);
    assert!(
        pattern_of(r#"{"fault": {"status": 503}, "rate": 1}"#, 10)
            .iter()
            .all(|f| *f)
    );
}
