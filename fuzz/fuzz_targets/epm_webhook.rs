//! EPM's webhook body, both events (`wire::parse`), and what a parsed request feeds: the
//! summary template and the duration label.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pam_approvals::providers::epm::mapping::placeholders::{check_template, render_summary};
use pam_approvals::providers::epm::wire::duration::AccessDuration;
use pam_approvals::providers::epm::wire::{Event, parse};

fuzz_target!(|data: &[u8]| {
    let body = pam_approvals_fuzz::text(data);
    if let Ok(Event::TicketCreated(request)) = parse(&body) {
        // The body's own text as a template: every placeholder it happens to hold.
        let template: String = body.chars().take(120).collect();
        let _ = check_template(&template);
        let summary = render_summary(&template, &request);
        assert!(summary.chars().count() <= 255 && !summary.contains('\n'));
    }
    let label: String = body.chars().take(40).collect();
    if let Ok(duration) = AccessDuration::from_label(&label) {
        assert_eq!(AccessDuration::from_label(&duration.label()), Ok(duration));
    }
});
