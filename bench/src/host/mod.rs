//! The bench host: the local host exactly as `pam-approvals-host serve --sandbox` assembles it
//! (host library: runtime, capabilities, sandbox Jira and EPM, bridge, queue worker), run in its
//! own process so its memory is measured alone, with `/_bench/stats` (the runtime's `RunStats`
//! totals, the host's call `Counters`, RSS) and `/_bench/reset-peak` added. Everything else,
//! web triggers included, is the host's own router.

pub mod measured;
pub mod process;
pub mod rss;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Result, bail};
use axum::Router;
use axum::routing::{get, post};
use pam_approvals_host::capabilities::Capabilities;
use pam_approvals_host::contracts::Contracts;
use pam_approvals_host::jira_target::JiraTarget;
use pam_approvals_host::kv::Kv;
use pam_approvals_host::outbound::Outbound;
use pam_approvals_host::runtime::{COMPONENT, Invocation, Outcome, RunContext, Runtime};
use pam_approvals_host::sandbox::epm::{self, ClientCredentials, EpmSandbox};
use pam_approvals_host::sandbox::jira::JiraSandbox;
use pam_approvals_host::server::{self, AppState, Sandboxes};
use pam_approvals_host::sign_in::SignIn;
use pam_approvals_host::{credentials, queue, static_ui};

use crate::inputs::{WEBHOOK_PASSWORD, WEBHOOK_USER};
use measured::BenchState;

/// Serves until SIGTERM; prints `ready <base URL>` once it answers.
pub async fn serve(data_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let site_url = format!("{base}/sandbox/jira");

    let kv = Arc::new(Kv::open(&data_dir.join("kv.sqlite"))?);
    let instance = pam_approvals_host::process_instance::mark(&kv)?;
    let jobs = Arc::new(queue::Queue::open(&data_dir.join("kv.sqlite"), &instance)?);
    // The host's own client: no redirects followed, the host's timeout.
    let http = pam_approvals_host::outbound::client()?;
    let epm_secret = credentials::sandbox_epm_client_secret(data_dir)?;
    let site = JiraSandbox::open(
        &data_dir.join("sandbox-jira.sqlite"),
        &site_url,
        Arc::new(Contracts::load()?),
    )?;
    let epm = EpmSandbox::open(
        &data_dir.join("sandbox-epm.sqlite"),
        ClientCredentials {
            client_id: epm::CLIENT_ID.into(),
            client_secret: epm_secret.clone(),
        },
    )?;
    let epm_router = epm.router();
    let runtime = Arc::new(Runtime::new(COMPONENT)?);
    let caps = Arc::new(Capabilities {
        kv,
        jira: JiraTarget::sandbox(&site),
        outbound: Outbound::network(http).with_sandbox(epm::HOST, epm_router.clone()),
        counters: Default::default(),
        queue: jobs,
    });

    let mut document = credentials::sandbox_document();
    document["secrets"]["webhookUsername"] = WEBHOOK_USER.into();
    document["secrets"]["webhookPassword"] = WEBHOOK_PASSWORD.into();
    configure(&runtime, &caps, document).await?;
    configure(&runtime, &caps, credentials::sandbox_epm_document(&epm_secret)).await?;
    queue::worker::spawn_component(queue::worker::DEFAULT_WORKERS, runtime.clone(), caps.clone());

    let state = AppState {
        runtime: runtime.clone(),
        caps: caps.clone(),
        sign_in: Arc::new(SignIn::Sandbox(site.clone())),
        site_url: site_url.into(),
        public_url: base.as_str().into(),
    };
    let host = server::router(
        state,
        static_ui::default_dir(),
        Some(Sandboxes {
            jira: site.router(),
            epm: epm_router,
        }),
    );
    let bench = BenchState::new(runtime, caps);
    rss::spawn_sampler(bench.rss.clone());
    let app = Router::new()
        .route("/_bench/stats", get(measured::stats))
        .route("/_bench/reset-peak", post(measured::reset_peak))
        .with_state(bench)
        .fallback_service(host);
    println!("ready {base}");
    server::serve(listener, app).await
}

/// Applies one configuration document, as the host's `serve` does at start-up.
async fn configure(runtime: &Runtime, caps: &Arc<Capabilities>, document: serde_json::Value) -> Result<()> {
    let invocation = Invocation::Configure(document.to_string());
    match runtime.run(invocation, caps, &RunContext::default()).await?.0 {
        Outcome::Value(_) => Ok(()),
        other => bail!("the configuration was refused: {other:?}"),
    }
}
