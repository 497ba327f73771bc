//! `pam-bench`: the runner behind scripts/bench.sh.
//!
//! ```text
//! pam-bench run [--out DIR] [--host-bin PATH] [--reps N] [--burst-reps N]
//! pam-bench host --data-dir DIR    # the bench host process; `run` starts it
//! ```

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use pam_approvals_bench::{host, paths, run};

fn option(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn number(args: &[String], name: &str, default: usize) -> Result<usize> {
    option(args, name).map_or(Ok(default), |v| v.parse().with_context(|| format!("{name} {v}")))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("host") => {
            let dir = option(&args, "--data-dir").context("host needs --data-dir DIR")?;
            host::serve(&PathBuf::from(dir)).await
        }
        Some("run") => {
            let options = run::Options {
                out: option(&args, "--out").map_or_else(|| paths::root().join("bench"), PathBuf::from),
                host_binary: Some(
                    option(&args, "--host-bin")
                        .map_or_else(|| paths::target().join("release/pam-approvals-host"), PathBuf::from),
                ),
                reps: number(&args, "--reps", 5)?,
                burst_reps: number(&args, "--burst-reps", 3)?,
                started_at_unix: std::env::var("PAM_BENCH_STARTED_AT").ok().and_then(|v| v.parse().ok()),
            };
            if !run::run(&options).await? {
                bail!("a burst check failed (see RESULTS.md, section 3)");
            }
            Ok(())
        }
        _ => bail!(
            "usage: pam-bench run [--out DIR] [--host-bin PATH] [--reps N] [--burst-reps N] | pam-bench host --data-dir DIR"
        ),
    }
}
