//! Coding agents: sessions that take work items, run on their own (around the clock by default)
//! and open one pull request each for human review. Every session needs a supervising engineer:
//! prompting and steering before it runs, checking its pull request before review and after
//! each rework. Supervision is developer time, done by at most `agents.supervisors` developers at
//! once, and each task costs more the more sessions a supervisor juggles
//! (`1 + coordination_overhead × (sessions / supervisors − 1)`): past a handful of sessions per
//! engineer, more sessions add supervision load faster than output. Reviewers reject some agent
//! pull requests outright; the work item then goes back to the backlog, redone by hand.

use super::simulation::{AgentJob, Event, Simulation, Task};

/// Supervision effort multiplier when each supervisor juggles `sessions / supervisors` sessions.
pub fn coordination_factor(sessions: u32, supervisors: u32, overhead: f64) -> f64 {
    let per_engineer = f64::from(sessions) / f64::from(supervisors.max(1));
    1.0 + overhead.max(0.0) * (per_engineer - 1.0).max(0.0)
}

impl Simulation<'_> {
    /// The active team's supervision effort multiplier now.
    fn supervision_factor(&self) -> f64 {
        let a = &self.p().agents;
        coordination_factor(a.sessions, a.supervisors, a.coordination_overhead)
    }

    /// Starts agent sessions on waiting work items (or, with backlog demand, on new ones) while
    /// sessions are free: each starts with a supervisor's prompt.
    pub(crate) fn dispatch_agents(&mut self) {
        loop {
            let p = self.p();
            if self.team.agent_sessions_busy >= p.agents.sessions {
                return;
            }
            let change = match self.team.agent_todo.pop_front() {
                Some(c) => c,
                None if p.demand.mode == super::params::DemandMode::Backlog => {
                    match self.new_agent_item() {
                        Some(c) => c,
                        None => return,
                    }
                }
                None => return,
            };
            self.team.agent_sessions_busy += 1;
            let effort = p.agents.supervision_hours_per_task * self.supervision_factor();
            self.queue_task(Task::Prompt(change), effort);
        }
    }

    /// An agent starts a run: writing a change, or reworking review or test findings.
    pub(crate) fn start_agent_run(&mut self, job: AgentJob) {
        let now = self.now();
        match job {
            AgentJob::Write(c) => self.records.changes[c as usize].first_commit_hours = now,
            AgentJob::ReworkChange(c) => self.begin_rework(c as usize, true),
            AgentJob::ReworkPullRequest(pr) => {
                self.begin_rework(self.prs[pr as usize].change as usize, false)
            }
        }
        let hours = self
            .s()
            .agent_run
            .sample(&mut self.team.rng.agents)
            .max(0.0);
        let done = if self.p().agents.around_the_clock {
            now + hours
        } else {
            self.calendar().finish(now, hours)
        };
        self.queue.schedule_at(done, Event::AgentDone(job));
    }

    /// An agent finished a run: a supervisor checks its work before it goes on.
    pub(crate) fn on_agent_done(&mut self, job: AgentJob) {
        let effort = self.p().agents.supervision_hours_per_pr * self.supervision_factor();
        self.queue_task(Task::Check(job), effort);
    }

    /// A supervisor checked an agent's work: a new pull request is opened (and the session is
    /// free), or the reworked one goes back to review or tests.
    pub(crate) fn on_agent_checked(&mut self, job: AgentJob) {
        let now = self.now();
        match job {
            AgentJob::Write(c) => {
                self.team.agent_sessions_busy = self.team.agent_sessions_busy.saturating_sub(1);
                self.records.changes[c as usize].last_commit_hours = now;
                self.open_pull_requests(c);
                self.dispatch_agents();
            }
            AgentJob::ReworkPullRequest(pr) => {
                let c = self.prs[pr as usize].change as usize;
                self.end_rework(c);
                self.request_review(pr);
            }
            AgentJob::ReworkChange(c) => {
                self.end_rework(c as usize);
                self.start_tests(c);
            }
        }
    }

    /// Whether a reviewer rejects the pull request `pr` at this review: an agent's, at its first
    /// round, by the change's own draw (common to compared scenarios).
    pub(crate) fn rejects(&self, pr: u32) -> bool {
        let pull = &self.prs[pr as usize];
        let change = pull.change as usize;
        pull.rounds == 0
            && self.records.changes[change].agent
            && self.states[change].reject_draw < self.p().agents.rejection_probability
    }

    /// Closes a rejected agent pull request unmerged: the review time is spent, the change is
    /// abandoned, and its work item goes back to the backlog, where a developer redoes it.
    pub(crate) fn reject(&mut self, pr: u32) {
        let change = self.prs[pr as usize].change;
        if self.measuring() {
            self.team.flow.agent_prs_rejected += 1;
        }
        let c = change as usize;
        self.records.changes[c].abandoned = true;
        self.states[c].prs_open = 0;
        self.team.in_system = self.team.in_system.saturating_sub(1);
        let redo = self.redo_by_hand(change);
        self.team.todo.push_back(redo);
        self.dispatch_developers();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordination_grows_past_one_session_per_supervisor() {
        assert_eq!(coordination_factor(4, 4, 0.1), 1.0);
        assert_eq!(coordination_factor(2, 4, 0.1), 1.0);
        assert!((coordination_factor(20, 4, 0.1) - 1.4).abs() < 1e-12);
        assert_eq!(coordination_factor(20, 0, 0.0), 1.0);
    }
}
