//! "When will it be done?": delivery forecasts read from the records of each replication.
//!
//! The model is not changed: a forecast runs the scenario's replications as `dorasim run` does
//! and reads, from each replication's records, when planned work items reach production. What
//! counts, and from when:
//!
//! - **Items** are planned work items ([`Origin::Planned`]: features, planned bug fixes and
//!   configuration changes from the backlog); unplanned fixes of production bugs and hotfixes are
//!   rework the team does on the way, not items of the backlog.
//! - **In production** means deployed, not merged. An item whose deployment caused a failure
//!   (an incident the ground truth attributes to that deployment) counts only when the fix is in
//!   production: when the hotfix that restored service was deployed, or, after a rollback (which
//!   takes the item out of production), when the next planned deployment after the restore
//!   finished (the corrected item rides it). An incident still open when the run ends means the
//!   item is not done within the horizon. The rule is applied with everything the replication
//!   knows, so an item whose failure shows up after the date asked about still counts only from
//!   its fix: the forecast counts work that stays delivered.
//! - **From when**: the forecast starts at the start date's working-day start, in the first week
//!   of the measured horizon (after the warm-up, so the system is in its steady state, with its
//!   work in progress). Model weeks are aligned with calendar weeks (the model's weeks start on
//!   Monday 00:00, as the calendar's do), so working days, nights, weekends and release trains
//!   fall on the right dates. Items finished before the start do not count; items already in
//!   progress at the start count when they reach production (as Kanban throughput forecasts
//!   count them).
//! - **The N-th item** is the N-th planned item to be done after the start: throughput, whatever
//!   order the items were started in. A **release** ([`Release`]) is different: its items are the
//!   next N planned items the team *picks up* after the start, and it is done when the last of
//!   them is in production (dependencies shift a dependent item's work after its dependency's
//!   delivery; see [`Release`]).
//!
//! Per replication the forecast keeps three numbers ([`Sample`]), so memory stays flat; the
//! replications run in parallel and are collected in replication order, so the result is
//! bit-identical on any number of threads.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::units::HOURS_PER_WEEK;
use crate::model::records::{ChangeKind, IncidentCause, Origin, Remediation, RunRecords};
use crate::model::{Model, RunScratch};
use crate::runner::{RunError, RunPlan};
use crate::stats::order::{order_quantile, order_quantile_ci};
use crate::stats::ratio::{Proportion, wilson};

/// The percentiles forecasting users expect.
pub const PERCENTILES: [f64; 4] = [0.50, 0.70, 0.85, 0.95];

/// Where a forecast starts on the model's clock and on the calendar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    /// The start date (a civil date: no time zone, no daylight saving).
    pub start: jiff::civil::Date,
    /// Model hours of Monday 00:00 of the start date's week: the first whole model week at or
    /// after the end of the warm-up.
    pub week_origin_hours: f64,
    /// Model hours where the forecast starts: the start date at the working day's start.
    pub origin_hours: f64,
}

impl Clock {
    /// The clock of a forecast starting on `start` in a scenario with `warmup_weeks` of warm-up
    /// and working days starting at `workday_start_hour`.
    pub fn new(start: jiff::civil::Date, warmup_weeks: f64, workday_start_hour: f64) -> Clock {
        let week_origin_hours = (warmup_weeks.max(0.0) - 1e-9).ceil().max(0.0) * HOURS_PER_WEEK;
        let weekday = f64::from(start.weekday().to_monday_zero_offset());
        Clock {
            start,
            week_origin_hours,
            origin_hours: week_origin_hours + weekday * 24.0 + workday_start_hour,
        }
    }

    /// The calendar date and time of `hours` after the start (`None` if not finite or beyond
    /// the calendar's range).
    pub fn datetime(&self, hours: f64) -> Option<jiff::civil::DateTime> {
        if !hours.is_finite() || hours.abs() > 1e7 {
            return None;
        }
        let monday = self
            .start
            .checked_sub(
                jiff::Span::new().days(i64::from(self.start.weekday().to_monday_zero_offset())),
            )
            .ok()?;
        let since_monday = self.origin_hours - self.week_origin_hours + hours;
        let seconds = (since_monday * 3600.0).round() as i64;
        monday
            .to_datetime(jiff::civil::Time::midnight())
            .checked_add(jiff::SignedDuration::from_secs(seconds))
            .ok()
    }

    /// The calendar date of `hours` after the start.
    pub fn date(&self, hours: f64) -> Option<jiff::civil::Date> {
        self.datetime(hours).map(|d| d.date())
    }

    /// Hours after the start of the end of `date` (midnight after it): a forecast "by DATE"
    /// counts the whole day.
    pub fn hours_to_end_of(&self, date: jiff::civil::Date) -> Option<f64> {
        let end = date
            .tomorrow()
            .ok()?
            .to_datetime(jiff::civil::Time::midnight());
        let origin = self.datetime(0.0)?;
        let span = origin.duration_until(end);
        Some(span.as_secs_f64() / 3600.0)
    }
}

/// A date as the forecast prints it: `2026-03-05 (Thu)`.
pub fn show_date(date: jiff::civil::Date) -> String {
    format!("{} ({})", date, date.strftime("%a"))
}

/// A time after the start as a date, or why there is none.
pub fn date_text(clock: &Clock, hours: f64) -> String {
    if hours == f64::INFINITY {
        return "not within horizon".to_string();
    }
    clock
        .date(hours)
        .map_or_else(|| "n/a".to_string(), show_date)
}

/// One item of a release file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseItem {
    /// Its identifier (unique in the release).
    pub id: String,
    /// Its kind.
    pub kind: ChangeKind,
    /// Its size in lines of code, if given.
    pub size_loc: Option<f64>,
    /// Indices (into the release's items) of the items it depends on.
    pub depends_on: Vec<usize>,
}

/// A release: a list of items with kinds, optional sizes and dependencies.
///
/// The engine draws its own items, so a release is simulated as **the next N planned items the
/// team picks up after the start**, with the release's mix of kinds (the scenario's
/// `demand.feature_share` and `demand.bugfix_share` set from it) and, where sizes are given, each
/// kind's size distribution scaled (shape kept) so that its mean is the mean size of the
/// release's items of that kind ([`Release::overrides`]). The k-th item of the file is the k-th
/// item picked up. A dependency is honoured after the fact: a dependent item picked up before its
/// dependency was in production starts when it is, and keeps its own simulated lead time (first
/// commit to production). The developer time freed meanwhile is not given to other work, and the
/// shifted delivery is not moved onto a working hour or a release train.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    /// Where it was read from.
    pub origin: String,
    /// Its items, in file order.
    pub items: Vec<ReleaseItem>,
    /// Item indices in an order where every dependency comes first.
    #[serde(skip)]
    pub order: Vec<usize>,
}

/// A problem in a release file, located.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{origin}{}: {message}\n  allowed: {allowed}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ReleaseError {
    /// The file.
    pub origin: String,
    /// The line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What would be accepted.
    pub allowed: String,
}

const RELEASE_ALLOWED: &str = "a TOML file of [[item]] tables, each with `id` (text, unique), \
    optional `kind` (\"feature\", \"bug_fix\" or \"config\"; default \"feature\"), optional \
    `size_loc` (a number > 0) and optional `depends_on` (a list of ids in the file)";

impl Release {
    /// Reads a release from TOML `text`; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Release, ReleaseError> {
        let line_of = |span: Option<std::ops::Range<usize>>| {
            span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
        };
        let fail = |line: Option<usize>, message: String| ReleaseError {
            origin: origin.to_string(),
            line,
            message,
            allowed: RELEASE_ALLOWED.to_string(),
        };
        let doc = text.parse::<toml_edit::Document<String>>().map_err(|e| {
            fail(
                line_of(e.span()),
                format!("not valid TOML: {}", e.message()),
            )
        })?;
        let root = doc.as_table();
        for (key, item) in root.iter() {
            if key != "item" {
                return Err(fail(
                    line_of(item.span()),
                    format!("unknown key `{key}` at the top level"),
                ));
            }
        }
        let Some(tables) = root.get("item").and_then(|i| i.as_array_of_tables()) else {
            return Err(fail(
                None,
                "no [[item]] tables: a release has at least one item".into(),
            ));
        };
        let mut items = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut pending: Vec<Vec<(String, Option<usize>)>> = Vec::new();
        for table in tables.iter() {
            let line = line_of(table.span());
            let mut id = None;
            let mut kind = ChangeKind::Feature;
            let mut size_loc = None;
            let mut deps = Vec::new();
            for (key, value) in table.iter() {
                let vline = line_of(value.span()).or(line);
                match key {
                    "id" => match value.as_str() {
                        Some(s) if !s.trim().is_empty() => id = Some(s.trim().to_string()),
                        _ => return Err(fail(vline, "`id` must be a non-empty text".into())),
                    },
                    "kind" => {
                        kind = match value.as_str() {
                            Some("feature") => ChangeKind::Feature,
                            Some("bug_fix") => ChangeKind::BugFix,
                            Some("config") => ChangeKind::Config,
                            _ => {
                                return Err(fail(
                                    vline,
                                    format!(
                                        "`kind` is `{}`: not \"feature\", \"bug_fix\" or \"config\"",
                                        value.to_string().trim()
                                    ),
                                ));
                            }
                        }
                    }
                    "size_loc" => {
                        let x = value
                            .as_float()
                            .or_else(|| value.as_integer().map(|i| i as f64));
                        match x {
                            Some(x) if x.is_finite() && x > 0.0 && x <= 1e6 => size_loc = Some(x),
                            _ => {
                                return Err(fail(
                                    vline,
                                    format!(
                                        "`size_loc` is `{}`: a number of lines above 0 (at most 1,000,000)",
                                        value.to_string().trim()
                                    ),
                                ));
                            }
                        }
                    }
                    "depends_on" => {
                        let Some(array) = value.as_array() else {
                            return Err(fail(vline, "`depends_on` must be a list of ids".into()));
                        };
                        for dep in array.iter() {
                            match dep.as_str() {
                                Some(s) => deps.push((s.trim().to_string(), vline)),
                                None => {
                                    return Err(fail(
                                        vline,
                                        "`depends_on` must be a list of ids (texts)".into(),
                                    ));
                                }
                            }
                        }
                    }
                    other => return Err(fail(vline, format!("unknown key `{other}` in an item"))),
                }
            }
            let Some(id) = id else {
                return Err(fail(line, "an item without `id`".into()));
            };
            if ids.insert(id.clone(), items.len()).is_some() {
                return Err(fail(line, format!("the id `{id}` is used twice")));
            }
            items.push(ReleaseItem {
                id,
                kind,
                size_loc,
                depends_on: Vec::new(),
            });
            pending.push(deps);
        }
        for (i, deps) in pending.into_iter().enumerate() {
            for (dep, line) in deps {
                match ids.get(&dep) {
                    Some(&j) if j == i => {
                        return Err(fail(line, format!("`{dep}` depends on itself")));
                    }
                    Some(&j) => items[i].depends_on.push(j),
                    None => {
                        return Err(fail(
                            line,
                            format!(
                                "`{}` depends on `{dep}`, which is not an item of the release",
                                items[i].id
                            ),
                        ));
                    }
                }
            }
        }
        let order = topological_order(&items).map_err(|cycle| {
            fail(
                None,
                format!("the dependencies form a cycle: {}", cycle.join(" → ")),
            )
        })?;
        Ok(Release {
            origin: origin.to_string(),
            items,
            order,
        })
    }

    /// Reads a release file.
    pub fn load(path: &std::path::Path) -> Result<Release, ReleaseError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ReleaseError {
            origin: origin.clone(),
            line: None,
            message: format!("cannot be read: {e}"),
            allowed: RELEASE_ALLOWED.to_string(),
        })?;
        Release::parse(&text, &origin)
    }

    /// The `--set` overrides that give the scenario the release's mix of kinds and sizes
    /// (`params` holds the scenario's size distributions, whose shapes are kept).
    pub fn overrides(&self, params: &crate::model::params::Params) -> Vec<String> {
        let n = self.items.len().max(1) as f64;
        let count = |k: ChangeKind| self.items.iter().filter(|i| i.kind == k).count() as f64;
        let mut out = vec![
            format!("demand.feature_share={}", count(ChangeKind::Feature) / n),
            format!("demand.bugfix_share={}", count(ChangeKind::BugFix) / n),
        ];
        let demand = &params.demand;
        for (kind, key, dist) in [
            (
                ChangeKind::Feature,
                "feature_size_loc",
                demand.feature_size_loc,
            ),
            (
                ChangeKind::BugFix,
                "bugfix_size_loc",
                demand.bugfix_size_loc,
            ),
            (
                ChangeKind::Config,
                "config_size_loc",
                demand.config_size_loc,
            ),
        ] {
            let sizes: Vec<f64> = self
                .items
                .iter()
                .filter(|i| i.kind == kind)
                .filter_map(|i| i.size_loc)
                .collect();
            let mean = dist.mean();
            if sizes.is_empty() || !(mean.is_finite() && mean > 0.0) {
                continue;
            }
            let target = sizes.iter().sum::<f64>() / sizes.len() as f64;
            let scaled = dist.scaled(target / mean);
            let fields: Vec<String> = scaled
                .fields()
                .iter()
                .map(|(name, value)| format!("{name} = {value}"))
                .collect();
            out.push(format!(
                "demand.{key}={{ dist = \"{}\", {} }}",
                scaled.name(),
                fields.join(", ")
            ));
        }
        out
    }
}

/// Item indices with every dependency first, or the ids of a cycle.
fn topological_order(items: &[ReleaseItem]) -> Result<Vec<usize>, Vec<String>> {
    // 0 = unvisited, 1 = on the path, 2 = done.
    let mut state = vec![0u8; items.len()];
    let mut order = Vec::with_capacity(items.len());
    for start in 0..items.len() {
        if state[start] != 0 {
            continue;
        }
        // An explicit stack of (item, next dependency to look at): no recursion depth limit.
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&dep) = items[node].depends_on.get(*next) {
                *next += 1;
                match state[dep] {
                    0 => {
                        state[dep] = 1;
                        stack.push((dep, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                        let mut cycle: Vec<String> = stack[from..]
                            .iter()
                            .map(|(n, _)| items[*n].id.clone())
                            .collect();
                        cycle.push(items[dep].id.clone());
                        return Err(cycle);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                order.push(node);
                stack.pop();
            }
        }
    }
    Ok(order)
}

/// What a forecast asks.
#[derive(Debug, Clone, Default)]
pub struct Question {
    /// When will this many items be in production?
    pub items: Option<u64>,
    /// How many items are in production this many hours after the start?
    pub by_hours: Option<f64>,
    /// When is the last item of this release in production?
    pub release: Option<Release>,
}

impl Question {
    /// Items a completion date is asked for: `--items`, or the release's size.
    pub fn target_items(&self) -> Option<u64> {
        self.items
            .or_else(|| self.release.as_ref().map(|r| r.items.len() as u64))
    }
}

/// What one replication says.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    /// Hours after the start when the items (or the release) were done; `+∞` when not within
    /// the replication's horizon; `NaN` when not asked.
    pub completion_hours: f64,
    /// Items done by the date asked; `NaN` when the horizon ended before it or not asked.
    pub items_by: f64,
    /// Items done within the whole horizon after the start.
    pub items_in_horizon: u64,
    /// Hours from the start to the end of the replication's horizon.
    pub horizon_hours: f64,
}

/// When each planned item of `records` was done (in production, fixed if it failed), with the
/// time it was picked up (first commit), in item order; `+∞` when not done within the run.
pub fn planned_items(records: &RunRecords) -> Vec<(f64, f64)> {
    // The time each failed deployment's items are back in production, fixed.
    let mut planned_finishes: Vec<f64> = records
        .deployments
        .iter()
        .filter(|d| d.reason == crate::model::records::DeployReason::Planned)
        .map(|d| d.finished_hours)
        .filter(|t| t.is_finite())
        .collect();
    planned_finishes.sort_by(f64::total_cmp);
    let next_planned = |after: f64| {
        let i = planned_finishes.partition_point(|&t| t <= after);
        planned_finishes.get(i).copied().unwrap_or(f64::INFINITY)
    };
    let mut fixed_at = vec![f64::NEG_INFINITY; records.deployments.len()];
    for incident in &records.incidents {
        let IncidentCause::Deployment { deployment } = incident.cause else {
            continue;
        };
        let fix = match incident.remediation {
            Remediation::Hotfix | Remediation::Mitigation => incident.restored_hours,
            Remediation::Rollback => next_planned(incident.restored_hours),
            Remediation::Unresolved => f64::INFINITY,
        };
        let fix = if fix.is_nan() { f64::INFINITY } else { fix };
        if let Some(slot) = fixed_at.get_mut(deployment as usize) {
            *slot = slot.max(fix);
        }
    }
    records
        .changes
        .iter()
        .filter(|c| c.origin == Origin::Planned)
        .map(|c| {
            let deployed = if c.deployed_hours.is_finite() {
                c.deployed_hours
            } else {
                f64::INFINITY
            };
            let fixed = c
                .deployment
                .and_then(|d| fixed_at.get(d as usize).copied())
                .unwrap_or(f64::NEG_INFINITY);
            let started = if c.first_commit_hours.is_finite() {
                c.first_commit_hours
            } else {
                f64::INFINITY
            };
            (started, deployed.max(fixed))
        })
        .collect()
}

/// The forecast of one replication.
pub fn sample(records: &RunRecords, clock: &Clock, question: &Question) -> Sample {
    let origin = clock.origin_hours;
    let horizon_hours = records.end_hours - origin;
    let items = planned_items(records);
    let mut done: Vec<f64> = items
        .iter()
        .map(|&(_, d)| d - origin)
        .filter(|d| *d >= 0.0 && d.is_finite())
        .collect();
    done.sort_by(f64::total_cmp);
    let completion_hours = match (&question.release, question.items) {
        (Some(release), _) => release_completion(&items, origin, release),
        (None, Some(n)) if n >= 1 => done.get(n as usize - 1).copied().unwrap_or(f64::INFINITY),
        _ => f64::NAN,
    };
    let items_by = match question.by_hours {
        Some(by) if by <= horizon_hours => done.partition_point(|&d| d <= by) as f64,
        _ => f64::NAN,
    };
    Sample {
        completion_hours,
        items_by,
        items_in_horizon: done.len() as u64,
        horizon_hours,
    }
}

/// When the release's last item is in production, hours after the start (`+∞` if not within
/// the horizon): its items are the first planned items picked up after the start.
fn release_completion(items: &[(f64, f64)], origin: f64, release: &Release) -> f64 {
    let mut picked: Vec<(f64, f64)> = items
        .iter()
        .copied()
        .filter(|(started, _)| started.is_finite() && *started >= origin)
        .collect();
    // Item order is creation order; picking up follows first commits (stable for ties).
    picked.sort_by(|a, b| a.0.total_cmp(&b.0));
    if picked.len() < release.items.len() {
        return f64::INFINITY;
    }
    let mut done = vec![f64::INFINITY; release.items.len()];
    for &i in &release.order {
        let (started, delivered) = picked[i];
        let ready = release.items[i]
            .depends_on
            .iter()
            .map(|&j| done[j])
            .fold(f64::NEG_INFINITY, f64::max);
        let shift = (ready - started).max(0.0);
        done[i] = delivered + shift;
    }
    done.iter().copied().fold(f64::NEG_INFINITY, f64::max) - origin
}

/// Runs `plan.runs` replications of `model` and returns each one's forecast, in replication
/// order (bit-identical on any number of threads). `on_replication` is called once per
/// replication, in order, after its batch (progress; an error stops the run).
pub fn run(
    model: &Model,
    plan: RunPlan,
    clock: &Clock,
    question: &Question,
    mut on_replication: impl FnMut() -> Result<(), String>,
) -> Result<Vec<Sample>, RunError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(plan.threads)
        .build()
        .map_err(|e| RunError::ThreadPool {
            threads: plan.threads,
            message: e.to_string(),
        })?;
    let batch = 64 * pool.current_num_threads().max(1) as u64;
    let mut out = Vec::with_capacity(usize::try_from(plan.runs).unwrap_or(0));
    let mut next = 0;
    while next < plan.runs {
        let end = (next + batch).min(plan.runs);
        let results: Vec<Result<Sample, String>> = pool.install(|| {
            (next..end)
                .into_par_iter()
                // Each piece of work runs its replications in the buffers of the one before.
                .map_init(RunScratch::default, |scratch, rep| {
                    model.read_run(plan.seed, rep, scratch, |records| match records.guard {
                        Some(trip) => Err(trip.message(rep)),
                        None => Ok(sample(records, clock, question)),
                    })
                })
                .collect()
        });
        for result in results {
            out.push(result.map_err(RunError::Guard)?);
            on_replication().map_err(RunError::Sink)?;
        }
        next = end;
    }
    Ok(out)
}

/// One percentile with its 95 % interval, in hours after the start (`+∞`: not within the
/// horizon).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentile {
    /// The probability (0.85 for p85).
    pub probability: f64,
    /// The value.
    pub value: f64,
    /// Lower end of the 95 % order-statistic interval.
    pub ci95_low: f64,
    /// Upper end.
    pub ci95_high: f64,
}

/// The completion dates over replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompletionSummary {
    /// Replications.
    pub runs: u64,
    /// Replications done within their horizon.
    pub reached: u64,
    /// p50, p70, p85, p95 of the completion time: done by then in that share of replications.
    pub percentiles: Vec<Percentile>,
    /// Probability of being done by the deadline (end of that day), with its Wilson interval.
    pub deadline: Option<Proportion>,
}

/// Summarises completion times (`+∞` when not reached); `deadline_hours` is the end of the
/// deadline's day, hours after the start.
pub fn completion_summary(samples: &[Sample], deadline_hours: Option<f64>) -> CompletionSummary {
    let mut values: Vec<f64> = samples.iter().map(|s| s.completion_hours).collect();
    values.sort_by(f64::total_cmp);
    let reached = values.iter().filter(|v| v.is_finite()).count() as u64;
    let percentiles = PERCENTILES
        .iter()
        .map(|&q| {
            let (lo, hi) = order_quantile_ci(&values, q);
            Percentile {
                probability: q,
                value: order_quantile(&values, q),
                ci95_low: lo,
                ci95_high: hi,
            }
        })
        .collect();
    let deadline = deadline_hours.map(|d| {
        let met = values.iter().filter(|v| **v <= d).count() as u64;
        wilson(met, values.len() as u64)
    });
    CompletionSummary {
        runs: values.len() as u64,
        reached,
        percentiles,
        deadline,
    }
}

/// Items in production by a date, over replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemsSummary {
    /// Replications whose horizon reached the date.
    pub runs: u64,
    /// Mean items, with the 95 % Student-t interval of the mean.
    pub mean: f64,
    /// Lower end of the interval of the mean.
    pub mean_ci95_low: f64,
    /// Upper end.
    pub mean_ci95_high: f64,
    /// For each probability p of [`PERCENTILES`]: at least this many items in a share p of the
    /// replications (the order statistic of rank ⌊n(1 − p)⌋ + 1), with its 95 % interval.
    pub at_least: Vec<Percentile>,
}

/// Summarises the items done by the date (`NaN` samples, beyond the horizon, left out).
pub fn items_summary(samples: &[Sample]) -> ItemsSummary {
    let mut values: Vec<f64> = samples
        .iter()
        .map(|s| s.items_by)
        .filter(|v| v.is_finite())
        .collect();
    values.sort_by(f64::total_cmp);
    let mut moments = crate::stats::moments::Moments::new();
    for &v in &values {
        moments.push(v);
    }
    let half = moments.ci95_half_width();
    let n = values.len();
    let at_least = PERCENTILES
        .iter()
        .map(|&p| {
            // At least x in a share p: rank ⌊n(1 − p)⌋ + 1 of the ascending counts.
            let q = if n == 0 {
                0.0
            } else {
                ((n as f64 * (1.0 - p)).floor() + 1.0) / n as f64 - 0.5 / n as f64
            };
            let (lo, hi) = order_quantile_ci(&values, 1.0 - p);
            Percentile {
                probability: p,
                value: order_quantile(&values, q),
                ci95_low: lo,
                ci95_high: hi,
            }
        })
        .collect();
    ItemsSummary {
        runs: n as u64,
        mean: moments.mean(),
        mean_ci95_low: moments.mean() - half,
        mean_ci95_high: moments.mean() + half,
        at_least,
    }
}

/// The shift of one percentile, B − A, on common random numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Shift {
    /// The probability (0.85 for p85).
    pub probability: f64,
    /// A's percentile (hours after the start).
    pub a: f64,
    /// B's percentile.
    pub b: f64,
    /// B − A, hours.
    pub shift: f64,
    /// Lower end of the paired 95 % bootstrap interval of the shift.
    pub ci95_low: f64,
    /// Upper end.
    pub ci95_high: f64,
}

/// Bootstrap resamples of a paired shift.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;

/// The shift of each percentile of the completion time from `a` to `b`, whose replications are
/// paired (same seed, same index), with 95 % percentile-bootstrap intervals that resample the
/// pairs together (so the common random numbers narrow them). Deterministic: the resampling
/// draws from `seed`.
pub fn percentile_shifts(a: &[Sample], b: &[Sample], seed: u64) -> Vec<Shift> {
    use rand::{RngExt, SeedableRng};
    let n = a.len().min(b.len());
    let xa: Vec<f64> = a[..n].iter().map(|s| s.completion_hours).collect();
    let xb: Vec<f64> = b[..n].iter().map(|s| s.completion_hours).collect();
    let q_of = |values: &[f64], q: f64| {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        order_quantile(&v, q)
    };
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed ^ 0xF0CA_57ED);
    let mut boot: Vec<Vec<f64>> = vec![Vec::with_capacity(BOOTSTRAP_RESAMPLES); PERCENTILES.len()];
    let (mut ra, mut rb) = (vec![0.0; n], vec![0.0; n]);
    if n > 0 {
        for _ in 0..BOOTSTRAP_RESAMPLES {
            for k in 0..n {
                let i = rng.random_range(0..n);
                ra[k] = xa[i];
                rb[k] = xb[i];
            }
            ra.sort_by(f64::total_cmp);
            rb.sort_by(f64::total_cmp);
            for (j, &q) in PERCENTILES.iter().enumerate() {
                boot[j].push(difference(order_quantile(&rb, q), order_quantile(&ra, q)));
            }
        }
    }
    PERCENTILES
        .iter()
        .zip(boot.iter_mut())
        .map(|(&q, draws)| {
            let (pa, pb) = (q_of(&xa, q), q_of(&xb, q));
            draws.sort_by(f64::total_cmp);
            Shift {
                probability: q,
                a: pa,
                b: pb,
                shift: difference(pb, pa),
                ci95_low: crate::stats::quantiles::quantile(draws, 0.025),
                ci95_high: crate::stats::quantiles::quantile(draws, 0.975),
            }
        })
        .collect()
}

/// `b − a`, `NaN` when either is beyond the horizon.
fn difference(b: f64, a: f64) -> f64 {
    if a.is_finite() && b.is_finite() {
        b - a
    } else {
        f64::NAN
    }
}

/// The horizon (measured weeks) a re-run needs so that the replications that fell short reach
/// the question, estimated from their throughput with a quarter's margin; `None` when every
/// replication answered it.
pub fn horizon_needed(
    samples: &[Sample],
    question: &Question,
    clock: &Clock,
    warmup_weeks: f64,
    horizon_weeks: f64,
) -> Option<f64> {
    let offset = clock.origin_hours - warmup_weeks * HOURS_PER_WEEK;
    let mut needed: f64 = 0.0;
    for s in samples {
        if let Some(n) = question.target_items()
            && !s.completion_hours.is_finite()
        {
            let rate = s.items_in_horizon.max(1) as f64 / s.horizon_hours.max(1.0);
            // Failures and picking order add to pure throughput: a generous margin.
            needed = needed.max(n as f64 / rate * 1.25 + 2.0 * HOURS_PER_WEEK);
        }
        if let Some(by) = question.by_hours
            && s.items_by.is_nan()
        {
            needed = needed.max(by + HOURS_PER_WEEK);
        }
    }
    (needed > 0.0).then(|| {
        let weeks = ((offset + needed) / HOURS_PER_WEEK).ceil();
        weeks.max((horizon_weeks * 1.5).ceil())
    })
}

/// One scenario's forecast.
#[derive(Debug, Clone)]
pub struct Arm {
    /// Scenario name.
    pub name: String,
    /// Where it came from.
    pub origin: String,
    /// The measured horizon it ran, weeks (after any extension).
    pub horizon_weeks: f64,
    /// The scenario's own horizon, weeks.
    pub scenario_horizon_weeks: f64,
    /// The clock of this scenario's forecast.
    pub clock: Clock,
    /// Each replication's forecast, in replication order.
    pub samples: Vec<Sample>,
}

/// Everything a forecast prints and writes.
#[derive(Debug, Clone)]
pub struct Forecast {
    /// The question.
    pub question: Question,
    /// The start date.
    pub start: jiff::civil::Date,
    /// The deadline, if asked.
    pub deadline: Option<jiff::civil::Date>,
    /// The date of `--by` (or of `--weeks`).
    pub by_label: Option<String>,
    /// Master seed.
    pub seed: u64,
    /// Replications per scenario.
    pub runs: u64,
    /// Each scenario, baseline first.
    pub arms: Vec<Arm>,
    /// For each scenario after the first, the shift of each percentile against the first.
    pub shifts: Vec<Vec<Shift>>,
    /// The command's overrides.
    pub overrides: Vec<String>,
}

impl Forecast {
    /// The completion summary of arm `k`.
    pub fn completion(&self, k: usize) -> Option<CompletionSummary> {
        self.question.target_items()?;
        let arm = &self.arms[k];
        let deadline = self.deadline.and_then(|d| arm.clock.hours_to_end_of(d));
        Some(completion_summary(&arm.samples, deadline))
    }

    /// The items-by summary of arm `k`.
    pub fn items_by(&self, k: usize) -> Option<ItemsSummary> {
        self.question.by_hours?;
        Some(items_summary(&self.arms[k].samples))
    }

    /// What the forecast asks, in words.
    pub fn asked(&self) -> String {
        let mut parts = Vec::new();
        if let Some(release) = &self.question.release {
            parts.push(format!(
                "when will the {} items of the release `{}` be in production?",
                release.items.len(),
                release.origin
            ));
        } else if let Some(n) = self.question.items {
            parts.push(format!("when will {n} items be in production?"));
        }
        if let Some(by) = &self.by_label {
            parts.push(format!("how many items will be in production by {by}?"));
        }
        parts.join(" and ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> jiff::civil::Date {
        s.parse().expect("a date")
    }

    #[test]
    fn the_clock_aligns_model_weeks_with_calendar_weeks() {
        // A Wednesday start after a 6-week warm-up, working days from 9:00.
        let clock = Clock::new(date("2026-03-04"), 6.0, 9.0);
        assert_eq!(clock.week_origin_hours, 6.0 * 168.0);
        assert_eq!(clock.origin_hours, 6.0 * 168.0 + 2.0 * 24.0 + 9.0);
        assert_eq!(
            clock.datetime(0.0).map(|d| d.to_string()).as_deref(),
            Some("2026-03-04T09:00:00")
        );
        // 3 days and 1 hour later: Saturday 10:00.
        assert_eq!(clock.date(73.0), Some(date("2026-03-07")));
        // The end of Friday is 2 days and 15 hours after Wednesday 09:00.
        assert_eq!(clock.hours_to_end_of(date("2026-03-06")), Some(63.0));
        // A fractional warm-up starts at the next whole week.
        assert_eq!(
            Clock::new(date("2026-03-02"), 6.5, 9.0).week_origin_hours,
            7.0 * 168.0
        );
        assert_eq!(clock.date(f64::INFINITY), None);
    }

    #[test]
    fn releases_are_read_with_located_errors() {
        let ok = Release::parse(
            "[[item]]\nid = \"a\"\nsize_loc = 200\n\n[[item]]\nid = \"b\"\nkind = \"config\"\ndepends_on = [\"a\"]\n",
            "r.toml",
        )
        .expect("valid");
        assert_eq!(ok.items.len(), 2);
        assert_eq!(ok.items[1].depends_on, vec![0]);
        assert_eq!(ok.order, vec![0, 1]);
        let bad = Release::parse("[[item]]\nid = \"a\"\nkind = \"epic\"\n", "r.toml")
            .expect_err("bad kind");
        assert_eq!(bad.line, Some(3));
        assert!(bad.to_string().contains("\"epic\""), "{bad}");
        let cycle = Release::parse(
            "[[item]]\nid = \"a\"\ndepends_on = [\"b\"]\n[[item]]\nid = \"b\"\ndepends_on = [\"a\"]\n",
            "r.toml",
        )
        .expect_err("cycle");
        assert!(cycle.message.contains("cycle"), "{cycle}");
        let missing = Release::parse("[[item]]\nid = \"a\"\ndepends_on = [\"zz\"]\n", "r.toml")
            .expect_err("unknown dependency");
        assert!(missing.message.contains("`zz`"), "{missing}");
        assert!(Release::parse("", "r.toml").is_err());
        assert!(Release::parse("[[item]]\nid = \"a\"\nsize_loc = -3\n", "r.toml").is_err());
        assert!(Release::parse("[[item]]\nid = \"a\"\n[[item]]\nid = \"a\"\n", "r.toml").is_err());
    }

    #[test]
    fn dependencies_shift_dependent_work_after_its_dependency() {
        let release = Release::parse(
            "[[item]]\nid = \"a\"\n[[item]]\nid = \"b\"\ndepends_on = [\"a\"]\n",
            "r.toml",
        )
        .expect("valid");
        // Both picked up at hour 10; a is done at 50, b (lead time 20) would be done at 30.
        let items = [(10.0, 50.0), (10.0, 30.0)];
        assert_eq!(release_completion(&items, 0.0, &release), 70.0);
        let independent =
            Release::parse("[[item]]\nid = \"a\"\n[[item]]\nid = \"b\"\n", "r").expect("valid");
        assert_eq!(release_completion(&items, 0.0, &independent), 50.0);
    }
}
