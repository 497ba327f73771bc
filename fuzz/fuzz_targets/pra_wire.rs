//! PRA's web trigger body, form or JSON (`pra::wire::parse`), the response URL it names
//! (`guard::response_url`) and its ticket id (`rules::ticket::Ticket::read`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pam_approvals::providers::pra::guard::response_url;
use pam_approvals::providers::pra::rules::ticket::Ticket;
use pam_approvals::providers::pra::wire::parse;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let body = pam_approvals_fuzz::text(rest);
    let content_type = match kind % 4 {
        0 => Some("application/x-www-form-urlencoded"),
        1 => Some("application/json"),
        2 => Some("text/plain; charset=utf-8"),
        _ => None,
    };
    if let Ok(request) = parse(content_type, &body) {
        assert!(request.request_id.chars().count() <= 255);
        let ticket = Ticket::read(&request.ticket_id, kind & 4 != 0);
        let _ = (ticket.subject(), ticket.object());
    }
    if let Ok(url) = response_url(&body, pam_approvals::testkit_pra::HOST) {
        assert!(
            url.starts_with("https://") && url.ends_with("/api/endpoint_approval"),
            "{url}"
        );
    }
});
