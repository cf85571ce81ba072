//! `dorasim serve`: parses the flags, reads the scenario once, prints the address and runs the
//! server ([`crate::serve`]).

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::serve::{self, BaseScenario, Limits};

/// Arguments of `dorasim serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Scenario file (TOML) the page starts from. Without it, the embedded default scenario.
    pub scenario: Option<PathBuf>,
    /// Address to listen on. Anything but a loopback address lets other machines run jobs on
    /// this one: a warning is printed.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Port (0 = pick a free one; the address is printed).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Open the page in the default browser (best effort).
    #[arg(long)]
    pub open: bool,
    /// Replications of a request that names none.
    #[arg(long, default_value_t = Limits::default().default_runs, value_name = "N")]
    pub default_runs: u32,
    /// Most replications one request may ask for.
    #[arg(long, default_value_t = Limits::default().max_runs, value_name = "N")]
    pub max_runs: u32,
    /// Jobs running at once, each on one core (default: the number of cores); more wait.
    #[arg(long, value_name = "N")]
    pub max_jobs: Option<usize>,
    /// Jobs waiting at once; more are refused (503).
    #[arg(long, default_value_t = Limits::default().max_queued, value_name = "N")]
    pub max_queued: usize,
    /// Largest request body, in bytes (413 above it).
    #[arg(long, default_value_t = Limits::default().max_body_bytes, value_name = "BYTES")]
    pub max_body: usize,
    /// Longest a job may run, in seconds.
    #[arg(long, default_value_t = Limits::default().max_seconds, value_name = "SECONDS")]
    pub max_seconds: u64,
}

/// Runs `dorasim serve` until Ctrl-C.
pub fn serve(args: &ServeArgs, out: &mut dyn Write) -> Result<()> {
    let base = match &args.scenario {
        None => BaseScenario::embedded(),
        Some(path) => BaseScenario {
            text: std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the scenario file `{}`", path.display()))?,
            origin: path.display().to_string(),
        },
    };
    // The scenario must be valid before the page offers it.
    crate::scenario::load_str(&base.text, &base.origin).map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.default_runs == 0 || args.default_runs > args.max_runs {
        anyhow::bail!(
            "--default-runs must be from 1 to --max-runs ({}); it is {}",
            args.max_runs,
            args.default_runs
        );
    }
    let limits = Limits {
        default_runs: args.default_runs,
        max_runs: args.max_runs,
        max_jobs: args.max_jobs.unwrap_or(Limits::default().max_jobs).max(1),
        max_queued: args.max_queued,
        max_body_bytes: args.max_body,
        max_seconds: args.max_seconds,
    };
    let address = SocketAddr::new(args.bind, args.port);
    if !serve::is_loopback(&address) {
        writeln!(
            out,
            "warning: listening on {} lets other machines reach this server and run simulations \
             on it; there is no authentication. Use the default 127.0.0.1 unless you mean it.",
            args.bind
        )?;
    }
    let mut failed_print = None;
    serve::serve(base, limits, address, |bound| {
        let url = format!("http://{bound}/");
        let printed = writeln!(out, "dorasim serve: listening on {url} (Ctrl-C to stop)")
            .and_then(|()| out.flush());
        if let Err(e) = printed {
            failed_print = Some(e);
        }
        if args.open {
            open_browser(&url);
        }
    })?;
    if let Some(e) = failed_print {
        return Err(e.into());
    }
    Ok(())
}

/// Opens `url` in the default browser, if there is one; failures are ignored (the address is
/// printed anyway).
fn open_browser(url: &str) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let _ = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
