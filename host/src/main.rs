//! `pam-approvals-host`: the local Forge-style host. See `--help` and the README.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};

use pam_approvals_host::capabilities::Capabilities;
use pam_approvals_host::kv::Kv;
use pam_approvals_host::runtime::{Runtime, Source};
#[cfg(feature = "sandbox")]
use pam_approvals_host::sandbox_mode;
use pam_approvals_host::server::AppState;
use pam_approvals_host::targets::Targets;
use pam_approvals_host::{data_dir, provision, queue, sample, sample_keeper, sample_pra, scheduled, server, static_ui};

#[derive(Parser)]
#[command(version, about = "Runs PAM Approvals for Jira locally, the way Forge runs it")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve web triggers, the UI bridge and pages (and, with --sandbox, a sandbox Jira, EPM, PRA appliance and Keeper Commander) until Ctrl-C.
    Serve(ServeArgs),
    /// Send a realistic EPM "ticket created" webhook (from the seed template) to a running host.
    SendSample(sample::SampleArgs),
    /// Play a BeyondTrust PRA appliance against a running host in sandbox mode: post a ticket-ID
    /// approval request to the app's PRA web trigger and wait for the app's answer.
    SendSamplePra(sample_pra::PraSampleArgs),
    /// Play a Keeper Admin Console alert against a running host: post a sample "Agent created
    /// approval request" (or "Device admin approval requested") webhook to the app's Keeper
    /// alert web trigger with its bearer token, and print the answer.
    SendSampleKeeper(sample_keeper::KeeperSampleArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Serve an embedded sandbox Jira (/sandbox/jira), EPM (/sandbox/epm), PRA appliance
    /// (/sandbox/pra) and Keeper Commander (/sandbox/keeper) and send the app's Jira calls, EPM and PRA fetches to them (only in a build with the `sandbox` feature, the
    /// default; a deployment builds without it).
    #[arg(long)]
    sandbox: bool,
    /// Address to listen on (port 0 picks a free port; the URLs printed say which).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Where KV storage, secrets and the sandbox's data are kept (SQLite).
    #[arg(long, default_value = ".pam-approvals")]
    data_dir: PathBuf,
    /// A real Jira Cloud site, e.g. https://your-site.atlassian.net (instead of --sandbox).
    #[arg(long, conflicts_with = "sandbox", requires_all = ["jira_email", "jira_token"])]
    jira_url: Option<String>,
    /// Email of the Atlassian account whose API token is given.
    #[arg(long)]
    jira_email: Option<String>,
    /// Atlassian API token (or set JIRA_API_TOKEN).
    #[arg(long, env = "JIRA_API_TOKEN", hide_env_values = true)]
    jira_token: Option<String>,
    /// A configuration document to apply at start-up (JSON: {"config": {...}, "secrets": {...}}).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run the manifest's scheduled triggers (`epm-expiry` ends approved access whose time is up)
    /// every SECS seconds (at most a week, Forge's longest interval) instead of their manifest
    /// interval, so that a local run need not wait five minutes; 0 disables them.
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(..=604_800))]
    expiry_interval: u64,
    /// How many jobs of the app's queue run at once (jobs are kept in <data-dir>/kv.sqlite and
    /// survive a restart).
    #[arg(long, value_name = "N", default_value_t = queue::worker::DEFAULT_WORKERS, value_parser = clap::value_parser!(u16).range(1..=64).map(usize::from))]
    queue_workers: usize,
    /// Where the Custom UI builds are (`<dir>/<resource>/build/`); default: the repository's static/.
    #[arg(long)]
    static_dir: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,hyper=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // Whatever this process creates (the data dir's databases and their -wal/-shm files, even
    // when `send-sample` opens them) is its user's alone.
    data_dir::private_umask();
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::SendSample(args) => sample::send(args).await,
        Command::SendSamplePra(args) => sample_pra::send(args).await,
        Command::SendSampleKeeper(args) => sample_keeper::send(args).await,
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    if !args.sandbox && args.jira_url.is_none() {
        bail!("choose where Jira is: --sandbox, or --jira-url with --jira-email and --jira-token");
    }
    // The data dir holds secrets: 0700, and every file in it 0600 from its first byte.
    data_dir::prepare(&args.data_dir)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let base = format!("http://{}", listener.local_addr()?);

    let kv = Arc::new(Kv::open(&args.data_dir.join("kv.sqlite"))?);
    // Before anything runs: claims of an earlier process on this data dir are then known dead,
    // and so are its jobs' takes (they are queued again).
    let instance = pam_approvals_host::process_instance::mark(&kv)?;
    let jobs = Arc::new(queue::Queue::open(&args.data_dir.join("kv.sqlite"), &instance)?);
    // Follows no redirect: a 3xx goes back to the component as is.
    let http = pam_approvals_host::outbound::client()?;
    let (target, sandbox_config) = match args.sandbox {
        #[cfg(feature = "sandbox")]
        true => sandbox_targets(&args.data_dir, &base, http, &jobs)?,
        // A deployment build has no sandboxes to serve.
        #[cfg(not(feature = "sandbox"))]
        true => bail!("this build has no sandboxes (built without the `sandbox` feature): use --jira-url"),
        false => {
            let site = Targets::site(
                args.jira_url.as_deref().unwrap_or_default(),
                args.jira_email.as_deref().unwrap_or_default(),
                args.jira_token.as_deref().unwrap_or_default(),
                http,
            );
            (site, None)
        }
    };

    let started = std::time::Instant::now();
    let compiled = args.data_dir.join("compiled");
    let (runtime, source) = Runtime::with_cache(pam_approvals_host::runtime::COMPONENT, Some(&compiled))?;
    let runtime = Arc::new(runtime);
    match source {
        Source::Cache => tracing::info!(
            "component loaded from {} in {:?}",
            compiled.display(),
            started.elapsed()
        ),
        Source::Compiled => tracing::info!("component compiled (and cached) in {:?}", started.elapsed()),
        Source::CompiledOnly(why) => tracing::warn!("component compiled in {:?}; {why}", started.elapsed()),
    }
    let caps = Arc::new(Capabilities {
        kv,
        jira: target.jira,
        outbound: target.outbound,
        counters: Default::default(),
        queue: jobs.clone(),
        clock: target.clock.clone(),
    });

    let credentials = provision::apply(
        &runtime,
        &caps,
        &provision::Start {
            data_dir: &args.data_dir,
            config: args.config.as_deref(),
            sandbox: sandbox_config.as_ref(),
        },
    )
    .await?;

    // After provisioning, so the first job and the first tick already see the configuration.
    queue::worker::spawn_component(args.queue_workers, runtime.clone(), caps.clone(), jobs, target.clock);
    if let Some(events) = target.events {
        pam_approvals_host::events::spawn(runtime.clone(), caps.clone(), events);
    }
    if args.expiry_interval > 0 {
        for key in scheduled::keys() {
            let every = std::time::Duration::from_secs(args.expiry_interval);
            scheduled::spawn(runtime.clone(), caps.clone(), key, every);
        }
    }

    println!("PAM Approvals for Jira — local host");
    for key in &pam_manifest::app().web_triggers {
        println!("  web trigger ({key}): {}", server::web_trigger_url(&base, key));
    }
    println!("  issue action page: {base}/ui/request/");
    println!("  admin page:        {base}/ui/admin/");
    println!("  UI bridge:         {base}/bridge/invoke");
    #[cfg(feature = "sandbox")]
    if args.sandbox {
        println!("  sandbox Jira:      {base}/sandbox/jira/");
        println!("  sandbox Jira REST: {base}/sandbox/jira/rest/api/3/");
        println!("  app configuration: {base}/sandbox/jira/plugins/servlet/pam-approvals/configure");
        println!(
            "  sandbox EPM:       {base}/sandbox/epm/ (the app reaches it as https://{}, client id {})",
            sandbox_mode::EPM_HOST,
            sandbox_mode::EPM_CLIENT_ID
        );
        println!(
            "  sandbox PRA:       {base}/sandbox/pra/ (the app reaches the appliance as https://{}; controls at {base}/sandbox/pra/_sandbox/)",
            sandbox_mode::PRA_HOST
        );
        println!(
            "  sandbox Keeper:    {base}/sandbox/keeper/api/v2/ (Commander Service Mode; the app reaches it as https://{}/api/v2, api-key {}; controls at {base}/sandbox/keeper/_sandbox/)",
            sandbox_mode::KEEPER_HOST,
            sandbox_mode::KEEPER_API_KEY
        );
    }
    for key in scheduled::keys() {
        match args.expiry_interval {
            0 => println!("  scheduled trigger: {key} off (--expiry-interval 0)"),
            secs => println!("  scheduled trigger: {key} every {secs} s"),
        }
    }
    match args.queue_workers {
        1 => println!("  job queue:         1 worker"),
        n => println!("  job queue:         {n} workers"),
    }
    if args.sandbox {
        println!("  sandbox controls:  {base}/_sandbox/clock, {base}/_sandbox/scheduled/<key>, {base}/_sandbox/queue");
    }
    if let Some((user, password)) = &credentials
        && args.sandbox
    {
        // Printed on purpose: these are the sandbox's own credentials, for pasting into a test EPM.
        println!("  webhook user:      {user}");
        println!("  webhook password:  {password}");
    }
    println!("  data dir:          {}", args.data_dir.display());
    println!(
        "Ready. Send a sample: cargo run --release -p pam-approvals-host -- send-sample --url {base}/x/epm-webhook --data-dir {}",
        args.data_dir.display()
    );
    let state = AppState {
        runtime,
        caps,
        sign_in: Arc::new(target.sign_in),
        site_url: target.site_url.into(),
        public_url: base.as_str().into(),
    };
    let static_dir = args.static_dir.clone().unwrap_or_else(static_ui::default_dir);
    server::serve(listener, server::router(state, static_dir, target.sandbox_routes)).await
}

/// Sandbox mode's targets and configuration (its EPM's client secret is kept in the data dir).
#[cfg(feature = "sandbox")]
fn sandbox_targets(
    data_dir: &std::path::Path,
    base: &str,
    http: reqwest::Client,
    jobs: &Arc<queue::Queue>,
) -> Result<(Targets, Option<pam_approvals_host::provision::SandboxConfig>)> {
    let epm_secret = pam_approvals_host::credentials::sandbox_epm_client_secret(data_dir)?;
    let targets = sandbox_mode::targets(data_dir, base, &epm_secret, http, jobs)?;
    Ok((targets, Some(sandbox_mode::config(&epm_secret))))
}
