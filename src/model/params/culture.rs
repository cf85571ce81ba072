//! Parameters of the culture: how metrics are used, gaming and learning.

use super::*;
use crate::{choice, section};

choice! {
    /// Named starting points for the culture section; a scenario takes one and adjusts it.
    pub enum CulturePreset {
        /// Metrics are watched but neither scored nor targeted; some post-mortems.
        Neutral = "neutral",
        /// Team-level indicators, blameless post-mortems, time set aside for technical debt.
        Learning = "learning",
        /// Metrics as individual scorecards with targets; low psychological safety.
        Surveillance = "surveillance",
    }
}

section! {
    /// Culture: how the metrics are used, and the gaming and learning behaviours that follow.
    ///
    /// Gaming intensities are not switched on directly: each behaviour's propensity is multiplied by
    /// the gaming pressure, `(scorecards + targets) / 2 × (1 − psychological safety)`, so gaming
    /// emerges from surveillance and targets.
    "culture" => pub struct CultureParams {
        /// Preset the other culture keys start from: neutral, learning or surveillance (keys
        /// written in the scenario override it).
        preset: CulturePreset = CulturePreset::Neutral => {
            unit: "choice",
            accepts: CHOICE,
            source: "DORA guide and the second seed article: the same metrics drive opposite outcomes under learning and surveillance cultures",
        },
        /// Psychological safety: willingness to report near-misses and admit mistakes; lowers
        /// gaming pressure and scales learning.
        psychological_safety: f64 = 0.6 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "modelling assumption (neutral 0.6, learning 0.9, surveillance 0.2), sweep it",
        },
        /// Metrics are used as individual scorecards (half of the gaming pressure).
        individual_scorecards: bool = false => {
            unit: "on/off",
            accepts: SWITCH,
            source: "seed article on surveillance culture; DORA guide warns against it",
        },
        /// Targets are set on the metrics (the other half of the gaming pressure: Goodhart's law).
        metric_targets: bool = false => {
            unit: "on/off",
            accepts: SWITCH,
            source: "DORA guide: Goodhart's law as a pitfall of metric targets [P]",
        },
        /// Empty or config-only padding deployments per week at full gaming pressure.
        padding_deploys_per_week: f64 = 15.0 => {
            unit: "per week",
            accepts: NON_NEGATIVE,
            source: "blog anecdote: deployment frequency +300 % in a quarter by splitting and deploying separately [S]; intensity is an assumption",
        },
        /// Share of changes split artificially into extra pull requests at full gaming pressure.
        pr_splitting: f64 = 0.6 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "blog anecdote: one-line PRs deployed separately [S]; intensity is an assumption",
        },
        /// Extra pull requests an artificially split change is cut into.
        extra_pull_requests: f64 = 3.0 => {
            unit: "pull requests",
            // A change has at most 1000 pull requests in the model.
            accepts: Accepts { min: Some(0.0), max: Some(1000.0), ..ANY },
            source: "modelling assumption, sweep it",
        },
        /// Integration defects added per extra pull request (pieces that no longer fit together).
        split_integration_defects: f64 = 0.1 => {
            unit: "defects per PR",
            accepts: NON_NEGATIVE,
            source: "Mockus & Weiss 2000: change diffusion predicts failure [P abstract]; size is an assumption",
        },
        /// Share of incidents closed in the tool before the root cause is fixed, at full gaming
        /// pressure.
        early_incident_close: f64 = 0.6 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "incident.io: incidents argued down to avoid targets [S]; intensity is an assumption",
        },
        /// Probability that an incident closed before its root cause was fixed recurs.
        recurrence_probability: f64 = 0.5 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "modelling assumption, sweep it",
        },
        /// Share of deployment failures reclassified as not deploy-related, at full gaming
        /// pressure.
        failure_reclassification: f64 = 0.5 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "incident.io: severity and cause argued down [S]; intensity is an assumption",
        },
        /// Share of hotfix and bug-fix deployments left out of the rework count, at full gaming
        /// pressure.
        hotfix_exclusion: f64 = 0.6 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "modelling assumption, sweep it",
        },
        /// Psychological safety lost each time an AI-amplified failure is blamed on a person (with
        /// individual scorecards).
        blame_safety_loss: f64 = 0.002 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "seed article: blame for AI-amplified failures; size is an assumption",
        },
        /// Share of incidents followed by a blameless post-mortem.
        postmortems: f64 = 0.3 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "DORA capabilities: learning culture, blameless post-mortems; shares are assumptions",
        },
        /// Reduction of the defect rate per post-mortem, scaled by psychological safety.
        postmortem_learning: f64 = 0.0 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "modelling assumption, sweep it",
        },
        /// Reduction of the defect rate per reported near-miss (a defect caught in tests), scaled
        /// by psychological safety.
        near_miss_learning: f64 = 0.0 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "modelling assumption, sweep it",
        },
        /// Lowest defect-rate multiplier learning can reach.
        learning_floor: f64 = 0.6 => {
            unit: "share 0-1",
            accepts: Accepts { min: Some(0.0), max: Some(1.0), min_exclusive: true, ..ANY },
            source: "modelling assumption: no technique removes more than about 75 % of defects (Capers Jones) [S]",
        },
        /// Extra share of developer time set aside for technical debt (adds to
        /// team.maintenance_share).
        debt_time_share: f64 = 0.0 => {
            unit: "share 0-1",
            accepts: Accepts { min: Some(0.0), max: Some(0.5), ..ANY },
            source: "seed article: celebrate when metrics temporarily worsen; share is an assumption",
        },
    }
}

impl CultureParams {
    /// The values of a preset. The defaults of the table are the neutral culture's. Post-mortems
    /// in a neutral culture fix the incident but leave no lasting lesson, so the reference system
    /// does not drift: systematic learning is the learning preset's.
    pub fn preset(preset: CulturePreset) -> Self {
        let neutral = CultureParams::default();
        match preset {
            CulturePreset::Neutral => neutral,
            CulturePreset::Learning => CultureParams {
                preset,
                psychological_safety: 0.9,
                postmortems: 0.9,
                postmortem_learning: 0.005,
                near_miss_learning: 0.0001,
                debt_time_share: 0.1,
                ..neutral
            },
            CulturePreset::Surveillance => CultureParams {
                preset,
                psychological_safety: 0.2,
                individual_scorecards: true,
                metric_targets: true,
                postmortems: 0.1,
                // Blame keeps lessons shallow; what little is learned is scaled down further by
                // low psychological safety.
                postmortem_learning: 0.005,
                near_miss_learning: 0.0001,
                ..neutral
            },
        }
    }

    /// Gaming pressure (0-1) at a given psychological safety.
    pub fn gaming_pressure(&self, safety: f64) -> f64 {
        let use_ = (f64::from(u8::from(self.individual_scorecards))
            + f64::from(u8::from(self.metric_targets)))
            / 2.0;
        (use_ * (1.0 - safety.clamp(0.0, 1.0))).clamp(0.0, 1.0)
    }
}
