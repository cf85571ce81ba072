//! An automated first-pass reviewer: it screens each pull request once, before a human reviewer
//! sees it. It finds described defects far more often than integration ones (the diff alone does
//! not show how parts fit together), its false-positive comments cost the author time to read and
//! dismiss, and human reviewers of a screened pull request may aim for less depth (complacency, a
//! parameter). What it finds is reworked before the human review, like a review finding.

use rand::RngExt;
use rand_distr::{Distribution, Poisson};

use super::defects::{DefectClass, PerClass};
use super::simulation::{AgentJob, Event, Simulation, Task};

impl Simulation<'_> {
    /// Sends a pull request to the AI reviewer when the team screens pull requests and this one
    /// has not been screened yet; true when it was sent (human review waits for the result).
    pub(crate) fn screen(&mut self, pr: u32) -> bool {
        let ai = &self.p().ai_review;
        if !ai.enabled || self.prs[pr as usize].screened {
            return false;
        }
        self.prs[pr as usize].screened = true;
        self.queue
            .schedule_in(ai.hours.max(0.0), Event::AiReviewDone(pr));
        true
    }

    /// The AI reviewer's comments are in: real findings and false positives go back to the
    /// author (the agent, for an agent's pull request); a clean pass goes on to human review.
    pub(crate) fn on_ai_review_done(&mut self, pr: u32) {
        let ai = &self.p().ai_review;
        let probability = PerClass::from_fn(|class| match class {
            DefectClass::Described => ai.described_detection,
            DefectClass::Integration => ai.integration_detection,
        });
        let mut found = PerClass::<u16>::default();
        let defects = &mut self.prs[pr as usize].defects;
        for (class, by_severity) in defects.iter_mut() {
            for n in by_severity.values_mut() {
                let hits = (0..*n)
                    .filter(|_| self.team.rng.agents.random::<f64>() < probability[class])
                    .count() as u16;
                *n -= hits;
                found[class] += hits;
            }
        }
        let false_positives = if ai.false_positives_per_pr > 0.0 {
            Poisson::new(ai.false_positives_per_pr)
                .map_or(0.0, |d| d.sample(&mut self.team.rng.agents)) as u32
        } else {
            0
        };
        let change = self.prs[pr as usize].change as usize;
        let total = found.sum();
        if self.measuring() {
            let flow = &mut self.team.flow;
            flow.ai_screened += 1;
            flow.ai_review_findings += u64::from(total);
            flow.ai_review_false_positives += u64::from(false_positives);
        }
        let record = &mut self.records.changes[change];
        for class in DefectClass::ALL {
            record.caught_in_review[class] += found[class];
        }
        if total == 0 && false_positives == 0 {
            self.request_review(pr);
        } else if self.records.changes[change].agent {
            self.start_agent_run(AgentJob::ReworkPullRequest(pr));
        } else {
            let effort = self.rework_effort(change, total)
                + f64::from(false_positives) * ai.false_positive_hours.max(0.0);
            self.queue_task(Task::ReworkPullRequest(pr), effort);
        }
    }
}
