//! What a fresh Commander sandbox holds (first open and `POST /_sandbox/reset`), with ages
//! relative to the sandbox clock at that moment. Public so tests and the app's author can name
//! the seeded requests.
//!
//! In a KEPM request's `account_info`, `username` is the requester's email (the key the app
//! reads to find the requester) and `domain` the Windows domain.

/// The API key a fresh sandbox accepts (no expiry).
pub const DEFAULT_API_KEY: &str = "sandbox-keeper-api-key";
/// The first words [`DEFAULT_API_KEY`] may send (Commander's comma-separated allow-list).
pub const DEFAULT_API_KEY_COMMANDS: &str = "service-status,epm,device-approve";

/// The KEPM agent (endpoint) the seeded requests come from.
pub const AGENT_UID: &str = "16YOiwk6HYYQfpdndu2n8w";
/// The approval type of the seeded requests.
pub const APPROVAL_TYPE: &str = "PrivilegeElevation";
/// Minutes a KEPM request stays pending before it shows `Expired` (its `expire_in`).
pub const EXPIRE_IN_MINUTES: i64 = 30;

/// Pending, created 5 minutes before the seeding: the one to decide.
pub const KEPM_PENDING_UID: &str = "hoPd_gmQH1WsmbzgOMSimg";
pub const KEPM_PENDING_EMAIL: &str = "alice@example.com";
pub const KEPM_PENDING_AGE_MINUTES: i64 = 5;

/// Pending, created 29 minutes before the seeding: expires a minute later.
pub const KEPM_PENDING_LATE_UID: &str = "p3su9A1lkgASJqmfqR074Q";
pub const KEPM_PENDING_LATE_EMAIL: &str = "bob@example.com";
pub const KEPM_PENDING_LATE_AGE_MINUTES: i64 = 29;

/// Pending in storage, created 31 minutes before the seeding: shows `Expired`.
pub const KEPM_EXPIRED_UID: &str = "QSya9aUW9UiAOXrEOVsgfA";
pub const KEPM_EXPIRED_EMAIL: &str = "carol@example.com";
pub const KEPM_EXPIRED_AGE_MINUTES: i64 = 31;

/// A pending SSO device request (created 10 minutes before the seeding).
pub const DEVICE_ID: &str = "3c8411afb08075b49471";
pub const DEVICE_EMAIL: &str = "dave@example.com";
pub const DEVICE_AGE_MINUTES: i64 = 10;

/// Another pending SSO device request (created 3 minutes before the seeding).
pub const DEVICE_2_ID: &str = "98a42cc071d23a3e0bd6";
pub const DEVICE_2_EMAIL: &str = "erin@example.com";
pub const DEVICE_2_AGE_MINUTES: i64 = 3;

/// A seeded KEPM request.
pub(super) struct KepmSeed {
    pub uid: &'static str,
    pub email: &'static str,
    pub age_minutes: i64,
    pub application: (&'static str, &'static str, &'static str),
    pub justification: &'static str,
}

pub(super) const KEPM: [KepmSeed; 3] = [
    KepmSeed {
        uid: KEPM_PENDING_UID,
        email: KEPM_PENDING_EMAIL,
        age_minutes: KEPM_PENDING_AGE_MINUTES,
        application: (
            "Windows PowerShell",
            "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
            "Microsoft Windows",
        ),
        justification: r#"{"text":"Install the quarterly VPN client update (CHG-1042)"}"#,
    },
    KepmSeed {
        uid: KEPM_PENDING_LATE_UID,
        email: KEPM_PENDING_LATE_EMAIL,
        age_minutes: KEPM_PENDING_LATE_AGE_MINUTES,
        application: ("Registry Editor", "C:\\Windows\\regedit.exe", "Microsoft Windows"),
        justification: "Fix the proxy settings of the build agent",
    },
    KepmSeed {
        uid: KEPM_EXPIRED_UID,
        email: KEPM_EXPIRED_EMAIL,
        age_minutes: KEPM_EXPIRED_AGE_MINUTES,
        application: (
            "Windows Command Processor",
            "C:\\Windows\\System32\\cmd.exe",
            "Microsoft Windows",
        ),
        justification: r#"{"text":"Run the printer driver installer"}"#,
    },
];

/// A seeded device request: id, email, name, type, IP, client version, location, age.
pub(super) type DeviceSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
);

pub(super) const DEVICES: [DeviceSeed; 2] = [
    (
        DEVICE_ID,
        DEVICE_EMAIL,
        "Chrome on Windows 11",
        "Web Vault",
        "198.51.100.23",
        "w17.4.2",
        "Chicago, Illinois, US",
        DEVICE_AGE_MINUTES,
    ),
    (
        DEVICE_2_ID,
        DEVICE_2_EMAIL,
        "Keeper Desktop on macOS",
        "Desktop",
        "203.0.113.45",
        "c17.3.0",
        "Berlin, Berlin, DE",
        DEVICE_2_AGE_MINUTES,
    ),
];
