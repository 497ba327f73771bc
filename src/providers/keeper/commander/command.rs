//! The only commands the app sends to Commander, each built from validated values
//! (`subject.rs`): there is no way to put text of any other shape into one.

use crate::providers::keeper::subject::{DeviceId, Uid};

/// What the app asks Commander.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The connection test.
    ServiceStatus,
    /// A KEPM request's live details and status.
    ViewKepm(Uid),
    /// Approve (`true`) or deny a KEPM request.
    ActKepm(Uid, bool),
    /// The pending SSO device requests, read fresh from Keeper.
    ListDevices,
    /// Approve (`true`) or deny a pending device.
    ActDevice(DeviceId, bool),
}

impl Command {
    /// The command line.
    pub fn line(&self) -> String {
        let verb = |approve: bool| if approve { "--approve" } else { "--deny" };
        match self {
            Command::ServiceStatus => "service-status".into(),
            // A UID may start with `-` (base64url), which Commander's argparse would take for an
            // option: it goes after `--`, or attached with `=`.
            Command::ViewKepm(uid) => format!("epm approval view --format json -- {uid}"),
            Command::ActKepm(uid, approve) => format!("epm approval action {}={uid}", verb(*approve)),
            Command::ListDevices => "device-approve --reload --format json".into(),
            Command::ActDevice(id, approve) => format!("device-approve {} {id}", verb(*approve)),
        }
    }

    /// The first word: what the API key's allow-list must hold.
    pub fn allow_list_entry(&self) -> &'static str {
        match self {
            Command::ServiceStatus => "service-status",
            Command::ViewKepm(_) | Command::ActKepm(..) => "epm",
            Command::ListDevices | Command::ActDevice(..) => "device-approve",
        }
    }

    /// Whether running it changes something in Keeper (never sent twice blindly).
    pub fn acts(&self) -> bool {
        matches!(self, Command::ActKepm(..) | Command::ActDevice(..))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines() {
        let uid = Uid::parse("hV0Y0cF1SxSLFwQd0yQ8Kw").unwrap();
        let device = DeviceId::parse("0a1b2c3d4e5f60718293").unwrap();
        assert_eq!(Command::ServiceStatus.line(), "service-status");
        assert_eq!(
            Command::ViewKepm(uid.clone()).line(),
            "epm approval view --format json -- hV0Y0cF1SxSLFwQd0yQ8Kw"
        );
        assert_eq!(
            Command::ActKepm(uid.clone(), true).line(),
            "epm approval action --approve=hV0Y0cF1SxSLFwQd0yQ8Kw"
        );
        assert_eq!(
            Command::ActKepm(uid, false).line(),
            "epm approval action --deny=hV0Y0cF1SxSLFwQd0yQ8Kw"
        );
        // A UID that starts with a dash stays a value.
        let dashed = Uid::parse("-V0Y0cF1SxSLFwQd0yQ8Kw").unwrap();
        assert_eq!(
            Command::ActKepm(dashed, true).line(),
            "epm approval action --approve=-V0Y0cF1SxSLFwQd0yQ8Kw"
        );
        assert_eq!(Command::ListDevices.line(), "device-approve --reload --format json");
        assert_eq!(
            Command::ActDevice(device, false).line(),
            "device-approve --deny 0a1b2c3d4e5f60718293"
        );
    }
}
