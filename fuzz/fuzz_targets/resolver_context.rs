//! A resolver's context as Forge (or the host's bridge) sends it (`resolver::Context::parse`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = pam_approvals_fuzz::text(data);
    if let Ok(context) = pam_approvals::resolver::Context::parse(&text) {
        for key in ["epm-webhook", "pra-ticket", "keeper-alert"] {
            let _ = context.web_trigger_url(key);
        }
    }
});
