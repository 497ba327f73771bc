//! The fields of EPM's "JIT Application Access Ticket Created" webhook, as in the seed's
//! template (../shared/seeds/000_*.txt): JSON key, EPM placeholder name, label and group.

/// Where a field is shown in the issue description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    WhoAndWhere,
    Application,
    FileAndHashes,
    Technical,
}

impl Group {
    pub const ALL: [Group; 4] = [
        Group::WhoAndWhere,
        Group::Application,
        Group::FileAndHashes,
        Group::Technical,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Group::WhoAndWhere => "Who and where",
            Group::Application => "Application",
            Group::FileAndHashes => "File and hashes",
            Group::Technical => "Technical details",
        }
    }
}

/// One field of the webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Key in the JSON body (top level or under `requestInfo`).
    pub key: &'static str,
    /// The EPM placeholder name used in templates, without the `%%`.
    pub placeholder: &'static str,
    pub label: &'static str,
    pub group: Group,
    /// Shown as code (paths, hashes, ids).
    pub code: bool,
}

const fn f(key: &'static str, placeholder: &'static str, label: &'static str, group: Group) -> Field {
    Field {
        key,
        placeholder,
        label,
        group,
        code: false,
    }
}

const fn c(key: &'static str, placeholder: &'static str, label: &'static str, group: Group) -> Field {
    Field {
        key,
        placeholder,
        label,
        group,
        code: true,
    }
}

use Group::*;

/// Top-level fields, in template order.
pub const TOP_LEVEL: [Field; 5] = [
    f("EventType", "EventType", "Event type", Technical),
    c("RequestId", "RequestId", "EPM request id", Technical),
    c("TenantId", "TenantId", "EPM tenant id", Technical),
    f("Timestamp", "Timestamp", "Requested at", WhoAndWhere),
    f("TicketNumber", "TicketNumber", "EPM ticket number", Technical),
];

/// `requestInfo` fields, in template order (the template lists `workstyle` twice; once here).
pub const REQUEST_INFO: [Field; 46] = [
    f("applicationType", "ApplicationType", "Application type", Application),
    f("action", "Action", "Action", Application),
    f("workstyle", "Workstyle", "Workstyle", Application),
    f("reason", "Reason", "Reason", WhoAndWhere),
    f("user", "User", "User", WhoAndWhere),
    f("hostName", "HostName", "Host name", WhoAndWhere),
    f(
        "trustedOwnership",
        "trustedOwnership",
        "Trusted ownership",
        FileAndHashes,
    ),
    f(
        "productDescription",
        "ProductDescription",
        "Product description",
        Application,
    ),
    f("driveType", "DriveType", "Drive type", FileAndHashes),
    f(
        "btZoneIdentifierExists",
        "BtZoneIdentifierExists",
        "Zone identifier exists",
        FileAndHashes,
    ),
    c("productCode", "ProductCode", "Product code", Application),
    c("upgradeCode", "UpgradeCode", "Upgrade code", Application),
    c("clsId", "ClsId", "COM CLSID", Application),
    f("comDisplayName", "ComDisplayName", "COM display name", Application),
    f("token", "Token", "Token", Technical),
    f(
        "tokenAssignmentIsShell",
        "TokenAssignmentIsShell",
        "Token assignment is shell",
        Technical,
    ),
    f("uacTriggered", "UacTriggered", "UAC triggered", Technical),
    c(
        "downloadSourceUrl",
        "DownloadSourceUrl",
        "Download source URL",
        FileAndHashes,
    ),
    f("userLanguage", "UserLanguage", "User language", WhoAndWhere),
    c("sha1Hash", "Sha1Hash", "SHA-1", FileAndHashes),
    c("sha256Hash", "Sha256Hash", "SHA-256", FileAndHashes),
    c("filePathObjectId", "FilePathObjectId", "File path", FileAndHashes),
    c("cmdArgs", "CmdArgs", "Command line arguments", FileAndHashes),
    f("publisher", "Publisher", "Publisher", Application),
    f("productName", "ProductName", "Product name", Application),
    f("productVersion", "ProductVersion", "Product version", Application),
    f("fileVersion", "FileVersion", "File version", FileAndHashes),
    f("applicationGroup", "ApplicationGroup", "Application group", Application),
    f("message", "Message", "Message", Application),
    c("messageId", "MessageId", "Message id", Technical),
    f("hostType", "HostType", "Host type", WhoAndWhere),
    f("osName", "OsName", "Operating system", WhoAndWhere),
    f("osVersion", "OsVersion", "OS version", WhoAndWhere),
    f("ComputerGroup", "ComputerGroup", "Computer group", WhoAndWhere),
    c("GroupId", "GroupId", "Computer group id", Technical),
    f("requestVersion", "RequestVersion", "Request version", Technical),
    c("hostedFilePath", "HostedFilePath", "Hosted file path", FileAndHashes),
    c("parentProcess", "ParentProcess", "Parent process", FileAndHashes),
    f("storeAppName", "StoreAppName", "Store app name", Application),
    f("serviceName", "ServiceName", "Service name", Application),
    f("serviceAction", "ServiceAction", "Service action", Application),
    c(
        "authRequestUri",
        "AuthRequestUri",
        "Authorization request URI",
        Technical,
    ),
    f(
        "bundleInfoDescription",
        "BundleInfoDescription",
        "Bundle description",
        Application,
    ),
    f(
        "reputationScoreDateTime",
        "ReputationScoreDateTime",
        "Reputation scored at",
        FileAndHashes,
    ),
    f("reputationScore", "ReputationScore", "Reputation score", FileAndHashes),
    f(
        "reputationIntegrationType",
        "ReputationIntegrationType",
        "Reputation source",
        FileAndHashes,
    ),
];

/// Every known field, top level first.
pub fn all() -> impl Iterator<Item = &'static Field> {
    TOP_LEVEL.iter().chain(REQUEST_INFO.iter())
}

/// The field whose placeholder (or JSON key) is `name`, case-insensitively.
pub fn by_placeholder(name: &str) -> Option<&'static Field> {
    all().find(|f| f.placeholder.eq_ignore_ascii_case(name) || f.key.eq_ignore_ascii_case(name))
}
