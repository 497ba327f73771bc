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
use pam_approvals_host::kv::Kv;
use pam_approvals_host::runtime::{COMPONENT, Invocation, Outcome, RunContext, Runtime};
use pam_approvals_host::server::{self, AppState};
use pam_approvals_host::{credentials, queue, sandbox_mode, static_ui};

use crate::inputs::{WEBHOOK_PASSWORD, WEBHOOK_USER};
use measured::BenchState;

/// Serves until SIGTERM; prints `ready <base URL>` once it answers.
pub async fn serve(data_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);

    let kv = Arc::new(Kv::open(&data_dir.join("kv.sqlite"))?);
    let instance = pam_approvals_host::process_instance::mark(&kv)?;
    let jobs = Arc::new(queue::Queue::open(&data_dir.join("kv.sqlite"), &instance)?);
    // The host's own client: no redirects followed, the host's timeout.
    let http = pam_approvals_host::outbound::client()?;
    let epm_secret = credentials::sandbox_epm_client_secret(data_dir)?;
    let target = sandbox_mode::targets(data_dir, &base, &epm_secret, http, &jobs)?;
    let runtime = Arc::new(Runtime::new(COMPONENT)?);
    let caps = Arc::new(Capabilities {
        kv,
        jira: target.jira,
        outbound: target.outbound,
        counters: Default::default(),
        queue: jobs.clone(),
        clock: target.clock.clone(),
    });

    let sandbox = sandbox_mode::config(&epm_secret);
    let mut document = sandbox.first_start;
    document["secrets"]["webhookUsername"] = WEBHOOK_USER.into();
    document["secrets"]["webhookPassword"] = WEBHOOK_PASSWORD.into();
    configure(&runtime, &caps, document).await?;
    configure(&runtime, &caps, sandbox.every_start).await?;
    for document in sandbox.providers {
        configure(&runtime, &caps, document).await?;
    }
    queue::worker::spawn_component(
        queue::worker::DEFAULT_WORKERS,
        runtime.clone(),
        caps.clone(),
        jobs,
        target.clock,
    );

    let state = AppState {
        runtime: runtime.clone(),
        caps: caps.clone(),
        sign_in: Arc::new(target.sign_in),
        site_url: target.site_url.into(),
        public_url: base.as_str().into(),
    };
    let host = server::router(state, static_ui::default_dir(), target.sandbox_routes);
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
