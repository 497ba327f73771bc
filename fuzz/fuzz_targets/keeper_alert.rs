//! Keeper's alert body (`keeper::alert::parse`) and the values it names (`subject`): whatever is
//! accepted is one safe word on Commander's command line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pam_approvals::providers::keeper::alert::parse;
use pam_approvals::providers::keeper::subject::{DeviceId, Email, Uid};

fuzz_target!(|data: &[u8]| {
    let body = pam_approvals_fuzz::text(data);
    let _ = parse(&body);
    let word: String = body.chars().take(80).collect();
    if let Ok(uid) = Uid::parse(&word) {
        assert!(
            uid.as_str()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
    let _ = DeviceId::parse(&word);
    if let Ok(email) = Email::parse(&word) {
        assert!(!email.as_str().starts_with('-'));
        assert!(
            !email
                .as_str()
                .chars()
                .any(|c| c.is_whitespace() || "\"';`$|&<>\\".contains(c))
        );
    }
});
