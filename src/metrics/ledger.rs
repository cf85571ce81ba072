//! Ledgers and measurement lenses. The true ledger reads the ground truth; the measured ledger
//! reads what the team's tooling recorded (after any gaming) through a lens: the rule a real tool
//! uses to turn records into DORA metrics. Both become the same [`LedgerView`], and one function,
//! [`dora`], computes the metrics from either. [`Ledgers`] reads the true ledger and every lens
//! in one walk over the records.
//!
//! (About 900 lines: the reading rules of every lens side by side, record by record, so a reader
//! compares what each tool counts in one place.)

use serde::Serialize;

use crate::model::records::{
    DeployReason, DeploymentRecord, IncidentCause, IncidentRecord, RunRecords,
};

use crate::stats::quantiles::{quantile, quantiles};

use crate::engine::units::{HOURS_PER_WEEK, whole_seconds};

/// How the measured ledger is read.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Lens {
    /// Ground-truth attribution rules on the tooling's records: failures linked as reported,
    /// lead time from the first commit of each change the dashboard sees.
    #[default]
    Truth,
    /// Four Keys, as its queries and dashboard compute: lead time per commit of each deployment
    /// in whole minutes; every incident whose root-cause commit a deployment carried is a failure
    /// (two incidents on one deployment count twice); restore time over every incident, from the
    /// earlier of its causing deployment and its creation to its resolution, in whole hours.
    FourKeys,
    /// Apache DevLake: lead time as each merged pull request's cycle time (first commit to the
    /// deployment that carried its merge commit; changes without a pull request are not timed);
    /// every incident blamed on the latest deployment finished before it was opened, whatever
    /// caused it; recovery per incident, from that deployment to the incident's resolution.
    Devlake,
    /// GitLab: change fail rate as incidents ÷ deployments, without linking them; lead time from
    /// merge to deployment.
    Gitlab,
}

impl Lens {
    /// Every lens, in display order.
    pub const ALL: [Lens; 4] = [Lens::Truth, Lens::FourKeys, Lens::Devlake, Lens::Gitlab];

    /// How the tool reads the history, in one sentence, for a dashboard's heading (`None` for
    /// the truth lens, whose rules are dorasim's own).
    pub fn rules(self) -> Option<&'static str> {
        match self {
            Lens::Truth => None,
            Lens::FourKeys => Some(
                "Four Keys' rules: every incident whose root cause a deployment carried is a \
                 failure (so the rate can pass 100 %); recovery runs over incidents, from the \
                 causing deployment or the incident's creation, whichever came first; lead time \
                 per commit.",
            ),
            Lens::Devlake => Some(
                "DevLake's rules: each incident is blamed on the latest deployment before it; \
                 recovery per incident, from that deployment; lead time per merged pull request \
                 (its cycle time).",
            ),
            Lens::Gitlab => Some(
                "GitLab's rules: change fail rate = incidents / deployments, unlinked; recovery \
                 per incident; lead time from the merge.",
            ),
        }
    }

    /// The lens's name as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Lens::Truth => "truth",
            Lens::FourKeys => "four-keys",
            Lens::Devlake => "devlake",
            Lens::Gitlab => "gitlab",
        }
    }
}

/// A deployment as a ledger counts it.
#[derive(Debug, Clone, Copy)]
pub struct ViewDeployment {
    /// When it went live.
    pub finished_hours: f64,
    /// Counted as rework.
    pub rework: bool,
    /// A padding deployment (empty or config-only).
    pub padding: bool,
}

/// One failure as a ledger counts it: a failed deployment, or (unlinked lenses) an incident.
#[derive(Debug, Clone, Copy)]
pub struct ViewFailure {
    /// When the failed deployment (or the incident, when unlinked) happened.
    pub at_hours: f64,
    /// Recovery time, when known.
    pub recovery_hours: Option<f64>,
}

/// What a ledger says happened in the measured window.
#[derive(Debug, Clone, Default)]
pub struct LedgerView {
    /// Deployments counted in the window.
    pub deployments: Vec<ViewDeployment>,
    /// `(deployed_hours, lead_time_hours)` of each change the ledger sees.
    pub lead_times: Vec<(f64, f64)>,
    /// Lead time of each change in working hours (nights and weekends left out), as the model
    /// recorded it. Filled by the true ledger only: a lens times changes from other commits.
    pub lead_working_hours: Vec<f64>,
    /// Failures counted in the window (numerator of the change fail rate).
    pub failures: Vec<ViewFailure>,
    /// `(at_hours, recovery_hours)` of each recovery the lens reads apart from its failures:
    /// Four Keys (every incident started in the window, from the earlier of its causing
    /// deployment and its creation) and DevLake (per incident, from the blamed deployment).
    /// `None`: recovery is read from the failures.
    pub restores: Option<Vec<(f64, f64)>>,
}

/// DORA figures of one ledger.
#[derive(Debug, Clone, Copy)]
pub struct DoraFigures {
    /// Deployments counted.
    pub deployments: f64,
    /// Padding deployments among them.
    pub padding: f64,
    /// Failures counted.
    pub failures: f64,
    /// Rework deployments counted.
    pub rework: f64,
    /// Deployments per week.
    pub deploys_per_week: f64,
    /// Lead time median and p90, hours.
    pub lead_time_p50: f64,
    /// Lead time p90, hours.
    pub lead_time_p90: f64,
    /// Lead time mean, hours: unlike the median, it moves smoothly when process time changes
    /// by minutes (the median can jump by a night).
    pub lead_time_mean: f64,
    /// Median lead time in working hours (`NaN` when the ledger has none, as every lens).
    pub lead_time_working_p50: f64,
    /// Failures ÷ deployments.
    pub change_fail_rate: f64,
    /// Recovery median, hours.
    pub recovery_p50: f64,
    /// Recovery p90, hours.
    pub recovery_p90: f64,
    /// Rework ÷ deployments.
    pub rework_rate: f64,
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        f64::NAN
    }
}

impl Lens {
    /// The lens's position in [`Lens::ALL`] (the order of [`Ledgers::measured`] and of the
    /// lens columns).
    pub const fn index(self) -> usize {
        self as usize
    }
}

// `Lens::index` is the declaration order: it must be `Lens::ALL`'s order too.
const _: () = {
    let mut i = 0;
    while i < Lens::ALL.len() {
        assert!(Lens::ALL[i].index() == i);
        i += 1;
    }
};

impl LedgerView {
    /// The true ledger: ground-truth causes and restore times, real deployments only.
    pub fn truth(records: &RunRecords) -> LedgerView {
        let mut ledgers = Ledgers::default();
        ledgers.read_some(records, Wanted::TRUTH);
        ledgers.truth
    }

    /// The measured ledger read through `lens`: what the team's dashboard shows.
    pub fn measured(records: &RunRecords, lens: Lens) -> LedgerView {
        let mut ledgers = Ledgers::default();
        ledgers.read_some(records, Wanted::lens(lens));
        std::mem::take(&mut ledgers.measured[lens.index()])
    }

    /// Empties the lists, keeping their memory; `keeps_restores`: the lens reads recoveries
    /// apart from its failures (`restores` is `Some`).
    fn clear(&mut self, keeps_restores: bool) {
        self.deployments.clear();
        self.lead_times.clear();
        self.lead_working_hours.clear();
        self.failures.clear();
        match (&mut self.restores, keeps_restores) {
            (Some(restores), true) => restores.clear(),
            (None, true) => self.restores = Some(Vec::new()),
            (_, false) => self.restores = None,
        }
    }

    /// The list of recoveries read apart from the failures (created when missing).
    fn restores_mut(&mut self) -> &mut Vec<(f64, f64)> {
        self.restores.get_or_insert_with(Vec::new)
    }
}

/// Which ledgers one reading fills. Reading one lens alone ([`LedgerView::measured`]) runs the
/// same code as reading them all, with the others switched off, so each rule is written once.
#[derive(Debug, Clone, Copy)]
struct Wanted {
    truth: bool,
    /// In [`Lens::ALL`] order.
    lenses: [bool; Lens::ALL.len()],
}

impl Wanted {
    const ALL: Wanted = Wanted {
        truth: true,
        lenses: [true; Lens::ALL.len()],
    };
    const TRUTH: Wanted = Wanted {
        truth: true,
        lenses: [false; Lens::ALL.len()],
    };

    fn lens(lens: Lens) -> Wanted {
        let mut lenses = [false; Lens::ALL.len()];
        lenses[lens.index()] = true;
        Wanted {
            truth: false,
            lenses,
        }
    }
}

/// The true ledger and the measured ledger through every lens of one replication, read together.
///
/// Every ledger reads the same records, so one walk over the deployments, the incidents, the pull
/// requests and the changes feeds them all, each by its own rules, where a walk per lens read
/// each record five times. A worker keeps one `Ledgers` and reads replication after replication
/// into it: the lists keep their memory, so the readings stop allocating once the longest has
/// been seen. Each list is filled in the order the records come, as a lens read alone fills it,
/// so sums over it (the mean lead time) add up in the same order.
#[derive(Debug, Clone, Default)]
pub struct Ledgers {
    /// The true ledger ([`LedgerView::truth`]).
    pub truth: LedgerView,
    /// The measured ledger through each lens, in [`Lens::ALL`] order
    /// ([`LedgerView::measured`]).
    pub measured: [LedgerView; Lens::ALL.len()],
    marks: Marks,
}

/// What a reading notes about each record before it can fill the ledgers, kept between
/// readings for its memory.
#[derive(Debug, Clone, Default)]
struct Marks {
    /// Per deployment, its live time on Four Keys' whole-second clock when the tools count it
    /// (finished, not a rollback; the export writes no rollback); `None`: no tool counts it.
    live_seconds: Vec<Option<i64>>,
    /// Deployments the tools count, by finish time (ties: the later id last), when DevLake is
    /// read: it blames the latest one before each incident.
    by_finish: Vec<usize>,
    /// Per deployment, the first incident it really caused (the true ledger).
    first_caused: Vec<Option<usize>>,
    /// Per deployment, the first incident reported against it (the truth lens).
    first_reported: Vec<Option<usize>>,
    /// Per deployment, the first incident DevLake blames on it.
    first_blamed: Vec<Option<usize>>,
    /// Per change, whether the truth lens sees it as the separate pieces of an artificial split.
    split: Vec<bool>,
    /// Per deployment, whether it carries a change (Four Keys times the others from their empty
    /// commit).
    carries_change: Vec<bool>,
}

/// Sets `slots` to `len` copies of `value`, keeping its memory.
fn reset<T: Clone>(slots: &mut Vec<T>, len: usize, value: T) {
    slots.clear();
    slots.resize(len, value);
}

/// Notes incident `k` against deployment `d` unless one was noted before (ids out of range are
/// ignored: a tool links what it can find).
fn note_first(slots: &mut [Option<usize>], d: usize, k: usize) {
    if let Some(slot) = slots.get_mut(d)
        && slot.is_none()
    {
        *slot = Some(k);
    }
}

/// Recovery of an incident as its record reads, from its start (the truth lens) or from its
/// detection (the tools' incident is created then) to its closing; `None` while open.
fn recorded_recovery(incident: &IncidentRecord, from_start: bool) -> Option<f64> {
    let start = if from_start {
        incident.started_hours
    } else {
        incident.detected_hours
    };
    let hours = incident.closed_hours - start;
    hours.is_finite().then_some(hours)
}

/// Four Keys' lead time of one commit a counted deployment carried: deployment − commit in whole
/// minutes (TIMESTAMP_DIFF truncates), kept only when positive.
fn four_keys_lead(
    view: &mut LedgerView,
    deployment: &DeploymentRecord,
    deployed_seconds: i64,
    commit_hours: f64,
) {
    if !commit_hours.is_finite() {
        return;
    }
    let minutes = (deployed_seconds - whole_seconds(commit_hours)) / 60;
    if minutes > 0 {
        view.lead_times
            .push((deployment.finished_hours, minutes as f64 / 60.0));
    }
}

impl Ledgers {
    /// The measured ledger through `lens`.
    pub fn lens(&self, lens: Lens) -> &LedgerView {
        &self.measured[lens.index()]
    }

    /// Reads `records` into the true ledger and every lens's measured ledger, replacing what
    /// they held.
    pub fn read(&mut self, records: &RunRecords) {
        self.read_some(records, Wanted::ALL);
    }

    /// The reading rules of every ledger, record by record. The lenses:
    ///
    /// - **truth**: ground-truth attribution on the tooling's records: failures linked as
    ///   reported, recovery from the incident's start, lead time from the first commit of each
    ///   change (each piece of an artificially split change apart);
    /// - **DevLake**: every incident blamed on the latest deployment finished before it was
    ///   created; recovery from detection, and apart from the failures per incident from the
    ///   blamed deployment; lead time as each pull request's cycle time;
    /// - **GitLab**: every incident a failure, unlinked; lead time from the merge;
    /// - **Four Keys** (dora-team/fourkeys: `queries/changes.sql`, `deployments.sql`,
    ///   `incidents.sql` and the dashboard's panels), on its whole-second clock: lead time for
    ///   every commit a deployment carries (each pull request's first commit and each change's
    ///   head commit; a deployment carrying no change carries the empty commit pushed when it
    ///   started), in whole minutes, kept only when positive; every incident whose root cause
    ///   names a commit of a counted deployment is a failure, once per incident (the dashboard
    ///   sums incident matches, it does not count distinct failed deployments); restore time for
    ///   every incident started in the window, from the earlier of its causing deployment and its
    ///   creation to its resolution, in whole hours, open incidents left out.
    ///
    /// The tools count every finished deployment but rollbacks, padding included and rework as
    /// labelled; the true ledger counts real deployments only.
    fn read_some(&mut self, records: &RunRecords, wanted: Wanted) {
        let Ledgers {
            truth,
            measured,
            marks,
        } = self;
        let [truth_lens, four_keys, devlake, gitlab] = measured;
        let want = |lens: Lens| wanted.lenses[lens.index()];
        let (want_truth_lens, want_four_keys, want_devlake, want_gitlab) = (
            want(Lens::Truth),
            want(Lens::FourKeys),
            want(Lens::Devlake),
            want(Lens::Gitlab),
        );
        truth.clear(false);
        truth_lens.clear(false);
        four_keys.clear(true);
        devlake.clear(true);
        gitlab.clear(false);

        let (from, to) = (records.warmup_hours, records.end_hours);
        let in_window = |t: f64| t >= from && t < to;
        let (from_seconds, to_seconds) = (whole_seconds(from), whole_seconds(to));
        let in_window_seconds = |s: i64| s >= from_seconds && s < to_seconds;
        let deployments = &records.deployments;
        let changes = &records.changes;
        let incidents = &records.incidents;

        // Deployments.
        marks.live_seconds.clear();
        marks.by_finish.clear();
        for (i, d) in deployments.iter().enumerate() {
            let live = (d.reason != DeployReason::Rollback && d.finished_hours.is_finite())
                .then(|| whole_seconds(d.finished_hours));
            marks.live_seconds.push(live);
            if wanted.truth
                && in_window(d.finished_hours)
                && !matches!(d.reason, DeployReason::Rollback | DeployReason::Padding)
            {
                truth.deployments.push(ViewDeployment {
                    finished_hours: d.finished_hours,
                    rework: d.reason.is_rework(),
                    padding: false,
                });
            }
            let Some(seconds) = live else {
                continue;
            };
            if want_devlake {
                marks.by_finish.push(i);
            }
            let seen = ViewDeployment {
                finished_hours: d.finished_hours,
                rework: d.labelled_rework,
                padding: d.reason == DeployReason::Padding,
            };
            if in_window(d.finished_hours) {
                for (view, wanted) in [
                    (&mut *truth_lens, want_truth_lens),
                    (&mut *devlake, want_devlake),
                    (&mut *gitlab, want_gitlab),
                ] {
                    if wanted {
                        view.deployments.push(seen);
                    }
                }
            }
            if want_four_keys && in_window_seconds(seconds) {
                four_keys.deployments.push(seen);
            }
        }
        // A total order (ties by id): the unstable sort gives the one result, without a buffer.
        if want_devlake {
            marks.by_finish.sort_unstable_by(|&a, &b| {
                deployments[a]
                    .finished_hours
                    .total_cmp(&deployments[b].finished_hours)
                    .then(a.cmp(&b))
            });
        }
        let live = |d: Option<u32>| -> Option<(usize, i64)> {
            let d = d? as usize;
            marks.live_seconds.get(d).copied().flatten().map(|s| (d, s))
        };

        // Incidents: which deployment each ledger blames, and the lists read per incident.
        reset(&mut marks.first_caused, deployments.len(), None);
        reset(&mut marks.first_reported, deployments.len(), None);
        reset(&mut marks.first_blamed, deployments.len(), None);
        for (k, incident) in incidents.iter().enumerate() {
            if wanted.truth
                && let IncidentCause::Deployment { deployment } = incident.cause
            {
                note_first(&mut marks.first_caused, deployment as usize, k);
            }
            if want_truth_lens && let Some(d) = incident.reported_deployment {
                note_first(&mut marks.first_reported, d as usize, k);
            }
            // DevLake (dora plugin, `ConnectIncidentToDeployment`): the latest successful
            // production deployment finished strictly before the incident was created.
            if want_devlake {
                let before = marks
                    .by_finish
                    .partition_point(|&i| deployments[i].finished_hours < incident.detected_hours);
                if let Some(d) = before.checked_sub(1).map(|j| marks.by_finish[j]) {
                    // Failed deployment recovery time (DORA 2023, DevLake's dashboard): every
                    // incident linked to a deployment in the window and resolved in it, from the
                    // deployment's finish to the incident's resolution.
                    let at = deployments[d].finished_hours;
                    if in_window(at) && in_window(incident.closed_hours) {
                        devlake
                            .restores_mut()
                            .push((at, incident.closed_hours - at));
                    }
                    note_first(&mut marks.first_blamed, d, k);
                }
            }
            if want_gitlab && in_window(incident.started_hours) {
                gitlab.failures.push(ViewFailure {
                    at_hours: incident.started_hours,
                    recovery_hours: recorded_recovery(incident, false),
                });
            }
            if want_four_keys {
                let cause = live(incident.reported_deployment);
                let created = whole_seconds(incident.detected_hours);
                let started = cause.map_or(created, |(_, s)| s.min(created));
                let restore = incident
                    .closed_hours
                    .is_finite()
                    .then(|| ((whole_seconds(incident.closed_hours) - started) / 3600) as f64);
                if let Some((d, s)) = cause
                    && in_window_seconds(s)
                {
                    four_keys.failures.push(ViewFailure {
                        at_hours: deployments[d].finished_hours,
                        recovery_hours: restore,
                    });
                }
                if let Some(hours) = restore
                    && in_window_seconds(started)
                {
                    four_keys
                        .restores_mut()
                        .push((started as f64 / 3600.0, hours));
                }
            }
        }

        // Pull requests: artificially split changes appear to the truth lens as separate pieces,
        // the rest as one change.
        reset(&mut marks.split, changes.len(), false);
        if want_truth_lens {
            for pr in records.pull_requests.iter().filter(|p| p.artificial) {
                marks.split[pr.change as usize] = true;
            }
        }
        for pr in &records.pull_requests {
            if want_truth_lens && marks.split[pr.change as usize] {
                let c = &changes[pr.change as usize];
                if in_window(c.deployed_hours) {
                    truth_lens
                        .lead_times
                        .push((c.deployed_hours, c.deployed_hours - pr.first_commit_hours));
                }
            }
            // DevLake's PR cycle time (dora plugin, `CalculateChangeLeadTime`): coding time
            // (first commit to the pull request's creation) + review (creation to merge) +
            // deploy time (merge to the deployment that carried the merge commit); a negative
            // coding or review span is left out, a pull request without a deployment is not
            // timed. A change without a pull request (a hotfix) has no cycle time.
            if want_devlake {
                let c = &changes[pr.change as usize];
                let deployed = c
                    .deployment
                    .and_then(|d| deployments.get(d as usize))
                    .map_or(c.deployed_hours, |d| d.finished_hours);
                if let Some(lead) = devlake_cycle_time(
                    pr.first_commit_hours,
                    pr.opened_hours,
                    c.merged_hours,
                    deployed,
                ) && in_window(deployed)
                {
                    devlake.lead_times.push((deployed, lead));
                }
            }
            if want_four_keys
                && let Some(c) = changes.get(pr.change as usize)
                && let Some((d, s)) = live(c.deployment)
                && in_window_seconds(s)
            {
                four_keys_lead(four_keys, &deployments[d], s, pr.first_commit_hours);
            }
        }

        // Changes.
        reset(&mut marks.carries_change, deployments.len(), false);
        for c in changes {
            let delivered = in_window(c.deployed_hours);
            if wanted.truth && delivered {
                truth
                    .lead_times
                    .push((c.deployed_hours, c.deployed_hours - c.first_commit_hours));
                truth
                    .lead_working_hours
                    .push(f64::from(c.lead_working_hours));
            }
            if want_truth_lens && delivered && !marks.split[c.id as usize] {
                truth_lens
                    .lead_times
                    .push((c.deployed_hours, c.deployed_hours - c.first_commit_hours));
            }
            if want_gitlab && delivered {
                gitlab
                    .lead_times
                    .push((c.deployed_hours, c.deployed_hours - c.merged_hours));
            }
            if want_four_keys && let Some((d, s)) = live(c.deployment) {
                marks.carries_change[d] = true;
                if in_window_seconds(s) {
                    let head = if c.last_commit_hours.is_finite() {
                        c.last_commit_hours
                    } else {
                        c.first_commit_hours
                    };
                    four_keys_lead(four_keys, &deployments[d], s, head);
                }
            }
        }

        // Deployments again, now that the incidents are linked and the changes placed: failed
        // deployments in deployment order, and Four Keys' empty commits.
        for (i, d) in deployments.iter().enumerate() {
            if wanted.truth
                && in_window(d.finished_hours)
                && !matches!(d.reason, DeployReason::Rollback | DeployReason::Padding)
                && let Some(k) = marks.first_caused[d.id as usize]
            {
                let incident = &incidents[k];
                let recovery = incident.restored_hours - incident.started_hours;
                truth.failures.push(ViewFailure {
                    at_hours: d.finished_hours,
                    recovery_hours: recovery.is_finite().then_some(recovery),
                });
            }
            let Some(seconds) = marks.live_seconds[i] else {
                continue;
            };
            if in_window(d.finished_hours) {
                for (view, wanted, first, from_start) in [
                    (
                        &mut *truth_lens,
                        want_truth_lens,
                        &marks.first_reported,
                        true,
                    ),
                    (&mut *devlake, want_devlake, &marks.first_blamed, false),
                ] {
                    if wanted && let Some(k) = first[i] {
                        view.failures.push(ViewFailure {
                            at_hours: d.finished_hours,
                            recovery_hours: recorded_recovery(&incidents[k], from_start),
                        });
                    }
                }
            }
            if want_four_keys && !marks.carries_change[i] && in_window_seconds(seconds) {
                four_keys_lead(four_keys, d, seconds, d.started_hours);
            }
        }
    }
}

/// DevLake's cycle time of one merged pull request, hours: coding (first commit to creation, left
/// out when negative or unknown) + review (creation to merge, left out when negative) + deploy
/// (merge to deployment, required and not negative). The creation time is the first commit when
/// the pull request was never opened. `None`: not merged, not deployed, or deployed before merge.
/// DevLake rounds each span up to whole minutes; this keeps hours.
pub fn devlake_cycle_time(
    first_commit: f64,
    opened: f64,
    merged: f64,
    deployed: f64,
) -> Option<f64> {
    let deploy = deployed - merged;
    if !deploy.is_finite() || deploy < 0.0 {
        return None;
    }
    let created = if opened.is_finite() {
        opened
    } else {
        first_commit
    };
    let span = |a: f64, b: f64| {
        let d = b - a;
        if d.is_finite() && d >= 0.0 { d } else { 0.0 }
    };
    Some(span(first_commit, created) + span(created, merged) + deploy)
}

/// A ledger's lists, or one week's share of them: what [`dora`] reads.
#[derive(Debug, Clone, Copy)]
struct Lists<'a> {
    deployments: &'a [ViewDeployment],
    lead_times: &'a [(f64, f64)],
    lead_working_hours: &'a [f64],
    failures: &'a [ViewFailure],
    restores: Option<&'a [(f64, f64)]>,
}

impl<'a> Lists<'a> {
    /// The recovery times the lens reads: its own list when it keeps one apart from the failures
    /// (Four Keys, DevLake), else each failure's.
    fn recoveries(self) -> impl Iterator<Item = f64> + 'a {
        let (restores, failures) = match self.restores {
            Some(restores) => (restores, &[][..]),
            None => (&[][..], self.failures),
        };
        restores
            .iter()
            .map(|r| r.1)
            .chain(failures.iter().filter_map(|f| f.recovery_hours))
    }
}

impl LedgerView {
    fn lists(&self) -> Lists<'_> {
        Lists {
            deployments: &self.deployments,
            lead_times: &self.lead_times,
            lead_working_hours: &self.lead_working_hours,
            failures: &self.failures,
            restores: self.restores.as_deref(),
        }
    }

    /// The recovery times the lens reads: its own list when it keeps one apart from the failures
    /// (Four Keys, DevLake), else each failure's.
    pub fn recovery_hours(&self) -> Vec<f64> {
        self.lists().recoveries().collect()
    }
}

/// The DORA figures of a ledger view over a window of `weeks`.
pub fn dora(view: &LedgerView, weeks: f64) -> DoraFigures {
    figures(view.lists(), weeks, &mut Vec::new())
}

/// The DORA figures of `lists` over a window of `weeks`; `values` is the buffer the order
/// statistics are selected in (reordered, then left holding the recoveries).
fn figures(lists: Lists<'_>, weeks: f64, values: &mut Vec<f64>) -> DoraFigures {
    let deployments = lists.deployments.len() as f64;
    let padding = lists.deployments.iter().filter(|d| d.padding).count() as f64;
    let rework = lists.deployments.iter().filter(|d| d.rework).count() as f64;
    let failures = lists.failures.len() as f64;
    values.clear();
    values.extend(lists.lead_times.iter().map(|(_, l)| *l));
    let lead_time_mean = ratio(values.iter().sum(), values.len() as f64);
    let [lead_time_p50, lead_time_p90] = quantiles(values, [0.5, 0.9]);
    values.clear();
    values.extend_from_slice(lists.lead_working_hours);
    let lead_time_working_p50 = quantile(values, 0.5);
    values.clear();
    values.extend(lists.recoveries());
    let [recovery_p50, recovery_p90] = quantiles(values, [0.5, 0.9]);
    DoraFigures {
        deployments,
        padding,
        failures,
        rework,
        deploys_per_week: ratio(deployments, weeks),
        lead_time_p50,
        lead_time_p90,
        lead_time_mean,
        lead_time_working_p50,
        change_fail_rate: ratio(failures, deployments),
        recovery_p50,
        recovery_p90,
        rework_rate: ratio(rework, deployments),
    }
}

/// The DORA figures of each measured week (for weekly series).
pub fn dora_by_week(view: &LedgerView, from_hours: f64, week_count: usize) -> Vec<DoraFigures> {
    let mut out = Vec::new();
    WeeklyScratch::default().dora_by_week(view, from_hours, week_count, &mut out);
    out
}

/// Buffers of [`WeeklyScratch::dora_by_week`], kept between replications for their memory.
#[derive(Debug, Clone, Default)]
pub struct WeeklyScratch {
    /// Each week's share of the view (the first `week_count` are in use).
    weeks: Vec<LedgerView>,
    values: Vec<f64>,
}

impl WeeklyScratch {
    /// The DORA figures of each measured week of `view` (for weekly series), into `out`
    /// (replacing what it held): [`dora_by_week`] without allocating once the buffers have grown.
    /// Each week's lists keep the view's order, so a week's sums add up as they always did.
    pub fn dora_by_week(
        &mut self,
        view: &LedgerView,
        from_hours: f64,
        week_count: usize,
        out: &mut Vec<DoraFigures>,
    ) {
        out.clear();
        if week_count == 0 {
            return;
        }
        let week_of =
            |t: f64| (((t - from_hours) / HOURS_PER_WEEK).max(0.0) as usize).min(week_count - 1);
        if self.weeks.len() < week_count {
            self.weeks.resize_with(week_count, LedgerView::default);
        }
        let weeks = &mut self.weeks[..week_count];
        for week in weeks.iter_mut() {
            week.clear(view.restores.is_some());
        }
        for d in &view.deployments {
            weeks[week_of(d.finished_hours)].deployments.push(*d);
        }
        for l in &view.lead_times {
            weeks[week_of(l.0)].lead_times.push(*l);
        }
        for f in &view.failures {
            weeks[week_of(f.at_hours)].failures.push(*f);
        }
        for r in view.restores.iter().flatten() {
            weeks[week_of(r.0)].restores_mut().push(*r);
        }
        out.extend(
            weeks
                .iter()
                .map(|week| figures(week.lists(), 1.0, &mut self.values)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::model::params::Params;
    use crate::model::records::Remediation;
    use crate::model::timeline::Schedule;

    /// Ten planned deployments, one a day; deployment 3 causes two incidents.
    fn history() -> RunRecords {
        let mut records = RunRecords {
            warmup_hours: 0.0,
            end_hours: 10.0 * 24.0,
            ..RunRecords::default()
        };
        for id in 0..10 {
            let t = f64::from(id) * 24.0 + 10.0;
            records.deployments.push(DeploymentRecord {
                id,
                started_hours: t - 0.5,
                finished_hours: t,
                reason: DeployReason::Planned,
                change_count: 1,
                rolls_back: None,
                labelled_rework: false,
                team: 0,
            });
        }
        for (id, start) in [(0u32, 3.0 * 24.0 + 12.0), (1, 3.0 * 24.0 + 20.0)] {
            records.incidents.push(IncidentRecord {
                id,
                cause: IncidentCause::Deployment { deployment: 3 },
                started_hours: start,
                detected_hours: start + 0.5,
                restored_hours: start + 2.0,
                impact: 0.1,
                ai_integration: false,
                remediation: Remediation::Rollback,
                reported_deployment: Some(3),
                closed_hours: start + 2.0,
                closed_early: false,
                recurrence_of: None,
                postmortem: false,
                team: 0,
            });
        }
        records
    }

    #[test]
    fn gitlab_divides_incidents_by_deployments_without_linking() {
        let records = history();
        let gitlab = dora(&LedgerView::measured(&records, Lens::Gitlab), 10.0 / 7.0);
        let truth = dora(&LedgerView::measured(&records, Lens::Truth), 10.0 / 7.0);
        assert_eq!(gitlab.change_fail_rate, 0.2);
        assert_eq!(truth.change_fail_rate, 0.1);
        assert_eq!(
            dora(&LedgerView::truth(&records), 10.0 / 7.0).change_fail_rate,
            0.1
        );
    }

    #[test]
    fn four_keys_counts_incidents_and_restores_from_the_causing_deployment() {
        let records = history();
        let view = LedgerView::measured(&records, Lens::FourKeys);
        let four_keys = dora(&view, 10.0 / 7.0);
        // Both incidents name deployment 3: the dashboard counts two.
        assert_eq!(four_keys.failures, 2.0);
        assert_eq!(four_keys.change_fail_rate, 0.2);
        // Deployment 3 went live at 82 h; the incidents closed at 86 h and 94 h.
        assert_eq!(view.restores, Some(vec![(82.0, 4.0), (82.0, 12.0)]));
        assert_eq!(four_keys.recovery_p50, 8.0);
        // No change: each deployment is timed from the empty commit that triggered it.
        assert_eq!(four_keys.lead_time_p50, 0.5);
        assert_eq!(view.lead_times.len(), 10);
    }

    /// [`history`] with a third incident on day 6, caused by fragility: no deployment reported.
    fn history_with_an_uncaused_incident() -> RunRecords {
        let mut records = history();
        records.incidents.push(IncidentRecord {
            id: 2,
            cause: IncidentCause::Fragility,
            reported_deployment: None,
            started_hours: 6.0 * 24.0 + 12.0,
            detected_hours: 6.0 * 24.0 + 12.5,
            ..records.incidents[0].clone()
        });
        records
    }

    #[test]
    fn devlake_blames_the_latest_deployment_even_without_a_cause() {
        let records = history_with_an_uncaused_incident();
        let devlake = dora(&LedgerView::measured(&records, Lens::Devlake), 10.0 / 7.0);
        let truth = dora(&LedgerView::truth(&records), 10.0 / 7.0);
        assert_eq!(devlake.change_fail_rate, 0.2, "deployments 3 and 6 blamed");
        assert_eq!(truth.change_fail_rate, 0.1);
    }

    #[test]
    fn devlake_blames_by_detection_and_times_recovery_from_the_deployment() {
        let mut records = history();
        // Impact starts before deployment 4 goes live (day 4, 10:00), detected after it.
        records.incidents.push(IncidentRecord {
            id: 2,
            cause: IncidentCause::Fragility,
            reported_deployment: None,
            started_hours: 4.0 * 24.0 + 9.0,
            detected_hours: 4.0 * 24.0 + 11.0,
            closed_hours: 4.0 * 24.0 + 13.0,
            ..records.incidents[0].clone()
        });
        let view = LedgerView::measured(&records, Lens::Devlake);
        assert_eq!(view.failures.len(), 2, "deployments 3 and 4");
        assert_eq!(
            view.failures[1].at_hours,
            4.0 * 24.0 + 10.0,
            "the deployment before detection, not before impact"
        );
        // Every linked incident: deployment 3 (day 3, 10:00) → resolved 14:00 and 22:00;
        // deployment 4 → resolved 13:00.
        let recoveries: Vec<f64> = view.restores.unwrap().iter().map(|r| r.1).collect();
        assert_eq!(recoveries, vec![4.0, 12.0, 3.0]);
    }

    #[test]
    fn padding_counts_on_the_dashboard_only() {
        let mut records = history();
        let mut pad = records.deployments[0].clone();
        pad.id = 10;
        pad.reason = DeployReason::Padding;
        pad.change_count = 0;
        records.deployments.push(pad);
        assert_eq!(dora(&LedgerView::truth(&records), 1.0).deployments, 10.0);
        let measured = dora(&LedgerView::measured(&records, Lens::Truth), 1.0);
        assert_eq!(measured.deployments, 11.0);
        assert_eq!(measured.padding, 1.0);
    }

    /// One replication of the default parameters (the model's own defaults, no timeline).
    fn replication(seed: u64) -> RunRecords {
        let schedule = Schedule::build(&Params::default(), &[]).expect("default parameters");
        Model::new(&schedule).run(seed, 0)
    }

    /// Every list of a view, bit for bit (`{:?}` writes each float's shortest exact form).
    fn bits(view: &LedgerView) -> String {
        format!("{view:?}")
    }

    #[test]
    fn reading_every_ledger_at_once_gives_each_ledger_read_alone() {
        let mut ledgers = Ledgers::default();
        // Replications, then a small history into the same ledgers: nothing left over.
        for records in [
            replication(3),
            replication(4),
            history_with_an_uncaused_incident(),
        ] {
            ledgers.read(&records);
            assert_eq!(bits(&ledgers.truth), bits(&LedgerView::truth(&records)));
            for lens in Lens::ALL {
                let alone = LedgerView::measured(&records, lens);
                if !records.changes.is_empty() {
                    assert!(!alone.lead_times.is_empty(), "{lens:?} reads lead times");
                }
                assert_eq!(bits(ledgers.lens(lens)), bits(&alone), "{lens:?}");
            }
        }
    }

    #[test]
    fn weekly_figures_from_reused_buffers_equal_fresh_ones() {
        let mut weekly = WeeklyScratch::default();
        let mut out = Vec::new();
        for (seed, weeks) in [(3, 26), (4, 9), (5, 30)] {
            let records = replication(seed);
            for lens in Lens::ALL {
                let view = LedgerView::measured(&records, lens);
                weekly.dora_by_week(&view, records.warmup_hours, weeks, &mut out);
                let fresh = dora_by_week(&view, records.warmup_hours, weeks);
                assert_eq!(format!("{out:?}"), format!("{fresh:?}"), "{lens:?}");
            }
        }
    }
}
