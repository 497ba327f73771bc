//! The Keeper section's flows, driven through the page's `reduce` (as the DOM layer does) with
//! the browser tests' fixtures: real answers of the core (`tests/keeper_fixtures.rs`).

use pam_approvals::providers::keeper::settings::Deciders;
use serde_json::{Value, json};

use super::super::fields::Field;
use super::super::form::Edit;
use super::super::screen::{
    self, API_KEY_NOT_SET, API_KEY_SET, COPY_AUTHORIZATION, COPY_TEMPLATE, COPY_TOKEN, TOKEN_NOT_SET, TOKEN_SET,
};
use super::*;
use crate::admin::screen::{COPIED, COPY, screen as page_screen};
use crate::admin::state::{self as page, Action as PageAction, Copied, Effect as PageEffect, Focus as PageFocus};
use crate::admin::test_fixtures::fixture;
use crate::state::Tone;

/// The page with EPM's section loaded and the Keeper section answered with fixture `name`.
fn page_with(name: &str) -> page::Model {
    let mut page = page::Model::default();
    page::reduce(&mut page, PageAction::Start);
    let next = page::reduce(&mut page, PageAction::ConfigAnswered(Ok(fixture("admin-config"))));
    let PageEffect::Several(calls) = next else {
        panic!("{next:?}")
    };
    assert!(
        calls.contains(&PageEffect::Keeper(Call::Load)),
        "EPM's answer names the Keeper section"
    );
    page::reduce(
        &mut page,
        PageAction::Pra(crate::admin::pra::state::Action::ConfigAnswered(Ok(fixture(
            "admin-pra-config",
        )))),
    );
    act(&mut page, Action::ConfigAnswered(Ok(fixture(name))));
    page
}

fn act(page: &mut page::Model, action: Action) -> PageEffect {
    page::reduce(page, PageAction::Keeper(action))
}

fn edit(page: &mut page::Model, edit: Edit) {
    act(page, Action::Edit(edit));
}

fn section(page: &page::Model) -> &Model {
    page.keeper.as_ref().expect("a Keeper section")
}

fn keeper_form(page: &page::Model) -> screen::Form<'_> {
    page_screen(page).keeper.and_then(|s| s.form).expect("the Keeper form")
}

fn saved_settings() -> Value {
    fixture("admin-keeper-saved")["view"]["settings"].clone()
}

/// What the browser test types, starting from the defaults.
fn fill_in(page: &mut page::Model) {
    for change in [
        Edit::Flag(Field::Enabled, true),
        Edit::Text(Field::ApiUrl, " https://keeper-test.ngrok.io/api/v2/ ".into()),
        Edit::Text(Field::ApiKey, "test-commander-key".into()),
        Edit::Text(Field::ProjectKey, "ops".into()),
        Edit::Deciders(Deciders::Group),
        Edit::Text(Field::DeciderGroup, "pam-approvers".into()),
    ] {
        edit(page, change);
    }
}

#[test]
fn the_section_loads_and_shows_the_stored_settings() {
    let page = page_with("admin-keeper-config");
    let keeper = section(&page);
    assert_eq!(keeper.phase, Phase::Ready);
    let form = keeper.form.as_ref().unwrap();
    assert_eq!(
        form.settings(),
        keeper.view.as_ref().unwrap().settings,
        "given back as it came"
    );
    assert!(!form.has_changes());
    let shown = keeper_form(&page);
    assert_eq!(shown.api_key_status, API_KEY_NOT_SET);
    assert_eq!(shown.alert.token_status, TOKEN_NOT_SET);
    assert!(shown.alert.token.is_none());
    assert_eq!(shown.alert.alerts.len(), 3);
    assert!(shown.alert.template.contains("#alert_name"));
    assert!(shown.alert.trigger_url.starts_with("https://"));
    assert!(shown.egress.contains("*.ngrok.io"), "{}", shown.egress);
    assert!(!shown.show_group);
}

#[test]
fn saving_sends_the_core_settings_with_the_new_key_and_shows_the_token_once() {
    let mut page = page_with("admin-keeper-config");
    fill_in(&mut page);
    assert!(keeper_form(&page).show_group);
    let effect = act(&mut page, Action::Save);
    let PageEffect::Keeper(Call::Save(payload)) = effect else {
        panic!("{effect:?}")
    };
    assert_eq!(
        payload,
        json!({"section": "keeper", "settings": saved_settings(), "apiKey": "test-commander-key", "rotateToken": false})
    );
    assert!(keeper_form(&page).disabled, "frozen while saving");
    assert_eq!(act(&mut page, Action::Save), PageEffect::None, "once");
    act(&mut page, Action::SaveAnswered(Ok(fixture("admin-keeper-saved"))));
    let keeper = section(&page);
    let notice = keeper.notice.as_ref().unwrap();
    assert_eq!(
        (notice.tone, notice.lines.as_slice()),
        (Tone::Success, [NEW_TOKEN.to_string()].as_slice())
    );
    assert_eq!(page.focus, Some(PageFocus::Keeper(Focus::TokenToPaste)));
    let shown = keeper_form(&page);
    let token = shown.alert.token.as_ref().unwrap();
    let authorization = token.authorization.to_string();
    assert_eq!(authorization, format!("Bearer {}", token.token));
    assert_eq!(
        (shown.api_key_status, shown.alert.token_status),
        (API_KEY_SET, TOKEN_SET)
    );
    assert_eq!(
        section(&page).form.as_ref().unwrap().api_key,
        "",
        "the key input is emptied"
    );
    // Copy the header value.
    let effect = page::reduce(&mut page, PageAction::Copy(COPY_AUTHORIZATION.into()));
    assert_eq!(
        effect,
        PageEffect::Copy {
            key: COPY_AUTHORIZATION.into(),
            text: authorization
        }
    );
    page::reduce(
        &mut page,
        PageAction::Copied(Copied {
            key: COPY_AUTHORIZATION.into(),
            result: Ok(()),
        }),
    );
    let shown = keeper_form(&page);
    let token = shown.alert.token.as_ref().unwrap();
    assert_eq!((token.authorization_copy.label, token.token_copy.label), (COPIED, COPY));
    assert!(shown.copy_status().token.is_some() && shown.copy_status().setup.is_none());
    // The next save's answer has no token: it is gone from the page.
    assert!(matches!(
        act(&mut page, Action::Save),
        PageEffect::Keeper(Call::Save(_))
    ));
    act(&mut page, Action::SaveAnswered(Ok(fixture("admin-keeper-config-set"))));
    assert!(keeper_form(&page).alert.token.is_none());
    assert!(page::reduce(&mut page, PageAction::Copy(COPY_TOKEN.into())) == PageEffect::None);
    assert!(matches!(
        page::reduce(&mut page, PageAction::Copy(COPY_TEMPLATE.into())),
        PageEffect::Copy { .. }
    ));
}

#[test]
fn generating_a_new_token_saves_with_it() {
    let mut page = page_with("admin-keeper-config-set");
    let effect = act(&mut page, Action::Rotate);
    let PageEffect::Keeper(Call::Save(payload)) = effect else {
        panic!("{effect:?}")
    };
    assert_eq!(
        payload,
        json!({"section": "keeper", "settings": saved_settings(), "rotateToken": true})
    );
    act(&mut page, Action::SaveAnswered(Ok(fixture("admin-keeper-rotated"))));
    assert!(keeper_form(&page).alert.token.is_some());
    assert!(
        !section(&page).form.as_ref().unwrap().rotate,
        "the next save keeps the token"
    );
}

#[test]
fn the_core_rules_run_before_anything_is_sent() {
    let mut page = page_with("admin-keeper-config");
    edit(&mut page, Edit::Flag(Field::Enabled, true));
    edit(
        &mut page,
        Edit::Text(Field::ApiUrl, "https://keeper-test.ngrok.io/api/v1".into()),
    );
    assert_eq!(act(&mut page, Action::Save), PageEffect::None);
    assert!(section(&page).field_errors["apiUrl"].contains("/api/v2"));
    assert_eq!(page.focus, Some(PageFocus::Keeper(Focus::Field(Field::ApiUrl))));
    edit(
        &mut page,
        Edit::Text(Field::ApiUrl, "https://keeper-test.ngrok.io/api/v2".into()),
    );
    assert!(
        section(&page).field_errors.is_empty(),
        "editing clears the field's error"
    );
    edit(&mut page, Edit::Text(Field::ProjectKey, "OPS".into()));
    assert_eq!(act(&mut page, Action::Save), PageEffect::None);
    assert_eq!(section(&page).field_errors["apiKey"], "is required to enable Keeper");
    edit(&mut page, Edit::Text(Field::ApiKey, "has space".into()));
    act(&mut page, Action::Save);
    assert!(section(&page).field_errors["apiKey"].contains("no spaces"));
    let errors = keeper_form(&page).errors;
    assert!(errors.contains(&(Field::ApiKey, Some(section(&page).field_errors["apiKey"].as_str()))));
}

#[test]
fn the_servers_field_errors_land_next_to_their_inputs() {
    let mut page = page_with("admin-keeper-config");
    fill_in(&mut page);
    act(&mut page, Action::Save);
    act(
        &mut page,
        Action::SaveAnswered(Ok(fixture("admin-keeper-save-invalid"))),
    );
    let keeper = section(&page);
    assert_eq!(keeper.phase, Phase::Ready);
    assert_eq!(keeper.field_errors["apiKey"], "is required to enable Keeper");
    let notice = keeper.notice.as_ref().unwrap();
    assert_eq!(notice.tone, Tone::Error);
    assert!(
        notice.lines.iter().any(|l| l.starts_with("Commander API key:")),
        "{notice:?}"
    );
    assert_eq!(page.focus, Some(PageFocus::Keeper(Focus::Field(Field::ApiKey))));
}

#[test]
fn test_connection_shows_the_checks() {
    let mut page = page_with("admin-keeper-config-set");
    assert_eq!(act(&mut page, Action::Validate), PageEffect::Keeper(Call::Validate));
    assert_eq!(page_screen(&page).keeper.unwrap().busy, Some(screen::VALIDATING));
    act(
        &mut page,
        Action::ValidateAnswered(Ok(fixture("admin-keeper-validate"))),
    );
    let report = page_screen(&page).keeper.unwrap().report.unwrap();
    let connection = report.rows.iter().find(|r| r.id == "keeper-connection").unwrap();
    assert_eq!(connection.status, "pass");
    assert_eq!(page.focus, Some(PageFocus::Keeper(Focus::Checks)));
    act(&mut page, Action::Validate);
    act(
        &mut page,
        Action::ValidateAnswered(Ok(fixture("admin-keeper-validate-failing"))),
    );
    let report = page_screen(&page).keeper.unwrap().report.unwrap();
    assert!(report.summary.contains("2 failed"), "{}", report.summary);
    let connection = report.rows.iter().find(|r| r.id == "keeper-connection").unwrap();
    assert!(connection.detail.contains("401"), "{}", connection.detail);
}

#[test]
fn one_section_saves_at_a_time() {
    let mut page = page_with("admin-keeper-config-set");
    edit(&mut page, Edit::Text(Field::IssueTypeName, "Bug".into()));
    assert!(matches!(
        act(&mut page, Action::Save),
        PageEffect::Keeper(Call::Save(_))
    ));
    assert_eq!(page::reduce(&mut page, PageAction::Save), PageEffect::None, "EPM waits");
    assert!(page_screen(&page).form.unwrap().buttons.save_disabled);
}
