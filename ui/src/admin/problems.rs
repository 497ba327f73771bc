//! How an answer that is not a view becomes a notice, the same in every section of the
//! configuration page: field errors listed by label (page order), refusals and failed calls with
//! Retry where trying again may work.

use std::collections::BTreeMap;

use crate::answer::Refusal;
use crate::state::{Notice, Tone};

/// Each field's problem, by the core's field name (EPM's `FieldErrors` is this same type).
pub type FieldErrors = BTreeMap<String, String>;

/// A section's inputs, named as the core names them (the keys of an `invalid` answer's
/// `fields`).
pub trait FormField: Copy + 'static {
    /// Every input, in page order.
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;
    /// The label the page shows, also used in the error summary.
    fn label(self) -> &'static str;
}

/// Implements `FormField` for a field enum with an `ALL` array and inherent `name` and `label`.
macro_rules! form_field {
    ($field:ty) => {
        impl $crate::admin::problems::FormField for $field {
            fn all() -> &'static [$field] {
                &<$field>::ALL
            }
            fn name(self) -> &'static str {
                <$field>::name(self)
            }
            fn label(self) -> &'static str {
                <$field>::label(self)
            }
        }
    };
}
pub(crate) use form_field;

/// "2 settings need attention; nothing was saved." — the resolvers' own wording
/// (`src/providers/epm/settings/save.rs`), so the page's check and theirs read alike.
pub fn attention(count: usize) -> String {
    let noun = if count == 1 { "setting needs" } else { "settings need" };
    format!("{count} {noun} attention; nothing was saved.")
}

/// Every error in one notice (by label, in page order; a field the form does not have is still
/// shown, by name), and the first input with one (where focus goes).
pub fn field_errors<F: FormField>(title: String, errors: &FieldErrors) -> (Notice, Option<F>) {
    let mut notice = Notice::new(Tone::Error, title);
    for field in F::all() {
        if let Some(problem) = errors.get(field.name()) {
            notice.lines.push(format!("{}: {problem}", field.label()));
        }
    }
    for (name, problem) in errors {
        if !F::all().iter().any(|f| f.name() == name) {
            notice.lines.push(format!("{name}: {problem}"));
        }
    }
    let first = F::all().iter().copied().find(|f| errors.contains_key(f.name()));
    (notice, first)
}

/// A refusal other than `invalid` or `forbidden`: Retry where trying again may work.
pub fn refused(what: &str, refusal: Refusal) -> Notice {
    let retry = refusal.can_retry();
    let tone = if retry { Tone::Error } else { Tone::Warning };
    Notice::new(tone, what).line(refusal.message).retry(retry)
}

/// The call itself failed (the bridge, the network, the host).
pub fn failed(what: &str, problem: String) -> Notice {
    Notice::new(Tone::Error, what).line(problem).retry(true)
}
