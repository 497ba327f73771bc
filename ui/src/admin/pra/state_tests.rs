//! The PRA section's flows, driven through the page's `reduce` (as the DOM layer does) with the
//! browser tests' fixtures: real answers of the core (`tests/admin_pra_fixtures.rs`).

use serde_json::{Value, json};

use super::super::fields::{CUSTOM, Field};
use super::super::form::{Edit, Rotate};
use super::super::screen::{self, ROTATE_SAVES_CHANGES, ROTATE_WARNING, SECRET_NOT_SET, SECRET_SET};
use super::*;
use crate::admin::screen::{COPIED, COPY, screen as page_screen};
use crate::admin::state::{
    self as page, Action as PageAction, Copied, Effect as PageEffect, Focus as PageFocus, PRA_URL,
};
use crate::admin::test_fixtures::fixture;

/// The page with EPM's section loaded and the PRA section answered with fixture `name`.
fn page_with(name: &str) -> page::Model {
    let mut page = page::Model::default();
    assert_eq!(page::reduce(&mut page, PageAction::Start), PageEffect::Epm(Call::Load));
    let next = page::reduce(&mut page, PageAction::ConfigAnswered(Ok(fixture("admin-config"))));
    assert_eq!(
        next,
        PageEffect::Several(vec![PageEffect::Pra(Call::Load), PageEffect::Keeper(Call::Load)]),
        "EPM's answer names the PRA and Keeper sections"
    );
    act(&mut page, Action::ConfigAnswered(Ok(fixture(name))));
    page
}

fn act(page: &mut page::Model, action: Action) -> PageEffect {
    page::reduce(page, PageAction::Pra(action))
}

fn edit(page: &mut page::Model, edit: Edit) {
    act(page, Action::Edit(edit));
}

fn section(page: &page::Model) -> &Model {
    page.pra.as_ref().expect("a PRA section")
}

fn pra_form(page: &page::Model) -> screen::Form<'_> {
    page_screen(page).pra.and_then(|s| s.form).expect("the PRA form")
}

fn saved_settings() -> Value {
    fixture("admin-pra-saved")["view"]["settings"].clone()
}

/// What the browser test types: every kind of input, starting from the defaults.
fn fill_in(page: &mut page::Model) {
    for change in [
        Edit::Flag(Field::Enabled, true),
        Edit::Text(Field::ApplianceHost, " ACME.BeyondTrustCloud.com ".into()),
        Edit::Flag(Field::SensitiveTicketId, true),
        Edit::Rule("jumpItem".into(), true),
        Edit::Rule("changeWindow".into(), true),
        Edit::Text(Field::AllowedProjects, "pmcjit, OPS".into()),
        Edit::Choose(Field::AssetField, CUSTOM.into()),
        Edit::Text(Field::AssetField, "customfield_10050".into()),
        Edit::Text(Field::WindowStartField, "customfield_10051".into()),
        Edit::Text(Field::WindowEndField, "customfield_10052".into()),
        Edit::AddAttribute,
        Edit::AttributeCode(0, "jira_issue".into()),
        Edit::AddAttribute,
        Edit::AttributeCode(1, "change_end".into()),
        Edit::AttributeSource(1, "windowEnd".into()),
    ] {
        edit(page, change);
    }
}

#[test]
fn the_section_loads_once_epm_names_it_and_shows_the_stored_settings() {
    let page = page_with("admin-pra-config");
    let pra = section(&page);
    assert_eq!(pra.phase, Phase::Ready);
    let form = pra.form.as_ref().unwrap();
    assert_eq!(
        form.settings(),
        pra.view.as_ref().unwrap().settings,
        "given back as it came"
    );
    assert!(!form.has_changes());
    let shown = pra_form(&page);
    let rules: Vec<_> = shown.rules.iter().map(|r| (r.key, r.on)).collect();
    assert_eq!(
        rules,
        [
            ("issueKey", true),
            ("issueExists", true),
            ("status", true),
            ("requester", true),
            ("jumpItem", false),
            ("changeWindow", false)
        ],
        "the core's order"
    );
    assert_eq!(
        shown.rules[0].label,
        "The ticket ID is a Jira issue key in an allowed project"
    );
    assert_eq!(
        shown.texts.iter().find(|(f, _)| *f == Field::AllowedStatuses),
        Some(&(Field::AllowedStatuses, "In Progress, Approved"))
    );
    assert_eq!(shown.picks[0].choice, "assignee");
    assert!(
        !shown.picks[1].show_custom && shown.picks[1].choice.is_empty(),
        "no Jump Item field"
    );
    assert_eq!(shown.secret_status, SECRET_NOT_SET);
    assert!(shown.trigger_url.starts_with("https://") && shown.url_to_paste.is_none());
    assert!(shown.egress.contains("*.beyondtrustcloud.com"));

    // A build without PRA settings: no section, no call.
    let mut epm_only = fixture("admin-config");
    epm_only["sections"] = json!(["epm"]);
    let mut page = page::Model::default();
    page::reduce(&mut page, PageAction::Start);
    assert_eq!(
        page::reduce(&mut page, PageAction::ConfigAnswered(Ok(epm_only))),
        PageEffect::None
    );
    assert!(page.pra.is_none() && page_screen(&page).pra.is_none());
}

#[test]
fn save_sends_the_settings_as_the_core_takes_them() {
    let mut page = page_with("admin-pra-config");
    fill_in(&mut page);
    let shown = pra_form(&page);
    assert!(shown.picks[1].show_custom && shown.attributes.len() == 2);
    assert!(!shown.attributes[1].show_custom);
    let PageEffect::Pra(Call::Save(payload)) = act(&mut page, Action::Save) else {
        panic!("not sent: {:?}", section(&page).notice)
    };
    assert_eq!(
        payload,
        json!({"section": "pra", "settings": saved_settings(), "rotateSecret": false}),
        "trimmed, upper-cased and lower-cased as the core would"
    );
    assert_eq!(section(&page).phase, Phase::Saving);
    assert!(form_saving(&page));
    let frozen = page.clone();
    edit(&mut page, Edit::Flag(Field::Enabled, false));
    assert_eq!(act(&mut page, Action::Save), PageEffect::None);
    assert_eq!(page, frozen, "nothing changes while saving");
}

fn form_saving(page: &page::Model) -> bool {
    let shown = pra_form(page);
    shown.disabled && shown.buttons.save_disabled && shown.buttons.save_label == crate::admin::screen::SAVING
}

#[test]
fn the_core_checks_the_section_before_anything_is_sent() {
    let mut page = page_with("admin-pra-config");
    edit(&mut page, Edit::Flag(Field::Enabled, true));
    assert_eq!(act(&mut page, Action::Save), PageEffect::None);
    let pra = section(&page);
    assert_eq!(pra.field_errors["applianceHost"], "is required to enable PRA");
    let notice = pra.notice.clone().unwrap();
    assert_eq!(notice.title, "1 setting needs attention; nothing was saved.");
    assert_eq!(notice.lines, ["Appliance host: is required to enable PRA"]);
    assert_eq!(page.focus, Some(PageFocus::Pra(Focus::Field(Field::ApplianceHost))));
    let errors = pra_form(&page).errors;
    assert_eq!(errors[1], (Field::ApplianceHost, Some("is required to enable PRA")));
    edit(
        &mut page,
        Edit::Text(Field::ApplianceHost, "acme.beyondtrustcloud.com".into()),
    );
    assert!(
        section(&page).field_errors.is_empty(),
        "editing clears the field's error"
    );

    // Each rule's own needs, and the session attributes' names, as the core words them.
    edit(&mut page, Edit::Rule("jumpItem".into(), true));
    act(&mut page, Action::Save);
    assert_eq!(
        section(&page).field_errors["assetField"],
        "is required for the Jump Item rule"
    );
    edit(&mut page, Edit::Choose(Field::AssetField, "labels".into()));
    edit(&mut page, Edit::AddAttribute);
    edit(&mut page, Edit::AttributeCode(0, "a b".into()));
    act(&mut page, Action::Save);
    let pra = section(&page);
    assert!(pra.field_errors["sessionAttributes"].starts_with("code name \"a b\""));
    assert_eq!(page.focus, Some(PageFocus::Pra(Focus::Field(Field::SessionAttributes))));
    edit(&mut page, Edit::AttributeSource(0, CUSTOM.into()));
    edit(&mut page, Edit::AttributeCode(0, "ab".into()));
    edit(&mut page, Edit::AttributeCustom(0, "description".into()));
    act(&mut page, Action::Save);
    assert!(section(&page).field_errors["sessionAttributes"].starts_with("the source of \"ab\""));
    edit(&mut page, Edit::AttributeCustom(0, "customfield_10060".into()));
    let PageEffect::Pra(Call::Save(payload)) = act(&mut page, Action::Save) else {
        panic!("{:?}", section(&page).field_errors)
    };
    assert_eq!(
        payload["settings"]["sessionAttributes"],
        json!([{"codeName": "ab", "source": "customfield_10060"}])
    );
    assert_eq!(payload["settings"]["assetField"], json!("labels"));
}

#[test]
fn a_refusal_marks_its_field() {
    let mut page = page_with("admin-pra-config");
    fill_in(&mut page);
    act(&mut page, Action::Save);
    act(&mut page, Action::SaveAnswered(Ok(fixture("admin-pra-save-invalid"))));
    let pra = section(&page);
    assert_eq!(pra.phase, Phase::Ready);
    assert_eq!(pra.field_errors["applianceHost"], "is required to enable PRA");
    let notice = pra.notice.clone().unwrap();
    assert_eq!(notice.title, fixture("admin-pra-save-invalid")["error"]["message"]);
    assert!(!notice.retry, "fix, not retry");
    assert_eq!(page.focus, Some(PageFocus::Pra(Focus::Field(Field::ApplianceHost))));
    assert!(pra.form.as_ref().unwrap().has_changes(), "the admin's input stays");
}

#[test]
fn the_url_to_paste_is_shown_once_with_copy_and_gone_after_reload() {
    let mut page = page_with("admin-pra-config");
    fill_in(&mut page);
    act(&mut page, Action::Save);
    act(&mut page, Action::SaveAnswered(Ok(fixture("admin-pra-saved"))));
    let url = fixture("admin-pra-saved")["view"]["urlToPaste"]
        .as_str()
        .unwrap()
        .to_string();
    let pra = section(&page);
    assert_eq!(pra.notice.clone().unwrap().lines, [NEW_URL]);
    assert_eq!(page.focus, Some(PageFocus::Pra(Focus::UrlToPaste)));
    let shown = pra_form(&page);
    assert_eq!(shown.url_to_paste.as_ref().map(|u| u.url), Some(url.as_str()));
    assert_eq!(shown.url_to_paste.as_ref().unwrap().copy.label, COPY);
    assert_eq!(shown.secret_status, SECRET_SET);
    assert!(!section(&page).form.as_ref().unwrap().has_changes());

    assert_eq!(
        page::reduce(&mut page, PageAction::Copy(PRA_URL.into())),
        PageEffect::Copy {
            key: PRA_URL.into(),
            text: url.clone()
        }
    );
    page::reduce(
        &mut page,
        PageAction::Copied(Copied {
            key: PRA_URL.into(),
            result: Ok(()),
        }),
    );
    assert_eq!(url_copy_label(&page), Some(COPIED));

    // The next answer never has it again: a reload (the page starts over) ...
    let mut reloaded = page_with("admin-pra-config-set");
    assert!(pra_form(&reloaded).url_to_paste.is_none());
    assert_eq!(pra_form(&reloaded).secret_status, SECRET_SET);
    assert_eq!(
        page::reduce(&mut reloaded, PageAction::Copy(PRA_URL.into())),
        PageEffect::None
    );
    // ... or the next save.
    act(&mut page, Action::Save);
    let mut again = fixture("admin-pra-saved");
    again["view"]["urlToPaste"] = Value::Null;
    act(&mut page, Action::SaveAnswered(Ok(again)));
    assert!(pra_form(&page).url_to_paste.is_none());
    assert!(!format!("{page:?}").contains(&url), "kept nowhere");
}

fn url_copy_label(page: &page::Model) -> Option<&'static str> {
    pra_form(page).url_to_paste.map(|u| u.copy.label)
}

#[test]
fn generate_a_new_url_asks_first_then_saves_with_a_new_secret() {
    let mut page = page_with("admin-pra-config-set");
    assert_eq!(act(&mut page, Action::AskRotate), PageEffect::None);
    assert_eq!(pra_form(&page).confirm_rotate, Some(vec![ROTATE_WARNING]));
    assert_eq!(page.focus, Some(PageFocus::Pra(Focus::ConfirmRotate)));
    act(&mut page, Action::CancelRotate);
    assert_eq!(pra_form(&page).confirm_rotate, None);
    assert_eq!(page.focus, Some(PageFocus::Pra(Focus::Rotate)));
    assert_eq!(act(&mut page, Action::ConfirmRotate), PageEffect::None);

    // Unsaved changes go with it, and the question says so.
    edit(&mut page, Edit::Text(Field::AllowedStatuses, "In Progress".into()));
    act(&mut page, Action::AskRotate);
    assert_eq!(
        pra_form(&page).confirm_rotate,
        Some(vec![ROTATE_WARNING, ROTATE_SAVES_CHANGES])
    );
    let PageEffect::Pra(Call::Save(payload)) = act(&mut page, Action::ConfirmRotate) else {
        panic!()
    };
    assert_eq!(payload["rotateSecret"], json!(true));
    assert_eq!(payload["settings"]["allowedStatuses"], json!(["In Progress"]));
    assert_eq!(
        section(&page).form.as_ref().unwrap().rotate,
        Rotate::Yes,
        "until the answer"
    );
    act(&mut page, Action::SaveAnswered(Ok(fixture("admin-pra-rotated"))));
    let rotated = fixture("admin-pra-rotated")["view"]["urlToPaste"].clone();
    assert_eq!(pra_form(&page).url_to_paste.map(|u| u.url), rotated.as_str());
    assert_ne!(rotated, fixture("admin-pra-saved")["view"]["urlToPaste"]);

    // No URL yet: nothing stops working, so no question.
    let mut page = page_with("admin-pra-config");
    let PageEffect::Pra(Call::Save(payload)) = act(&mut page, Action::AskRotate) else {
        panic!()
    };
    assert_eq!(payload["rotateSecret"], json!(true));
}

#[test]
fn validate_lists_the_checks_like_epms() {
    let mut page = page_with("admin-pra-config-set");
    assert_eq!(act(&mut page, Action::Validate), PageEffect::Pra(Call::Validate));
    let busy = page_screen(&page).pra.unwrap();
    assert_eq!(busy.busy, Some(screen::VALIDATING));
    let form = busy.form.unwrap();
    assert!(form.buttons.validate_disabled && form.buttons.save_disabled && !form.disabled);
    act(
        &mut page,
        Action::ValidateAnswered(Ok(fixture("admin-pra-validate-failing"))),
    );
    assert_eq!(page.focus, Some(PageFocus::Pra(Focus::Checks)));
    let report = page_screen(&page).pra.unwrap().report.unwrap();
    assert_eq!(report.summary, "5 passed, 2 failed, 1 warning");
    assert_eq!(report.note, None);
    let appliance = &report.rows[0];
    assert_eq!((appliance.id.as_str(), appliance.badge), ("pra-appliance", "Warning"));
    assert!(report.rows.iter().any(|r| r.fix.contains("Allowed projects")));

    edit(&mut page, Edit::Flag(Field::SensitiveTicketId, false));
    act(&mut page, Action::Validate);
    act(&mut page, Action::ValidateAnswered(Ok(fixture("admin-pra-validate"))));
    let report = page_screen(&page).pra.unwrap().report.unwrap();
    assert_eq!(report.note, Some(crate::admin::state::UNSAVED_NOTE));
    assert_eq!(report.summary, "8 passed, 0 failed");
}

#[test]
fn one_section_saves_at_a_time() {
    let mut page = page_with("admin-pra-config-set");
    assert!(matches!(
        page::reduce(&mut page, PageAction::Save),
        PageEffect::Epm(Call::Save(_))
    ));
    assert_eq!(act(&mut page, Action::Save), PageEffect::None);
    assert_eq!(act(&mut page, Action::AskRotate), PageEffect::None);
    assert!(pra_form(&page).buttons.save_disabled && !pra_form(&page).buttons.validate_disabled);
    page::reduce(&mut page, PageAction::SaveAnswered(Ok(fixture("admin-saved"))));
    assert!(matches!(act(&mut page, Action::Save), PageEffect::Pra(Call::Save(_))));
    assert_eq!(page::reduce(&mut page, PageAction::Save), PageEffect::None);
    assert!(page_screen(&page).form.unwrap().buttons.save_disabled);
}

#[test]
fn failures_offer_retry_and_forbidden_ends_the_page() {
    let mut page = page_with("admin-pra-config");
    // (Reloading the section from scratch, as after a failed first load.)
    page.pra = Some(Model::default());
    act(&mut page, Action::ConfigAnswered(Err("HTTP 502".into())));
    let pra = section(&page);
    assert_eq!(pra.phase, Phase::Unavailable);
    assert_eq!(
        (
            pra.notice.clone().unwrap().title.as_str(),
            pra.notice.clone().unwrap().retry
        ),
        (LOAD_FAILED, true)
    );
    assert!(page_screen(&page).form.is_some(), "EPM's section stays");
    assert_eq!(act(&mut page, Action::Retry), PageEffect::Pra(Call::Load));
    act(&mut page, Action::ConfigAnswered(Ok(fixture("admin-pra-config-set"))));
    assert_eq!(section(&page).phase, Phase::Ready);

    let first = act(&mut page, Action::Save);
    act(&mut page, Action::SaveAnswered(Ok(fixture("admin-unavailable"))));
    assert_eq!(section(&page).notice.clone().unwrap().title, SAVE_FAILED);
    assert_eq!(act(&mut page, Action::Retry), first, "the same save again");

    act(&mut page, Action::SaveAnswered(Ok(fixture("admin-forbidden"))));
    assert_eq!(page.epm.phase, page::Phase::Forbidden);
    assert!(page.pra.is_none() && page_screen(&page).pra.is_none());
    assert_eq!(act(&mut page, Action::Save), PageEffect::None);
}

#[test]
fn attribute_rows_come_and_go() {
    let mut page = page_with("admin-pra-config-set");
    assert_eq!(pra_form(&page).attributes.len(), 2);
    edit(&mut page, Edit::AddAttribute);
    assert_eq!(page.focus, Some(PageFocus::Pra(Focus::Attribute(2))));
    edit(&mut page, Edit::RemoveAttribute(0));
    assert_eq!(page.focus, Some(PageFocus::Pra(Focus::AddAttribute)));
    let rows = pra_form(&page).attributes;
    assert_eq!(
        rows.iter().map(|r| (r.code_name, r.source)).collect::<Vec<_>>(),
        [("change_end", "windowEnd"), ("", "issueKey")]
    );
    for _ in 0..30 {
        edit(&mut page, Edit::AddAttribute);
    }
    let shown = pra_form(&page);
    assert_eq!(shown.attributes.len(), 20, "the core's most");
    assert!(!shown.can_add_attribute);
    edit(&mut page, Edit::RemoveAttribute(99));
    assert_eq!(section(&page).form.as_ref().unwrap().attributes.len(), 20);
}

#[test]
fn late_answers_are_ignored() {
    let mut page = page_with("admin-pra-config");
    let before = page.clone();
    act(&mut page, Action::ConfigAnswered(Ok(fixture("admin-pra-config-set"))));
    act(&mut page, Action::SaveAnswered(Ok(fixture("admin-pra-saved"))));
    act(&mut page, Action::ValidateAnswered(Ok(fixture("admin-pra-validate"))));
    assert_eq!(page, before);
}
