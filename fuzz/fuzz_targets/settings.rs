//! The configuration document: the stored record (`Config::decode`, both versions), each
//! provider's section (EPM, PRA, Keeper: decode and validate), and the EPM page's save request
//! (`settings::form`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pam_approvals::config::Config;
use pam_approvals::providers::epm::settings::EpmSettings;
use pam_approvals::providers::epm::settings::form::{SaveRequest, validate, validate_change, validate_provisioning};
use pam_approvals::providers::keeper::settings::KeeperSettings;
use pam_approvals::providers::pra::settings::PraSettings;

fuzz_target!(|data: &[u8]| {
    let text = pam_approvals_fuzz::text(data);
    if let Ok(config) = Config::decode(&text) {
        if let Ok(epm) = config.section::<EpmSettings>() {
            let _ = epm.validate();
        }
        if let Ok(pra) = config.section::<PraSettings>() {
            let _ = pra.validate();
        }
        if let Ok(keeper) = config.section::<KeeperSettings>() {
            let _ = keeper.validate();
        }
        let _ = Config::decode(&config.encode()).expect("an encoded record decodes");
    }
    if let Ok(epm) = EpmSettings::decode(&text) {
        let _ = epm.validate();
    }
    if let Ok(request) = serde_json::from_str::<SaveRequest>(&text) {
        let stored = Default::default();
        let _ = validate(&request, &stored);
        let _ = validate_change(&request, &EpmSettings::default(), &stored);
        let _ = validate_provisioning(&request, &EpmSettings::default(), &stored);
    }
});
