//! A subset of JQL: clauses joined by `AND` with an optional `ORDER BY` (syntax in
//! `parse.rs`), resolved against the site with Jira's error messages, and evaluated against
//! stored issues.
//!
//! Only what the app sends is supported (`src/providers/epm/flows/expiry.rs` and
//! `intake::find_existing`; the sandbox pages send no JQL):
//! - `issue.property[key].path` with `=` (`!=`, `IN`, `NOT IN` share its code) and `<=` against a
//!   number (`<`, `>`, `>=` share its table; only JSON numbers at the path match, as a
//!   `number`-indexed property in Jira);
//! - `key`/`issuekey`/`id` with `=`, `!=`, `IN`, `NOT IN` (the expiry search's `key NOT IN (…)`);
//! - `ORDER BY key` (the expiry search) or `created` (the default order).
//!
//! One shape stays that the app does not send: `project` with `=`, `!=`, `IN`, `NOT IN`, the
//! restriction the sandbox's own tests page through the site with (a query needs a clause).
//! Everything else is a clear 400: other fields (text, people, labels, status, issue type,
//! custom fields), `OR`, `NOT`, parentheses, functions.

mod parse;

use std::cmp::Ordering;

use serde_json::Value;

use super::catalog::Catalog;
use super::store::Issue;
use parse::{FieldRef, Op, Operand, parse};

/// A checked query, ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    filters: Vec<Filter>,
    order: Vec<(SortKey, bool)>,
}

#[derive(Debug, Clone)]
enum Filter {
    Project(Vec<String>, bool),
    Key(Vec<String>, bool),
    Property {
        key: String,
        path: Vec<String>,
        values: Vec<String>,
        negate: bool,
    },
    PropertyRange {
        key: String,
        path: Vec<String>,
        /// The orderings of `value.cmp(bound)` that match (`<=`: Less or Equal).
        accept: &'static [Ordering],
        bound: f64,
    },
}

#[derive(Debug, Clone, Copy)]
enum SortKey {
    Created,
    Key,
}

fn not_exist(field: &str) -> String {
    format!("Field '{field}' does not exist or you do not have permission to view it.")
}

fn not_searchable(field: &str) -> String {
    format!(
        "The Jira sandbox cannot search on the field '{field}' (it supports what the app sends: issue properties and key)."
    )
}

fn op_not_supported(op: Op, field: &str) -> String {
    format!("The operator '{}' is not supported by the '{field}' field.", op.text())
}

fn value_not_exist(value: &str, field: &str) -> String {
    format!("The value '{value}' does not exist for the field '{field}'.")
}

/// What a field reference resolves to.
enum Kind {
    Project,
    Key,
    Property(String, Vec<String>),
    /// Only usable in ORDER BY.
    Sortable,
}

/// Fields of a real Jira site the sandbox does not search on (a clear error, not "does not
/// exist").
const KNOWN_FIELDS: [&str; 10] = [
    "status",
    "issuetype",
    "type",
    "summary",
    "description",
    "text",
    "assignee",
    "reporter",
    "labels",
    "updated",
];

fn resolve_field(catalog: &Catalog, field: &FieldRef, text: &str) -> Result<Kind, String> {
    match field {
        FieldRef::Custom(id) => match catalog.field(&format!("customfield_{id}")) {
            Some(_) => Err(not_searchable(text)),
            None => Err(not_exist(text)),
        },
        FieldRef::Property { key, path } => Ok(Kind::Property(key.clone(), path.clone())),
        FieldRef::Name(name) => match name.to_ascii_lowercase().as_str() {
            "project" => Ok(Kind::Project),
            "key" | "issuekey" | "issue" | "id" => Ok(Kind::Key),
            "created" | "createddate" => Ok(Kind::Sortable),
            lower if KNOWN_FIELDS.contains(&lower) || lower.starts_with("customfield_") => Err(not_searchable(text)),
            _ => {
                let custom = catalog.custom_fields().any(|f| {
                    f.name.eq_ignore_ascii_case(name) || f.clause_names.iter().any(|c| c.eq_ignore_ascii_case(name))
                });
                Err(if custom { not_searchable(text) } else { not_exist(text) })
            }
        },
    }
}

fn values(operand: &Operand) -> Vec<String> {
    match operand {
        Operand::Value(value) => vec![value.clone()],
        Operand::List(values) => values.clone(),
        Operand::Empty => Vec::new(),
    }
}

/// An issue key's shape: `ABC-123`.
fn key_shape(value: &str) -> Option<(&str, u64)> {
    let (project, number) = value.rsplit_once('-')?;
    let number = number.parse().ok()?;
    let mut chars = project.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some((project, number))
}

/// Parses and checks `jql`. `issue_exists` answers whether an issue key or id exists. The
/// error is the message for `errorMessages`.
pub(crate) fn compile(jql: &str, catalog: &Catalog, issue_exists: &dyn Fn(&str) -> bool) -> Result<Query, String> {
    let ast = parse(jql)?;
    if ast.clauses.is_empty() {
        return Err(
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.".to_string(),
        );
    }
    let mut filters = Vec::new();
    for clause in &ast.clauses {
        let field = clause.field_text.as_str();
        let kind = resolve_field(catalog, &clause.field, field)?;
        let positive = matches!(clause.op, Op::Eq | Op::In);
        let negative = matches!(clause.op, Op::NotEq | Op::NotIn);
        let list_op = positive || negative;
        let empty = clause.operand == Operand::Empty;
        let filter = match kind {
            Kind::Project | Kind::Key => {
                if !list_op {
                    return Err(op_not_supported(clause.op, field));
                }
                if empty {
                    return Err(format!(
                        "The field '{field}' does not support searching for EMPTY values."
                    ));
                }
                let mut ids = Vec::new();
                for value in values(&clause.operand) {
                    let id = match kind {
                        Kind::Project => catalog
                            .projects
                            .iter()
                            .find(|p| {
                                p.id == value
                                    || p.key.eq_ignore_ascii_case(&value)
                                    || p.name.eq_ignore_ascii_case(&value)
                            })
                            .map(|p| p.id.clone()),
                        _ => {
                            let is_id = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
                            if !is_id && key_shape(&value).is_none() {
                                return Err(format!("The issue key '{value}' for field '{field}' is invalid."));
                            }
                            if !issue_exists(&value) {
                                return Err(format!(
                                    "An issue with key '{value}' does not exist for field '{field}'."
                                ));
                            }
                            Some(value.to_ascii_uppercase())
                        }
                    };
                    ids.push(id.ok_or_else(|| value_not_exist(&value, field))?);
                }
                match kind {
                    Kind::Project => Filter::Project(ids, negative),
                    _ => Filter::Key(ids, negative),
                }
            }
            Kind::Property(key, path) if matches!(clause.op, Op::Compare(_)) => {
                let Operand::Value(literal) = &clause.operand else {
                    return Err(op_not_supported(clause.op, field));
                };
                let bound = literal.parse::<f64>().ok().filter(|n| n.is_finite()).ok_or_else(|| {
                    format!("The value '{literal}' for field '{field}' is invalid - please specify a number.")
                })?;
                let accept: &'static [Ordering] = match clause.op {
                    Op::Compare("<") => &[Ordering::Less],
                    Op::Compare("<=") => &[Ordering::Less, Ordering::Equal],
                    Op::Compare(">") => &[Ordering::Greater],
                    Op::Compare(">=") => &[Ordering::Greater, Ordering::Equal],
                    op => return Err(op_not_supported(op, field)),
                };
                Filter::PropertyRange {
                    key,
                    path,
                    accept,
                    bound,
                }
            }
            Kind::Property(key, path) => {
                if !list_op || empty {
                    return Err(op_not_supported(clause.op, field));
                }
                Filter::Property {
                    key,
                    path,
                    values: values(&clause.operand),
                    negate: negative,
                }
            }
            Kind::Sortable => {
                return Err(format!(
                    "The Jira sandbox cannot search on the field '{field}'; it can only sort by it."
                ));
            }
        };
        filters.push(filter);
    }

    if ast.order.len() > 7 {
        return Err("The ORDER BY clause can contain at most 7 fields.".to_string());
    }
    let mut order = Vec::new();
    for item in &ast.order {
        let key = match &item.field {
            FieldRef::Name(name) => match name.to_ascii_lowercase().as_str() {
                "created" | "createddate" => Some(SortKey::Created),
                "key" | "issuekey" | "id" => Some(SortKey::Key),
                _ => None,
            },
            _ => None,
        };
        let Some(key) = key else {
            return Err(match resolve_field(catalog, &item.field, &item.field_text) {
                Ok(_) => format!("Not able to sort using field '{}'.", item.field_text),
                Err(error) => error,
            });
        };
        let ascending = item.ascending.unwrap_or(matches!(key, SortKey::Key));
        order.push((key, ascending));
    }
    Ok(Query { filters, order })
}

/// The values at a dotted path of a property value (arrays match by any element).
fn values_at<'a>(value: &'a Value, path: &[String], out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| values_at(item, path, out)),
        _ => match path.split_first() {
            None => out.push(value),
            Some((first, rest)) => {
                if let Some(inner) = value.get(first.as_str()) {
                    values_at(inner, rest, out);
                }
            }
        },
    }
}

fn scalar_equals(value: &Value, wanted: &str) -> bool {
    match value {
        Value::String(text) => text == wanted,
        Value::Number(number) => match (number.as_f64(), wanted.parse::<f64>()) {
            (Some(a), Ok(b)) => a == b,
            _ => false,
        },
        Value::Bool(flag) => wanted.eq_ignore_ascii_case(if *flag { "true" } else { "false" }),
        _ => false,
    }
}

impl Query {
    /// Whether any clause needs the issue's entity properties.
    pub(crate) fn uses_properties(&self) -> bool {
        self.filters
            .iter()
            .any(|filter| matches!(filter, Filter::Property { .. } | Filter::PropertyRange { .. }))
    }

    pub(crate) fn matches(&self, issue: &Issue, properties: &[(String, Value)]) -> bool {
        self.filters.iter().all(|filter| match filter {
            Filter::Project(ids, negate) => ids.contains(&issue.project_id) != *negate,
            Filter::Key(keys, negate) => {
                let hit = keys.iter().any(|key| *key == issue.key || *key == issue.id.to_string());
                hit != *negate
            }
            Filter::Property {
                key,
                path,
                values,
                negate,
            } => {
                let mut found = Vec::new();
                if let Some((_, value)) = properties.iter().find(|(k, _)| k == key) {
                    values_at(value, path, &mut found);
                }
                if found.is_empty() {
                    return false;
                }
                let hit = found
                    .iter()
                    .any(|value| values.iter().any(|wanted| scalar_equals(value, wanted)));
                hit != *negate
            }
            Filter::PropertyRange {
                key,
                path,
                accept,
                bound,
            } => {
                let mut found = Vec::new();
                if let Some((_, value)) = properties.iter().find(|(k, _)| k == key) {
                    values_at(value, path, &mut found);
                }
                found.iter().any(|value| {
                    value
                        .as_f64()
                        .and_then(|number| number.partial_cmp(bound))
                        .is_some_and(|ordering| accept.contains(&ordering))
                })
            }
        })
    }

    /// Sorts by the ORDER BY (default: newest first), ties by id.
    pub(crate) fn sort(&self, issues: &mut [Issue]) {
        let default = [(SortKey::Created, false)];
        let order: &[(SortKey, bool)] = if self.order.is_empty() { &default } else { &self.order };
        issues.sort_by(|a, b| {
            for (key, ascending) in order {
                let ordering = match key {
                    SortKey::Created => a.created.cmp(&b.created).then(a.id.cmp(&b.id)),
                    SortKey::Key => {
                        let (pa, na) = key_shape(&a.key).unwrap_or(("", 0));
                        let (pb, nb) = key_shape(&b.key).unwrap_or(("", 0));
                        pa.cmp(pb).then(na.cmp(&nb))
                    }
                };
                let ordering = if *ascending { ordering } else { ordering.reverse() };
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
            b.id.cmp(&a.id)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jira::seed;
    use serde_json::json;

    fn compile_ok(jql: &str) -> Query {
        compile(jql, &seed::catalog(), &|key| key == "PMCJIT-1" || key == "10000")
            .unwrap_or_else(|e| panic!("{jql}: {e}"))
    }

    fn compile_err(jql: &str) -> String {
        compile(jql, &seed::catalog(), &|key| key == "PMCJIT-1")
            .map(|_| ())
            .expect_err(jql)
    }

    #[test]
    fn supported_queries_compile() {
        for jql in [
            // What the app sends.
            "issue.property[pam-approvals.epm].requestId = \"abc\" AND issue.property[pam-approvals.epm].tenantId = \"t\"",
            "issue.property[pam-approvals.epm].openExpiry <= 1700000000000 ORDER BY key ASC",
            "issue.property[pam-approvals.epm].openExpiry <= 1 AND key NOT IN (\"PMCJIT-1\") ORDER BY key ASC",
            // The same clauses in other spellings, and the project restriction.
            "project = PMCJIT",
            "key = PMCJIT-1",
            "id = 10000",
            "issue.property[pamRequest].epm.requestId = \"abc\" and project = PMCJIT",
            "project in (PMCJIT, OPS) order by key asc, created",
        ] {
            compile_ok(jql);
        }
    }

    #[test]
    fn errors_read_like_jira() {
        let cases = [
            ("", "Unbounded JQL queries are not allowed"),
            ("order by created", "Unbounded JQL queries are not allowed"),
            ("project = PMCJIT OR project = OPS", "'OR' is not supported"),
            ("cf[10001] ~ \"x\"", "cannot search on the field 'cf[10001]'"),
            ("summary ~ notepad", "cannot search on the field 'summary'"),
            ("assignee is EMPTY", "cannot search on the field 'assignee'"),
            ("labels = epm", "cannot search on the field 'labels'"),
            (
                "\"beyondTrustEpmJitRequestSystemId\" ~ \"req-42\"",
                "cannot search on the field",
            ),
            (
                "project ~ PMCJIT",
                "The operator '~' is not supported by the 'project' field.",
            ),
            (
                "project = NOPE",
                "The value 'NOPE' does not exist for the field 'project'.",
            ),
            ("status = Open", "cannot search on the field 'status'"),
            ("nosuchfield = x", "Field 'nosuchfield' does not exist"),
            ("project PMCJIT", "Expecting operator but got 'PMCJIT'"),
            ("project = \"PMCJIT", "has not been completed"),
            ("project = ", "Expecting either a value"),
            (
                "project = PMCJIT status = Open",
                "Expecting either 'OR' or 'AND' but got 'status'",
            ),
            ("(project = PMCJIT)", "Parentheses are not supported"),
            ("assignee = currentUser()", "functions"),
            ("key = PMCJIT-99", "An issue with key 'PMCJIT-99' does not exist"),
            ("project = PMCJIT order by priority", "Field 'priority' does not exist"),
            (
                "project = PMCJIT order by status",
                "cannot search on the field 'status'",
            ),
            (
                "project = PMCJIT order by project",
                "Not able to sort using field 'project'.",
            ),
            ("project = a%b", "reserved JQL character"),
            ("project = AND", "You must surround 'AND' in quotation marks"),
        ];
        for (jql, expected) in cases {
            let error = compile_err(jql);
            assert!(error.contains(expected), "{jql}: {error}");
        }
        assert!(compile_err("project PMCJIT").ends_with("(line 1, character 9)"));
    }

    #[test]
    fn odd_input_is_an_error_not_a_panic() {
        for jql in [
            "cf[",
            "cf[]",
            "cf[x] ~ a",
            "issue.property[",
            "issue.property[x",
            "issue.property[x]",
            "project in (",
            "project in (a,",
            "project in ()",
            "project is",
            "project is not",
            "order",
            "order by",
            "order by ,",
            "a = b order by",
            "\"",
            "'\\",
            "é = ü",
            "!",
            "= = =",
            "project = PMCJIT AND AND",
            ")",
            "]",
            "[",
            "issue.property[k].a.b ~ x",
            "labels is empty order by created desc,",
            "key in (PMCJIT-1, nope)",
        ] {
            let result = compile(jql, &seed::catalog(), &|_| true);
            assert!(result.is_err(), "{jql} should be rejected");
        }
    }

    fn issue(key: &str, id: i64, custom: Option<&str>) -> Issue {
        Issue {
            id,
            key: key.into(),
            project_id: seed::PMCJIT_PROJECT_ID.into(),
            issue_type_id: seed::ACCESS_REQUEST_TYPE_ID.into(),
            status_id: "10001".into(),
            summary: format!("Summary of {key}"),
            description: None,
            assignee: None,
            reporter: None,
            creator: None,
            labels: vec![],
            custom: custom
                .map(|v| [(seed::EPM_REQUEST_ID_FIELD.to_string(), Value::String(v.into()))].into())
                .unwrap_or_default(),
            created: id,
            updated: id,
        }
    }

    #[test]
    fn property_comparisons_compare_numbers() {
        let a = issue("PMCJIT-1", 10000, None);
        let due = |expiry: Value| vec![("pam-approvals.epm".to_string(), json!({"openExpiry": expiry}))];
        let q = compile_ok("issue.property[pam-approvals.epm].openExpiry <= 1700000000000 ORDER BY key ASC");
        assert!(q.uses_properties());
        assert!(q.matches(&a, &due(json!(1_699_999_999_999_i64))));
        assert!(
            q.matches(&a, &due(json!(1_700_000_000_000_i64))),
            "<= includes the bound"
        );
        assert!(!q.matches(&a, &due(json!(1_700_000_000_001_i64))));
        // Only numbers compare: absent, null, text and objects never match.
        assert!(!q.matches(&a, &[]));
        assert!(!q.matches(&a, &[("pam-approvals.epm".to_string(), json!({}))]));
        for other in [json!(null), json!("1"), json!({"at": 1}), json!(true)] {
            assert!(!q.matches(&a, &due(other.clone())), "{other}");
        }
        // Arrays match by any element, as for `=`.
        assert!(q.matches(&a, &due(json!([1_800_000_000_000_i64, 5]))));

        let cases = [
            ("<", 5.0, false),
            ("<", 4.5, true),
            ("<=", 5.0, true),
            (">", 5.0, false),
            (">", 5.5, true),
            (">=", 5.0, true),
            (">=", 4.5, false),
        ];
        for (op, value, expected) in cases {
            let q = compile_ok(&format!("issue.property[k].a.n {op} 5"));
            let props = vec![("k".to_string(), json!({"a": {"n": value}}))];
            assert_eq!(q.matches(&a, &props), expected, "{value} {op} 5");
        }
        let q = compile_ok("issue.property[k].n > -1.5 and issue.property[k].n < \"2e3\"");
        assert!(q.matches(&a, &[("k".to_string(), json!({"n": 0}))]));
        assert!(!q.matches(&a, &[("k".to_string(), json!({"n": 2000}))]));
    }

    #[test]
    fn property_comparisons_need_one_number() {
        let invalid = "The value 'soon' for field 'issue.property[k].n' is invalid - please specify a number.";
        assert_eq!(compile_err("issue.property[k].n < soon"), invalid);
        assert!(compile_err("issue.property[k].n >= \"\"").contains("please specify a number"));
        assert!(compile_err("issue.property[k].n <= NaN").contains("please specify a number"));
        assert!(compile_err("issue.property[k].n <= inf").contains("please specify a number"));
        assert!(compile_err("issue.property[k].n > EMPTY").contains("The operator '>' is not supported"));
        assert!(compile("issue.property[k].n < (1, 2)", &seed::catalog(), &|_| true).is_err());
        // Other fields still refuse comparisons.
        assert!(compile_err("project < 5").contains("The operator '<' is not supported by the 'project' field."));
    }

    #[test]
    fn evaluation() {
        let a = issue("PMCJIT-1", 10000, Some("REQ-Alpha"));
        let b = issue("PMCJIT-2", 10001, Some("req-beta"));
        let q = compile_ok("project = PMCJIT AND key NOT IN (PMCJIT-1)");
        assert!(!q.matches(&a, &[]) && q.matches(&b, &[]));
        let q = compile_ok("issue.property[pam].request.ids = \"r2\"");
        let props = vec![("pam".to_string(), serde_json::json!({"request": {"ids": ["r1", "r2"]}}))];
        assert!(q.matches(&a, &props) && !q.matches(&a, &[]));
        let q = compile_ok("issue.property[pam].n = 3");
        assert!(q.matches(&a, &[("pam".to_string(), serde_json::json!({"n": 3}))]));
        let mut issues = vec![a.clone(), b.clone()];
        compile_ok("project = PMCJIT").sort(&mut issues);
        assert_eq!(issues[0].key, "PMCJIT-2");
        compile_ok("project = PMCJIT ORDER BY key ASC").sort(&mut issues);
        assert_eq!(issues[0].key, "PMCJIT-1");
    }
}
