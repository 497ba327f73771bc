//! The whole resolver dispatch (`dispatch::run` with `Invocation::Resolver`), the configuration
//! page's `admin.*` resolvers included, in the in-memory world with every provider configured.
//! A value (JSON; an admin resolver's has a boolean `ok`, and a refusal writes nothing) or an
//! error for a payload or context that is not JSON or a name that is unknown; never a panic.
//!
//! Input: byte 0 the resolver (an index into the names; past them, the name field), byte 1 who
//! is signed in (none, Alice the requester, Carol the administrator, the name field), then
//! NUL-separated: payload, context, name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pam_approvals::protocol::{Invocation, Outcome};
use pam_approvals::testkit::drive;

fuzz_target!(|data: &[u8]| {
    let ([which, user], fields) = pam_approvals_fuzz::split::<2>(data, 3);
    let [payload, context, other] = <[String; 3]>::try_from(fields).expect("three fields");
    let names = pam_approvals::dispatch::resolver_names();
    let name = names
        .get(usize::from(which))
        .map(|n| n.to_string())
        .unwrap_or(other.clone());
    let mut world = pam_approvals_fuzz::world();
    world.user = match user % 4 {
        0 => None,
        1 => Some("acc-alice".into()),
        2 => Some("acc-carol".into()),
        _ => Some(other),
    };
    let before = world.kv.clone();
    match drive(
        &mut world,
        Invocation::Resolver {
            name: name.clone(),
            payload,
            context,
        },
    ) {
        Outcome::Value(text) => {
            let value: serde_json::Value = serde_json::from_str(&text).expect("a resolver answers JSON");
            if name.starts_with("admin.") {
                assert!(value["ok"].is_boolean(), "{text}");
                if value["ok"] == serde_json::json!(false) {
                    assert_eq!(world.kv, before, "a refused admin resolver writes nothing");
                }
            }
        }
        Outcome::Error(_) => {}
        other => panic!("a resolver answered like a web trigger: {other:?}"),
    }
});
