//! The sandbox site's seed data: projects, issue types, workflow, fields and users.
//! Written to the database once (idempotently) and read back from there.

use serde_json::json;

use super::catalog::{
    Catalog, FieldOption, FieldRec, GroupRec, IssueTypeRec, ProjectRec, StatusRec, TransitionRec, UserRec,
};

/// The app's own account: requests without an `Authorization` header act as it.
pub const APP_ACCOUNT_ID: &str = "557058:pam-approvals-app";
/// The password every seeded person signs in with (Basic auth, email + password).
pub const SANDBOX_PASSWORD: &str = "sandbox";

pub const PMCJIT_PROJECT_ID: &str = "10000";
pub const OPS_PROJECT_ID: &str = "10001";
pub const ACCESS_REQUEST_TYPE_ID: &str = "10100";
pub const TASK_TYPE_ID: &str = "10002";
pub const EPM_REQUEST_ID_FIELD: &str = "customfield_10001";
/// A date-time custom field on the PMCJIT create screen: a field the app cannot write a request
/// id into (the configuration check's "not a text field" case).
pub const APPROVAL_DEADLINE_FIELD: &str = "customfield_10002";
/// The Jump Items a change ticket covers (labels), for PRA's Jump Item rule.
pub const AFFECTED_ASSETS_FIELD: &str = "customfield_10050";
/// A change ticket's window (date-time fields), for PRA's change window rule.
pub const CHANGE_START_FIELD: &str = "customfield_10051";
pub const CHANGE_END_FIELD: &str = "customfield_10052";
/// How long approved access lasts (a select field on both projects' screens): what a person
/// deciding the Jira way (a workflow transition) chooses along with Approved.
pub const ACCESS_DURATION_FIELD: &str = "customfield_10060";
/// The "Access duration" options: (option id, value), in display order.
pub const ACCESS_DURATION_OPTIONS: [(&str, &str); 9] = [
    ("10601", "Once"),
    ("10602", "1 hour"),
    ("10603", "2 hours"),
    ("10604", "4 hours"),
    ("10605", "8 hours"),
    ("10606", "1 day"),
    ("10607", "3 days"),
    ("10608", "7 days"),
    ("10609", "1 month"),
];

/// The one workflow every project and issue type uses (`POST /rest/api/3/workflows`); its
/// statuses and transitions are the catalog's.
pub const WORKFLOW_ID: &str = "5e1b7a3c-8d2f-4c6a-9b0e-1f2a3b4c5d6e";
pub const WORKFLOW_NAME: &str = "PAM Access Request workflow";

pub const JOHN_DOE: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000001";
pub const ALICE_APPROVER: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000002";
pub const BOB_REQUESTER: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000003";
/// Bob's email: the sandbox PRA appliance's default requesting user has it too.
pub const BOB_REQUESTER_EMAIL: &str = "bob@example.com";
pub const CAROL_ADMIN: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000004";
pub const INACTIVE_IVAN: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000005";
pub const SAM_SMITH_1: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000006";
pub const SAM_SMITH_2: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000007";
/// Can browse PMCJIT but lacks TRANSITION_ISSUES there: the "no approval right" case.
pub const VERA_VIEWER: &str = "712020:0c7e6b2a-1b1d-4d1f-9a51-3f0a5c000008";

/// The group of people who approve PAM requests (Alice Approver, Carol Admin).
pub const PAM_APPROVERS_GROUP: &str = "pam-approvers";

pub(crate) fn catalog() -> Catalog {
    Catalog {
        users: users(),
        groups: groups(),
        projects: vec![
            ProjectRec {
                id: PMCJIT_PROJECT_ID.into(),
                key: "PMCJIT".into(),
                name: "PAM JIT Requests".into(),
                description: "Privileged-access requests raised by PAM systems.".into(),
                project_type_key: "service_desk".into(),
                service_desk: true,
                lead: CAROL_ADMIN.into(),
                issue_types: vec![ACCESS_REQUEST_TYPE_ID.into()],
            },
            ProjectRec {
                id: OPS_PROJECT_ID.into(),
                key: "OPS".into(),
                name: "Operations".into(),
                description: "A plain software project (not a service desk).".into(),
                project_type_key: "software".into(),
                service_desk: false,
                lead: CAROL_ADMIN.into(),
                issue_types: vec![TASK_TYPE_ID.into()],
            },
        ],
        issue_types: vec![
            IssueTypeRec {
                id: ACCESS_REQUEST_TYPE_ID.into(),
                name: "Access Request".into(),
                description: "A request for privileged access.".into(),
                icon: "access-request".into(),
            },
            IssueTypeRec {
                id: TASK_TYPE_ID.into(),
                name: "Task".into(),
                description: "A small, distinct piece of work.".into(),
                icon: "task".into(),
            },
        ],
        statuses: vec![
            status("10001", "Open", "The request waits for a decision.", "new", true),
            status("10002", "Approved", "Access was granted.", "done", false),
            status("10003", "Denied", "Access was refused.", "done", false),
            status(
                "10004",
                "Expired",
                "No decision was made in time, or the access granted has ended.",
                "done",
                false,
            ),
            // Work on a change ticket (OPS): PRA's default allowed statuses are it and Approved.
            status(
                "10010",
                "In Progress",
                "The change is being worked on.",
                "indeterminate",
                false,
            ),
        ],
        transitions: vec![
            transition("11", "Approve", &["10001"], "10002"),
            transition("21", "Deny", &["10001"], "10003"),
            // From Approved too: the app's expiry tick ends approved access.
            transition("31", "Expire", &["10001", "10002"], "10004"),
            transition("41", "Reopen", &["10002", "10003", "10004", "10010"], "10001"),
            transition("51", "Start work", &["10001", "10002"], "10010"),
        ],
        fields: fields(),
    }
}

fn status(id: &str, name: &str, description: &str, category: &str, initial: bool) -> StatusRec {
    StatusRec {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        category: category.into(),
        initial,
    }
}

fn transition(id: &str, name: &str, from: &[&str], to: &str) -> TransitionRec {
    TransitionRec {
        id: id.into(),
        name: name.into(),
        from: from.iter().map(|s| s.to_string()).collect(),
        to: to.into(),
    }
}

fn person(account_id: &str, name: &str, email: &str, active: bool, admin: bool) -> UserRec {
    UserRec {
        account_id: account_id.into(),
        account_type: "atlassian".into(),
        display_name: name.into(),
        email: Some(email.into()),
        active,
        password: Some(SANDBOX_PASSWORD.into()),
        all_permissions: admin,
        project_permissions: None,
    }
}

fn users() -> Vec<UserRec> {
    vec![
        UserRec {
            account_id: APP_ACCOUNT_ID.into(),
            account_type: "app".into(),
            display_name: "PAM Approvals for Jira".into(),
            email: None,
            active: true,
            password: None,
            all_permissions: true,
            project_permissions: None,
        },
        person(JOHN_DOE, "John Doe", "john.doe@example.com", true, false),
        person(ALICE_APPROVER, "Alice Approver", "alice@example.com", true, false),
        person(BOB_REQUESTER, "Bob Requester", BOB_REQUESTER_EMAIL, true, false),
        person(CAROL_ADMIN, "Carol Admin", "carol@example.com", true, true),
        person(INACTIVE_IVAN, "Inactive Ivan", "ivan@example.com", false, false),
        person(SAM_SMITH_1, "Sam Smith", "sam.smith@example.com", true, false),
        person(SAM_SMITH_2, "Sam Smith", "sam.smith2@example.com", true, false),
        UserRec {
            project_permissions: Some(vec!["BROWSE_PROJECTS".into()]),
            ..person(VERA_VIEWER, "Vera Viewer", "vera@example.com", true, false)
        },
    ]
}

fn groups() -> Vec<GroupRec> {
    vec![
        GroupRec {
            group_id: "5b10ac8d82e05b22cc7d4ef5".into(),
            name: PAM_APPROVERS_GROUP.into(),
            members: vec![ALICE_APPROVER.into(), CAROL_ADMIN.into()],
        },
        GroupRec {
            group_id: "5b10a0effa615349cb016cd8".into(),
            name: "jira-administrators".into(),
            members: vec![CAROL_ADMIN.into()],
        },
    ]
}

fn system_field(id: &str, name: &str, schema: serde_json::Value, clause_names: &[&str], settable: bool) -> FieldRec {
    FieldRec {
        id: id.into(),
        name: name.into(),
        custom: false,
        orderable: settable,
        navigable: true,
        searchable: true,
        clause_names: clause_names.iter().map(|s| s.to_string()).collect(),
        schema,
        settable,
        screens: None,
        required: matches!(id, "summary" | "project" | "issuetype"),
        options: Vec::new(),
    }
}

fn fields() -> Vec<FieldRec> {
    vec![
        system_field(
            "summary",
            "Summary",
            json!({"type": "string", "system": "summary"}),
            &["summary"],
            true,
        ),
        system_field(
            "description",
            "Description",
            json!({"type": "string", "system": "description"}),
            &["description"],
            true,
        ),
        system_field(
            "assignee",
            "Assignee",
            json!({"type": "user", "system": "assignee"}),
            &["assignee"],
            true,
        ),
        system_field(
            "reporter",
            "Reporter",
            json!({"type": "user", "system": "reporter"}),
            &["reporter"],
            true,
        ),
        system_field(
            "labels",
            "Labels",
            json!({"type": "array", "items": "string", "system": "labels"}),
            &["labels"],
            true,
        ),
        system_field(
            "status",
            "Status",
            json!({"type": "status", "system": "status"}),
            &["status"],
            false,
        ),
        system_field(
            "project",
            "Project",
            json!({"type": "project", "system": "project"}),
            &["project"],
            false,
        ),
        system_field(
            "issuetype",
            "Issue Type",
            json!({"type": "issuetype", "system": "issuetype"}),
            &["issuetype", "type"],
            false,
        ),
        system_field(
            "created",
            "Created",
            json!({"type": "datetime", "system": "created"}),
            &["created", "createdDate"],
            false,
        ),
        system_field(
            "updated",
            "Updated",
            json!({"type": "datetime", "system": "updated"}),
            &["updated", "updatedDate"],
            false,
        ),
        FieldRec {
            id: EPM_REQUEST_ID_FIELD.into(),
            name: "beyondTrustEpmJitRequestSystemId".into(),
            custom: true,
            orderable: true,
            navigable: true,
            searchable: true,
            clause_names: vec!["cf[10001]".into(), "beyondTrustEpmJitRequestSystemId".into()],
            schema: json!({
                "type": "string",
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
                "customId": 10001
            }),
            settable: true,
            screens: Some(vec![format!("{PMCJIT_PROJECT_ID}/{ACCESS_REQUEST_TYPE_ID}")]),
            required: false,
            options: Vec::new(),
        },
        FieldRec {
            id: APPROVAL_DEADLINE_FIELD.into(),
            name: "Approval deadline".into(),
            custom: true,
            orderable: true,
            navigable: true,
            searchable: true,
            clause_names: vec!["cf[10002]".into(), "Approval deadline".into()],
            schema: json!({
                "type": "datetime",
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:datetime",
                "customId": 10002
            }),
            settable: true,
            screens: Some(vec![format!("{PMCJIT_PROJECT_ID}/{ACCESS_REQUEST_TYPE_ID}")]),
            required: false,
            options: Vec::new(),
        },
        change_field(
            AFFECTED_ASSETS_FIELD,
            "Affected assets",
            "array",
            "labels",
            Some("string"),
        ),
        change_field(CHANGE_START_FIELD, "Change window start", "datetime", "datetime", None),
        change_field(CHANGE_END_FIELD, "Change window end", "datetime", "datetime", None),
        access_duration_field(),
    ]
}

/// "Access duration": a single-select field on both projects' screens.
fn access_duration_field() -> FieldRec {
    FieldRec {
        id: ACCESS_DURATION_FIELD.into(),
        name: "Access duration".into(),
        custom: true,
        orderable: true,
        navigable: true,
        searchable: true,
        clause_names: vec!["cf[10060]".into(), "Access duration".into()],
        schema: json!({
            "type": "option",
            "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select",
            "customId": 10060
        }),
        settable: true,
        screens: Some(vec![
            format!("{PMCJIT_PROJECT_ID}/{ACCESS_REQUEST_TYPE_ID}"),
            format!("{OPS_PROJECT_ID}/{TASK_TYPE_ID}"),
        ]),
        required: false,
        options: ACCESS_DURATION_OPTIONS
            .iter()
            .map(|(id, value)| FieldOption {
                id: id.to_string(),
                value: value.to_string(),
            })
            .collect(),
    }
}

/// A custom field of change tickets: on the OPS task screen.
fn change_field(id: &str, name: &str, kind: &str, custom: &str, items: Option<&str>) -> FieldRec {
    let number = id.trim_start_matches("customfield_");
    let mut schema = json!({
        "type": kind,
        "custom": format!("com.atlassian.jira.plugin.system.customfieldtypes:{custom}"),
        "customId": number.parse::<u64>().unwrap_or(0),
    });
    if let Some(items) = items {
        schema["items"] = json!(items);
    }
    FieldRec {
        id: id.into(),
        name: name.into(),
        custom: true,
        orderable: true,
        navigable: true,
        searchable: true,
        clause_names: vec![format!("cf[{number}]"), name.into()],
        schema,
        settable: true,
        screens: Some(vec![format!("{OPS_PROJECT_ID}/{TASK_TYPE_ID}")]),
        required: false,
        options: Vec::new(),
    }
}
