//! Code review: a finite pool of reviewers serves a queue of pull requests. Depth falls when the
//! queue backs up, so overload shows up twice: as waiting and as escaped defects. Before a pull
//! request joins the queue it waits for a reviewer's break in their own work long enough for its
//! sitting (pickup), so review latency is mostly pickup, and bigger pull requests wait longer.

use rand::RngExt;

use super::defects::{DefectClass, PerClass};
use super::simulation::{Event, Simulation, Task};
use crate::engine::random::exponential_wait;

/// Review depth reviewers achieve when `waiting` pull requests queue per reviewer: full depth up
/// to the pressure threshold, then falling hyperbolically to the floor.
pub fn review_depth(
    waiting_per_reviewer: f64,
    threshold: f64,
    sensitivity: f64,
    floor: f64,
) -> f64 {
    let excess = (waiting_per_reviewer - threshold).max(0.0);
    (1.0 / (1.0 + sensitivity * excess)).max(floor).min(1.0)
}

/// Reviewer effort for one pull request of `loc` lines at the depth reviewers aim for, and the
/// depth it achieves (share of the full-depth effort).
///
/// Full depth costs the per-PR overhead plus reading at `loc_per_hour`, times `effort_factor` (more
/// for AI-assisted code). Whatever the pressure, a reviewer still opens the pull request and reads
/// every line at least at the skimming rate: that minimum cannot be cut, so a thin review still
/// costs time and review capacity binds. Queue pressure only cuts the part above the minimum, and
/// no round takes longer than one sitting of `max_session_hours`.
pub fn review_effort(
    loc: f64,
    overhead_hours: f64,
    loc_per_hour: f64,
    skim_loc_per_hour: f64,
    max_session_hours: f64,
    effort_factor: f64,
    target_depth: f64,
) -> (f64, f64) {
    let loc = loc.max(0.0);
    let overhead = overhead_hours.max(0.0);
    let full = (overhead + loc / loc_per_hour.max(1e-9)) * effort_factor.max(0.0);
    let minimum = (overhead + loc / skim_loc_per_hour.max(1e-9)).min(full);
    // A reviewer gives one pull request one sitting: past it, a big pull request is read
    // faster, not longer, and its depth falls (the minimum reading effort still holds).
    let effort = (minimum + target_depth.clamp(0.0, 1.0) * (full - minimum))
        .min(max_session_hours.max(minimum));
    let achieved = if full > 0.0 { effort / full } else { 1.0 };
    (effort, achieved.clamp(0.0, 1.0))
}

/// Probability that review finds one defect: the class's base rate, lower for integration defects
/// in AI code ("the diff looks clean"), lower above the size threshold, times the depth achieved.
pub fn review_detection(
    base: f64,
    ai_integration_visibility: Option<f64>,
    loc: f64,
    size_threshold: f64,
    size_exponent: f64,
    depth: f64,
) -> f64 {
    let size_factor = if loc > size_threshold && size_threshold > 0.0 {
        (size_threshold / loc).powf(size_exponent)
    } else {
        1.0
    };
    (base * ai_integration_visibility.unwrap_or(1.0) * size_factor * depth).clamp(0.0, 1.0)
}

/// Rate, per working hour, of a reviewer's breaks long enough for a sitting of `sitting_hours`:
/// breaks come at `breaks_per_hour`, each with exponential free time of mean
/// `free_block_mean_hours`, so a share exp(−sitting / mean) of them is long enough.
pub fn pickup_rate(sitting_hours: f64, breaks_per_hour: f64, free_block_mean_hours: f64) -> f64 {
    breaks_per_hour * (-sitting_hours.max(0.0) / free_block_mean_hours.max(1e-9)).exp()
}

impl Simulation<'_> {
    /// Asks for a review of a pull request (new, or back from rework). It enters the review queue
    /// when a reviewer reaches a break in their own work long enough for the sitting it needs
    /// ([`pickup_rate`]; Google's engineering practices: respond at a break point, not in the
    /// middle of a focused task), at once if it is expedited or reviewers watch the queue. The
    /// sitting the reviewer plans is the full-depth effort, at most one session. The pickup wait
    /// counts as waiting for review.
    pub(crate) fn request_review(&mut self, pr: u32) {
        let now = self.now();
        let record = &mut self.records.pull_requests[pr as usize];
        if record.opened_hours.is_nan() {
            record.opened_hours = now;
        }
        if self.screen(pr) {
            return;
        }
        let rp = &self.p().review;
        let pull = &self.prs[pr as usize];
        if pull.expedited || rp.pickup_breaks_per_hour <= 0.0 {
            self.enqueue_review(pr);
            return;
        }
        let change = pull.change as usize;
        let (planned, _) = self.round_effort(pr, 1.0);
        let sitting = planned.min(rp.max_session_hours);
        let rate = pickup_rate(sitting, rp.pickup_breaks_per_hour, rp.free_block_mean_hours);
        let working_hours = exponential_wait(&mut self.team.rng.pickup, rate);
        let at = self.calendar().finish(now, working_hours);
        if self.measuring() {
            self.team.flow.review_pickup_sum_hours += at - now;
        }
        self.records.changes[change].review_wait_hours += (at - now) as f32;
        self.queue.schedule_at(at, Event::ReviewPickup(pr));
    }

    /// Puts a pull request in the review queue.
    pub(crate) fn enqueue_review(&mut self, pr: u32) {
        let now = self.now();
        let pull = &mut self.prs[pr as usize];
        pull.enqueued = now;
        if pull.expedited {
            self.team.expedited_queue.push_back(pr);
        } else {
            self.team.review_queue.push_back(pr);
        }
        self.dispatch_reviewers();
    }

    /// Gives free reviewers the next pull requests, expedited first.
    pub(crate) fn dispatch_reviewers(&mut self) {
        loop {
            let reviewers = self.p().review.reviewers;
            if self.team.reviewers_busy >= reviewers {
                return;
            }
            let Some(pr) = self
                .team
                .expedited_queue
                .pop_front()
                .or_else(|| self.team.review_queue.pop_front())
            else {
                return;
            };
            self.start_review(pr);
        }
    }

    /// Effort of the pull request's next review round aimed at `target_depth` (a second or later
    /// round costs half), before noise, and the depth it achieves ([`review_effort`]).
    fn round_effort(&self, pr: u32, target_depth: f64) -> (f64, f64) {
        let p = self.p();
        let rp = &p.review;
        let pull = &self.prs[pr as usize];
        let ai = self.records.changes[pull.change as usize].ai_assisted;
        // Complacency: a pull request the AI reviewer screened gets less human depth.
        let target_depth = if pull.screened {
            target_depth * (1.0 - p.ai_review.complacency.clamp(0.0, 1.0))
        } else {
            target_depth
        };
        let (effort, achieved) = review_effort(
            pull.loc,
            p.pull_requests.review_overhead_hours,
            rp.loc_per_hour,
            rp.skim_loc_per_hour,
            rp.max_session_hours,
            if ai { 1.0 + rp.ai_extra_effort } else { 1.0 },
            target_depth,
        );
        let round_factor = if pull.rounds == 0 { 1.0 } else { 0.5 };
        (effort * round_factor, achieved)
    }

    fn start_review(&mut self, pr: u32) {
        let now = self.now();
        let p = self.p();
        let rp = &p.review;
        let start = self.calendar().next_open(now);
        let waiting = (self.team.review_queue.len() + self.team.expedited_queue.len()) as f64
            / f64::from(rp.reviewers.max(1));
        let depth = review_depth(
            waiting,
            rp.pressure_threshold,
            rp.pressure_sensitivity,
            rp.min_depth,
        );
        // The depth reviewers aim for under pressure; the round achieves less if it is too big
        // for one sitting.
        let (effort_no_noise, depth) = self.round_effort(pr, depth);
        let noise = self
            .s()
            .review_noise
            .sample(&mut self.team.rng.review)
            .max(0.0);
        let effort = effort_no_noise * noise;
        let pull = &self.prs[pr as usize];
        let change = pull.change as usize;
        let done = self.calendar().finish(now, effort);
        let wait = start - pull.enqueued;
        self.team.reviewers_busy += 1;
        if self.measuring() {
            self.team.flow.reviews_started += 1;
            self.team.flow.review_wait_sum_hours += wait;
        }
        let booked = effort * self.share_in_window(now, done);
        self.team.time_use.reviewing += booked;
        if self.records.changes[change].agent {
            self.team.time_use.reviewing_agents += booked;
        }
        let record = &mut self.records.changes[change];
        record.review_wait_hours += wait as f32;
        record.review_hours += (done - start) as f32;
        record.review_rounds += 1;
        record.review_depth = record.review_depth.min(depth as f32);
        self.queue.schedule_at(done, Event::ReviewDone(pr, depth));
    }

    pub(crate) fn on_review_done(&mut self, pr: u32, depth: f64) {
        self.team.reviewers_busy = self.team.reviewers_busy.saturating_sub(1);
        if self.rejects(pr) {
            self.reject(pr);
            self.dispatch_reviewers();
            return;
        }
        let p = self.p();
        let rp = &p.review;
        let change = self.prs[pr as usize].change as usize;
        let ai = self.records.changes[change].ai_assisted;
        let loc = self.prs[pr as usize].loc;
        self.prs[pr as usize].rounds += 1;
        let last_round = u32::from(self.prs[pr as usize].rounds) >= rp.max_rounds;
        let probability = PerClass::from_fn(|class| {
            let (base, visibility) = match class {
                DefectClass::Described => (rp.described_detection, None),
                DefectClass::Integration => (
                    rp.integration_detection,
                    ai.then_some(rp.ai_integration_visibility),
                ),
            };
            review_detection(
                base,
                visibility,
                loc,
                rp.size_threshold_loc,
                rp.size_penalty_exponent,
                depth,
            )
        });
        let mut found = PerClass::<u16>::default();
        let defects = &mut self.prs[pr as usize].defects;
        for (class, by_severity) in defects.iter_mut() {
            let prob = probability[class];
            for n in by_severity.values_mut() {
                let hits = (0..*n)
                    .filter(|_| self.team.rng.review.random::<f64>() < prob)
                    .count() as u16;
                if !last_round {
                    *n -= hits;
                }
                found[class] += hits;
            }
        }
        let total = found.sum();
        if total > 0 && !last_round {
            let record = &mut self.records.changes[change];
            for class in DefectClass::ALL {
                record.caught_in_review[class] += found[class];
            }
            if self.records.changes[change].agent {
                self.start_agent_run(super::simulation::AgentJob::ReworkPullRequest(pr));
            } else {
                let effort = self.rework_effort(change, total);
                self.queue_task(Task::ReworkPullRequest(pr), effort);
            }
        } else {
            // Approved: its remaining defects go back into the change.
            self.records.pull_requests[pr as usize].approved_hours = self.now();
            let defects = self.prs[pr as usize].defects;
            let state = &mut self.states[change];
            for (class, row) in defects.iter() {
                for (severity, n) in row.iter() {
                    state.latent[class][severity] += n;
                }
            }
            state.prs_open -= 1;
            if state.prs_open == 0 {
                self.start_tests(change as u32);
            }
        }
        self.dispatch_reviewers();
    }
}
