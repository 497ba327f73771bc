//! The site's configuration (users, projects, issue types, workflow, fields), as read from the
//! sandbox database, with lookups and the JSON shapes Jira gives these objects.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserRec {
    pub account_id: String,
    /// `atlassian` for people, `app` for the app user.
    pub account_type: String,
    pub display_name: String,
    pub email: Option<String>,
    pub active: bool,
    /// Basic-auth password (people only).
    pub password: Option<String>,
    /// Whether `mypermissions` grants this user every permission.
    pub all_permissions: bool,
    /// The project permissions held in service-desk projects; `None` means the basic set
    /// (browse, create, transition). Records written before this field existed have `None`.
    #[serde(default)]
    pub project_permissions: Option<Vec<String>>,
}

/// A group of people (`GET /rest/api/3/myself?expand=groups`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupRec {
    pub group_id: String,
    pub name: String,
    /// Account ids of the members.
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectRec {
    pub id: String,
    pub key: String,
    pub name: String,
    pub description: String,
    pub project_type_key: String,
    /// A Jira Service Management project (the servicedeskapi works on its issues).
    pub service_desk: bool,
    pub lead: String,
    pub issue_types: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueTypeRec {
    pub id: String,
    pub name: String,
    pub description: String,
    pub icon: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusRec {
    pub id: String,
    pub name: String,
    pub description: String,
    /// `new`, `indeterminate` or `done`.
    pub category: String,
    /// The status new issues start in.
    pub initial: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransitionRec {
    pub id: String,
    pub name: String,
    pub from: Vec<String>,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FieldRec {
    pub id: String,
    pub name: String,
    pub custom: bool,
    pub orderable: bool,
    pub navigable: bool,
    pub searchable: bool,
    pub clause_names: Vec<String>,
    pub schema: Value,
    /// Can be set on create and edit (when on the screen).
    pub settable: bool,
    /// `projectId/issueTypeId` pairs whose create screen shows the field; `None` = every screen.
    pub screens: Option<Vec<String>>,
    pub required: bool,
    /// The options of a select field (schema type `option`), in display order.
    #[serde(default)]
    pub options: Vec<FieldOption>,
}

/// One option of a select custom field (Jira's `CustomFieldOption`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FieldOption {
    pub id: String,
    pub value: String,
}

impl FieldRec {
    /// A select field: its value is one of `options`.
    pub(crate) fn is_select(&self) -> bool {
        self.schema.get("type").and_then(Value::as_str) == Some("option")
    }

    pub(crate) fn option(&self, id: &str) -> Option<&FieldOption> {
        self.options.iter().find(|option| option.id == id)
    }

    pub(crate) fn on_screen(&self, project_id: &str, issue_type_id: &str) -> bool {
        match &self.screens {
            None => true,
            Some(screens) => screens
                .iter()
                .any(|screen| *screen == format!("{project_id}/{issue_type_id}")),
        }
    }

    pub(crate) fn json(&self) -> Value {
        let mut field = json!({
            "id": self.id,
            "key": self.id,
            "name": self.name,
            "untranslatedName": self.name,
            "custom": self.custom,
            "orderable": self.orderable,
            "navigable": self.navigable,
            "searchable": self.searchable,
            "clauseNames": self.clause_names,
            "schema": self.schema,
        });
        if !self.custom
            && let Some(object) = field.as_object_mut()
        {
            object.remove("untranslatedName");
        }
        field
    }
}

/// Everything configured on the fake site.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub users: Vec<UserRec>,
    pub projects: Vec<ProjectRec>,
    pub issue_types: Vec<IssueTypeRec>,
    pub statuses: Vec<StatusRec>,
    pub transitions: Vec<TransitionRec>,
    pub fields: Vec<FieldRec>,
    pub groups: Vec<GroupRec>,
}

impl Catalog {
    pub(crate) fn user(&self, account_id: &str) -> Option<&UserRec> {
        self.users.iter().find(|user| user.account_id == account_id)
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Option<&UserRec> {
        self.users.iter().find(|user| {
            user.email
                .as_deref()
                .is_some_and(|known| known.eq_ignore_ascii_case(email))
        })
    }

    /// The groups `account_id` belongs to, in seed order.
    pub(crate) fn groups_of<'a>(&'a self, account_id: &'a str) -> impl Iterator<Item = &'a GroupRec> + 'a {
        self.groups
            .iter()
            .filter(move |group| group.members.iter().any(|member| member == account_id))
    }

    pub(crate) fn app_user(&self) -> Option<&UserRec> {
        self.users.iter().find(|user| user.account_type == "app")
    }

    /// By id or key (keys case-insensitively).
    pub(crate) fn project(&self, id_or_key: &str) -> Option<&ProjectRec> {
        self.projects
            .iter()
            .find(|p| p.id == id_or_key || p.key.eq_ignore_ascii_case(id_or_key))
    }

    pub(crate) fn project_by_id(&self, id: &str) -> Option<&ProjectRec> {
        self.projects.iter().find(|p| p.id == id)
    }

    pub(crate) fn issue_type(&self, id: &str) -> Option<&IssueTypeRec> {
        self.issue_types.iter().find(|t| t.id == id)
    }

    /// An issue type of `project` by id or (case-insensitive) name.
    pub(crate) fn project_issue_type(
        &self,
        project: &ProjectRec,
        id: Option<&str>,
        name: Option<&str>,
    ) -> Option<&IssueTypeRec> {
        project
            .issue_types
            .iter()
            .filter_map(|type_id| self.issue_type(type_id))
            .find(|t| id.is_some_and(|id| t.id == id) || name.is_some_and(|name| t.name.eq_ignore_ascii_case(name)))
    }

    pub(crate) fn status(&self, id: &str) -> Option<&StatusRec> {
        self.statuses.iter().find(|s| s.id == id)
    }

    pub(crate) fn initial_status(&self) -> Option<&StatusRec> {
        self.statuses
            .iter()
            .find(|s| s.initial)
            .or_else(|| self.statuses.first())
    }

    pub(crate) fn transitions_from<'a>(&'a self, status_id: &'a str) -> impl Iterator<Item = &'a TransitionRec> + 'a {
        self.transitions
            .iter()
            .filter(move |t| t.from.iter().any(|from| from == status_id))
    }

    pub(crate) fn field(&self, id: &str) -> Option<&FieldRec> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub(crate) fn custom_fields(&self) -> impl Iterator<Item = &FieldRec> {
        self.fields.iter().filter(|f| f.custom)
    }
}

/// JSON shapes of catalog objects, with `self` links under `base`.
pub(crate) struct Links<'a> {
    pub base: &'a str,
}

impl Links<'_> {
    pub(crate) fn avatar_urls(&self, seed: &str) -> Value {
        let url = |size: u32| format!("{}/avatar/{seed}?size={size}", self.base);
        json!({"48x48": url(48), "24x24": url(24), "16x16": url(16), "32x32": url(32)})
    }

    pub(crate) fn user(&self, user: &UserRec) -> Value {
        let mut value = json!({
            "self": format!("{}/rest/api/3/user?accountId={}", self.base, user.account_id),
            "accountId": user.account_id,
            "accountType": user.account_type,
            "avatarUrls": self.avatar_urls(&user.account_id),
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": "Etc/UTC",
            "locale": "en_US",
        });
        if let (Some(email), Some(object)) = (&user.email, value.as_object_mut()) {
            object.insert("emailAddress".to_string(), json!(email));
        }
        value
    }

    pub(crate) fn group(&self, group: &GroupRec) -> Value {
        json!({
            "name": group.name,
            "groupId": group.group_id,
            "self": format!("{}/rest/api/3/group?groupId={}", self.base, group.group_id),
        })
    }

    /// A user by account id, or a stand-in for an account the site does not know.
    pub(crate) fn user_or_unknown(&self, catalog: &Catalog, account_id: &str) -> Value {
        match catalog.user(account_id) {
            Some(user) => self.user(user),
            None => json!({"accountId": account_id, "displayName": "Unknown user", "active": false}),
        }
    }

    pub(crate) fn status_category(&self, key: &str) -> Value {
        let (id, color, name) = match key {
            "done" => (3, "green", "Done"),
            "indeterminate" => (4, "yellow", "In Progress"),
            _ => (2, "blue-gray", "To Do"),
        };
        json!({
            "self": format!("{}/rest/api/3/statuscategory/{id}", self.base),
            "id": id,
            "key": key,
            "colorName": color,
            "name": name,
        })
    }

    pub(crate) fn status(&self, status: &StatusRec) -> Value {
        json!({
            "self": format!("{}/rest/api/3/status/{}", self.base, status.id),
            "description": status.description,
            "iconUrl": format!("{}/images/icons/statuses/generic.png", self.base),
            "name": status.name,
            "id": status.id,
            "statusCategory": self.status_category(&status.category),
        })
    }

    pub(crate) fn issue_type(&self, issue_type: &IssueTypeRec) -> Value {
        json!({
            "self": format!("{}/rest/api/3/issuetype/{}", self.base, issue_type.id),
            "id": issue_type.id,
            "description": issue_type.description,
            "iconUrl": format!("{}/images/icons/issuetypes/{}.svg", self.base, issue_type.icon),
            "name": issue_type.name,
            "subtask": false,
            "hierarchyLevel": 0,
        })
    }

    /// A select field's option as Jira gives it (`CustomFieldOption`).
    pub(crate) fn field_option(&self, option: &FieldOption) -> Value {
        json!({
            "self": format!("{}/rest/api/3/customFieldOption/{}", self.base, option.id),
            "value": option.value,
            "id": option.id,
        })
    }

    /// The short project object embedded in issues.
    pub(crate) fn project_ref(&self, project: &ProjectRec) -> Value {
        json!({
            "self": format!("{}/rest/api/3/project/{}", self.base, project.id),
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": project.project_type_key,
            "simplified": false,
            "avatarUrls": self.avatar_urls(&project.key),
        })
    }
}
