//! The sandbox's SQLite storage: the catalog (seeded once), issues, entity properties, comments
//! and id counters. Records are stored as JSON in a few simple tables; all queries run on one
//! connection behind the sandbox's mutex, so every write is atomic with respect to the others.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::catalog::Catalog;

/// First issue and comment id, as on a fresh Jira site.
const FIRST_ID: i64 = 10000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Issue {
    pub id: i64,
    pub key: String,
    pub project_id: String,
    pub issue_type_id: String,
    pub status_id: String,
    pub summary: String,
    #[serde(default)]
    pub description: Option<Value>,
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub reporter: Option<String>,
    #[serde(default)]
    pub creator: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    /// Custom field values by field id.
    #[serde(default)]
    pub custom: BTreeMap<String, Value>,
    pub created: i64,
    pub updated: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Comment {
    pub id: i64,
    pub issue_id: i64,
    pub author: String,
    /// ADF document.
    pub body: Value,
    pub created: i64,
    pub updated: i64,
    #[serde(default)]
    pub visibility: Option<Value>,
    /// False for JSM internal notes.
    pub jsd_public: bool,
    #[serde(default)]
    pub properties: BTreeMap<String, Value>,
    /// `platform` or `servicedesk` (which API created it).
    pub source: String,
    /// The plain-text body a JSM comment was created with.
    #[serde(default)]
    pub plain_text: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct CommentDraft {
    pub issue_id: i64,
    pub author: String,
    pub body: Value,
    pub visibility: Option<Value>,
    pub jsd_public: bool,
    pub properties: BTreeMap<String, Value>,
    pub source: String,
    pub plain_text: Option<String>,
    pub now: i64,
}

/// Opens (creating) the database and its tables.
pub(crate) fn open(path: &Path) -> anyhow::Result<Connection> {
    let in_memory = path.as_os_str() == ":memory:";
    let conn = if in_memory {
        Connection::open_in_memory()
    } else {
        // Whoever opens the sandbox makes the file private first (the host: 0600 before SQLite
        // writes a byte, so its -wal/-shm files take that mode).
        Connection::open(path)
    }
    .with_context(|| format!("opening the Jira sandbox database {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if !in_memory {
        // WAL keeps readers (another process inspecting the file) out of the writer's way.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS catalog (
             kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
             PRIMARY KEY (kind, id));
         CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
         CREATE TABLE IF NOT EXISTS issues (
             id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS issue_properties (
             issue_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
             PRIMARY KEY (issue_id, key));
         CREATE TABLE IF NOT EXISTS comments (
             id INTEGER PRIMARY KEY, issue_id INTEGER NOT NULL, data TEXT NOT NULL);
         CREATE INDEX IF NOT EXISTS comments_by_issue ON comments (issue_id, id);
         CREATE TABLE IF NOT EXISTS approvals (
             id INTEGER PRIMARY KEY, issue_id INTEGER NOT NULL, data TEXT NOT NULL);
         CREATE INDEX IF NOT EXISTS approvals_by_issue ON approvals (issue_id, id);",
    )
    .context("creating the Jira sandbox tables")?;
    Ok(conn)
}

/// Writes the seed catalog; records that already exist are kept as they are.
pub(crate) fn seed(conn: &mut Connection, catalog: &Catalog) -> anyhow::Result<()> {
    let tx = conn.transaction()?;
    insert_all(&tx, "user", &catalog.users, |u| u.account_id.clone())?;
    insert_all(&tx, "project", &catalog.projects, |p| p.id.clone())?;
    insert_all(&tx, "issuetype", &catalog.issue_types, |t| t.id.clone())?;
    insert_all(&tx, "status", &catalog.statuses, |s| s.id.clone())?;
    insert_all(&tx, "transition", &catalog.transitions, |t| t.id.clone())?;
    insert_all(&tx, "field", &catalog.fields, |f| f.id.clone())?;
    insert_all(&tx, "group", &catalog.groups, |g| g.group_id.clone())?;
    tx.commit()?;
    Ok(())
}

fn insert_all<T: Serialize>(
    tx: &Transaction<'_>,
    kind: &str,
    records: &[T],
    id: impl Fn(&T) -> String,
) -> anyhow::Result<()> {
    let mut statement = tx.prepare("INSERT OR IGNORE INTO catalog (kind, id, seq, data) VALUES (?1, ?2, ?3, ?4)")?;
    for (seq, record) in records.iter().enumerate() {
        let seq = i64::try_from(seq)?;
        statement.execute(params![kind, id(record), seq, serde_json::to_string(record)?])?;
    }
    Ok(())
}

pub(crate) fn load_catalog(conn: &Connection) -> anyhow::Result<Catalog> {
    Ok(Catalog {
        users: load_kind(conn, "user")?,
        projects: load_kind(conn, "project")?,
        issue_types: load_kind(conn, "issuetype")?,
        statuses: load_kind(conn, "status")?,
        transitions: load_kind(conn, "transition")?,
        fields: load_kind(conn, "field")?,
        groups: load_kind(conn, "group")?,
    })
}

fn load_kind<T: DeserializeOwned>(conn: &Connection, kind: &str) -> anyhow::Result<Vec<T>> {
    let mut statement = conn.prepare("SELECT id, data FROM catalog WHERE kind = ?1 ORDER BY seq, id")?;
    let rows = statement.query_map([kind], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
    let mut records = Vec::new();
    for row in rows {
        let (id, data) = row?;
        records.push(
            serde_json::from_str(&data).with_context(|| format!("reading catalog {kind} {id} from the database"))?,
        );
    }
    Ok(records)
}

pub(crate) fn next_value(tx: &Transaction<'_>, name: &str, first: i64) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT OR IGNORE INTO counters (name, value) VALUES (?1, ?2)",
        params![name, first - 1],
    )?;
    tx.query_row(
        "UPDATE counters SET value = value + 1 WHERE name = ?1 RETURNING value",
        [name],
        |row| row.get(0),
    )
}

pub(crate) fn decode<T: DeserializeOwned>(data: &str) -> rusqlite::Result<T> {
    serde_json::from_str(data)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

pub(crate) fn encode<T: Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The next changelog id (issue-updated events), increasing across restarts.
pub(crate) fn next_changelog_id(conn: &mut Connection) -> rusqlite::Result<i64> {
    let tx = conn.transaction()?;
    let id = next_value(&tx, "changelog_id", FIRST_ID)?;
    tx.commit()?;
    Ok(id)
}

/// Allocates the id and key of `template` (an issue with every other field decided), and
/// writes it with its entity properties and, for a service-desk request, its pending approval
/// (`approvers`), atomically.
pub(crate) fn create_issue(
    conn: &mut Connection,
    template: Issue,
    project_key: &str,
    properties: &[(String, Value)],
    approvers: Option<&[String]>,
) -> rusqlite::Result<Issue> {
    let tx = conn.transaction()?;
    let id = next_value(&tx, "issue_id", FIRST_ID)?;
    let number = next_value(&tx, &format!("issue_number:{}", template.project_id), 1)?;
    let issue = Issue {
        id,
        key: format!("{project_key}-{number}"),
        ..template
    };
    tx.execute(
        "INSERT INTO issues (id, key, data) VALUES (?1, ?2, ?3)",
        params![issue.id, issue.key, encode(&issue)?],
    )?;
    for (key, value) in properties {
        tx.execute(
            "INSERT OR REPLACE INTO issue_properties (issue_id, key, value) VALUES (?1, ?2, ?3)",
            params![issue.id, key, encode(value)?],
        )?;
    }
    if let Some(approvers) = approvers {
        super::approvals::create(&tx, issue.id, approvers, issue.created)?;
    }
    tx.commit()?;
    Ok(issue)
}

/// An issue by numeric id or by key (keys case-insensitively).
pub(crate) fn find_issue(conn: &Connection, id_or_key: &str) -> rusqlite::Result<Option<Issue>> {
    let data: Option<String> = if !id_or_key.is_empty() && id_or_key.bytes().all(|b| b.is_ascii_digit()) {
        match id_or_key.parse::<i64>() {
            Ok(id) => conn
                .query_row("SELECT data FROM issues WHERE id = ?1", [id], |row| row.get(0))
                .optional()?,
            Err(_) => None,
        }
    } else {
        conn.query_row(
            "SELECT data FROM issues WHERE key = ?1",
            [id_or_key.to_ascii_uppercase()],
            |row| row.get(0),
        )
        .optional()?
    };
    data.map(|data| decode(&data)).transpose()
}

/// Every issue, oldest first.
pub(crate) fn all_issues(conn: &Connection) -> rusqlite::Result<Vec<Issue>> {
    let mut statement = conn.prepare("SELECT data FROM issues ORDER BY id")?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
    rows.map(|data| decode(&data?)).collect()
}

pub(crate) fn save_issue(conn: &Connection, issue: &Issue) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE issues SET data = ?2 WHERE id = ?1",
        params![issue.id, encode(issue)?],
    )?;
    Ok(())
}

/// Saves the issue and sets properties in one transaction.
pub(crate) fn save_issue_with_properties(
    conn: &mut Connection,
    issue: &Issue,
    properties: &[(String, Value)],
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    save_issue(&tx, issue)?;
    for (key, value) in properties {
        tx.execute(
            "INSERT OR REPLACE INTO issue_properties (issue_id, key, value) VALUES (?1, ?2, ?3)",
            params![issue.id, key, encode(value)?],
        )?;
    }
    tx.commit()
}

/// The issue's entity properties, by key.
pub(crate) fn properties(conn: &Connection, issue_id: i64) -> rusqlite::Result<Vec<(String, Value)>> {
    let mut statement = conn.prepare("SELECT key, value FROM issue_properties WHERE issue_id = ?1 ORDER BY key")?;
    let rows = statement.query_map([issue_id], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    rows.map(|row| {
        let (key, value) = row?;
        Ok((key, decode(&value)?))
    })
    .collect()
}

pub(crate) fn property(conn: &Connection, issue_id: i64, key: &str) -> rusqlite::Result<Option<Value>> {
    let value: Option<String> = conn
        .query_row(
            "SELECT value FROM issue_properties WHERE issue_id = ?1 AND key = ?2",
            params![issue_id, key],
            |row| row.get(0),
        )
        .optional()?;
    value.map(|value| decode(&value)).transpose()
}

/// Sets a property; true when it did not exist before.
pub(crate) fn set_property(conn: &mut Connection, issue_id: i64, key: &str, value: &Value) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    let existed: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM issue_properties WHERE issue_id = ?1 AND key = ?2",
            params![issue_id, key],
            |row| row.get(0),
        )
        .optional()?;
    tx.execute(
        "INSERT OR REPLACE INTO issue_properties (issue_id, key, value) VALUES (?1, ?2, ?3)",
        params![issue_id, key, encode(value)?],
    )?;
    tx.commit()?;
    Ok(existed.is_none())
}

/// Deletes a property; true when it existed.
pub(crate) fn delete_property(conn: &Connection, issue_id: i64, key: &str) -> rusqlite::Result<bool> {
    let removed = conn.execute(
        "DELETE FROM issue_properties WHERE issue_id = ?1 AND key = ?2",
        params![issue_id, key],
    )?;
    Ok(removed > 0)
}

/// The issue's comments, oldest first.
pub(crate) fn comments(conn: &Connection, issue_id: i64) -> rusqlite::Result<Vec<Comment>> {
    let mut statement = conn.prepare("SELECT data FROM comments WHERE issue_id = ?1 ORDER BY id")?;
    let rows = statement.query_map([issue_id], |row| row.get::<_, String>(0))?;
    rows.map(|data| decode(&data?)).collect()
}

pub(crate) fn comment(conn: &Connection, issue_id: i64, id: i64) -> rusqlite::Result<Option<Comment>> {
    let data: Option<String> = conn
        .query_row(
            "SELECT data FROM comments WHERE issue_id = ?1 AND id = ?2",
            params![issue_id, id],
            |row| row.get(0),
        )
        .optional()?;
    data.map(|data| decode(&data)).transpose()
}

pub(crate) fn add_comment(conn: &mut Connection, draft: CommentDraft) -> rusqlite::Result<Comment> {
    let tx = conn.transaction()?;
    let id = next_value(&tx, "comment_id", FIRST_ID)?;
    let comment = Comment {
        id,
        issue_id: draft.issue_id,
        author: draft.author,
        body: draft.body,
        created: draft.now,
        updated: draft.now,
        visibility: draft.visibility,
        jsd_public: draft.jsd_public,
        properties: draft.properties,
        source: draft.source,
        plain_text: draft.plain_text,
    };
    tx.execute(
        "INSERT INTO comments (id, issue_id, data) VALUES (?1, ?2, ?3)",
        params![comment.id, comment.issue_id, encode(&comment)?],
    )?;
    tx.commit()?;
    Ok(comment)
}
