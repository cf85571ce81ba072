//! Latent defects are counted by class and severity, and the defect funnel by who wrote the code:
//! the keys of those counts and the arrays indexed by them.

use super::keyed::keyed;

keyed! {
    /// What kind of defect: one the requirements describe, or one in how parts fit together.
    pub enum DefectClass {
        /// A defect in a described scenario: tests written from the description can catch it.
        Described,
        /// An integration (undescribed-scenario) defect: parts that do not fit together.
        Integration,
    }
    /// One value per defect class (serialised as `[described, integration]`).
    pub struct PerClass;
}

keyed! {
    /// What an escaped defect does in production.
    pub enum Severity {
        /// Causes a production failure (an incident).
        Failure,
        /// Causes a user-facing bug, reported and fixed as unplanned work.
        Bug,
        /// Never shows.
        Harmless,
    }
    /// One value per severity (serialised as `[failure, bug, harmless]`).
    pub struct PerSeverity;
}

impl Severity {
    /// The severities that show up in production, in the order their manifestations are drawn.
    pub const MANIFESTING: [Severity; 2] = [Severity::Failure, Severity::Bug];
}

keyed! {
    /// Who wrote a change: a developer by hand, a developer with AI assistance, or an autonomous
    /// coding agent.
    pub enum Authorship {
        /// Written by hand.
        Hand,
        /// Written with AI assistance.
        Ai,
        /// Written by an autonomous coding agent, under a developer's supervision.
        Agent,
    }
    /// One value per authorship (serialised as `[hand, ai, agent]`).
    pub struct ByAuthor;
}

impl Authorship {
    /// The authorship of a change written by an agent, or by a developer with (`ai_assisted`)
    /// or without AI assistance.
    #[inline]
    pub fn of(agent: bool, ai_assisted: bool) -> Self {
        if agent {
            Authorship::Agent
        } else if ai_assisted {
            Authorship::Ai
        } else {
            Authorship::Hand
        }
    }
}

keyed! {
    /// A test stage that decides once whether it detects each defect.
    pub(crate) enum Suite {
        /// The CI pipeline (with traffic-derived tests when on).
        Ci,
        /// The staging soak.
        Staging,
    }
    /// One value per test suite.
    pub(crate) struct BySuite;
}

/// Latent defects by class and severity.
pub type Defects = PerClass<PerSeverity<u16>>;

/// Defects by class (all severities), saturating at `u16::MAX`.
pub fn by_class(defects: &Defects) -> PerClass<u16> {
    defects.map(|row| row.values().fold(0u16, |sum, &n| sum.saturating_add(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_plain_arrays() {
        assert_eq!(size_of::<Defects>(), size_of::<[[u16; 3]; 2]>());
        assert_eq!(size_of::<PerClass<f64>>(), size_of::<[f64; 2]>());
    }

    #[test]
    fn serialised_as_the_array_in_declaration_order() {
        let mut counts = PerClass::<u16>::default();
        counts[DefectClass::Integration] = 3;
        assert_eq!(serde_json::to_string(&counts).unwrap(), "[0,3]");
        let back: PerClass<u16> = serde_json::from_str("[0,3]").unwrap();
        assert_eq!(back, counts);
        let mut defects = Defects::default();
        defects[DefectClass::Described][Severity::Harmless] = 1;
        assert_eq!(
            serde_json::to_string(&defects).unwrap(),
            "[[0,0,1],[0,0,0]]"
        );
    }

    #[test]
    fn iteration_follows_declaration_order() {
        assert_eq!(
            DefectClass::ALL,
            [DefectClass::Described, DefectClass::Integration]
        );
        assert_eq!(
            Severity::ALL,
            [Severity::Failure, Severity::Bug, Severity::Harmless]
        );
        assert_eq!(
            Authorship::ALL,
            [Authorship::Hand, Authorship::Ai, Authorship::Agent]
        );
        let by_author = ByAuthor::from_fn(|author| author == Authorship::Ai);
        let seen: Vec<_> = by_author.iter().map(|(a, &v)| (a, v)).collect();
        assert_eq!(
            seen,
            [
                (Authorship::Hand, false),
                (Authorship::Ai, true),
                (Authorship::Agent, false)
            ]
        );
    }

    #[test]
    fn defect_totals_saturate_instead_of_overflowing() {
        let full = Defects::from_fn(|_| PerSeverity::from_fn(|_| u16::MAX));
        assert_eq!(by_class(&full), PerClass::from_fn(|_| u16::MAX));
    }

    #[test]
    fn sum_adds_in_order_without_a_leading_zero() {
        let x = PerClass::from_fn(|class| match class {
            DefectClass::Described => -0.0f64,
            DefectClass::Integration => -0.0,
        });
        assert!(x.sum().is_sign_negative());
    }
}
