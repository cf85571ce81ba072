//! Parameters of production: escaped defects, recovery, fragility and the service level objective.

use super::*;
use crate::model::distribution::Dist;
use crate::section;

section! {
    /// Escaped defects in production.
    "production" => pub struct ProductionParams {
        /// Probability that an escaped failure or bug ever manifests.
        manifest_probability: f64 = 0.8 => {
            unit: "probability",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Delay from deployment to manifestation.
        manifest_delay_hours: Dist = Dist::lognormal(12.0, 96.0) => {
            unit: "hours",
            accepts: DIST,
            source: ASSUMPTION,
        },
        /// User impact of a failure (share of users affected).
        failure_impact: Dist = Dist::triangular(0.0, 0.01, 0.12) => {
            unit: "share 0-1",
            accepts: Accepts { min: Some(0.0), max: Some(1.0), ..ANY },
            source: ASSUMPTION,
        },
        /// Delay from a user-facing bug manifesting to a fix being started.
        bug_report_delay_hours: Dist = Dist::lognormal(8.0, 48.0) => {
            unit: "hours",
            accepts: DIST,
            source: ASSUMPTION,
        },
        /// Effort to write a fix for a user-facing bug.
        bug_fix_hours: Dist = Dist::lognormal(2.0, 8.0) => {
            unit: "hours",
            accepts: DIST,
            source: ASSUMPTION,
        },
    }
}

section! {
    /// Detection, diagnosis and remediation of failures.
    "recovery" => pub struct RecoveryParams {
        /// Observability investment (0 = none, 1 = excellent).
        observability: f64 = 0.3 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// How much full observability speeds detection and diagnosis.
        observability_effect: f64 = 2.0 => {
            unit: "multiplier",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// Extra effect of observability on AI integration failures (tracing the undescribed path).
        observability_ai_effect: f64 = 1.0 => {
            unit: "multiplier",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// Time from failure start to detection without observability.
        detection_hours: Dist = Dist::lognormal(0.5, 4.0) => {
            unit: "hours",
            accepts: DIST,
            source: "modelling assumption; DORA 2024 tiers: elite recover in < 1 hour, high in < 1 day",
        },
        /// Diagnosis time without observability.
        diagnosis_hours: Dist = Dist::lognormal(1.5, 8.0) => {
            unit: "hours",
            accepts: DIST,
            source: "Franke et al.: recovery times are log-normal (1,800+ incidents); VOID report: use medians",
        },
        /// Diagnosis-time multiplier for integration failures in AI-generated code.
        ai_integration_diagnosis_multiplier: f64 = 1.8 => {
            unit: "multiplier",
            accepts: POSITIVE,
            source: "modelling assumption; Faros AI 2026: incidents per PR x3.4",
        },
        /// Probability that a failed deployment can be rolled back.
        rollback_probability: f64 = 0.7 => {
            unit: "probability",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Rollback duration.
        rollback_hours: Dist = Dist::lognormal(0.3, 1.0) => {
            unit: "hours",
            accepts: DIST,
            source: ASSUMPTION,
        },
        /// Effort to write a hotfix when rollback is impossible.
        hotfix_hours: Dist = Dist::lognormal(2.0, 8.0) => {
            unit: "hours",
            accepts: DIST,
            source: ASSUMPTION,
        },
        /// Probability that an incident pulls a reviewer off review for its diagnosis.
        reviewer_pull_probability: f64 = 0.5 => {
            unit: "probability",
            accepts: SHARE,
            source: ASSUMPTION,
        },
    }
}

section! {
    /// Cumulative instability.
    "fragility" => pub struct FragilityParams {
        /// Fragility added by a change merged with review depth d: `shallow_review x (1 - d)`.
        shallow_review: f64 = 0.05 => {
            unit: "fragility/change",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// Fragility added by a change merged with coverage c: `untested x (1 - c)`.
        untested: f64 = 0.02 => {
            unit: "fragility/change",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// Fraction of fragility that decays per week without maintenance.
        decay_per_week: f64 = 0.05 => {
            unit: "share/week",
            accepts: SHARE,
            source: ASSUMPTION,
        },
        /// Extra weekly decay per unit of `team.maintenance_share`.
        maintenance_decay_per_week: f64 = 1.0 => {
            unit: "share/week per unit",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// Incidents per week per unit of fragility (not attributable to any deployment).
        incidents_per_week_per_unit: f64 = 0.05 => {
            unit: "incidents/week",
            accepts: NON_NEGATIVE,
            source: "modelling assumption; Google SRE: about 30 % of outages do not come from changes",
        },
        /// Window for the interaction hazard.
        interaction_window_hours: f64 = 24.0 => {
            unit: "hours",
            accepts: POSITIVE,
            source: ASSUMPTION,
        },
        /// Incidents per week per change deployed within the window beyond
        /// `interaction_free_changes`.
        interaction_incidents_per_week: f64 = 0.02 => {
            unit: "incidents/week",
            accepts: NON_NEGATIVE,
            source: "modelling assumption; Mockus & Weiss 2000: change size and diffusion predict failure",
        },
        /// Changes per window that interact harmlessly.
        interaction_free_changes: f64 = 15.0 => {
            unit: "changes",
            accepts: NON_NEGATIVE,
            source: ASSUMPTION,
        },
        /// Start the measured horizon with fragility at the level the warm-up's inflow sustains (an
        /// existing codebase) instead of what a short warm-up accumulated from zero.
        warm_start: bool = true => {
            unit: "on/off",
            accepts: SWITCH,
            source: "steady-state initialisation, a standard way to shorten a simulation's warm-up (Law, Simulation Modeling and Analysis); off models a brand-new codebase",
        },
    }
}

section! {
    /// Service level objective.
    "reliability" => pub struct ReliabilityParams {
        /// Weekly availability target.
        slo_target: f64 = 0.995 => {
            unit: "share 0-1",
            accepts: SHARE,
            source: "DORA: reliability as meeting SLO targets; 99.5 % is a common availability target (assumption)",
        },
    }
}
