//! Commander's results (`keeper::commander::result`): a status and any JSON body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pam_approvals::providers::keeper::commander::Finished;
use pam_approvals::providers::keeper::commander::result::{kepm_request, pending_devices, unknown_request};
use pam_approvals::providers::keeper::subject::Uid;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Some((status, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = 100 + u16::from_le_bytes(*status) % 500;
    let text = pam_approvals_fuzz::text(rest);
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| json!({"status": "success", "data": text}));
    let finished = Finished { status, body };
    let uid = Uid::parse("hV0Y0cF1SxSLFwQd0yQ8Kw").expect("a uid");
    let _ = kepm_request(&finished, &uid);
    let _ = pending_devices(&finished);
    let _ = unknown_request(&finished);
    let _ = finished.message();
});
