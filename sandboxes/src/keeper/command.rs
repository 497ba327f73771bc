//! The commands the sandbox runs, as Commander runs them (`cli.do_command`, `GroupCommand`,
//! argparse over `shlex.split`, `PedmApproval*Command`, `DeviceApproveCommand`): what each
//! returns, prints and logs, which `response.rs` turns into the API's answer as
//! `CommandExecutor.execute` does. A command that raises is Commander's 500 `Unexpected error`.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

use super::response::{self, gm_date, py_iso};
use super::store::{self, Kepm, Refused};

/// The PID and terminal `service-status` reports.
const SERVICE_STATUS: &str = "Current status: Commander Service is Running (PID: 4242, Terminal: unknown terminal)";

/// What a command did besides its return value.
#[derive(Default)]
struct Output {
    returned: Option<String>,
    printed: Vec<String>,
    logs: Vec<String>,
}

impl Output {
    fn print(&mut self, line: impl Into<String>) {
        self.printed.push(line.into());
    }

    fn log(&mut self, line: impl Into<String>) {
        self.logs.push(line.into());
    }
}

/// A command that did not finish normally.
enum Raised {
    /// An exception Commander's executor reports as `Unexpected error: <it>` (500).
    Unexpected(String),
    /// Something Commander has that the sandbox does not play.
    NotImplemented(String),
}

type Ran = Result<(), Raised>;

/// Runs `command` (unescaped) against the sandbox's state at `at`: the result and its status
/// code, as `CommandExecutor.execute` answers them.
pub(super) fn execute(conn: &Connection, command: &str, at: i64) -> (Value, u16) {
    if command.is_empty() {
        return (json!({"error": "No command provided."}), 400);
    }
    let mut out = Output::default();
    match do_command(conn, command, at, &mut out) {
        Ok(()) => {
            let printed = out.printed.join("\n");
            let response = out.returned.filter(|r| !r.trim().is_empty()).unwrap_or(printed);
            response::answer(command, &response, &out.logs.join("\n"))
        }
        Err(Raised::Unexpected(message)) => (
            json!({"status": "error", "error": format!("Unexpected error: {message}")}),
            500,
        ),
        Err(Raised::NotImplemented(what)) => (
            json!({
                "status": "error",
                "command": command.split_whitespace().next().unwrap_or(command),
                "error": format!(
                    "The Keeper Commander sandbox does not implement {what} (it plays service-status, epm approval list|view|action and device-approve)."
                ),
            }),
            400,
        ),
    }
}

/// `cli.do_command`: the first word picks the command.
fn do_command(conn: &Connection, line: &str, at: i64, out: &mut Output) -> Ran {
    if line.contains(['\r', '\n', '\0']) {
        out.log("Invalid command: control characters are not allowed in command input.");
        return Ok(());
    }
    let (cmd, args) = match line.find(' ') {
        Some(pos) if pos > 0 => (&line[..pos], line[pos + 1..].trim()),
        _ => (line.trim(), ""),
    };
    match cmd {
        "service-status" => service_status(args, out),
        "epm" | "pedm" | "kepm" => epm(conn, args, at, out),
        "device-approve" => device_approve(conn, args, at, out),
        other => Err(Raised::NotImplemented(format!("the command '{other}'"))),
    }
}

// ---------------------------------------------------------------------------------------------
// shlex and argparse

/// Python's `shlex.split` (POSIX mode, no comments).
fn shlex_split(text: &str) -> Result<Vec<String>, Raised> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    let unclosed = || Raised::Unexpected("No closing quotation".into());
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err(unclosed()),
                        Some('\'') => break,
                        Some(x) => word.push(x),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err(unclosed()),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            None => return Err(unclosed()),
                            Some(x @ ('"' | '\\')) => word.push(x),
                            Some(x) => {
                                word.push('\\');
                                word.push(x);
                            }
                        },
                        Some(x) => word.push(x),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    None => return Err(Raised::Unexpected("No escaped character".into())),
                    Some(x) => word.push(x),
                }
            }
            x => {
                in_word = true;
                word.push(x);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[derive(Clone, Copy)]
enum Kind {
    /// `store_true`.
    Flag,
    /// `store`, with its choices.
    Value(Option<&'static [&'static str]>),
    /// `append`.
    Append,
}

struct Opt {
    names: &'static [&'static str],
    dest: &'static str,
    kind: Kind,
}

/// An argparse parser, as far as the sandbox's commands use one.
struct Spec {
    usage: &'static str,
    opts: &'static [Opt],
    /// The one positional: its name and whether it is required.
    positional: Option<(&'static str, bool)>,
}

const TABLE_JSON: &[&str] = &["table", "json"];
const REPORT_FORMATS: &[&str] = &["table", "csv", "json", "pdf"];
const FORMAT: Opt = Opt {
    names: &["--format"],
    dest: "format",
    kind: Kind::Value(Some(REPORT_FORMATS)),
};
const OUTPUT: Opt = Opt {
    names: &["--output"],
    dest: "output",
    kind: Kind::Value(None),
};

#[derive(Default)]
struct Parsed {
    values: HashMap<&'static str, Vec<String>>,
    positional: Option<String>,
}

impl Parsed {
    fn value(&self, dest: &str) -> Option<&str> {
        self.values.get(dest).and_then(|v| v.last()).map(String::as_str)
    }

    fn flag(&self, dest: &str) -> bool {
        self.values.contains_key(dest)
    }

    fn all(&self, dest: &str) -> Vec<String> {
        self.values.get(dest).cloned().unwrap_or_default()
    }
}

/// Why argparse stopped: an error (Commander logs it) or `-h` (it prints the usage).
enum Stop {
    Error(String),
    Help,
}

/// Whether argparse reads `arg` as an option string (`_parse_optional`).
fn option_like(spec: &Spec, arg: &str) -> bool {
    if !arg.starts_with('-') || arg == "-" {
        return false;
    }
    if spec.opts.iter().any(|o| o.names.contains(&arg)) {
        return true;
    }
    let negative_number = arg[1..].parse::<f64>().is_ok() && !arg[1..].starts_with(['+', '-']);
    !(negative_number || arg.contains(' '))
}

fn parse_args(spec: &Spec, args: &str) -> Result<Result<Parsed, Stop>, Raised> {
    let words = shlex_split(args)?;
    Ok(parse_words(spec, &words))
}

fn parse_words(spec: &Spec, words: &[String]) -> Result<Parsed, Stop> {
    let mut parsed = Parsed::default();
    let mut extras: Vec<String> = Vec::new();
    let mut only_positionals = false;
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        if !only_positionals && word == "--" {
            only_positionals = true;
            continue;
        }
        if only_positionals || !option_like(spec, word) {
            match spec.positional {
                Some(_) if parsed.positional.is_none() => parsed.positional = Some(word.clone()),
                _ => extras.push(word.clone()),
            }
            continue;
        }
        if word == "-h" || word == "--help" {
            return Err(Stop::Help);
        }
        let (name, explicit) = match word.split_once('=') {
            Some((name, value)) if name.starts_with("--") || spec.opts.iter().any(|o| o.names.contains(&name)) => {
                (name, Some(value.to_string()))
            }
            _ => (word.as_str(), None),
        };
        let opt = match spec.opts.iter().find(|o| o.names.contains(&name)) {
            Some(opt) => opt,
            None if name.starts_with("--") => {
                let matches: Vec<&Opt> = spec
                    .opts
                    .iter()
                    .filter(|o| o.names.iter().any(|n| n.starts_with("--") && n.starts_with(name)))
                    .collect();
                match matches.as_slice() {
                    [one] => *one,
                    [] => {
                        extras.push(word.clone());
                        continue;
                    }
                    many => {
                        let names: Vec<&str> = many
                            .iter()
                            .filter_map(|o| o.names.iter().find(|n| n.starts_with(name)).copied())
                            .collect();
                        return Err(Stop::Error(format!(
                            "ambiguous option: {name} could match {}",
                            names.join(", ")
                        )));
                    }
                }
            }
            None => {
                extras.push(word.clone());
                continue;
            }
        };
        let shown = opt.names.join("/");
        match opt.kind {
            Kind::Flag => {
                if let Some(value) = explicit {
                    return Err(Stop::Error(format!(
                        "argument {shown}: ignored explicit argument '{value}'"
                    )));
                }
                parsed.values.entry(opt.dest).or_default().push(String::new());
            }
            Kind::Value(_) | Kind::Append => {
                let value = match explicit {
                    Some(value) => value,
                    None if i < words.len() && !option_like(spec, &words[i]) && words[i] != "--" => {
                        i += 1;
                        words[i - 1].clone()
                    }
                    None => return Err(Stop::Error(format!("argument {shown}: expected one argument"))),
                };
                if let Kind::Value(Some(choices)) = opt.kind
                    && !choices.contains(&value.as_str())
                {
                    let listed: Vec<String> = choices.iter().map(|c| format!("'{c}'")).collect();
                    return Err(Stop::Error(format!(
                        "argument {shown}: invalid choice: '{value}' (choose from {})",
                        listed.join(", ")
                    )));
                }
                let values = parsed.values.entry(opt.dest).or_default();
                if matches!(opt.kind, Kind::Value(_)) {
                    values.clear();
                }
                values.push(value);
            }
        }
    }
    if let Some((name, true)) = spec.positional
        && parsed.positional.is_none()
    {
        return Err(Stop::Error(format!("the following arguments are required: {name}")));
    }
    if !extras.is_empty() {
        return Err(Stop::Error(format!("unrecognized arguments: {}", extras.join(" "))));
    }
    Ok(parsed)
}

/// Parses `args` for `spec`; a parse error is logged (Commander's `ParseError`), `-h` prints the
/// usage; either way the command ends there (`None`).
fn arguments(spec: &Spec, args: &str, out: &mut Output) -> Result<Option<Parsed>, Raised> {
    match parse_args(spec, args)? {
        Ok(parsed) => Ok(Some(parsed)),
        Err(Stop::Error(message)) => {
            out.log(message);
            Ok(None)
        }
        Err(Stop::Help) => {
            out.print(spec.usage);
            Ok(None)
        }
    }
}

/// The sandbox writes no report file and draws no PDF.
fn unsupported_output(parsed: &Parsed) -> Ran {
    if parsed.value("format") == Some("pdf") {
        return Err(Raised::NotImplemented("--format pdf".into()));
    }
    if parsed.value("output").is_some() {
        return Err(Raised::NotImplemented("--output (report files)".into()));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reports (`dump_report_data`)

/// A report cell.
#[derive(Clone)]
enum Cell {
    Text(String),
    Int(i64),
    List(Vec<String>),
    Object(Value),
}

impl Cell {
    /// `is_json_value_field`: empty strings are left out of a JSON report.
    fn json(&self) -> Option<Value> {
        match self {
            Cell::Text(text) if text.is_empty() => None,
            Cell::Text(text) => Some(json!(text)),
            Cell::Int(n) => Some(json!(n)),
            Cell::List(items) => Some(json!(items)),
            Cell::Object(value) => Some(value.clone()),
        }
    }

    fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::List(items) => items.join("\n"),
            Cell::Object(value) => python_repr(value),
        }
    }
}

/// `dump_report_data(rows, headers, fmt=...)` for json, csv and the table.
fn report(headers: &[&str], rows: &[Vec<Cell>], format: Option<&str>) -> String {
    match format {
        Some("json") => {
            let objects: Vec<Value> = rows
                .iter()
                .map(|row| {
                    let object: Map<String, Value> = headers
                        .iter()
                        .zip(row)
                        .filter_map(|(name, cell)| cell.json().map(|v| ((*name).to_string(), v)))
                        .collect();
                    Value::Object(object)
                })
                .collect();
            serde_json::to_string_pretty(&objects).unwrap_or_default()
        }
        Some("csv") => {
            let line = |cells: Vec<String>| {
                cells
                    .into_iter()
                    .map(|c| {
                        if c.contains([',', '"', '\n', '\r']) {
                            format!("\"{}\"", c.replace('"', "\"\""))
                        } else {
                            c
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let mut lines = vec![line(headers.iter().map(|h| title(h)).collect())];
            lines.extend(rows.iter().map(|row| line(row.iter().map(Cell::text).collect())));
            lines.join("\r\n") + "\r\n"
        }
        _ => {
            let headers: Vec<String> = headers.iter().map(|h| title(h)).collect();
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|row| row.iter().map(|c| c.text().replace('\n', ", ")).collect())
                .collect();
            let widths: Vec<usize> = headers
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    cells
                        .iter()
                        .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                        .chain([h.chars().count()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cells: &[String]| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
            };
            let mut lines = vec![
                line(&headers),
                widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "),
            ];
            lines.extend(cells.iter().map(|r| line(r)));
            lines.join("\n")
        }
    }
}

/// `field_to_title`: `approval_uid` → `Approval UID`.
fn title(field: &str) -> String {
    field
        .split('_')
        .map(|word| match word {
            "uid" => "UID".to_string(),
            "id" => "ID".to_string(),
            "ip" => "IP".to_string(),
            _ => {
                let mut chars = word.chars();
                chars
                    .next()
                    .map_or_else(String::new, |c| c.to_uppercase().collect::<String>() + chars.as_str())
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Python's `str()` of a JSON value (in `f'{k}={v}'`).
fn python_repr(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// A group command's help (`GroupCommand.print_help`).
fn print_help(out: &mut Output, command: &str, verbs: &[(&str, &str)]) {
    out.print(format!("{command} command [--options]"));
    out.print("");
    let rows: Vec<Vec<Cell>> = verbs
        .iter()
        .map(|(verb, about)| vec![Cell::Text((*verb).into()), Cell::Text((*about).into())])
        .collect();
    out.print(report(&["command", "description"], &rows, None));
    out.print("");
}

// ---------------------------------------------------------------------------------------------
// service-status

fn service_status(args: &str, out: &mut Output) -> Ran {
    const SPEC: Spec = Spec {
        usage: "usage: service-status [-h] [--format {table,csv,json,pdf}] [--output OUTPUT]",
        opts: &[FORMAT, OUTPUT],
        positional: None,
    };
    if arguments(&SPEC, args, out)?.is_some() {
        out.print(SERVICE_STATUS);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// epm

const EPM_VERBS: &[(&str, &str)] = &[
    ("sync-down", "Sync down EPM data"),
    ("deployment", "Manage EPM deployments"),
    ("agent", "Manage EPM agents"),
    ("policy", "Manage EPM policies"),
    ("collection", "Manage EPM collections"),
    ("approval", "Manage EPM approval requests and approvals"),
    ("offline", "Offline agent communication"),
    ("scim", "Manage EPM SCIM"),
    ("report", "EPM reports"),
];

const APPROVAL_VERBS: &[(&str, &str)] = &[
    ("list", "List EPM approval requests"),
    ("view", "View EPM approval"),
    ("action", "Modify EPM approval requests"),
];

/// `GroupCommand.execute_args`: the verb (lower case, aliases resolved) and what follows; an
/// unknown verb is warned about and the help printed.
fn verb_of<'a>(args: &'a str, aliases: &[(&str, &'static str)]) -> (String, &'a str) {
    let args = args.strip_prefix("-- ").map_or(args, str::trim);
    let (verb, rest) = match args.find(' ') {
        Some(pos) if pos > 0 => (args[..pos].trim(), args[pos + 1..].trim()),
        _ => (args.trim(), ""),
    };
    let verb = verb.to_lowercase();
    let verb = aliases
        .iter()
        .find(|(alias, _)| *alias == verb)
        .map_or(verb, |(_, full)| (*full).to_string());
    (verb, rest)
}

fn unknown_verb(out: &mut Output, verb: &str, verbs: &[(&str, &str)]) {
    if !["--help", "-h", "help", ""].contains(&verb) {
        out.log(format!("Invalid command: {verb}"));
    }
    print_help(out, "epm", verbs);
}

fn epm(conn: &Connection, args: &str, at: i64, out: &mut Output) -> Ran {
    let (verb, rest) = verb_of(
        args,
        &[
            ("d", "deployment"),
            ("a", "agent"),
            ("p", "policy"),
            ("c", "collection"),
        ],
    );
    match verb.as_str() {
        "approval" => approval(conn, rest, at, out),
        known if EPM_VERBS.iter().any(|(v, _)| *v == known) => Err(Raised::NotImplemented(format!("'epm {known}'"))),
        other => {
            unknown_verb(out, other, EPM_VERBS);
            Ok(())
        }
    }
}

fn approval(conn: &Connection, args: &str, at: i64, out: &mut Output) -> Ran {
    let (verb, rest) = verb_of(args, &[("l", "list"), ("a", "action")]);
    match verb.as_str() {
        // The default verb: help, then the list.
        "" => {
            print_help(out, "epm", APPROVAL_VERBS);
            list(conn, "", at, out)
        }
        "list" => list(conn, rest, at, out),
        "view" => view(conn, rest, at, out),
        "action" => action(conn, rest, at, out),
        other => {
            unknown_verb(out, other, APPROVAL_VERBS);
            Ok(())
        }
    }
}

const APPROVAL_HEADERS: [&str; 9] = [
    "approval_uid",
    "approval_type",
    "status",
    "agent_uid",
    "account_info",
    "application_info",
    "justification",
    "expire_in",
    "created",
];

/// `justification` as the table shows it: the `text` of a JSON object.
fn justification(request: &Kepm, format: Option<&str>) -> String {
    if format != Some("json")
        && let Ok(Value::Object(object)) = serde_json::from_str::<Value>(&request.justification)
        && let Some(text) = object.get("text")
    {
        return python_repr(text);
    }
    request.justification.clone()
}

fn list(conn: &Connection, args: &str, at: i64, out: &mut Output) -> Ran {
    const SPEC: Spec = Spec {
        usage: "usage: list [-h] [--format {table,csv,json,pdf}] [--output OUTPUT] [--type {approved,denied,pending,expired,escalated}]",
        opts: &[
            FORMAT,
            OUTPUT,
            Opt {
                names: &["--type"],
                dest: "type",
                kind: Kind::Value(Some(&["approved", "denied", "pending", "expired", "escalated"])),
            },
        ],
        positional: None,
    };
    let Some(parsed) = arguments(&SPEC, args, out)? else {
        return Ok(());
    };
    unsupported_output(&parsed)?;
    let format = parsed.value("format");
    let wanted = parsed.value("type").map(str::to_lowercase);
    let short = |info: &Value| -> Vec<String> {
        info.as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}={}", python_repr(v)).chars().take(30).collect())
            .collect()
    };
    let mut requests = store::kepm(conn, None).map_err(storage)?;
    requests.retain(|r| wanted.as_deref().is_none_or(|w| w == r.status(at).to_lowercase()));
    requests.sort_by_key(|r| std::cmp::Reverse(r.created_ms));
    let rows: Vec<Vec<Cell>> = requests
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.uid.clone()),
                Cell::Text(r.approval_type.clone()),
                Cell::Text(r.status(at).into()),
                Cell::Text(r.agent_uid.clone()),
                Cell::List(short(&r.account_info)),
                Cell::List(short(&r.application_info)),
                Cell::Text(justification(r, format)),
                Cell::Int(r.expire_in),
                Cell::Text(py_iso(r.created_ms)),
            ]
        })
        .collect();
    out.returned = Some(report(&APPROVAL_HEADERS, &rows, format));
    Ok(())
}

fn view(conn: &Connection, args: &str, at: i64, out: &mut Output) -> Ran {
    const SPEC: Spec = Spec {
        usage: "usage: view [-h] [--format {table,json}] [--output OUTPUT] approval",
        opts: &[
            Opt {
                names: &["--format"],
                dest: "format",
                kind: Kind::Value(Some(TABLE_JSON)),
            },
            OUTPUT,
        ],
        positional: Some(("approval", true)),
    };
    let Some(parsed) = arguments(&SPEC, args, out)? else {
        return Ok(());
    };
    unsupported_output(&parsed)?;
    let uid = parsed.positional.clone().unwrap_or_default();
    let Some(request) = store::kepm(conn, Some(&uid)).map_err(storage)?.pop() else {
        return Err(Raised::Unexpected(format!("Approval UID \"{uid}\" does not exist")));
    };
    let format = parsed.value("format");
    let row = vec![
        Cell::Text(request.uid.clone()),
        Cell::Text(request.approval_type.clone()),
        Cell::Text(request.status(at).into()),
        Cell::Text(request.agent_uid.clone()),
        Cell::Object(request.account_info.clone()),
        Cell::Object(request.application_info.clone()),
        Cell::Text(justification(&request, format)),
        Cell::Int(request.expire_in),
        Cell::Text(py_iso(request.created_ms)),
    ];
    out.returned = Some(if format == Some("json") {
        report(&APPROVAL_HEADERS, &[row], format)
    } else {
        let rows: Vec<Vec<Cell>> = APPROVAL_HEADERS
            .iter()
            .zip(row)
            .map(|(name, cell)| vec![Cell::Text(title(name)), cell])
            .collect();
        report(&["property", "value"], &rows, None)
    });
    Ok(())
}

/// Python's `utils.base64_url_decode(uid)` (`urlsafe_b64decode(uid + '==')`, lenient): the
/// bytes, or the exception it raises.
fn base64_url_decode(uid: &str) -> Result<Vec<u8>, Raised> {
    let data: String = uid
        .chars()
        .take_while(|c| *c != '=')
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/'))
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    if data.len() % 4 == 1 {
        return Err(Raised::Unexpected(format!(
            "Invalid base64-encoded string: number of data characters ({}) cannot be 1 more than a multiple of 4",
            data.len()
        )));
    }
    let engine = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    engine
        .decode(data.as_bytes())
        .map_err(|e| Raised::Unexpected(e.to_string()))
}

/// `verify_uid`: the 16-byte UIDs (as Keeper names them); the others are logged `Invalid UID`.
fn verify_uids(uids: &[String], out: &mut Output) -> Result<Vec<String>, Raised> {
    let mut valid = Vec::new();
    for uid in uids {
        let bytes = base64_url_decode(uid)?;
        if bytes.len() == 16 {
            valid.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
        } else {
            out.log(format!("Invalid UID: {uid}"));
        }
    }
    Ok(valid)
}

fn action(conn: &Connection, args: &str, at: i64, out: &mut Output) -> Ran {
    const SPEC: Spec = Spec {
        usage: "usage: action [-h] [--approve APPROVE] [--deny DENY] [--remove REMOVE]",
        opts: &[
            Opt {
                names: &["--approve"],
                dest: "approve",
                kind: Kind::Append,
            },
            Opt {
                names: &["--deny"],
                dest: "deny",
                kind: Kind::Append,
            },
            Opt {
                names: &["--remove"],
                dest: "remove",
                kind: Kind::Append,
            },
        ],
        positional: None,
    };
    let Some(parsed) = arguments(&SPEC, args, out)? else {
        return Ok(());
    };
    let to_approve = verify_uids(&parsed.all("approve"), out)?;
    let to_deny = verify_uids(&parsed.all("deny"), out)?;
    let mut to_remove: Vec<String> = Vec::new();
    let mut to_resolve: Vec<String> = Vec::new();
    let stored = store::kepm(conn, None).map_err(storage)?;
    for uid in parsed.all("remove") {
        let by_status = match uid.as_str() {
            "@approved" => Some("Approved"),
            "@denied" => Some("Denied"),
            "@pending" => Some("Pending"),
            "@expired" => Some("Expired"),
            "@escalated" => Some("Escalated"),
            _ => None,
        };
        match by_status {
            Some(status) => to_remove.extend(
                stored
                    .iter()
                    .filter(|r| r.stored_status == status)
                    .map(|r| r.uid.clone()),
            ),
            None => to_resolve.push(uid),
        }
    }
    to_remove.extend(verify_uids(&to_resolve, out)?);
    to_remove.dedup();

    // The backend's answer to `pedm/approval_action`, one status per UID.
    for (uids, status, verb) in [(&to_approve, "Approved", "approved"), (&to_deny, "Denied", "deny")] {
        for uid in uids {
            let refusal = match store::decide_kepm(conn, uid, status, at, "commander").map_err(storage)? {
                Ok(_) => continue,
                Err(Refused::Unknown) => "approval request does not exist".to_string(),
                Err(Refused::NotPending(current)) if current == "Expired" => "approval request has expired".to_string(),
                Err(Refused::NotPending(current)) => format!("approval request is already {current}"),
            };
            out.log(format!("Failed to {verb} \"{uid}\": {refusal}"));
        }
    }
    for uid in &to_remove {
        if !store::remove_kepm(conn, uid).map_err(storage)? {
            out.log(format!("Failed to remove \"{uid}\": approval request does not exist"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// device-approve

fn device_approve(conn: &Connection, args: &str, at: i64, out: &mut Output) -> Ran {
    const SPEC: Spec = Spec {
        usage: "usage: device-approve [-h] [--format {table,csv,json,pdf}] [--output OUTPUT] [--reload] [--approve] [--deny] [--trusted-ip] [device]",
        opts: &[
            FORMAT,
            OUTPUT,
            Opt {
                names: &["--reload", "-r"],
                dest: "reload",
                kind: Kind::Flag,
            },
            Opt {
                names: &["--approve", "-a"],
                dest: "approve",
                kind: Kind::Flag,
            },
            Opt {
                names: &["--deny", "-d"],
                dest: "deny",
                kind: Kind::Flag,
            },
            Opt {
                names: &["--trusted-ip"],
                dest: "check_ip",
                kind: Kind::Flag,
            },
        ],
        positional: Some(("device", false)),
    };
    let Some(parsed) = arguments(&SPEC, args, out)? else {
        return Ok(());
    };
    let pending = store::devices(conn, true).map_err(storage)?;
    if pending.is_empty() {
        out.log("There are no pending devices to approve");
        return Ok(());
    }
    let (approve, deny) = (parsed.flag("approve"), parsed.flag("deny"));
    if approve && deny {
        return Err(Raised::Unexpected(
            "device-approve: 'approve' and 'deny' parameters are mutually exclusive.".into(),
        ));
    }
    let name = parsed.positional.clone().unwrap_or_default();
    let mut matching: Vec<_> = pending
        .into_iter()
        .filter(|d| name.is_empty() || d.device_id.starts_with(&name) || d.email == name)
        .collect();
    if matching.is_empty() {
        out.log("No matching devices found");
        return Ok(());
    }
    if approve && parsed.flag("check_ip") {
        // The sandbox has no login history: no IP is trusted.
        for device in &matching {
            out.log(format!(
                "The user {} attempted to login from an unstrusted IP ({}). To force the approval, run the same command without the --trusted-ip argument",
                device.email, device.ip_address
            ));
        }
        matching.clear();
        out.log("No matching devices found");
        return Ok(());
    }
    if approve || deny {
        let state = if approve { "approved" } else { "denied" };
        for device in &matching {
            store::decide_device(conn, &device.device_id, state, at, "commander").map_err(storage)?;
        }
        return Ok(());
    }
    unsupported_output(&parsed)?;
    let format = parsed.value("format");
    let headers: Vec<&str> = if format == Some("json") {
        vec![
            "date",
            "email",
            "device_id",
            "device_name",
            "device_type",
            "ip_address",
            "client_version",
            "location",
        ]
    } else {
        vec![
            "Date",
            "Email",
            "Device ID",
            "Device Name",
            "Device Type",
            "IP Address",
            "Client Version",
            "Location",
        ]
    };
    let mut rows: Vec<Vec<Cell>> = matching
        .iter()
        .map(|d| {
            vec![
                Cell::Text(gm_date(d.date_ms)),
                Cell::Text(d.email.clone()),
                Cell::Text(d.device_id.clone()),
                Cell::Text(d.device_name.clone()),
                Cell::Text(d.device_type.clone()),
                Cell::Text(d.ip_address.clone()),
                Cell::Text(d.client_version.clone()),
                Cell::Text(d.location.clone()),
            ]
        })
        .collect();
    rows.sort_by_key(|row| row[0].text());
    out.print("");
    let text = if format.is_some_and(|f| f != "table") {
        report(&headers, &rows, format)
    } else {
        // The table's headers are already titles.
        report(&headers, &rows, None)
    };
    out.returned = Some(text);
    Ok(())
}

fn storage(e: rusqlite::Error) -> Raised {
    Raised::Unexpected(format!("the sandbox's storage failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        shlex_split(text).ok().expect("splits")
    }

    #[test]
    fn shlex_as_python() {
        assert_eq!(words("a  'b c' \"d \\\" e\" f\\ g"), ["a", "b c", "d \" e", "f g"]);
        assert_eq!(words("x \"\" y"), ["x", "", "y"]);
        assert_eq!(words("a;b && c | d"), ["a;b", "&&", "c", "|", "d"]);
        assert!(matches!(shlex_split("a 'b"), Err(Raised::Unexpected(m)) if m == "No closing quotation"));
        assert!(matches!(shlex_split("a \\"), Err(Raised::Unexpected(m)) if m == "No escaped character"));
    }

    #[test]
    fn uids_decode_as_python() {
        assert_eq!(
            base64_url_decode("hoPd_gmQH1WsmbzgOMSimg").ok().map(|b| b.len()),
            Some(16)
        );
        assert_eq!(base64_url_decode("abc").ok().map(|b| b.len()), Some(2));
        assert!(matches!(base64_url_decode("abcde"), Err(Raised::Unexpected(m)) if m.contains("(5) cannot be 1 more")));
    }

    #[test]
    fn titles() {
        assert_eq!(title("approval_uid"), "Approval UID");
        assert_eq!(title("expire_in"), "Expire In");
    }
}
