//! Atlassian's published contracts, compiled into validators: the Jira Cloud platform OpenAPI,
//! the JSM subset (request comments and approvals: `jsm-request-comment-subset.openapi.json`, a
//! verbatim copy of those operations and their schemas), and the Atlassian Document Format JSON
//! Schema.
//!
//! [`Contracts::check_request`] finds the operation for a method and path by matching the specs'
//! path templates, then checks the JSON request body against the operation's schema (OpenAPI 3.0
//! schemas are translated to JSON Schema draft 4: `nullable` becomes "or null", read-only
//! properties are not required in requests, OpenAPI-only keywords are dropped) and checks the
//! query parameters. Rich-text fields that the spec leaves free-form (`fields.description`, a
//! comment's `body`) are checked against the ADF schema.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use anyhow::{Context, anyhow};
use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, ValidationError, Validator};
use serde_json::{Map, Value, json};

const JIRA_PLATFORM_SPEC: &str = include_str!("../../contracts/specs/jira-platform-swagger-v3.v3.json");
const JSM_COMMENT_SPEC: &str = include_str!("../../contracts/specs/jsm-request-comment-subset.openapi.json");
const ADF_SCHEMA: &str = include_str!("../../contracts/specs/adf-schema-v1-full.json");

/// Longest problem message kept (instances can be whole documents).
const MAX_MESSAGE_CHARS: usize = 300;
/// At most this many problems are reported for one request.
const MAX_PROBLEMS: usize = 20;

/// Why a request does not meet the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestViolation {
    /// No operation in the specs matches the method and path.
    UnknownOperation(String),
    /// The operation exists, but the request breaks its contract; one message per problem,
    /// each naming the JSON pointer or parameter concerned.
    Invalid(Vec<String>),
}

impl fmt::Display for RequestViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestViolation::UnknownOperation(message) => {
                write!(f, "unknown operation: {message}")
            }
            RequestViolation::Invalid(problems) => {
                write!(f, "request breaks the contract: {}", problems.join("; "))
            }
        }
    }
}

impl std::error::Error for RequestViolation {}

/// The compiled contracts. Cheap to share (`Arc<Contracts>`); request validators are compiled
/// on first use per operation and cached.
pub struct Contracts {
    operations: Vec<Operation>,
    /// Translated `components.schemas` per spec (index = `Operation::spec`).
    components: Vec<Map<String, Value>>,
    spec_names: Vec<&'static str>,
    body_validators: Mutex<HashMap<usize, Arc<Validator>>>,
    adf: Validator,
    /// Every node and mark type the ADF schema knows.
    adf_types: HashSet<String>,
}

#[derive(Debug)]
struct Operation {
    method: String,
    template: String,
    segments: Vec<Segment>,
    spec: usize,
    body: Option<BodyRule>,
    query: Vec<QueryParam>,
    adf: AdfRule,
    deprecated: bool,
}

#[derive(Debug)]
enum Segment {
    Literal(String),
    Param,
}

#[derive(Debug)]
struct BodyRule {
    required: bool,
    /// Translated JSON schema of the `application/json` body; `None` when the operation takes
    /// another media type (the body is then not checked).
    schema: Option<Value>,
}

#[derive(Debug)]
struct QueryParam {
    name: String,
    required: bool,
    kind: ParamKind,
}

#[derive(Debug)]
enum ParamKind {
    Integer,
    Boolean,
    Enum(Vec<String>),
    Other,
}

/// Which parts of a body hold ADF documents that the spec leaves free-form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AdfRule {
    None,
    /// `IssueUpdateDetails`: `fields.description` and `update.description[].set`.
    IssueFields,
    /// `{issueUpdates: [IssueUpdateDetails]}`.
    BulkIssueFields,
    /// A platform comment: `body` is required and must be ADF.
    CommentBody,
}

impl Contracts {
    /// Parses the specs once (cheap enough to call once per process; wrap in Arc / OnceLock).
    pub fn load() -> anyhow::Result<Contracts> {
        let mut operations = Vec::new();
        let mut components = Vec::new();
        let spec_names = vec!["Jira Cloud platform REST v3", "JSM request comment and approval subset"];
        for (index, text) in [JIRA_PLATFORM_SPEC, JSM_COMMENT_SPEC].into_iter().enumerate() {
            let spec: Value =
                serde_json::from_str(text).with_context(|| format!("parsing the {} spec", spec_names[index]))?;
            read_operations(&spec, index, &mut operations)
                .with_context(|| format!("reading the {} spec", spec_names[index]))?;
            let schemas = spec
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .map(|schemas| {
                    schemas
                        .iter()
                        .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
                        .collect::<Map<String, Value>>()
                })
                .unwrap_or_default();
            components.push(schemas);
        }

        let adf_schema: Value = serde_json::from_str(ADF_SCHEMA).context("parsing the ADF schema")?;
        let adf_types = adf_type_names(&adf_schema);
        let adf = jsonschema::options()
            .with_draft(Draft::Draft4)
            .should_validate_formats(false)
            .build(&adf_schema)
            .map_err(|e| anyhow!("compiling the ADF schema: {e}"))?;

        Ok(Contracts {
            operations,
            components,
            spec_names,
            body_validators: Mutex::new(HashMap::new()),
            adf,
            adf_types,
        })
    }

    /// Finds the operation for (method, path) by matching the specs' path templates (literal
    /// segments win over templates), then validates the JSON body and the query parameters.
    pub fn check_request(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<&str>,
    ) -> Result<(), RequestViolation> {
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, query),
            None => (path_and_query, ""),
        };
        let method = method.to_ascii_uppercase();
        let index = self.find_operation(&method, path)?;
        let operation = &self.operations[index];

        let mut problems = Vec::new();
        check_query(operation, query, &mut problems);

        if let Some(rule) = &operation.body {
            let text = body.filter(|text| !text.trim().is_empty());
            match text {
                None if rule.required => problems.push(format!(
                    "request body: required by {} {}",
                    operation.method, operation.template
                )),
                None => {}
                Some(text) if rule.schema.is_some() => match serde_json::from_str::<Value>(text) {
                    Err(e) => problems.push(format!("request body: not valid JSON ({e})")),
                    Ok(instance) => {
                        match self.body_validator(index) {
                            Ok(Some(validator)) => collect_errors(&validator, &instance, "", None, &mut problems),
                            Ok(None) => {}
                            Err(e) => problems.push(format!(
                                "request body: the contract's schema for {} {} does not compile: {e}",
                                operation.method, operation.template
                            )),
                        }
                        self.check_adf_parts(operation.adf, &instance, &mut problems);
                    }
                },
                Some(_) => {}
            }
        }

        if problems.is_empty() {
            Ok(())
        } else {
            problems.truncate(MAX_PROBLEMS);
            Err(RequestViolation::Invalid(problems))
        }
    }

    /// Validates one ADF document on its own (used by tests of the app's ADF output).
    pub fn check_adf(&self, doc: &Value) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        self.check_adf_at(doc, "", &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            problems.truncate(MAX_PROBLEMS);
            Err(problems)
        }
    }

    /// The spec path template of the operation that `method` and `path` resolve to, if any
    /// (for logs and tests).
    pub fn operation_template(&self, method: &str, path: &str) -> Option<&str> {
        let path = path.split_once('?').map_or(path, |(path, _)| path);
        self.find_operation(&method.to_ascii_uppercase(), path)
            .ok()
            .map(|index| self.operations[index].template.as_str())
    }

    /// Whether the spec marks the operation `deprecated` (e.g. the old `/rest/api/3/search`,
    /// which Atlassian is removing).
    pub fn is_deprecated(&self, method: &str, path: &str) -> bool {
        let path = path.split_once('?').map_or(path, |(path, _)| path);
        self.find_operation(&method.to_ascii_uppercase(), path)
            .is_ok_and(|index| self.operations[index].deprecated)
    }

    fn find_operation(&self, method: &str, path: &str) -> Result<usize, RequestViolation> {
        let segments: Vec<&str> = path.split('/').collect();
        let mut best: Option<(Vec<bool>, usize)> = None;
        let mut other_methods = BTreeSet::new();
        for (index, operation) in self.operations.iter().enumerate() {
            let Some(rank) = match_template(&operation.segments, &segments) else {
                continue;
            };
            if operation.method != method {
                other_methods.insert(operation.method.as_str());
                continue;
            }
            if best.as_ref().is_none_or(|(best_rank, _)| rank < *best_rank) {
                best = Some((rank, index));
            }
        }
        match best {
            Some((_, index)) => Ok(index),
            None if other_methods.is_empty() => Err(RequestViolation::UnknownOperation(format!(
                "no operation matches {method} {path} in the {} or {} specs",
                self.spec_names[0], self.spec_names[1]
            ))),
            None => Err(RequestViolation::UnknownOperation(format!(
                "{path} does not allow {method} (the specs define {})",
                other_methods.into_iter().collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// The compiled body validator of an operation, compiled on first use.
    fn body_validator(&self, index: usize) -> Result<Option<Arc<Validator>>, String> {
        let operation = &self.operations[index];
        let Some(schema) = operation.body.as_ref().and_then(|rule| rule.schema.as_ref()) else {
            return Ok(None);
        };
        if let Some(validator) = lock(&self.body_validators).get(&index) {
            return Ok(Some(Arc::clone(validator)));
        }
        let root = schema_with_components(schema, &self.components[operation.spec]);
        let validator = jsonschema::options()
            .with_draft(Draft::Draft4)
            .should_validate_formats(false)
            .build(&root)
            .map_err(|e| e.to_string())?;
        let validator = Arc::new(validator);
        lock(&self.body_validators).insert(index, Arc::clone(&validator));
        Ok(Some(validator))
    }

    fn check_adf_parts(&self, rule: AdfRule, body: &Value, problems: &mut Vec<String>) {
        match rule {
            AdfRule::None => {}
            AdfRule::IssueFields => self.check_issue_fields_adf(body, "", problems),
            AdfRule::BulkIssueFields => {
                if let Some(updates) = body.get("issueUpdates").and_then(Value::as_array) {
                    for (i, update) in updates.iter().enumerate() {
                        self.check_issue_fields_adf(update, &format!("/issueUpdates/{i}"), problems);
                    }
                }
            }
            AdfRule::CommentBody => match body.get("body") {
                None | Some(Value::Null) => problems.push("/body: required (an ADF document)".to_string()),
                Some(doc) => self.check_adf_at(doc, "/body", problems),
            },
        }
    }

    fn check_issue_fields_adf(&self, details: &Value, prefix: &str, problems: &mut Vec<String>) {
        if let Some(description) = details.pointer("/fields/description")
            && !description.is_null()
        {
            self.check_adf_at(description, &format!("{prefix}/fields/description"), problems);
        }
        if let Some(operations) = details.pointer("/update/description").and_then(Value::as_array) {
            for (i, operation) in operations.iter().enumerate() {
                if let Some(doc) = operation.get("set")
                    && !doc.is_null()
                {
                    self.check_adf_at(doc, &format!("{prefix}/update/description/{i}/set"), problems);
                }
            }
        }
    }

    fn check_adf_at(&self, doc: &Value, prefix: &str, problems: &mut Vec<String>) {
        collect_errors(&self.adf, doc, prefix, Some(&self.adf_types), problems);
    }

    /// Compiles every operation's body validator (for tests: proves the whole spec translates).
    #[cfg(test)]
    fn compile_all(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for (index, operation) in self.operations.iter().enumerate() {
            if let Err(e) = self.body_validator(index) {
                failures.push(format!("{} {}: {e}", operation.method, operation.template));
            }
        }
        failures
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads the operations of one OpenAPI document.
fn read_operations(spec: &Value, spec_index: usize, out: &mut Vec<Operation>) -> anyhow::Result<()> {
    let paths = spec
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow!("the spec has no paths"))?;
    for (template, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        let path_level_params: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|params| params.iter().collect())
            .unwrap_or_default();
        for (method, operation) in item {
            if !matches!(
                method.as_str(),
                "get" | "put" | "post" | "delete" | "patch" | "head" | "options"
            ) {
                continue;
            }
            let params = path_level_params.iter().copied().chain(
                operation
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            );
            let query = params
                .filter(|param| param.get("in").and_then(Value::as_str) == Some("query"))
                .filter_map(|param| {
                    Some(QueryParam {
                        name: param.get("name")?.as_str()?.to_string(),
                        required: param.get("required").and_then(Value::as_bool).unwrap_or(false),
                        kind: param_kind(param.get("schema")),
                    })
                })
                .collect();
            let body = operation.get("requestBody").map(|request_body| BodyRule {
                required: request_body.get("required").and_then(Value::as_bool).unwrap_or(false),
                schema: request_body
                    .pointer("/content/application~1json")
                    .map(|media| media.get("schema").map(to_json_schema).unwrap_or(json!({}))),
            });
            let method = method.to_ascii_uppercase();
            let adf = adf_rule(&method, template);
            out.push(Operation {
                segments: template
                    .split('/')
                    .map(|segment| {
                        if segment.starts_with('{') && segment.ends_with('}') {
                            Segment::Param
                        } else {
                            Segment::Literal(segment.to_string())
                        }
                    })
                    .collect(),
                method,
                template: template.clone(),
                spec: spec_index,
                body,
                query,
                adf,
                deprecated: operation.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
            });
        }
    }
    Ok(())
}

fn adf_rule(method: &str, template: &str) -> AdfRule {
    match (method, template) {
        ("POST", "/rest/api/3/issue")
        | ("PUT", "/rest/api/3/issue/{issueIdOrKey}")
        | ("POST", "/rest/api/3/issue/{issueIdOrKey}/transitions") => AdfRule::IssueFields,
        ("POST", "/rest/api/3/issue/bulk") => AdfRule::BulkIssueFields,
        ("POST", "/rest/api/3/issue/{issueIdOrKey}/comment")
        | ("PUT", "/rest/api/3/issue/{issueIdOrKey}/comment/{id}") => AdfRule::CommentBody,
        _ => AdfRule::None,
    }
}

fn param_kind(schema: Option<&Value>) -> ParamKind {
    let Some(schema) = schema else {
        return ParamKind::Other;
    };
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .filter_map(|value| match value {
                Value::String(s) => Some(s.clone()),
                Value::Bool(_) | Value::Number(_) => Some(value.to_string()),
                _ => None,
            })
            .collect();
        if !values.is_empty() {
            return ParamKind::Enum(values);
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => ParamKind::Integer,
        Some("boolean") => ParamKind::Boolean,
        _ => ParamKind::Other,
    }
}

/// A template matches when it has as many segments as the path and every literal is equal.
/// The rank prefers literals over templates, left to right (smaller is better).
fn match_template(template: &[Segment], path: &[&str]) -> Option<Vec<bool>> {
    if template.len() != path.len() {
        return None;
    }
    let mut rank = Vec::with_capacity(template.len());
    for (segment, actual) in template.iter().zip(path) {
        match segment {
            Segment::Literal(literal) if literal == actual => rank.push(false),
            Segment::Literal(_) => return None,
            Segment::Param if actual.is_empty() => return None,
            Segment::Param => rank.push(true),
        }
    }
    Some(rank)
}

fn check_query(operation: &Operation, query: &str, problems: &mut Vec<String>) {
    let pairs = parse_query(query);
    for param in &operation.query {
        let values: Vec<&str> = pairs
            .iter()
            .filter(|(name, _)| *name == param.name)
            .map(|(_, value)| value.as_str())
            .collect();
        if values.is_empty() {
            if param.required {
                problems.push(format!("query parameter '{}': required", param.name));
            }
            continue;
        }
        for value in values {
            let problem = match &param.kind {
                ParamKind::Integer if value.parse::<i64>().is_err() => {
                    Some(format!("expected an integer, got '{}'", shorten(value)))
                }
                ParamKind::Boolean if !matches!(value, "true" | "false") => {
                    Some(format!("expected true or false, got '{}'", shorten(value)))
                }
                ParamKind::Enum(allowed) if !allowed.iter().any(|a| a == value) => {
                    Some(format!("'{}' is not one of {}", shorten(value), allowed.join(", ")))
                }
                _ => None,
            };
            if let Some(problem) = problem {
                problems.push(format!("query parameter '{}': {problem}", param.name));
            }
        }
    }
}

/// Splits and percent-decodes a query string (`application/x-www-form-urlencoded`: `+` is a
/// space; a malformed escape stays as written).
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

/// Translates an OpenAPI 3.0 schema object into JSON Schema draft 4.
fn to_json_schema(schema: &Value) -> Value {
    let Value::Object(object) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (keyword, value) in object {
        match keyword.as_str() {
            "nullable" | "discriminator" | "readOnly" | "writeOnly" | "example" | "examples" | "xml" | "deprecated"
            | "externalDocs" | "description" | "title" | "default" => {}
            "properties" | "patternProperties" | "definitions" => {
                let translated = value
                    .as_object()
                    .map(|map| {
                        map.iter()
                            .map(|(name, sub)| (name.clone(), to_json_schema(sub)))
                            .collect::<Map<String, Value>>()
                    })
                    .map(Value::Object)
                    .unwrap_or_else(|| value.clone());
                out.insert(keyword.clone(), translated);
            }
            "items" | "additionalProperties" | "not" | "additionalItems" => {
                out.insert(keyword.clone(), to_json_schema(value));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let translated = value
                    .as_array()
                    .map(|list| Value::Array(list.iter().map(to_json_schema).collect()))
                    .unwrap_or_else(|| value.clone());
                out.insert(keyword.clone(), translated);
            }
            "required" => {
                // Read-only properties are only required in responses.
                let read_only = |name: &str| {
                    object
                        .get("properties")
                        .and_then(|props| props.get(name))
                        .and_then(|prop| prop.get("readOnly"))
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                };
                let required: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|name| name.as_str().is_some_and(|name| !read_only(name)))
                    .cloned()
                    .collect();
                if !required.is_empty() {
                    out.insert(keyword.clone(), Value::Array(required));
                }
            }
            _ => {
                out.insert(keyword.clone(), value.clone());
            }
        }
    }
    if object.get("nullable").and_then(Value::as_bool) == Some(true) {
        json!({"anyOf": [{"type": "null"}, Value::Object(out)]})
    } else {
        Value::Object(out)
    }
}

/// A root document holding `schema` plus the component schemas it references (transitively), so
/// `#/components/schemas/X` references resolve inside it.
fn schema_with_components(schema: &Value, components: &Map<String, Value>) -> Value {
    let mut needed = BTreeSet::new();
    let mut pending = Vec::new();
    collect_component_refs(schema, &mut pending);
    while let Some(name) = pending.pop() {
        if needed.insert(name.clone())
            && let Some(component) = components.get(&name)
        {
            collect_component_refs(component, &mut pending);
        }
    }
    let schemas: Map<String, Value> = needed
        .into_iter()
        .filter_map(|name| components.get(&name).map(|schema| (name, schema.clone())))
        .collect();
    json!({"allOf": [schema], "components": {"schemas": schemas}})
}

fn collect_component_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, sub) in map {
                if key == "$ref"
                    && let Some(name) = sub.as_str().and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.push(name.replace("~1", "/").replace("~0", "~"));
                } else {
                    collect_component_refs(sub, out);
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|sub| collect_component_refs(sub, out)),
        _ => {}
    }
}

/// Every `type` constant in the ADF schema's definitions (node and mark names).
fn adf_type_names(schema: &Value) -> HashSet<String> {
    let mut names = HashSet::new();
    if let Some(definitions) = schema.get("definitions").and_then(Value::as_object) {
        for definition in definitions.values() {
            let mut stack = vec![definition];
            while let Some(value) = stack.pop() {
                if let Some(values) = value.pointer("/properties/type/enum").and_then(Value::as_array) {
                    names.extend(values.iter().filter_map(Value::as_str).map(str::to_string));
                }
                if let Some(list) = value.get("allOf").and_then(Value::as_array) {
                    stack.extend(list);
                }
            }
        }
    }
    names
}

/// Validates `instance`, appending one message per problem with the JSON pointer (prefixed by
/// `prefix`). With `node_types` (ADF), failed `anyOf` alternatives are explained by following
/// the alternative for the node's `type`, so problems point at the innermost node.
fn collect_errors(
    validator: &Validator,
    instance: &Value,
    prefix: &str,
    node_types: Option<&HashSet<String>>,
    problems: &mut Vec<String>,
) {
    for error in validator.iter_errors(instance) {
        explain(&error, instance, prefix, node_types, problems, 0);
        if problems.len() >= MAX_PROBLEMS {
            return;
        }
    }
}

fn explain(
    error: &ValidationError<'_>,
    root: &Value,
    prefix: &str,
    node_types: Option<&HashSet<String>>,
    problems: &mut Vec<String>,
    depth: usize,
) {
    let path = error.instance_path().as_str().to_string();
    let location = if prefix.is_empty() && path.is_empty() {
        "/".to_string()
    } else {
        format!("{prefix}{path}")
    };
    if let (Some(types), ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context }) =
        (node_types, error.kind())
        && depth < 64
    {
        let node = root.pointer(&path);
        let node_type = node.and_then(|n| n.get("type")).and_then(Value::as_str);
        if let Some(node_type) = node_type {
            let type_path = format!("{path}/type");
            let candidates: Vec<&Vec<ValidationError<'static>>> = context
                .iter()
                .filter(|branch| {
                    !branch.iter().any(|e| {
                        e.instance_path().as_str() == type_path
                            || (e.instance_path().as_str() == path
                                && matches!(e.kind(), ValidationErrorKind::Type { .. }))
                    })
                })
                .collect();
            if candidates.is_empty() {
                let what = if types.contains(node_type) {
                    format!("\"{}\" is not allowed here", shorten(node_type))
                } else {
                    format!("unknown ADF node or mark type \"{}\"", shorten(node_type))
                };
                problems.push(format!("{location}: {what}"));
                return;
            }
            // Follow the alternative that got furthest into the node.
            let best = candidates.into_iter().max_by_key(|branch| {
                let deepest = branch
                    .iter()
                    .map(|e| e.instance_path().segments().count())
                    .max()
                    .unwrap_or(0);
                (deepest, usize::MAX - branch.len())
            });
            if let Some(branch) = best {
                for inner in branch {
                    explain(inner, root, prefix, node_types, problems, depth + 1);
                }
                return;
            }
        }
    }
    problems.push(format!("{location}: {}", message(error)));
}

fn message(error: &ValidationError<'_>) -> String {
    let text = match error.kind() {
        ValidationErrorKind::AnyOf { .. } => "does not match any of the allowed shapes ('anyOf')".to_string(),
        ValidationErrorKind::OneOfNotValid { .. } => "does not match any of the allowed shapes ('oneOf')".to_string(),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "matches more than one of the allowed shapes ('oneOf')".to_string()
        }
        _ => error.to_string(),
    };
    shorten(&text)
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;
    use std::time::Instant;

    fn contracts() -> &'static Contracts {
        static CONTRACTS: OnceLock<Contracts> = OnceLock::new();
        CONTRACTS.get_or_init(|| Contracts::load().expect("the contracts load"))
    }

    fn invalid(result: Result<(), RequestViolation>) -> Vec<String> {
        match result {
            Err(RequestViolation::Invalid(problems)) => problems,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    fn create_body(description: Value) -> String {
        json!({
            "fields": {
                "project": {"key": "PMCJIT"},
                "issuetype": {"name": "Access Request"},
                "summary": "Elevate notepad.exe",
                "description": description,
                "customfield_10001": "req-1",
                "labels": ["epm"]
            },
            "properties": [{"key": "pam", "value": {"requestId": "req-1"}}]
        })
        .to_string()
    }

    fn doc(content: Value) -> Value {
        json!({"type": "doc", "version": 1, "content": content})
    }

    #[test]
    fn load_time_is_reported() {
        let started = Instant::now();
        let loaded = Contracts::load().expect("load");
        let elapsed = started.elapsed();
        println!(
            "Contracts::load() took {elapsed:?} ({} operations)",
            loaded.operations.len()
        );
        assert!(loaded.operations.len() > 400);
    }

    #[test]
    fn valid_create_issue_with_adf_description_passes() {
        let description = doc(json!([
            {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Request"}]},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "User ", "marks": [{"type": "strong"}]},
                {"type": "text", "text": "alice", "marks": [{"type": "code"}]},
                {"type": "hardBreak"},
                {"type": "text", "text": "link", "marks": [{"type": "link", "attrs": {"href": "https://example.com"}}]}
            ]},
            {"type": "table", "content": [{"type": "tableRow", "content": [
                {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "k"}]}]},
                {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "v"}]}]}
            ]}]}
        ]));
        let body = create_body(description);
        assert_eq!(
            contracts().check_request("POST", "/rest/api/3/issue?updateHistory=false", Some(&body)),
            Ok(())
        );
    }

    #[test]
    fn unknown_node_type_in_description_names_the_pointer() {
        let description = doc(json!([
            {"type": "paragraph", "content": [{"type": "text", "text": "ok"}]},
            {"type": "blink", "content": []}
        ]));
        let problems = invalid(contracts().check_request("POST", "/rest/api/3/issue", Some(&create_body(description))));
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("/fields/description/content/1:") && p.contains("blink")),
            "{problems:?}"
        );
    }

    #[test]
    fn deep_adf_problem_points_at_the_inner_node() {
        let description = doc(json!([
            {"type": "paragraph", "content": [{"type": "text", "text": "x", "marks": [{"type": "sparkle"}]}]}
        ]));
        let problems = invalid(contracts().check_request(
            "PUT",
            "/rest/api/3/issue/PMCJIT-1",
            Some(&json!({"fields": {"description": description}}).to_string()),
        ));
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("/fields/description/content/0/content/0")),
            "{problems:?}"
        );
    }

    #[test]
    fn null_description_is_accepted() {
        let body = json!({"fields": {"summary": "s", "description": null}}).to_string();
        assert_eq!(
            contracts().check_request("PUT", "/rest/api/3/issue/10001", Some(&body)),
            Ok(())
        );
    }

    #[test]
    fn string_description_is_rejected() {
        let body = json!({"fields": {"description": "plain text"}}).to_string();
        let problems = invalid(contracts().check_request("PUT", "/rest/api/3/issue/PMCJIT-1", Some(&body)));
        assert!(
            problems.iter().any(|p| p.starts_with("/fields/description:")),
            "{problems:?}"
        );
    }

    #[test]
    fn fields_as_a_string_is_rejected() {
        let body = json!({"fields": "summary=x"}).to_string();
        let problems = invalid(contracts().check_request("POST", "/rest/api/3/issue", Some(&body)));
        assert!(problems.iter().any(|p| p.starts_with("/fields:")), "{problems:?}");
    }

    #[test]
    fn missing_and_malformed_bodies_are_rejected() {
        let problems = invalid(contracts().check_request("POST", "/rest/api/3/issue", None));
        assert!(problems[0].contains("required"), "{problems:?}");
        let problems = invalid(contracts().check_request("POST", "/rest/api/3/issue", Some("{nope")));
        assert!(problems[0].contains("not valid JSON"), "{problems:?}");
    }

    #[test]
    fn entity_property_with_extra_member_is_rejected() {
        let body = json!({"fields": {"summary": "s"}, "properties": [{"key": "k", "value": 1, "extra": true}]});
        let problems = invalid(contracts().check_request("POST", "/rest/api/3/issue", Some(&body.to_string())));
        assert!(problems.iter().any(|p| p.starts_with("/properties/0:")), "{problems:?}");
    }

    #[test]
    fn unknown_path_is_an_unknown_operation() {
        assert!(matches!(
            contracts().check_request("GET", "/rest/api/3/nothing/here", None),
            Err(RequestViolation::UnknownOperation(_))
        ));
        assert!(matches!(
            contracts().check_request("PATCH", "/rest/api/3/issue/PMCJIT-1", None),
            Err(RequestViolation::UnknownOperation(_))
        ));
        // Only v3 is in the spec.
        assert!(matches!(
            contracts().check_request("GET", "/rest/api/2/search", None),
            Err(RequestViolation::UnknownOperation(_))
        ));
        assert!(contracts().is_deprecated("GET", "/rest/api/3/search?jql=x"));
        assert!(!contracts().is_deprecated("GET", "/rest/api/3/search/jql"));
    }

    #[test]
    fn odd_requests_do_not_panic() {
        for (method, path) in [
            ("", ""),
            ("GET", "no-slash"),
            ("get", "/rest/api/3/myself?%%%=&&="),
            ("POST", "//"),
        ] {
            let _ = contracts().check_request(method, path, Some("\u{0}"));
        }
        assert_eq!(contracts().check_request("get", "/rest/api/3/myself", None), Ok(()));
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(
            contracts()
                .check_request("POST", "/rest/api/3/issue", Some(&deep))
                .is_err()
        );
    }

    #[test]
    fn literal_segments_win_over_templates() {
        assert_eq!(
            contracts().operation_template("GET", "/rest/api/3/issue/createmeta/PMCJIT/issuetypes"),
            Some("/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes")
        );
        assert_eq!(
            contracts().operation_template("GET", "/rest/api/3/issue/PMCJIT-1"),
            Some("/rest/api/3/issue/{issueIdOrKey}")
        );
        assert_eq!(
            contracts().operation_template("GET", "/rest/api/3/issue/createmeta"),
            Some("/rest/api/3/issue/createmeta")
        );
    }

    #[test]
    fn jsm_comment_contract() {
        let path = "/rest/servicedeskapi/request/PMCJIT-1/comment";
        let ok = json!({"body": "Approved for 1 hour", "public": false}).to_string();
        assert_eq!(contracts().check_request("POST", path, Some(&ok)), Ok(()));
        let extra = json!({"body": "x", "public": false, "internal": true}).to_string();
        let problems = invalid(contracts().check_request("POST", path, Some(&extra)));
        assert!(problems.iter().any(|p| p.contains("internal")), "{problems:?}");
        let adf = json!({"body": doc(json!([])), "public": false}).to_string();
        let problems = invalid(contracts().check_request("POST", path, Some(&adf)));
        assert!(problems.iter().any(|p| p.starts_with("/body:")), "{problems:?}");
    }

    #[test]
    fn jsm_approval_contract() {
        let list = "/rest/servicedeskapi/request/PMCJIT-1/approval";
        assert_eq!(contracts().check_request("GET", list, None), Ok(()));
        assert_eq!(
            contracts().operation_template("GET", "/rest/servicedeskapi/request/PMCJIT-1/approval/7"),
            Some("/rest/servicedeskapi/request/{issueIdOrKey}/approval/{approvalId}")
        );
        let answer = "/rest/servicedeskapi/request/PMCJIT-1/approval/7";
        let ok = json!({"decision": "approve"}).to_string();
        assert_eq!(contracts().check_request("POST", answer, Some(&ok)), Ok(()));
        let wrong = json!({"decision": "approve", "comment": "x"}).to_string();
        let problems = invalid(contracts().check_request("POST", answer, Some(&wrong)));
        assert!(problems.iter().any(|p| p.contains("comment")), "{problems:?}");
    }

    #[test]
    fn platform_comment_body_must_be_adf() {
        let path = "/rest/api/3/issue/PMCJIT-1/comment";
        let ok = json!({"body": doc(json!([{"type": "paragraph", "content": [{"type": "text", "text": "hi"}]}]))});
        assert_eq!(contracts().check_request("POST", path, Some(&ok.to_string())), Ok(()));
        let text = json!({"body": "hi"}).to_string();
        let problems = invalid(contracts().check_request("POST", path, Some(&text)));
        assert!(problems.iter().any(|p| p.starts_with("/body")), "{problems:?}");
        let missing = json!({"visibility": {"type": "role", "value": "Administrators"}}).to_string();
        let problems = invalid(contracts().check_request("POST", path, Some(&missing)));
        assert!(problems.iter().any(|p| p.starts_with("/body")), "{problems:?}");
    }

    #[test]
    fn query_parameters_are_checked() {
        let problems = invalid(contracts().check_request("GET", "/rest/api/3/user/picker", None));
        assert!(problems.iter().any(|p| p.contains("'query'")), "{problems:?}");
        assert_eq!(
            contracts().check_request("GET", "/rest/api/3/user/picker?query=al%20ice", None),
            Ok(())
        );
        let problems = invalid(contracts().check_request("GET", "/rest/api/3/search/jql?maxResults=lots", None));
        assert!(problems.iter().any(|p| p.contains("maxResults")), "{problems:?}");
    }

    #[test]
    fn nullable_accepts_null() {
        // Visibility.identifier is `nullable: true`.
        let body = json!({
            "body": doc(json!([{"type": "paragraph", "content": [{"type": "text", "text": "x"}]}])),
            "visibility": {"type": "role", "value": "Administrators", "identifier": null}
        });
        assert_eq!(
            contracts().check_request("POST", "/rest/api/3/issue/X-1/comment", Some(&body.to_string())),
            Ok(())
        );
    }

    #[test]
    fn check_adf_on_its_own() {
        let good = doc(
            json!([{"type": "rule"}, {"type": "panel", "attrs": {"panelType": "info"}, "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "x"}]}]}]),
        );
        assert_eq!(contracts().check_adf(&good), Ok(()));
        let problems = contracts()
            .check_adf(&json!({"type": "doc", "content": []}))
            .unwrap_err();
        assert!(problems.iter().any(|p| p.contains("version")), "{problems:?}");
    }

    #[test]
    fn every_operation_schema_compiles() {
        let started = Instant::now();
        let failures = contracts().compile_all();
        println!("compiled every request body validator in {:?}", started.elapsed());
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            parse_query("jql=project%20%3D%20PMCJIT&x=a+b&bad=%zz&end=%4"),
            vec![
                ("jql".to_string(), "project = PMCJIT".to_string()),
                ("x".to_string(), "a b".to_string()),
                ("bad".to_string(), "%zz".to_string()),
                ("end".to_string(), "%4".to_string()),
            ]
        );
    }
}
