//! The browser tests' `admin-*` fixtures (real resolver answers of the core; see
//! `tests/admin_fixtures.rs`, `tests/admin_pra_fixtures.rs` and `tests/keeper_fixtures.rs`), for the native tests.

use serde_json::Value;

macro_rules! fixtures {
    ($($name:literal),* $(,)?) => {
        /// The fixture `tests/browser/fixtures/<name>.json`, as JSON.
        pub fn fixture(name: &str) -> Value {
            let text = match name {
                $($name => include_str!(concat!("../../../tests/browser/fixtures/", $name, ".json")),)*
                other => panic!("no fixture {other}"),
            };
            serde_json::from_str(text).expect("fixtures are JSON")
        }
    };
}

fixtures!(
    "admin-config",
    "admin-config-fresh",
    "admin-saved",
    "admin-save-invalid",
    "admin-validate",
    "admin-validate-failing",
    "admin-forbidden",
    "admin-unavailable",
    "admin-pra-config",
    "admin-pra-config-set",
    "admin-pra-save-invalid",
    "admin-pra-saved",
    "admin-pra-rotated",
    "admin-pra-validate",
    "admin-pra-validate-failing",
    "admin-keeper-config",
    "admin-keeper-config-set",
    "admin-keeper-save-invalid",
    "admin-keeper-saved",
    "admin-keeper-rotated",
    "admin-keeper-validate",
    "admin-keeper-validate-failing",
);
