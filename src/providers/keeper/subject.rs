//! What a Keeper request is about, as validated values: a KEPM approval UID, an SSO device id,
//! an e-mail. Commands are built only from these (`commander::command`), so nothing a person
//! typed (an issue field, a description, an alert body) reaches a Commander command line
//! unless it has exactly the documented shape.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A KEPM approval UID: base64url (no padding) of 16 bytes, as Commander's
/// `epm approval action` checks it (`utils.base64_url_decode(uid)` must be 16 bytes long).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uid(String);

impl Uid {
    pub fn parse(text: &str) -> Result<Uid, String> {
        let text = text.trim();
        let alphabet = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        // 16 bytes are 22 base64 characters; the last carries 2 bits, the other 4 are zero.
        let valid = text.len() == 22 && text.chars().all(alphabet) && text.ends_with(['A', 'Q', 'g', 'w']);
        if valid {
            Ok(Uid(text.to_string()))
        } else {
            Err("a KEPM request UID is 22 characters of base64url (16 bytes)".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An SSO device id as `device-approve` lists it: the first 10 bytes of the device token in
/// lowercase hex. Commander matches ids as prefixes, so only the full 20 characters are taken.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(String);

impl DeviceId {
    pub fn parse(text: &str) -> Result<DeviceId, String> {
        let text = text.trim().to_ascii_lowercase();
        if text.len() == 20 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(DeviceId(text))
        } else {
            Err("a device id is 20 hexadecimal characters".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Keeper user name (an e-mail address), strict enough to be one argument of a command: no
/// spaces, quotes or shell characters, and never starting with `-` (no option can be smuggled).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Email, String> {
        let text = text.trim();
        let bad = || Err("not an e-mail address (name@domain.tld)".into());
        let Some((local, domain)) = text.split_once('@') else {
            return bad();
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with(['-', '.'])
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c));
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        let domain_ok = domain.contains('.') && domain.split('.').all(label_ok);
        if local_ok && domain_ok && text.len() <= 254 {
            Ok(Email(text.to_ascii_lowercase()))
        } else {
            bad()
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_value {
    ($ty:ty) => {
        impl TryFrom<String> for $ty {
            type Error = String;
            fn try_from(text: String) -> Result<Self, String> {
                <$ty>::parse(&text)
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
text_value!(Uid);
text_value!(DeviceId);
text_value!(Email);

/// Which of Keeper's two approvals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An Endpoint Privilege Manager elevation request (expires 30 minutes after creation).
    Kepm,
    /// An SSO login on a new device waiting for an admin (never expires).
    Device,
}

impl Kind {
    /// The label Keeper's ITSM app puts on such tickets; the app's own tickets carry it too.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Kepm => "ITSM_approval_request_created",
            Kind::Device => "ITSM_device_admin_approval_requested",
        }
    }

    pub fn from_labels<'a>(mut labels: impl Iterator<Item = &'a str>) -> Option<Kind> {
        labels.find_map(|l| match l {
            "ITSM_approval_request_created" => Some(Kind::Kepm),
            "ITSM_device_admin_approval_requested" => Some(Kind::Device),
            _ => None,
        })
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Kepm => "KEPM elevation request",
            Kind::Device => "SSO device approval",
        }
    }
}

/// The request itself: a KEPM approval, or a user's pending device (the device's name tells
/// which of the user's devices when Keeper's alert names no id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Subject {
    Kepm {
        uid: Uid,
    },
    Device {
        email: Email,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device_id: Option<DeviceId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device_name: Option<String>,
    },
}

impl Subject {
    pub fn kind(&self) -> Kind {
        match self {
            Subject::Kepm { .. } => Kind::Kepm,
            Subject::Device { .. } => Kind::Device,
        }
    }

    /// How notes and logs name it (UIDs and e-mails are not secrets; Keeper shows them too).
    pub fn label(&self) -> String {
        match self {
            Subject::Kepm { uid } => format!("KEPM request {uid}"),
            Subject::Device { email, device_name, .. } => match device_name {
                Some(name) => format!("device \"{name}\" of {email}"),
                None => format!("new device of {email}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_base64url_of_16_bytes() {
        assert!(Uid::parse("hV0Y0cF1SxSLFwQd0yQ8Kw").is_ok());
        assert!(Uid::parse(" hV0Y0cF1SxSLFwQd0yQ8Kw ").is_ok());
        for bad in [
            "",
            "hV0Y0cF1SxSLFwQd0yQ8Kx",  // the last character carries bits 16 bytes do not have
            "hV0Y0cF1SxSLFwQd0yQ8K",   // 21
            "hV0Y0cF1SxSLFwQd0yQ8Kw=", // padding
            "hV0Y0cF1SxSLFwQd0yQ+Kw",  // not url-safe
            "hV0Y0cF1 xSLFwQd0yQ8Kw",
            "hV0Y0cF1SxSLFwQd0yQ8Kw; rm -rf /",
        ] {
            assert!(Uid::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn device_ids_are_20_hex_characters() {
        assert_eq!(
            DeviceId::parse("0A1B2C3D4E5F60718293").unwrap().as_str(),
            "0a1b2c3d4e5f60718293"
        );
        for bad in ["0a1b", "0a1b2c3d4e5f6071829g", "0a1b2c3d4e5f607182931", "--approve"] {
            assert!(DeviceId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_cannot_carry_a_command() {
        assert_eq!(
            Email::parse("Bob.Smith+it@Example.com").unwrap().as_str(),
            "bob.smith+it@example.com"
        );
        for bad in [
            "bob",
            "bob@localhost",
            "-rf@example.com",
            "bob@example.com; rm -rf /",
            "bob@example.com --deny",
            "\"bob\"@example.com",
            "bob@exa mple.com",
            "bob@example.com\n--approve",
            "bob@-example.com",
            "bob@@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn kinds_come_from_keepers_itsm_labels() {
        assert_eq!(
            Kind::from_labels(["x", "ITSM_approval_request_created"].into_iter()),
            Some(Kind::Kepm)
        );
        assert_eq!(
            Kind::from_labels(["ITSM_device_admin_approval_requested"].into_iter()),
            Some(Kind::Device)
        );
        assert_eq!(Kind::from_labels(["itsm_approval_request_created"].into_iter()), None);
    }
}
