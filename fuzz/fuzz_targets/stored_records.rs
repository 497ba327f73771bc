//! Stored records, every versioned decode (`store::decode` of each record type) and the code
//! that reads them: a world holds an EPM request (record, index, lease, recording, cached
//! token, jobs ...); one of its KV records is edited (text spliced into it, or replaced), and
//! then the flows that read records run (the issue event, the queue, the expiry ticks, the
//! request page's resolver, the same webhook again, EPM's decision update). Every record of
//! another shape must read as absent or an error; never a panic.
//!
//! Input: byte 0 picks the record (in key order), byte 1 the steps (a bit each), bytes 2-3
//! where to splice, byte 4 how many bytes to cut there (255: replace the whole record), the
//! rest the text put in.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pam_approvals::protocol::{Invocation, Outcome};
use pam_approvals::testkit::{drive, webhook};
use serde_json::json;

const DECISION: &str = include_str!("../../tests/fixtures/epm/decision-update.sample.json");

fuzz_target!(|data: &[u8]| {
    let Some((head, text)) = data.split_first_chunk::<5>() else {
        return;
    };
    let text = pam_approvals_fuzz::text(text);
    let [which, steps, at_lo, at_hi, cut] = *head;

    let mut world = pam_approvals_fuzz::world();
    let created = drive(&mut world, webhook("hook", "pw-123456", pam_approvals_fuzz::EPM_SAMPLE));
    assert!(
        matches!(created, Outcome::Http(ref r) if r.status == 201),
        "{created:?}"
    );
    let issue = world
        .jira_issues()
        .first()
        .and_then(|i| i["key"].as_str().map(String::from))
        .unwrap_or_default();

    // Edit one record.
    let keys: Vec<String> = world.kv.keys().cloned().collect();
    let key = &keys[usize::from(which) % keys.len()];
    let old = world.kv[key].clone();
    let new = if cut == 255 {
        text.into_owned()
    } else {
        let mut at = usize::from(u16::from_le_bytes([at_lo, at_hi])) % (old.len() + 1);
        while !old.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + usize::from(cut)).min(old.len());
        while !old.is_char_boundary(end) {
            end += 1;
        }
        format!("{}{}{}", &old[..at], text, &old[end..])
    };
    world.kv.insert(key.clone(), new);

    // Run what reads records.
    if steps & 1 != 0 {
        let event = json!({
            "eventType": "avi:jira:updated:issue",
            "atlassianId": "acc-carol",
            "issue": {"id": "10000", "key": issue, "fields": {"status": {"id": "10002", "name": "Approved"}}},
            "changelog": {"id": "90001", "items": [{"field": "status", "fieldtype": "jira", "fieldId": "status",
                "from": "10001", "fromString": "Open", "to": "10002", "toString": "Approved"}]},
        });
        let _ = drive(
            &mut world,
            Invocation::Event {
                event_type: pam_approvals::jira::events::ISSUE_UPDATED.into(),
                payload: event.to_string(),
            },
        );
    }
    if steps & 2 != 0 {
        world.run_jobs(3_600_000);
    }
    if steps & 4 != 0 {
        world.now += 48 * 3_600_000;
        for provider in pam_approvals::providers::ALL {
            for tick in provider.ticks {
                let _ = drive(&mut world, Invocation::Tick(tick.to_string()));
            }
        }
    }
    if steps & 8 != 0 {
        world.user = Some("acc-alice".into());
        let context = json!({"accountId": "acc-alice", "extension": {"issue": {"key": issue}}}).to_string();
        let _ = drive(
            &mut world,
            Invocation::Resolver {
                name: "epm.request".into(),
                payload: "{}".into(),
                context,
            },
        );
    }
    if steps & 16 != 0 {
        let _ = drive(&mut world, webhook("hook", "pw-123456", pam_approvals_fuzz::EPM_SAMPLE));
    }
    if steps & 32 != 0 {
        let _ = drive(&mut world, webhook("hook", "pw-123456", DECISION));
    }
    if steps & 64 != 0 {
        world.run_jobs(7 * 24 * 3_600_000);
    }
});
