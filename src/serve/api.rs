//! The routes: the page and its assets, and the JSON API under it (documented in the README,
//! "Workshop mode").
//!
//! | Route | What |
//! | --- | --- |
//! | `GET /` | the page |
//! | `GET /api/config` | the scenario, the controls and the limits |
//! | `POST /api/run` | start a run (`{"set": …, "seed": …, "runs": …}`); 202 with the job's links |
//! | `POST /api/compare` | start a paired comparison (`{"baseline": …, "variant": …, "seed", "runs"}`) |
//! | `GET /api/jobs/{id}` | a job's status and latest results |
//! | `GET /api/jobs/{id}/events` | server-sent events: `progress`, then `done`, `cancelled` or `failed` |
//! | `POST /api/jobs/{id}/cancel` | cancel a job |
//! | `GET /api/scenario.toml?set=…&seed=…&runs=…` | the scenario as a file for `dorasim run` |
//! | `GET /api/report.html?set=…&seed=…&runs=…` | the full HTML report of that run |

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use serde_json::json;

use super::jobs::{Handle, Rejected, Snapshot, Work};
use super::request::{
    CompareRequest, LinkQuery, Refusal, RunRequest, parse_body, prepare, scenario_toml,
};
use super::{AppState, controls};

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// The router of the page and the API.
pub fn router(state: Arc<AppState>) -> Router {
    let body_limit = state.limits.max_body_bytes;
    Router::new()
        .route("/", get(index))
        .route("/assets/app.js", get(app_js))
        .route("/assets/app.css", get(app_css))
        .route("/assets/report.css", get(report_css))
        .route("/api/config", get(config))
        .route("/api/run", post(run))
        .route("/api/compare", post(compare))
        .route("/api/jobs/{id}", get(status))
        .route("/api/jobs/{id}/events", get(events))
        .route("/api/jobs/{id}/cancel", post(cancel))
        .route("/api/scenario.toml", get(scenario_file))
        .route("/api/report.html", get(report))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, axum::Json(self)).into_response()
    }
}

async fn index() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        INDEX_HTML,
    )
}

async fn app_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        APP_JS,
    )
}

async fn app_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS)
}

/// The report's style sheet, so the page looks like the report.
async fn report_css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        crate::report::html::css(),
    )
}

async fn not_found() -> Refusal {
    Refusal::new(
        404,
        "no such page; the API is under /api (see the README, \"Workshop mode\")",
    )
}

async fn config(State(app): State<Arc<AppState>>) -> Result<impl IntoResponse, Refusal> {
    let prepared = prepare(&app.base, &[], None, None, &app.limits)?;
    let scenario = &prepared.scenario;
    Ok(axum::Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "lesson": scenario.lesson,
            "origin": scenario.origin,
            "seed": scenario.run.seed,
            "lens": scenario.run.lens.name(),
        },
        "limits": app.limits,
        "controls": controls::controls(scenario),
    })))
}

/// A request body, or the refusal of an oversize or unreadable one.
fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Refusal> {
    body.map_err(|rejection| {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "request body too large for this server (see --max-body)".to_string()
        } else {
            format!("cannot read the request body: {}", rejection.body_text())
        };
        Refusal::new(status.as_u16(), message)
    })
}

/// The 202 answer to a new job.
fn accepted(handle: &Handle) -> Response {
    let id = handle.id;
    let snapshot = handle.state.borrow().clone();
    (
        StatusCode::ACCEPTED,
        [(header::LOCATION, format!("/api/jobs/{id}"))],
        axum::Json(json!({
            "job": id.to_string(),
            "state": snapshot.state,
            "status": format!("/api/jobs/{id}"),
            "events": format!("/api/jobs/{id}/events"),
            "cancel": format!("/api/jobs/{id}/cancel"),
        })),
    )
        .into_response()
}

fn submit(app: &AppState, work: Work) -> Result<Response, Refusal> {
    match app.jobs.submit(work) {
        Ok(handle) => Ok(accepted(&handle)),
        Err(Rejected::Busy(n)) => Err(Refusal::new(
            503,
            format!("server busy: {n} jobs already waiting; try again shortly"),
        )),
    }
}

async fn run(
    State(app): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Refusal> {
    let request: RunRequest = parse_body(&body_bytes(body)?)?;
    let set = request.set.to_set().map_err(|e| Refusal::new(400, e))?;
    let prepared = prepare(&app.base, &set, request.seed, request.runs, &app.limits)?;
    submit(&app, Work::Run(Box::new(prepared)))
}

async fn compare(
    State(app): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Refusal> {
    let request: CompareRequest = parse_body(&body_bytes(body)?)?;
    let arm = |overrides: &super::request::Overrides, which: &str| {
        let set = overrides
            .to_set()
            .map_err(|e| Refusal::new(400, format!("{which}: {e}")))?;
        prepare(&app.base, &set, request.seed, request.runs, &app.limits).map_err(|mut r| {
            r.error = format!("{which}: {}", r.error);
            r
        })
    };
    let a = arm(&request.baseline, "baseline")?;
    let b = arm(&request.variant, "variant")?;
    submit(&app, Work::Compare(Box::new(a), Box::new(b)))
}

fn job_id(id: &str) -> Result<u64, Refusal> {
    id.parse()
        .map_err(|_| Refusal::new(404, format!("no job `{id}` (job ids are numbers)")))
}

fn unknown_job(id: u64) -> Refusal {
    Refusal::new(
        404,
        format!("no job {id} (finished jobs are forgotten after a while)"),
    )
}

async fn status(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<axum::Json<Snapshot>, Refusal> {
    let id = job_id(&id)?;
    let state = app.jobs.state(id).ok_or_else(|| unknown_job(id))?;
    let snapshot = state.borrow().as_ref().clone();
    Ok(axum::Json(snapshot))
}

async fn cancel(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, Refusal> {
    let id = job_id(&id)?;
    let mut state = app.jobs.cancel(id).ok_or_else(|| unknown_job(id))?;
    // A queued or running job stops between two replications: wait briefly for it, so the
    // answer usually says `cancelled`.
    let deadline = Instant::now() + Duration::from_secs(2);
    while !state.borrow().state.finished() && Instant::now() < deadline {
        if tokio::time::timeout(Duration::from_millis(100), state.changed())
            .await
            .is_ok_and(|r| r.is_err())
        {
            break;
        }
    }
    let snapshot = state.borrow().as_ref().clone();
    Ok(axum::Json(snapshot))
}

/// Cancels its job when dropped while armed: the event stream holds one, so a client that goes
/// away (closing the page, moving a slider again) stops the job it was watching.
struct CancelOnDrop {
    flag: Arc<AtomicBool>,
    armed: bool,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if self.armed {
            self.flag.store(true, Ordering::SeqCst);
        }
    }
}

async fn events(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Refusal> {
    let id = job_id(&id)?;
    let state = app.jobs.state(id).ok_or_else(|| unknown_job(id))?;
    let flag = app.jobs.cancel_flag(id).ok_or_else(|| unknown_job(id))?;
    let guard = CancelOnDrop { flag, armed: true };
    let stream = futures_util::stream::unfold(
        (state, guard, true, false),
        |(mut state, mut guard, first, ended)| async move {
            if ended {
                return None;
            }
            // The sender goes away only when the job's task ends; its last state is final.
            if !first && state.changed().await.is_err() && !state.borrow().state.finished() {
                return None;
            }
            let snapshot = state.borrow_and_update().clone();
            let finished = snapshot.state.finished();
            if finished {
                guard.armed = false;
            }
            let name = match snapshot.state {
                super::jobs::State::Done => "done",
                super::jobs::State::Cancelled => "cancelled",
                super::jobs::State::Failed => "failed",
                _ => "progress",
            };
            let event = Event::default()
                .event(name)
                .json_data(&*snapshot)
                .unwrap_or_else(|_| Event::default().event(name));
            Some((Ok(event), (state, guard, false, finished)))
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(1))))
}

fn link_query(
    pairs: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Result<LinkQuery, Refusal> {
    let Query(pairs) = pairs.map_err(|e| Refusal::new(400, format!("bad query string: {e}")))?;
    LinkQuery::from_pairs(&pairs)
}

async fn scenario_file(
    State(app): State<Arc<AppState>>,
    pairs: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Refusal> {
    let query = link_query(pairs)?;
    let prepared = prepare(&app.base, &query.set, query.seed, query.runs, &app.limits)?;
    let text = scenario_toml(&app.base, &prepared)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"dorasim-scenario.toml\"",
            ),
        ],
        text,
    )
        .into_response())
}

async fn report(
    State(app): State<Arc<AppState>>,
    pairs: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Refusal> {
    let query = link_query(pairs)?;
    let prepared = prepare(&app.base, &query.set, query.seed, query.runs, &app.limits)?;
    // The report's run takes a slot like any job.
    let _permit = app
        .jobs
        .slots()
        .acquire_owned()
        .await
        .map_err(|_| Refusal::new(503, "the server is stopping"))?;
    let limit = Duration::from_secs(app.limits.max_seconds);
    let html = tokio::task::spawn_blocking(move || build_report(&prepared, limit))
        .await
        .map_err(|e| Refusal::new(500, format!("the report failed: {e}")))??;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"dorasim-report.html\"",
            ),
        ],
        html,
    )
        .into_response())
}

/// Runs `prepared` on one thread and builds its full report, as `dorasim run --report` does.
fn build_report(prepared: &crate::app::Prepared, limit: Duration) -> Result<String, Refusal> {
    let started = Instant::now();
    let mut collector = crate::report::DistributionCollector::new();
    let summary = crate::runner::run_with_lens(
        &prepared.model,
        prepared.plan(1),
        prepared.lens(),
        |_, metrics| {
            if started.elapsed() > limit {
                return Err(format!(
                    "stopped at this server's run-time limit of {} s (see --max-seconds)",
                    limit.as_secs()
                ));
            }
            collector.push(metrics);
            Ok(())
        },
    )
    .map_err(|e| Refusal::new(500, e.to_string()))?;
    let data = crate::report::ReportData::from_run(
        &prepared.scenario,
        &summary,
        1,
        prepared.lens(),
        collector.finish(),
    )
    .map_err(|e| Refusal::new(500, e.to_string()))?;
    let report = crate::report::build(&data).map_err(|e| Refusal::new(500, e.to_string()))?;
    Ok(report.html)
}
