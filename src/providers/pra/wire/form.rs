//! `application/x-www-form-urlencoded` bodies, decoded by the `form_urlencoded` crate. It
//! decodes invalid UTF-8 to U+FFFD, which `from_pairs` refuses.

use super::{WireError, bad};

pub fn pairs(body: &str) -> Result<Vec<(String, String)>, WireError> {
    let mut pairs = Vec::new();
    for (key, value) in form_urlencoded::parse(body.trim().as_bytes()) {
        if key.is_empty() {
            return Err(bad("the form has a value without a key"));
        }
        if key.contains('\u{FFFD}') {
            return Err(bad("a key of the form is not valid UTF-8"));
        }
        pairs.push((key.into_owned(), value.into_owned()));
    }
    if pairs.is_empty() {
        return Err(bad(
            "the body is empty; the appliance sends request_id, ticket_id and response_url",
        ));
    }
    Ok(pairs)
}
