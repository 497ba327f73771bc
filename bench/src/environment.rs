//! What the figures were measured on: machine, load, toolchain, date and commit.

use std::process::Command;

pub struct Environment {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
    pub rustc: String,
    pub node: String,
    pub date: String,
    pub commit: String,
    /// 1-minute load average when the run started.
    pub load_at_start: f64,
}

fn command(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn proc_field(file: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    Some(line.split_once(':')?.1.trim().to_string())
}

/// The 1-minute load average.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

impl Environment {
    pub fn read() -> Environment {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let commit = command("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
        let dirty = command("git", &["status", "--porcelain"]).is_some_and(|s| !s.is_empty());
        let memory_kb: f64 = proc_field("/proc/meminfo", "MemTotal")
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        Environment {
            cpu: proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            memory_gib: memory_kb / 1024.0 / 1024.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "unknown".into()),
            rustc: command("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
            node: command("node", &["--version"]).unwrap_or_else(|| "not installed".into()),
            date: pam_approvals::time::iso(now_ms),
            commit: if dirty {
                format!("{commit} plus uncommitted changes")
            } else {
                commit
            },
            load_at_start: load_average(),
        }
    }

    /// "quiet" or "loaded": `PAM_BENCH_MACHINE` when set, else from the load average at the
    /// start (above a quarter of a busy core per core counts as loaded).
    pub fn state(&self) -> String {
        match std::env::var("PAM_BENCH_MACHINE") {
            Ok(said) if !said.trim().is_empty() => said.trim().to_string(),
            _ if self.load_at_start > 0.25 * self.cores as f64 => "loaded".into(),
            _ => "quiet".into(),
        }
    }
}
