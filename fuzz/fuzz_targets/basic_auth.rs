//! The web trigger's `Authorization: Basic ...` header (`auth::parse_basic`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let header = pam_approvals_fuzz::text(data);
    let _ = pam_approvals::auth::parse_basic(Some(&header));
});
