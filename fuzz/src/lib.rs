//! What several fuzz targets share: worlds configured for every provider, and the seed samples.

use pam_approvals::config::Section;
use pam_approvals::providers::keeper::settings::KeeperSettings;
use pam_approvals::providers::pra::settings::PraSettings;
use pam_approvals::testkit::World;
use serde_json::json;

/// The EPM sample webhook (ticket created) and the decision update.
pub const EPM_SAMPLE: &str = pam_approvals::testkit::SAMPLE;
/// PRA's URL secret and Keeper's alert token in [`world`].
pub const PRA_SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
pub const KEEPER_TOKEN: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

/// A world with all three providers configured (EPM as `World::configured`, PRA and Keeper as
/// their own tests configure them) and their secrets stored.
pub fn world() -> World {
    let mut world = World::configured();
    let pra: PraSettings = serde_json::from_value(json!({
        "enabled": true,
        "applianceHost": pam_approvals::testkit_pra::HOST,
        "rules": {"issueKey": true, "issueExists": true, "status": true, "requester": true, "jumpItem": false, "changeWindow": false},
        "allowedProjects": ["OPS"],
        "sessionAttributes": [{"codeName": "jira_issue", "source": "issueKey"}],
    }))
    .expect("PRA settings");
    let keeper: KeeperSettings = serde_json::from_value(json!({
        "enabled": true,
        "apiUrl": pam_approvals::testkit_keeper::API_URL,
        "projectKey": "OPS",
        "issueTypeName": "Task",
    }))
    .expect("Keeper settings");
    set(&mut world, &pra);
    set(&mut world, &keeper);
    world.secrets.insert(
        pam_approvals::providers::pra::settings::secret::SECRET_KEY.into(),
        PRA_SECRET.into(),
    );
    world.secrets.insert(
        pam_approvals::providers::keeper::settings::secrets::ALERT_TOKEN.into(),
        KEEPER_TOKEN.into(),
    );
    world.secrets.insert(
        pam_approvals::providers::keeper::settings::secrets::API_KEY.into(),
        pam_approvals::testkit_keeper::API_KEY.into(),
    );
    world
}

fn set<T: Section>(world: &mut World, section: &T) {
    world.set_section(section);
}

/// Text of fuzz bytes: lossy, so every input reaches the parser.
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// A structured input: its first `N` bytes as choices (missing ones are 0), then up to `fields`
/// texts separated by NUL bytes (missing ones are empty; the last takes the rest, NULs and all).
/// Plain bytes rather than `arbitrary`'s encoding, so that the seeds in `fuzz/corpus/` are real
/// payloads with a few bytes in front, written by hand.
pub fn split<const N: usize>(data: &[u8], fields: usize) -> ([u8; N], Vec<String>) {
    let mut choices = [0u8; N];
    let n = data.len().min(N);
    choices[..n].copy_from_slice(&data[..n]);
    let mut texts: Vec<String> = data[n..]
        .splitn(fields.max(1), |&b| b == 0)
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect();
    texts.resize(fields.max(1), String::new());
    (choices, texts)
}
