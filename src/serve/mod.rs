//! `dorasim serve`: an interactive what-if page for workshops and planning meetings.
//!
//! A small web server (axum on tokio) serves one page, embedded in the binary, and a JSON API
//! under it. Moving a control on the page starts a job that runs the scenario with the control's
//! value as a `--set` override, on common random numbers, and streams partial results as
//! server-sent events while replications finish. The page's URL holds the overrides and the
//! seed, so a link reproduces the same numbers; the page also downloads the scenario as a TOML
//! file that `dorasim run` runs to the same summary, and the full HTML report.
//!
//! * [`request`]: the API's bodies and the page's query strings, validated by
//!   [`crate::app::prepare`] like any scenario, and the scenario TOML of a request.
//! * [`jobs`]: queued and running jobs, their limits, cancellation and partial results.
//! * [`results`]: what the page shows of a run (metrics with CIs, tiers, dashboard, fan charts).
//! * [`controls`]: the levers on the page, from the parameter catalogue.
//! * [`api`]: the routes.
//!
//! Safe by default: it binds to the loopback interface, every request goes through the
//! scenario validation, bodies, replications, concurrent and queued jobs and run time are
//! limited ([`Limits`]), a client that goes away cancels its job, and no request names a file.

pub mod api;
pub mod controls;
pub mod jobs;
pub mod request;
pub mod results;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use request::BaseScenario;

/// The server's limits, each a flag of `dorasim serve`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Limits {
    /// Replications a request gets when it names none.
    pub default_runs: u32,
    /// Most replications one request may ask for.
    pub max_runs: u32,
    /// Jobs running at once (each on one core); more wait in a queue.
    pub max_jobs: usize,
    /// Jobs waiting at once; more are refused with 503.
    pub max_queued: usize,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Longest a job may run, seconds.
    pub max_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            default_runs: 200,
            max_runs: 5000,
            max_jobs: std::thread::available_parallelism().map_or(2, usize::from),
            max_queued: 256,
            max_body_bytes: 64 * 1024,
            max_seconds: 300,
        }
    }
}

/// What the server shares between requests.
pub struct AppState {
    /// The scenario the server was started with.
    pub base: BaseScenario,
    /// Its limits.
    pub limits: Limits,
    /// Its jobs.
    pub jobs: jobs::Jobs,
}

impl AppState {
    /// The state of a server for `base` under `limits`.
    pub fn new(base: BaseScenario, limits: Limits) -> Arc<Self> {
        Arc::new(AppState {
            jobs: jobs::Jobs::new(
                limits.max_jobs,
                limits.max_queued,
                Duration::from_secs(limits.max_seconds),
            ),
            base,
            limits,
        })
    }
}

/// Errors of starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address cannot be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The runtime or the server failed.
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// Whether a bind address keeps the server to this machine.
pub fn is_loopback(address: &SocketAddr) -> bool {
    address.ip().is_loopback()
}

/// Runs the server on `address` until Ctrl-C; `on_listening` is told the address actually
/// bound (port 0 picks a free one) once connections are accepted.
pub fn serve(
    base: BaseScenario,
    limits: Limits,
    address: SocketAddr,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(limits.max_jobs.max(1) + 4)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|source| ServeError::Bind { address, source })?;
        let bound = listener.local_addr()?;
        let app = api::router(AppState::new(base, limits));
        on_listening(bound);
        tokio::select! {
            result = axum::serve(listener, app) => result?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(())
    })
}
