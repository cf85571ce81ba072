//! The defect funnel: where the defects of delivered changes went (injected, caught in review,
//! caught in tests, escaped), by authorship and defect class, and the metric each count fills.

use crate::model::defects::{Authorship, ByAuthor, DefectClass, PerClass};
use crate::model::keyed::keyed;
use crate::model::records::ChangeRecord;

use super::catalogue::Metric;

keyed! {
    /// A stage of the defect funnel.
    pub(crate) enum FunnelStage {
        /// Latent defects injected while coding (ground truth).
        Injected,
        /// Found in review.
        Review,
        /// Found by tests or staging.
        Tests,
        /// Reached production (ground truth).
        Escaped,
    }
    /// One value per funnel stage.
    pub(crate) struct ByStage;
}

/// Defect counts by stage, authorship and class.
pub(crate) type Funnel = ByStage<ByAuthor<PerClass<f64>>>;

impl FunnelStage {
    /// A change's defect counts at this stage, by class.
    #[inline]
    pub(crate) fn counts(self, change: &ChangeRecord) -> PerClass<u16> {
        match self {
            FunnelStage::Injected => change.injected,
            FunnelStage::Review => change.caught_in_review,
            FunnelStage::Tests => change.caught_in_tests,
            FunnelStage::Escaped => change.escaped,
        }
    }

    /// The metric that reports this stage's count for one authorship and class.
    pub(crate) fn metric(self, author: Authorship, class: DefectClass) -> Metric {
        use Authorship::{Agent, Ai, Hand};
        use DefectClass::{Described, Integration};
        use FunnelStage::{Escaped, Injected, Review, Tests};
        use Metric as M;
        match (self, author, class) {
            (Injected, Hand, Described) => M::InjectedDescribedHuman,
            (Injected, Hand, Integration) => M::InjectedIntegrationHuman,
            (Injected, Ai, Described) => M::InjectedDescribedAi,
            (Injected, Ai, Integration) => M::InjectedIntegrationAi,
            (Review, Hand, Described) => M::ReviewDescribedHuman,
            (Review, Hand, Integration) => M::ReviewIntegrationHuman,
            (Review, Ai, Described) => M::ReviewDescribedAi,
            (Review, Ai, Integration) => M::ReviewIntegrationAi,
            (Tests, Hand, Described) => M::TestsDescribedHuman,
            (Tests, Hand, Integration) => M::TestsIntegrationHuman,
            (Tests, Ai, Described) => M::TestsDescribedAi,
            (Tests, Ai, Integration) => M::TestsIntegrationAi,
            (Escaped, Hand, Described) => M::EscapedDescribedHuman,
            (Escaped, Hand, Integration) => M::EscapedIntegrationHuman,
            (Escaped, Ai, Described) => M::EscapedDescribedAi,
            (Escaped, Ai, Integration) => M::EscapedIntegrationAi,
            (Injected, Agent, Described) => M::InjectedDescribedAgent,
            (Injected, Agent, Integration) => M::InjectedIntegrationAgent,
            (Review, Agent, Described) => M::ReviewDescribedAgent,
            (Review, Agent, Integration) => M::ReviewIntegrationAgent,
            (Tests, Agent, Described) => M::TestsDescribedAgent,
            (Tests, Agent, Integration) => M::TestsIntegrationAgent,
            (Escaped, Agent, Described) => M::EscapedDescribedAgent,
            (Escaped, Agent, Integration) => M::EscapedIntegrationAgent,
        }
    }
}

/// Adds up the defect funnel of `changes`, in their order.
pub(crate) fn tally<'a>(changes: impl IntoIterator<Item = &'a ChangeRecord>) -> Funnel {
    let mut funnel = Funnel::default();
    for change in changes {
        let author = change.authorship();
        for stage in FunnelStage::ALL {
            let counts = stage.counts(change);
            for class in DefectClass::ALL {
                funnel[stage][author][class] += f64::from(counts[class]);
            }
        }
    }
    funnel
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_count_fills_the_metric_named_after_it() {
        let mut seen = Vec::new();
        for stage in FunnelStage::ALL {
            for author in Authorship::ALL {
                for class in DefectClass::ALL {
                    let metric = stage.metric(author, class);
                    let key = metric.def().key;
                    let stage_word = match stage {
                        FunnelStage::Injected => "_injected_",
                        FunnelStage::Review => "_review_",
                        FunnelStage::Tests => "_tests_",
                        FunnelStage::Escaped => "_escaped_",
                    };
                    let class_word = match class {
                        DefectClass::Described => "_described_",
                        DefectClass::Integration => "_integration_",
                    };
                    let author_word = match author {
                        Authorship::Hand => "_human",
                        Authorship::Ai => "_ai",
                        Authorship::Agent => "_agent",
                    };
                    assert!(
                        key.contains(stage_word)
                            && key.contains(class_word)
                            && key.ends_with(author_word),
                        "{stage:?} {author:?} {class:?} -> {key}"
                    );
                    assert!(!seen.contains(&metric), "{key} used twice");
                    seen.push(metric);
                }
            }
        }
    }
}
