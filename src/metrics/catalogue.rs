//! The list of every metric a replication reports: key (CSV column and JSON name), label, unit and
//! group. One table, so the terminal, CSV and JSON writers agree.

/// Where a metric belongs in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// One of DORA's five delivery metrics, or a companion statistic shown beside one (the mean
    /// and the working-hours median of lead time, which move smoothly where the median jumps).
    Dora,
    /// Reliability (operational performance).
    Reliability,
    /// Flow diagnostics: why the metrics are what they are.
    Flow,
    /// Defect funnel.
    Defects,
    /// Incidents by cause and fragility.
    Incidents,
    /// Where developer and reviewer time went.
    TimeUse,
    /// Where lead time goes.
    LeadTimeBreakdown,
    /// The DORA metrics as the team's dashboard measures them.
    Measured,
    /// What the culture did: gaming and learning.
    Culture,
    /// The measured ledger read through every lens.
    Lenses,
    /// Coding agents and the AI first-pass reviewer (shown when a scenario uses them).
    Agents,
    /// How the services of an organisation affect each other (shown for several teams).
    Organisation,
}

/// Describes one metric.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct MetricDef {
    /// Column name.
    pub key: &'static str,
    /// Human label.
    pub label: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Group.
    pub group: Group,
}

macro_rules! metrics {
    ($($variant:ident => ($key:literal, $label:literal, $unit:literal, $group:ident)),* $(,)?) => {
        /// Index of each metric in a replication's row.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        #[allow(missing_docs)]
        pub enum Metric { $($variant),* }

        impl Metric {
            /// Every metric, in row order.
            pub const ALL: &'static [Metric] = &[$(Metric::$variant),*];

            /// The metric's description.
            pub fn def(self) -> &'static MetricDef {
                &METRICS[self as usize]
            }
        }

        /// Every metric, in row order.
        pub const METRICS: &[MetricDef] = &[
            $(MetricDef { key: $key, label: $label, unit: $unit, group: Group::$group }),*
        ];
    };
}

metrics! {
    DeploysPerWeek => ("deploys_per_week", "Deployment frequency", "per week", Dora),
    DeploysPerDay => ("deploys_per_day", "Deployment frequency, daily", "per day", Dora),
    LeadTimeP50 => ("lead_time_p50_hours", "Change lead time, median", "hours", Dora),
    LeadTimeP90 => ("lead_time_p90_hours", "Change lead time, p90", "hours", Dora),
    LeadTimeMean => ("lead_time_mean_hours", "Change lead time, mean", "hours", Dora),
    LeadTimeWorkingP50 => ("lead_time_working_p50_hours", "Change lead time, median in working hours", "hours", Dora),
    ChangeFailRate => ("change_fail_rate", "Change fail rate", "share", Dora),
    RecoveryP50 => ("recovery_p50_hours", "Failed deployment recovery time, median", "hours", Dora),
    RecoveryP90 => ("recovery_p90_hours", "Failed deployment recovery time, p90", "hours", Dora),
    ReworkRate => ("rework_rate", "Deployment rework rate", "share", Dora),
    MeasuredDeploysPerWeek => ("measured_deploys_per_week", "Deployment frequency (measured)", "per week", Measured),
    MeasuredLeadTimeP50 => ("measured_lead_time_p50_hours", "Change lead time, median (measured)", "hours", Measured),
    MeasuredChangeFailRate => ("measured_change_fail_rate", "Change fail rate (measured)", "share", Measured),
    MeasuredRecoveryP50 => ("measured_recovery_p50_hours", "Failed deployment recovery time, median (measured)", "hours", Measured),
    MeasuredReworkRate => ("measured_rework_rate", "Deployment rework rate (measured)", "share", Measured),
    MeasuredDeployments => ("measured_deployments", "Deployments counted by the tool", "count", Measured),
    MeasuredFailures => ("measured_failures", "Failures counted by the tool", "count", Measured),
    MeasuredReworkDeployments => ("measured_rework_deployments", "Rework deployments counted by the tool", "count", Measured),
    GapDeploysPerWeek => ("gap_deploys_per_week", "Deployment frequency gap (measured − true)", "per week", Measured),
    GapLeadTimeP50 => ("gap_lead_time_p50_hours", "Change lead time gap (measured − true)", "hours", Measured),
    GapChangeFailRate => ("gap_change_fail_rate", "Change fail rate gap (measured − true)", "share", Measured),
    GapRecoveryP50 => ("gap_recovery_p50_hours", "Recovery time gap (measured − true)", "hours", Measured),
    GapReworkRate => ("gap_rework_rate", "Rework rate gap (measured − true)", "share", Measured),
    PaddingDeployments => ("padding_deployments", "Padding deployments (empty or config-only)", "count", Measured),
    LensTruthDeploysPerWeek => ("lens_truth_deploys_per_week", "Deployment frequency, truth lens", "per week", Lenses),
    LensTruthLeadTimeP50 => ("lens_truth_lead_time_p50_hours", "Change lead time, median, truth lens", "hours", Lenses),
    LensTruthChangeFailRate => ("lens_truth_change_fail_rate", "Change fail rate, truth lens", "share", Lenses),
    LensTruthRecoveryP50 => ("lens_truth_recovery_p50_hours", "Recovery time, median, truth lens", "hours", Lenses),
    LensFourKeysDeploysPerWeek => ("lens_four_keys_deploys_per_week", "Deployment frequency, Four Keys lens", "per week", Lenses),
    LensFourKeysLeadTimeP50 => ("lens_four_keys_lead_time_p50_hours", "Change lead time, median, Four Keys lens", "hours", Lenses),
    LensFourKeysChangeFailRate => ("lens_four_keys_change_fail_rate", "Change fail rate, Four Keys lens", "share", Lenses),
    LensFourKeysRecoveryP50 => ("lens_four_keys_recovery_p50_hours", "Recovery time, median, Four Keys lens", "hours", Lenses),
    LensDevlakeDeploysPerWeek => ("lens_devlake_deploys_per_week", "Deployment frequency, DevLake lens", "per week", Lenses),
    LensDevlakeLeadTimeP50 => ("lens_devlake_lead_time_p50_hours", "Change lead time, median, DevLake lens", "hours", Lenses),
    LensDevlakeChangeFailRate => ("lens_devlake_change_fail_rate", "Change fail rate, DevLake lens", "share", Lenses),
    LensDevlakeRecoveryP50 => ("lens_devlake_recovery_p50_hours", "Recovery time, median, DevLake lens", "hours", Lenses),
    LensGitlabDeploysPerWeek => ("lens_gitlab_deploys_per_week", "Deployment frequency, GitLab lens", "per week", Lenses),
    LensGitlabLeadTimeP50 => ("lens_gitlab_lead_time_p50_hours", "Change lead time, median, GitLab lens", "hours", Lenses),
    LensGitlabChangeFailRate => ("lens_gitlab_change_fail_rate", "Change fail rate, GitLab lens", "share", Lenses),
    LensGitlabRecoveryP50 => ("lens_gitlab_recovery_p50_hours", "Recovery time, median, GitLab lens", "hours", Lenses),
    SafetyEnd => ("psychological_safety_end", "Psychological safety at the end", "share", Culture),
    DefectMultiplierEnd => ("defect_rate_multiplier_end", "Defect-rate multiplier from learning at the end", "ratio", Culture),
    Postmortems => ("postmortems", "Blameless post-mortems", "count", Culture),
    ArtificialSplits => ("artificial_splits", "Changes split artificially", "count", Culture),
    ClosedEarly => ("incidents_closed_early", "Incidents closed before the root cause was fixed", "count", Culture),
    Recurrences => ("incident_recurrences", "Incidents that recurred", "count", Culture),
    Reclassified => ("failures_reclassified", "Failures reclassified as not deploy-related", "count", Culture),
    ExcludedRework => ("rework_deployments_unlabelled", "Rework deployments left out of the count", "count", Culture),
    Availability => ("availability", "Availability (impact-weighted)", "share", Reliability),
    SloWeeksMet => ("slo_weeks_met", "Weeks meeting the SLO", "share", Reliability),
    ErrorBudgetSpent => ("error_budget_spent", "Error budget spent", "share", Reliability),
    Incidents => ("incidents", "Incidents", "count", Reliability),
    NonAttributableIncidents => ("incidents_non_attributable", "Incidents not caused by a deployment", "count", Reliability),
    Deployments => ("deployments", "Deployments", "count", Flow),
    FailedDeployments => ("failed_deployments", "Failed deployments", "count", Flow),
    ReworkDeployments => ("rework_deployments", "Rework deployments", "count", Flow),
    Rollbacks => ("rollbacks", "Rollbacks", "count", Flow),
    ThroughputPerWeek => ("throughput_per_week", "Planned changes delivered", "per week", Flow),
    PullRequestsPerWeek => ("pull_requests_per_week", "Pull requests merged", "per week", Flow),
    PullRequestSizeMean => ("pr_size_mean_loc", "Pull request size, mean", "loc", Flow),
    PullRequestReviewTimeP50 => ("pr_review_time_p50_hours", "Pull request review time, median", "hours", Flow),
    ChangeSizeMean => ("change_size_mean_loc", "Change size, mean", "loc", Flow),
    AiShare => ("ai_assisted_share", "AI-assisted changes", "share", Flow),
    ReviewWaitMean => ("review_wait_mean_hours", "Review wait per pull request, mean", "hours", Flow),
    ReviewUtilisation => ("review_utilisation", "Reviewer utilisation", "share", Flow),
    ReviewQueue => ("review_queue_avg", "Review queue, time average", "pull requests", Flow),
    ReviewRounds => ("review_rounds_mean", "Review rounds per change", "rounds", Flow),
    ReviewDepth => ("review_depth_mean", "Review depth achieved", "share", Flow),
    WorkInProgress => ("wip_avg", "Work in progress, time average", "changes", Flow),
    BatchSize => ("batch_size_mean", "Changes per planned deployment", "changes", Flow),
    BugsManifested => ("bugs_manifested", "User-facing bugs in production", "count", Flow),
    BugsPerDeveloperWeek => ("bugs_per_developer_week", "User-facing bugs per developer", "per developer-week", Flow),
    InjectedDescribedHuman => ("defects_injected_described_human", "Injected: described, hand-written", "defects", Defects),
    InjectedIntegrationHuman => ("defects_injected_integration_human", "Injected: integration, hand-written", "defects", Defects),
    InjectedDescribedAi => ("defects_injected_described_ai", "Injected: described, AI-assisted", "defects", Defects),
    InjectedIntegrationAi => ("defects_injected_integration_ai", "Injected: integration, AI-assisted", "defects", Defects),
    ReviewDescribedHuman => ("defects_review_described_human", "Caught in review: described, hand-written", "defects", Defects),
    ReviewIntegrationHuman => ("defects_review_integration_human", "Caught in review: integration, hand-written", "defects", Defects),
    ReviewDescribedAi => ("defects_review_described_ai", "Caught in review: described, AI-assisted", "defects", Defects),
    ReviewIntegrationAi => ("defects_review_integration_ai", "Caught in review: integration, AI-assisted", "defects", Defects),
    TestsDescribedHuman => ("defects_tests_described_human", "Caught in tests: described, hand-written", "defects", Defects),
    TestsIntegrationHuman => ("defects_tests_integration_human", "Caught in tests: integration, hand-written", "defects", Defects),
    TestsDescribedAi => ("defects_tests_described_ai", "Caught in tests: described, AI-assisted", "defects", Defects),
    TestsIntegrationAi => ("defects_tests_integration_ai", "Caught in tests: integration, AI-assisted", "defects", Defects),
    EscapedDescribedHuman => ("defects_escaped_described_human", "Escaped: described, hand-written", "defects", Defects),
    EscapedIntegrationHuman => ("defects_escaped_integration_human", "Escaped: integration, hand-written", "defects", Defects),
    EscapedDescribedAi => ("defects_escaped_described_ai", "Escaped: described, AI-assisted", "defects", Defects),
    EscapedIntegrationAi => ("defects_escaped_integration_ai", "Escaped: integration, AI-assisted", "defects", Defects),
    EscapeRateHuman => ("escape_rate_human", "Share of defects escaping, hand-written", "share", Defects),
    EscapeRateAi => ("escape_rate_ai", "Share of defects escaping, AI-assisted", "share", Defects),
    IncidentsFromDeployments => ("incidents_from_deployments", "Incidents caused by deployments", "count", Incidents),
    IncidentsFromFragility => ("incidents_from_fragility", "Incidents from fragility", "count", Incidents),
    IncidentsFromInteraction => ("incidents_from_interaction", "Incidents from interacting changes", "count", Incidents),
    AiIntegrationFailures => ("incidents_ai_integration", "Failures from AI integration defects", "count", Incidents),
    FragilityEnd => ("fragility_end", "Fragility at the end", "units", Incidents),
    FragilityMean => ("fragility_mean", "Fragility, weekly mean", "units", Incidents),
    TimeCoding => ("time_coding", "Developer time: coding", "share", TimeUse),
    TimeRework => ("time_rework", "Developer time: rework", "share", TimeUse),
    TimeBugFixing => ("time_bug_fixing", "Developer time: bug fixing", "share", TimeUse),
    TimeIncidents => ("time_incidents", "Developer time: incidents", "share", TimeUse),
    TimeMaintenance => ("time_maintenance", "Developer time: maintenance", "share", TimeUse),
    TimeIdle => ("time_idle", "Developer time: idle or blocked", "share", TimeUse),
    LeadCoding => ("lead_coding_hours", "Lead time in coding", "hours", LeadTimeBreakdown),
    LeadReviewWait => ("lead_review_wait_hours", "Lead time waiting for review", "hours", LeadTimeBreakdown),
    LeadReview => ("lead_review_hours", "Lead time in review", "hours", LeadTimeBreakdown),
    LeadRework => ("lead_rework_hours", "Lead time in rework", "hours", LeadTimeBreakdown),
    LeadTests => ("lead_tests_hours", "Lead time in tests and staging", "hours", LeadTimeBreakdown),
    LeadDeployWait => ("lead_deploy_wait_hours", "Lead time waiting to deploy", "hours", LeadTimeBreakdown),
    AgentShare => ("agent_share", "Agent-written changes (of those merged)", "share", Agents),
    AgentPrsRejected => ("agent_prs_rejected", "Agent pull requests rejected by reviewers", "count", Agents),
    TimeSupervision => ("time_supervision", "Developer time: supervising agents", "share", Agents),
    ReviewTimeOnAgents => ("review_time_on_agents", "Reviewer time on agent pull requests", "share", Agents),
    ReviewEffortPerPr => ("review_effort_per_pr_hours", "Human review effort per review round", "hours", Agents),
    AiScreened => ("ai_screened_prs", "Pull requests screened by the AI reviewer", "count", Agents),
    AiReviewFindings => ("ai_review_findings", "Defects the AI reviewer found", "defects", Agents),
    AiReviewFalsePositives => ("ai_review_false_positives", "False-positive AI review comments", "comments", Agents),
    InjectedDescribedAgent => ("defects_injected_described_agent", "Injected: described, agent-written", "defects", Agents),
    InjectedIntegrationAgent => ("defects_injected_integration_agent", "Injected: integration, agent-written", "defects", Agents),
    ReviewDescribedAgent => ("defects_review_described_agent", "Caught in review: described, agent-written", "defects", Agents),
    ReviewIntegrationAgent => ("defects_review_integration_agent", "Caught in review: integration, agent-written", "defects", Agents),
    TestsDescribedAgent => ("defects_tests_described_agent", "Caught in tests: described, agent-written", "defects", Agents),
    TestsIntegrationAgent => ("defects_tests_integration_agent", "Caught in tests: integration, agent-written", "defects", Agents),
    EscapedDescribedAgent => ("defects_escaped_described_agent", "Escaped: described, agent-written", "defects", Agents),
    EscapedIntegrationAgent => ("defects_escaped_integration_agent", "Escaped: integration, agent-written", "defects", Agents),
    EscapeRateAgent => ("escape_rate_agent", "Share of defects escaping, agent-written", "share", Agents),
    IncidentsCrossService => ("incidents_cross_service", "Incidents caused by another team's deployment", "count", Organisation),
}

/// Number of metrics in a row.
pub const METRIC_COUNT: usize = METRICS.len();

/// Describes one weekly time-series metric.
pub type WeeklyDef = MetricDef;

macro_rules! weekly {
    ($($variant:ident => ($key:literal, $label:literal, $unit:literal)),* $(,)?) => {
        /// Index of each weekly series.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        #[allow(missing_docs)]
        pub enum Weekly { $($variant),* }

        /// Every weekly series, in order.
        pub const WEEKLY: &[WeeklyDef] = &[
            $(MetricDef { key: $key, label: $label, unit: $unit, group: Group::Flow }),*
        ];
    };
}

weekly! {
    Deployments => ("deployments", "Deployments", "per week"),
    LeadTimeP50 => ("lead_time_p50_hours", "Change lead time, median", "hours"),
    ChangeFailRate => ("change_fail_rate", "Change fail rate", "share"),
    ReworkRate => ("rework_rate", "Deployment rework rate", "share"),
    RecoveryP50 => ("recovery_p50_hours", "Recovery time, median", "hours"),
    Availability => ("availability", "Availability", "share"),
    Incidents => ("incidents", "Incidents", "count"),
    NonAttributable => ("incidents_non_attributable", "Incidents not caused by a deployment", "count"),
    Fragility => ("fragility", "Fragility", "units"),
    ReviewQueue => ("review_queue", "Review queue", "pull requests"),
    WorkInProgress => ("wip", "Work in progress", "changes"),
    Adoption => ("ai_adoption", "AI adoption", "share"),
    MeasuredDeployments => ("measured_deployments", "Deployments (measured)", "per week"),
    MeasuredLeadTimeP50 => ("measured_lead_time_p50_hours", "Change lead time, median (measured)", "hours"),
    MeasuredChangeFailRate => ("measured_change_fail_rate", "Change fail rate (measured)", "share"),
    MeasuredReworkRate => ("measured_rework_rate", "Deployment rework rate (measured)", "share"),
}

/// Number of weekly series.
pub const WEEKLY_COUNT: usize = WEEKLY.len();
