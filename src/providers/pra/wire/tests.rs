use serde_json::json;

use super::*;

#[test]
fn the_seed_form_is_read_whole() {
    let body = "request_id=abc%2B1&ticket_id=+OPS-1+&response_url=https%3A%2F%2Fa.b%2Fapi%2Fendpoint_approval\
        &jump_item.computer_name=web-01&jump_item.type=shell_jump&jump_item.comments=c&jump_item.group=g\
        &jump_item.tag=t&jump_item.jumpoint_name=j&jump_item.public_ip=1.2.3.4&jump_item.private_ip=10.0.0.1\
        &jump_item.custom.owner=web+team&user.id=42&user.username=bob&user.public_display_name=Bob\
        &user.private_display_name=Bob+R&user.email_address=bob%40example.com&something.new=kept+out";
    let request = parse(Some("application/x-www-form-urlencoded"), body).unwrap();
    assert_eq!(request.request_id, "abc+1");
    assert_eq!(request.ticket_id, " OPS-1 ", "as sent; the rules trim");
    assert_eq!(request.response_url, "https://a.b/api/endpoint_approval");
    assert_eq!(request.jump_item.computer_name.as_deref(), Some("web-01"));
    assert_eq!(request.jump_item.kind.as_deref(), Some("shell_jump"));
    assert_eq!(request.jump_item.custom["owner"], "web team");
    assert_eq!(request.user.email_address.as_deref(), Some("bob@example.com"));
    assert_eq!(request.user.label(), "Bob <bob@example.com>");
    assert_eq!(request.jump_item.label(), "web-01");
}

#[test]
fn json_takes_numbers_and_nesting_and_ignores_nulls() {
    let body = json!({
        "request_id": "r", "ticket_id": "OPS-1", "response_url": "https://a.b/api/endpoint_approval",
        "user": {"id": 42, "email_address": null}, "jump_item": {"custom": {"rack": 7}}, "flag": true,
    });
    let request = parse(None, &body.to_string()).unwrap();
    assert_eq!(request.user.id.as_deref(), Some("42"));
    assert_eq!(request.user.email_address, None);
    assert_eq!(request.jump_item.custom["rack"], "7");
    let deep = json!({"request_id": "r", "a": {"b": {"c": {"d": {"e": "x"}}}}});
    assert!(
        parse(None, &deep.to_string())
            .unwrap_err()
            .0
            .contains("nested too deeply")
    );
}

#[test]
fn too_many_custom_keys_are_refused() {
    let mut body = String::from("request_id=r&ticket_id=OPS-1&response_url=u");
    for i in 0..=MAX_CUSTOM_KEYS {
        body.push_str(&format!("&jump_item.custom.k{i}=v"));
    }
    assert!(parse(None, &body).unwrap_err().0.contains("more than 50"));
}
