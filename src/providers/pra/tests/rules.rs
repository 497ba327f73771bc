//! Each rule passing and each denying, with the message the PRA user sees.

use serde_json::json;

use super::*;
use crate::time;

fn answer_for(world: &mut World, id: &str, ticket_id: &str) -> std::collections::BTreeMap<String, String> {
    ask(world, &form(id, ticket_id, |_| {}))
}

fn denied(world: &mut World, id: &str, ticket_id: &str, rule: &str, message: &str) {
    let answer = answer_for(world, id, ticket_id);
    assert_eq!(answer["response"], "deny", "{answer:?}");
    assert_eq!(answer["message"], message);
    assert!(
        !answer.keys().any(|k| k.starts_with("session.custom.")),
        "no attributes on deny"
    );
    assert_eq!(verdict(world, id).rule, rule);
}

#[test]
fn rule_1_the_ticket_id_is_an_issue_key_in_an_allowed_project() {
    let mut world = world();
    denied(
        &mut world,
        "r1a",
        "please let me in",
        "issue-key",
        "The ticket ID entered is not a Jira issue key like PMC-12.",
    );
    denied(
        &mut world,
        "r1b",
        "PMCJIT-1",
        "issue-key",
        "Ticket PMCJIT-1 is not in a project that grants access (OPS).",
    );
    assert_eq!(world.jira_calls("GET", "/rest/api/3/issue/"), 0, "decided without Jira");
    // Off: any project, and a ticket ID that is no key is simply not found.
    let mut settings = settings();
    settings.rules.issue_key = false;
    let mut world = world_with(&settings);
    denied(
        &mut world,
        "r1c",
        "please",
        "issue-exists",
        "The ticket ID entered does not exist in Jira, or the approval app cannot see it.",
    );
}

#[test]
fn rule_2_the_issue_exists() {
    let mut world = world();
    denied(
        &mut world,
        "r2",
        "OPS-999",
        "issue-exists",
        "Ticket OPS-999 does not exist in Jira, or the approval app cannot see it.",
    );
    assert!(verdict(&world, "r2").issue.is_none());
    assert!(world.notes("OPS-999").is_empty());
}

#[test]
fn rule_3_the_status_is_allowed() {
    let mut world = world();
    let key = ticket(&mut world, |_| {});
    move_to(&mut world, &key, "41"); // back to Open
    denied(
        &mut world,
        "r3",
        &key,
        "status",
        &format!("Ticket {key} is in status \"Open\"; access needs In Progress or Approved."),
    );
    assert_eq!(world.notes(&key).len(), 1, "a denial is audited too");
    let mut settings = settings();
    settings.rules.status = false;
    super::set_settings(&mut world, &settings);
    assert_eq!(answer_for(&mut world, "r3-off", &key)["response"], "allow");
}

#[test]
fn rule_4_the_requester_is_the_assignee() {
    let mut world = world();
    let alice = ticket(&mut world, |f| {
        f["assignee"] = json!({"accountId": seed::ALICE_APPROVER})
    });
    denied(
        &mut world,
        "r4a",
        &alice,
        "requester",
        &format!("Ticket {alice} is not assigned to you."),
    );
    let nobody = ticket(&mut world, |f| f["assignee"] = Value::Null);
    denied(
        &mut world,
        "r4b",
        &nobody,
        "requester",
        &format!("Ticket {nobody} has no assignee."),
    );
    // Matched by username when the e-mail PRA knows is not Jira's.
    let bob = ticket(&mut world, |_| {});
    let answer = ask(
        &mut world,
        &form("r4c", &bob, |p| {
            for pair in p.iter_mut().filter(|(k, _)| k == "user.email_address") {
                pair.1 = "b.requester@corp.example".into();
            }
        }),
    );
    assert_eq!(answer["response"], "allow", "{answer:?}");
    let answer = ask(
        &mut world,
        &form("r4d", &bob, |p| {
            p.retain(|(k, _)| k != "user.email_address" && k != "user.username");
        }),
    );
    assert_eq!(answer["message"], format!("Ticket {bob} is not assigned to you."));
}

/// Jira hides Bob's e-mail (his profile's visibility): nothing matches him, and the message
/// says why that may be.
#[test]
fn rule_4_says_when_jira_may_hide_the_email() {
    let mut world = world().with_site(|site| {
        for user in site.users.iter_mut().filter(|u| u.account_id == seed::BOB_REQUESTER) {
            user.email = None;
        }
    });
    let bob = ticket(&mut world, |_| {});
    let answer = answer_for(&mut world, "r4h", &bob);
    assert_eq!(answer["response"], "deny");
    assert!(
        answer["message"].contains("hidden by Jira's privacy settings"),
        "{answer:?}"
    );
}

#[test]
fn rule_4_can_read_the_reporter_instead() {
    let mut settings = settings();
    settings.requester_field = "reporter".into();
    let mut world = world_with(&settings);
    let key = ticket(&mut world, |_| {});
    denied(
        &mut world,
        "r4r",
        &key,
        "requester",
        &format!("Ticket {key} is not reported by you."),
    );
}

#[test]
fn rule_5_the_jump_item_is_on_the_ticket() {
    let mut world = world();
    let key = ticket(&mut world, |_| {});
    let answer = ask(
        &mut world,
        &form("r5a", &key, |p| {
            for pair in p.iter_mut().filter(|(k, _)| k == "jump_item.computer_name") {
                pair.1 = "web-09.corp.example".into();
            }
        }),
    );
    assert_eq!(answer["response"], "deny");
    assert_eq!(
        answer["message"],
        format!("Jump Item web-09.corp.example is not listed on ticket {key}.")
    );
    // By IP address.
    let by_ip = ticket(&mut world, |f| f[seed::AFFECTED_ASSETS_FIELD] = json!(["10.0.4.21"]));
    assert_eq!(answer_for(&mut world, "r5b", &by_ip)["response"], "allow");
    let none = ticket(&mut world, |f| f[seed::AFFECTED_ASSETS_FIELD] = Value::Null);
    denied(
        &mut world,
        "r5c",
        &none,
        "jump-item",
        &format!("Ticket {none} lists no Jump Items."),
    );
}

#[test]
fn rule_6_now_is_inside_the_change_window() {
    let mut settings = settings();
    settings.rules.change_window = true;
    settings
        .session_attributes
        .push(super::super::settings::SessionAttribute {
            code_name: "window_end".into(),
            source: "windowEnd".into(),
        });
    let mut world = world_with(&settings);
    let jira = |ms: u64| time::iso(ms).replace('Z', "+0000");
    let now = world.now;
    let open = ticket(&mut world, |f| {
        f[seed::CHANGE_START_FIELD] = json!(jira(now - 3_600_000));
        f[seed::CHANGE_END_FIELD] = json!(jira(now + 3_600_000));
    });
    let answer = answer_for(&mut world, "r6a", &open);
    assert_eq!(answer["response"], "allow", "{answer:?}");
    assert_eq!(answer["session.custom.window_end"], time::iso(now + 3_600_000));
    let past = ticket(&mut world, |f| {
        f[seed::CHANGE_START_FIELD] = json!(jira(now - 7_200_000));
        f[seed::CHANGE_END_FIELD] = json!(jira(now - 3_600_000));
    });
    let answer = answer_for(&mut world, "r6b", &past);
    assert!(
        answer["message"].starts_with(&format!("The change window of ticket {past} closed at")),
        "{answer:?}"
    );
    let unset = ticket(&mut world, |_| {});
    denied(
        &mut world,
        "r6c",
        &unset,
        "change-window",
        &format!("Ticket {unset} has no change window set."),
    );
}

#[test]
fn with_only_the_key_rule_jira_is_not_asked() {
    let mut settings = settings();
    settings.rules = super::super::settings::Rules {
        issue_key: true,
        issue_exists: false,
        status: false,
        requester: false,
        jump_item: false,
        change_window: false,
    };
    let mut world = world_with(&settings);
    let answer = answer_for(&mut world, "r0", "ops-77");
    assert_eq!(answer["response"], "allow");
    assert_eq!(answer["session.custom.jira_issue"], "OPS-77");
    assert_eq!(world.jira_calls("GET", "/rest/api/3/issue/"), 0);
}

#[test]
fn the_first_failing_rule_decides() {
    let mut world = world();
    // Open, assigned to Alice, another Jump Item: the status rule speaks first.
    let key = ticket(&mut world, |f| {
        f["assignee"] = json!({"accountId": seed::ALICE_APPROVER});
        f[seed::AFFECTED_ASSETS_FIELD] = json!(["other"]);
    });
    move_to(&mut world, &key, "41");
    assert_eq!(
        answer_for(&mut world, "order", &key)["message"],
        format!("Ticket {key} is in status \"Open\"; access needs In Progress or Approved.")
    );
}
