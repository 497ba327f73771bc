//! Python's time formats as Commander prints them, and how Commander turns a command's output
//! into the API's answer (`service/util/parse_keeper_response.py` and
//! `CommandExecutor.execute`), ported for the parsers the sandbox's commands reach: `--format
//! json` output, log-only output, no output at all.

use serde_json::{Map, Value, json};

/// Python's `datetime.isoformat()` of a naive datetime (UTC here): microseconds only when not
/// zero, `2026-11-29T14:19:38` or `2026-11-29T14:19:38.123000`.
pub(super) fn py_iso(ms: i64) -> String {
    let instant = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    if ms.rem_euclid(1000) == 0 {
        instant.strftime("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        format!(
            "{}.{:03}000",
            instant.strftime("%Y-%m-%dT%H:%M:%S"),
            ms.rem_euclid(1000)
        )
    }
}

/// `time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(ms / 1000))`.
pub(super) fn gm_date(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `parse_keeper_response(command, response, log_output)` then the status code
/// `CommandExecutor.execute` takes from it: `status_code` when the parser set one, 400 for
/// `error` and `warning`, else 200.
pub(super) fn answer(command: &str, response: &str, logs: &str) -> (Value, u16) {
    let mut parsed = parse(command, response, logs);
    let code = match parsed.remove("status_code") {
        Some(code) => code.as_u64().and_then(|c| u16::try_from(c).ok()).unwrap_or(200),
        None => match parsed.get("status").and_then(Value::as_str) {
            Some("error" | "warning") => 400,
            _ => 200,
        },
    };
    (Value::Object(parsed), code)
}

fn parse(command: &str, response: &str, logs: &str) -> Map<String, Value> {
    let response = response.trim();
    let logs = logs.trim();
    let (text, from_log) = if response.is_empty() && !logs.is_empty() {
        (logs, true)
    } else if !response.is_empty() {
        (response, false)
    } else {
        return empty_response(command);
    };
    if !from_log && (command.contains("--format=json") || command.contains("--format json")) {
        return json_format(command, text);
    }
    logging_based(command, text)
}

/// Python's `command.split()[0]` (the whole command when it has no word).
fn first_word(command: &str) -> &str {
    command.split_whitespace().next().unwrap_or(command)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `_parse_json_format_command`.
fn json_format(command: &str, text: &str) -> Map<String, Value> {
    let base = if let Some((base, _)) = command.split_once(" --format=json") {
        base
    } else if let Some((base, _)) = command.split_once(" --format json") {
        base
    } else {
        first_word(command)
    };
    match serde_json::from_str::<Value>(text) {
        Ok(data) => object(json!({"status": "success", "command": base, "data": data})),
        Err(_) => object(json!({"status": "error", "command": base, "data": null, "error": "Invalid JSON response"})),
    }
}

/// `_handle_empty_response`: the silent commands' messages are picked by substring, as in
/// Commander (so a UID holding `ln` reads "Link created successfully").
fn empty_response(command: &str) -> Map<String, Value> {
    const SILENT: [&str; 8] = [
        "sync-down",
        "logout",
        "keep-alive",
        "set",
        "record-update",
        "append-notes",
        "mv",
        "ln",
    ];
    const MESSAGES: [&str; 8] = [
        "Vault synchronized successfully",
        "Logged out successfully",
        "Session kept alive successfully",
        "Configuration updated successfully",
        "Record updated successfully",
        "Notes appended successfully",
        "Item moved successfully",
        "Link created successfully",
    ];
    let message = SILENT
        .iter()
        .position(|word| command.contains(word))
        .map_or("Command executed successfully but produced no output", |i| MESSAGES[i]);
    object(json!({"status": "success", "command": first_word(command), "message": message, "data": null}))
}

/// `_filter_login_messages`: lines trimmed, empty and login lines dropped.
fn filter_login_messages(text: &str) -> String {
    const LOGIN: [&str; 9] = [
        "Logging in to Keeper Commander",
        "Successfully authenticated with Persistent Login",
        "Successfully authenticated with Biometric Login",
        "Attempting biometric authentication...",
        "Press Ctrl+C to skip biometric and use default login method",
        "Syncing...",
        "Decrypted [",
        "records that are affected by breaches",
        "Use \"breachwatch list\" command",
    ];
    text.split('\n')
        .map(str::trim)
        .filter(|line| !line.is_empty() && !LOGIN.iter().any(|p| line.contains(p)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `_parse_logging_based_command`: the status (and code) from words in the output.
fn logging_based(command: &str, text: &str) -> Map<String, Value> {
    const SUCCESS: [&str; 8] = [
        "created",
        "added",
        "removed",
        "updated",
        "deleted",
        "successfully",
        "completed",
        "done",
    ];
    const FORBIDDEN: [&str; 12] = [
        "not an msp administrator",
        "permission denied",
        "access denied",
        "unauthorized access",
        "forbidden",
        "must be a root admin",
        "admin privileges required",
        "admin account required",
        "insufficient privileges",
        "not authorized",
        "is restricted to",
        "command is restricted",
    ];
    const CONFLICT: [&str; 5] = [
        "already a member",
        "already exists",
        "already in",
        "already accepted",
        "duplicate",
    ];
    const NOT_FOUND: [&str; 7] = [
        "could not be resolved",
        "is not found",
        "not found",
        "does not exist",
        "not a member of",
        "cannot be found",
        "cannot find",
    ];
    const BAD_REQUEST: [&str; 14] = [
        "invalid",
        "not valid",
        "not allowed",
        "not unique",
        "unrecognized",
        "reserved",
        "character",
        "empty",
        "cannot be",
        "cannot assign",
        "cannot move",
        "cannot get",
        "not integer",
        "expects",
    ];
    const ERROR: [&str; 3] = ["error", "failed", "failure"];
    const WARNING: [&str; 2] = ["warning:", "skipping"];

    let text = filter_login_messages(text);
    let lower = text.to_lowercase();
    let any = |patterns: &[&str]| patterns.iter().any(|p| lower.contains(p));
    let command_name = first_word(command);
    let (success, forbidden, not_found, conflict, bad_request, error, warning) = (
        any(&SUCCESS),
        any(&FORBIDDEN),
        any(&NOT_FOUND),
        any(&CONFLICT),
        any(&BAD_REQUEST),
        any(&ERROR),
        any(&WARNING),
    );
    let failed =
        |code: u16| object(json!({"status": "error", "status_code": code, "command": command_name, "error": text}));
    if success && (not_found || bad_request || error) {
        return object(
            json!({"status": "partial_success", "status_code": 207, "command": command_name, "message": text, "data": null}),
        );
    }
    if forbidden {
        return failed(403);
    }
    if not_found {
        return failed(500);
    }
    if conflict {
        return object(
            json!({"status": "warning", "status_code": 409, "command": command_name, "message": text, "data": null}),
        );
    }
    if bad_request {
        return failed(400);
    }
    if error {
        return failed(500);
    }
    if text.is_empty() {
        return empty_response(command);
    }
    let message = if text.contains('\n') {
        json!(
            text.split('\n')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
        )
    } else {
        json!(text)
    };
    let mut result = object(json!({"status": "success", "command": command_name, "message": message, "data": null}));
    if warning {
        result.insert("status".into(), json!("warning"));
        result.insert("status_code".into(), json!(400));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_isoformat() {
        assert_eq!(py_iso(1_709_251_198_000), "2024-02-29T23:59:58");
        assert_eq!(py_iso(1_709_251_198_007), "2024-02-29T23:59:58.007000");
    }

    #[test]
    fn parsers_pick_status_codes_as_commander() {
        let (json, code) = answer("epm approval view X --format json", "[{\"a\": 1}]", "");
        assert_eq!(code, 200);
        assert_eq!(
            json,
            json!({"status": "success", "command": "epm approval view X", "data": [{"a": 1}]})
        );
        let (json, code) = answer("service-status --format json", "Current status: Running", "");
        assert_eq!((code, json["error"].clone()), (400, json!("Invalid JSON response")));
        let (json, code) = answer("epm approval action --approve X", "", "");
        assert_eq!(code, 200);
        assert_eq!(json["message"], "Command executed successfully but produced no output");
        let (json, _) = answer("epm approval action --approve Xln", "", "");
        assert_eq!(json["message"], "Link created successfully");
        let (json, code) = answer("epm approval action --approve X", "", "Invalid UID: X");
        assert_eq!(
            (code, json),
            (
                400,
                json!({"status": "error", "command": "epm", "error": "Invalid UID: X"})
            )
        );
        let (json, code) = answer("epm a", "", "Failed to approved \"X\": approval request has expired");
        assert_eq!((code, json["status"].clone()), (500, json!("error")));
        let (json, code) = answer("device-approve", "", "There are no pending devices to approve");
        assert_eq!(code, 200);
        assert_eq!(json["message"], "There are no pending devices to approve");
        let (json, code) = answer("x", "line one\n\n  line two ", "");
        assert_eq!((code, json["message"].clone()), (200, json!(["line one", "line two"])));
        let (json, code) = answer("x", "", "Warning: skipping it");
        assert_eq!((code, json["status"].clone()), (400, json!("warning")));
        let (_, code) = answer("x", "", "Record added; 1 not found");
        assert_eq!(code, 207);
    }
}
