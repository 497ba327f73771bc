//! The configuration page's flows, driven through `reduce` with the browser tests' fixtures
//! (real resolver answers of the core; see `tests/admin_fixtures.rs`).

use serde_json::json;

use super::*;
use crate::admin::screen::{self, SECRET_NOT_SET, SECRET_SET};
use crate::admin::test_fixtures::fixture;
use crate::state::Tone;

fn loaded(name: &str) -> Model {
    let mut model = Model::default();
    assert_eq!(reduce(&mut model, Action::Start), Effect::Epm(Call::Load));
    reduce(&mut model, Action::ConfigAnswered(Ok(fixture(name))));
    model
}

/// The configured site's page, ready for edits.
fn ready() -> Model {
    let model = loaded("admin-config");
    assert_eq!(model.epm.phase, Phase::Ready);
    model
}

fn edit(model: &mut Model, field: Field, text: &str) {
    reduce(model, Action::EditText(field, text.into()));
}

fn form(model: &Model) -> &AdminForm {
    model.epm.form.as_ref().expect("a form")
}

#[test]
fn loads_every_setting_into_the_form_and_no_secret() {
    let model = ready();
    let view = model.epm.view.as_ref().unwrap();
    let form = form(&model);
    assert_eq!(form.text(Field::ProjectKey), "PMCJIT");
    assert_eq!(form.text(Field::Labels), "pam-approvals, epm-jit");
    assert_eq!(form.text(Field::WebhookUsername), "hook", "the username is shown");
    assert_eq!(form.text(Field::WebhookPassword), "", "write-only");
    assert_eq!(form.text(Field::ClientSecret), "", "write-only");
    assert!(form.flag(Field::Enabled) && form.flag(Field::InternalNote));
    assert_eq!(form.approvers, Approvers::Anyone);
    assert_eq!(
        form.config(),
        view.config,
        "the form gives back exactly what it was given"
    );
    assert!(!form.has_changes());
    assert!(model.epm.notice.is_none() && model.epm.field_errors.is_empty());
}

#[test]
fn secrets_show_whether_they_are_set_never_a_value() {
    for (name, expected) in [("admin-config", SECRET_SET), ("admin-config-fresh", SECRET_NOT_SET)] {
        let model = loaded(name);
        let screen = screen::screen(&model);
        let inputs = screen.form.unwrap().inputs;
        for field in [Field::ClientSecret, Field::WebhookPassword] {
            let input = inputs.iter().find(|i| i.field == field).unwrap();
            assert_eq!(input.placeholder, Some(expected), "{name} {field:?}");
            assert_eq!(input.value, screen::Value::Text(""));
        }
    }
}

#[test]
fn saves_the_settings_with_only_the_secrets_typed() {
    let mut model = ready();
    edit(
        &mut model,
        Field::SummaryTemplate,
        "JIT access: %%User%% on %%HostName%%",
    );
    edit(&mut model, Field::WebhookPassword, "a-new-webhook-password");
    edit(&mut model, Field::Labels, " pam-approvals,epm-jit , , urgent");
    reduce(&mut model, Action::SetFlag(Field::AutomaticReporter, false));
    assert!(form(&model).has_changes());
    let Effect::Epm(Call::Save(payload)) = reduce(&mut model, Action::Save) else {
        panic!("not sent: {:?}", model.epm.notice)
    };
    let mut expected = serde_json::to_value(&model.epm.view.as_ref().unwrap().config).unwrap();
    expected["summaryTemplate"] = json!("JIT access: %%User%% on %%HostName%%");
    expected["labels"] = json!(["pam-approvals", "epm-jit", "urgent"]);
    expected["automaticReporter"] = json!(false);
    assert_eq!(
        payload,
        json!({"config": expected, "secrets": {"webhookPassword": "a-new-webhook-password"}}),
        "no key for the blank client secret or the unchanged username"
    );
    assert_eq!(payload["config"]["version"], json!(1), "version passes through");
    assert_eq!(model.epm.phase, Phase::Saving);
    let frozen = model.clone();
    edit(&mut model, Field::ProjectKey, "OPS");
    assert_eq!(reduce(&mut model, Action::Save), Effect::None);
    assert_eq!(reduce(&mut model, Action::Validate), Effect::None);
    assert_eq!(model, frozen, "nothing changes while saving");

    reduce(&mut model, Action::SaveAnswered(Ok(fixture("admin-saved"))));
    assert_eq!(model.epm.phase, Phase::Ready);
    assert_eq!(
        model.epm.notice.as_ref().map(|n| (n.tone, n.title.as_str())),
        Some((Tone::Success, SAVED))
    );
    assert_eq!(model.focus, Some(Focus::Notice));
    let form = form(&model);
    assert_eq!(
        form.text(Field::SummaryTemplate),
        "JIT access: %%User%% on %%HostName%%"
    );
    assert_eq!(form.text(Field::WebhookPassword), "", "the secret input is cleared");
    assert!(!form.has_changes(), "the form is the saved view");
}

#[test]
fn usernames_and_secrets_are_sent_only_when_given() {
    let mut model = ready();
    edit(&mut model, Field::WebhookUsername, "");
    let Effect::Epm(Call::Save(payload)) = reduce(&mut model, Action::Save) else {
        panic!("{:?}", model.epm.field_errors)
    };
    assert_eq!(payload["secrets"], json!({}), "blank keeps the stored username");

    let mut model = ready();
    edit(&mut model, Field::WebhookUsername, "epm-hook");
    edit(&mut model, Field::ClientSecret, "a-fresh-client-secret");
    let Effect::Epm(Call::Save(payload)) = reduce(&mut model, Action::Save) else {
        panic!("{:?}", model.epm.field_errors)
    };
    assert_eq!(
        payload["secrets"],
        json!({"webhookUsername": "epm-hook", "clientSecret": "a-fresh-client-secret"})
    );
}

#[test]
fn the_core_checks_the_form_before_anything_is_sent() {
    let mut model = ready();
    edit(&mut model, Field::ProjectKey, "pmc jit");
    edit(&mut model, Field::WebhookPassword, "short");
    edit(&mut model, Field::SummaryTemplate, "Request %%Nope%%");
    assert_eq!(reduce(&mut model, Action::Save), Effect::None);
    assert_eq!(model.epm.phase, Phase::Ready);
    assert_eq!(
        model.epm.field_errors["webhookPassword"],
        "must be at least 12 characters"
    );
    assert!(model.epm.field_errors["projectKey"].starts_with("must be an upper-case Jira project key"));
    assert_eq!(
        model.epm.field_errors["summaryTemplate"],
        "unknown placeholder %%Nope%%"
    );
    assert_eq!(
        model.focus,
        Some(Focus::Field(Field::WebhookPassword)),
        "the first in page order"
    );
    let notice = model.epm.notice.clone().unwrap();
    assert_eq!(
        (notice.tone, notice.title.as_str()),
        (Tone::Error, "3 settings need attention; nothing was saved.")
    );
    assert_eq!(
        notice.lines,
        [
            "Password: must be at least 12 characters",
            "Project key: must be an upper-case Jira project key like PMCJIT (letter first, 2-10 characters)",
            "Summary template: unknown placeholder %%Nope%%",
        ]
    );
    edit(&mut model, Field::ProjectKey, "PMCJIT");
    assert!(
        !model.epm.field_errors.contains_key("projectKey"),
        "editing clears the field's error"
    );
    assert_eq!(model.epm.field_errors.len(), 2);

    // Enabling needs every credential; this site has no webhook password yet.
    let mut model = loaded("admin-config-fresh");
    reduce(&mut model, Action::SetFlag(Field::Enabled, true));
    assert_eq!(reduce(&mut model, Action::Save), Effect::None);
    for field in [
        "serviceHostname",
        "clientId",
        "clientSecret",
        "webhookUsername",
        "webhookPassword",
    ] {
        assert_eq!(
            model.epm.field_errors[field], "is required while the integration is enabled",
            "{field}"
        );
    }
}

#[test]
fn a_group_must_be_named_when_chosen() {
    let mut model = ready();
    reduce(&mut model, Action::ChooseApprovers(Approvers::Group));
    assert_eq!(reduce(&mut model, Action::Save), Effect::None);
    assert_eq!(
        model.epm.field_errors["approverGroup"],
        crate::admin::form::GROUP_NAME_NEEDED
    );
    assert_eq!(model.focus, Some(Focus::Field(Field::ApproverGroup)));
    edit(&mut model, Field::ApproverGroup, "  PAM Approvers ");
    assert!(model.epm.field_errors.is_empty());
    let Effect::Epm(Call::Save(payload)) = reduce(&mut model, Action::Save) else {
        panic!()
    };
    assert_eq!(payload["config"]["approverGroup"], json!("PAM Approvers"));

    // "Anyone" sends no group, whatever the hidden input still holds.
    let mut model = ready();
    reduce(&mut model, Action::ChooseApprovers(Approvers::Group));
    edit(&mut model, Field::ApproverGroup, "PAM Approvers");
    reduce(&mut model, Action::ChooseApprovers(Approvers::Anyone));
    let Effect::Epm(Call::Save(payload)) = reduce(&mut model, Action::Save) else {
        panic!()
    };
    assert_eq!(payload["config"]["approverGroup"], json!(""));
}

#[test]
fn server_field_errors_go_next_to_their_fields() {
    let mut model = ready();
    reduce(&mut model, Action::Save);
    reduce(&mut model, Action::SaveAnswered(Ok(fixture("admin-save-invalid"))));
    assert_eq!(model.epm.phase, Phase::Ready);
    assert_eq!(
        model.epm.field_errors["customFieldId"],
        "must look like customfield_10001"
    );
    assert_eq!(model.focus, Some(Focus::Field(Field::ProjectKey)));
    let notice = model.epm.notice.clone().unwrap();
    assert_eq!(notice.title, "2 settings need attention; nothing was saved.");
    assert_eq!(notice.lines.len(), 2);
    assert!(!notice.retry, "fix, not retry");

    // A field the page has no input for is still shown, in the notice.
    let mut model = ready();
    reduce(&mut model, Action::Save);
    let odd = json!({"ok": false, "error": {"code": "invalid", "message": "1 setting needs attention; nothing was saved.", "fields": {"colour": "no"}}});
    reduce(&mut model, Action::SaveAnswered(Ok(odd)));
    assert_eq!(model.epm.notice.unwrap().lines, ["colour: no"]);
    assert_eq!(model.focus, Some(Focus::Notice));
}

#[test]
fn someone_who_is_not_an_admin_sees_only_why() {
    let model = loaded("admin-forbidden");
    assert_eq!(model.epm.phase, Phase::Forbidden);
    let screen = screen::screen(&model);
    assert!(
        screen
            .forbidden
            .unwrap()
            .starts_with("Only Jira administrators can view or change")
    );
    assert!(screen.form.is_none() && screen.webhook.is_none() && screen.warnings.is_empty());
    assert!(screen.busy.is_none() && screen.notice.is_none());
    let mut model = model;
    assert_eq!(reduce(&mut model, Action::Retry), Effect::None);

    // Losing the right between two calls ends the page the same way.
    let mut model = ready();
    reduce(&mut model, Action::Validate);
    reduce(&mut model, Action::ValidateAnswered(Ok(fixture("admin-forbidden"))));
    assert_eq!(model.epm.phase, Phase::Forbidden);
    assert!(model.epm.view.is_none() && model.epm.form.is_none());
}

#[test]
fn failures_offer_retry_of_what_failed() {
    let mut model = loaded("admin-unavailable");
    assert_eq!(model.epm.phase, Phase::Unavailable);
    let notice = model.epm.notice.clone().unwrap();
    assert_eq!((notice.title.as_str(), notice.retry), (LOAD_FAILED, true));
    assert!(notice.lines[0].contains("storage is down"));
    assert_eq!(reduce(&mut model, Action::Retry), Effect::Epm(Call::Load));
    reduce(&mut model, Action::ConfigAnswered(Err("HTTP 502: Bad Gateway".into())));
    assert_eq!(model.epm.notice.clone().unwrap().lines, ["HTTP 502: Bad Gateway"]);
    assert_eq!(reduce(&mut model, Action::Retry), Effect::Epm(Call::Load));
    reduce(&mut model, Action::ConfigAnswered(Ok(fixture("admin-config"))));
    assert_eq!(model.epm.phase, Phase::Ready);
    assert!(model.epm.notice.is_none());

    let first = reduce(&mut model, Action::Save);
    reduce(
        &mut model,
        Action::SaveAnswered(Err("the app could not be reached".into())),
    );
    let notice = model.epm.notice.clone().unwrap();
    assert_eq!((notice.title.as_str(), notice.retry), (SAVE_FAILED, true));
    assert_eq!(reduce(&mut model, Action::Retry), first);
    reduce(&mut model, Action::SaveAnswered(Ok(fixture("admin-unavailable"))));
    assert!(model.epm.notice.clone().unwrap().retry);

    let mut model = ready();
    reduce(&mut model, Action::Validate);
    reduce(&mut model, Action::ValidateAnswered(Err("HTTP 504".into())));
    assert_eq!(model.epm.notice.clone().unwrap().title, VALIDATE_FAILED);
    assert_eq!(reduce(&mut model, Action::Retry), Effect::Epm(Call::Validate));
}

#[test]
fn validation_lists_each_check_with_a_summary() {
    let mut model = ready();
    assert_eq!(reduce(&mut model, Action::Validate), Effect::Epm(Call::Validate));
    assert_eq!(model.epm.phase, Phase::Validating);
    let busy = screen::screen(&model);
    let form = busy.form.unwrap();
    assert_eq!(busy.busy, Some(screen::VALIDATING));
    assert!(
        form.buttons.save_disabled && form.buttons.validate_disabled && !form.disabled,
        "buttons wait, inputs stay editable"
    );
    reduce(
        &mut model,
        Action::ValidateAnswered(Ok(fixture("admin-validate-failing"))),
    );
    assert_eq!(model.epm.phase, Phase::Ready);
    assert_eq!(model.focus, Some(Focus::Checks));
    let report = screen::screen(&model).report.unwrap();
    assert_eq!(report.summary, "4 passed, 2 failed, 4 skipped");
    assert_eq!(report.note, None);
    let project = report.rows.iter().find(|r| r.id == "project").unwrap();
    assert_eq!((project.status, project.badge), ("fail", "Fail"));
    assert!(project.fix.contains("Project key"));
    let badges: Vec<_> = report.rows.iter().map(|r| r.badge).collect();
    assert!(badges.contains(&"Pass") && badges.contains(&"Skipped"));

    // Results are of the saved settings: with changes in the form, the page says so.
    edit(&mut model, Field::ProjectKey, "OPS");
    reduce(&mut model, Action::Validate);
    assert!(screen::screen(&model).report.is_none(), "old results go");
    reduce(&mut model, Action::ValidateAnswered(Ok(fixture("admin-validate"))));
    let report = screen::screen(&model).report.unwrap();
    assert_eq!(report.note, Some(UNSAVED_NOTE));
    assert_eq!(report.summary, "11 passed, 0 failed");
    assert!(report.rows.iter().all(|r| r.badge == "Pass"));

    // Saving makes them stale.
    edit(&mut model, Field::ProjectKey, "PMCJIT");
    reduce(&mut model, Action::Save);
    reduce(&mut model, Action::SaveAnswered(Ok(fixture("admin-saved"))));
    assert!(model.epm.report.is_none());
}

#[test]
fn copy_takes_the_text_from_the_view() {
    let mut model = ready();
    let view = model.epm.view.clone().unwrap();
    assert_eq!(
        reduce(&mut model, Action::Copy("url-0".into())),
        Effect::Copy {
            key: "url-0".into(),
            text: view.webhook_urls[0].url.clone()
        }
    );
    let Effect::Copy { text, .. } = reduce(&mut model, Action::Copy("template-decisionUpdate".into())) else {
        panic!()
    };
    assert!(text.contains("%%Decision%%"));
    assert_eq!(reduce(&mut model, Action::Copy("url-9".into())), Effect::None);
    assert_eq!(reduce(&mut model, Action::Copy("secret".into())), Effect::None);
    let copied = Copied {
        key: "url-0".into(),
        result: Ok(()),
    };
    reduce(&mut model, Action::Copied(copied.clone()));
    assert_eq!(screen::screen(&model).copied, Some(&copied));
}

#[test]
fn late_answers_are_ignored() {
    let mut model = ready();
    let before = model.clone();
    reduce(&mut model, Action::SaveAnswered(Ok(fixture("admin-saved"))));
    reduce(&mut model, Action::ValidateAnswered(Ok(fixture("admin-validate"))));
    reduce(&mut model, Action::ConfigAnswered(Ok(fixture("admin-config-fresh"))));
    assert_eq!(model, before);
}
