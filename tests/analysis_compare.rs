//! Paired comparison on common random numbers narrows the interval on a shipped pair.

use dorasim::analysis::compare::{compare, run_arm};
use dorasim::metrics::Lens;
use dorasim::model::Model;
use dorasim::model::timeline::Schedule;
use dorasim::runner::RunPlan;

#[test]
fn paired_interval_is_narrower_than_unpaired_on_shipped_pair() {
    let plan = RunPlan {
        seed: 42,
        runs: 64,
        threads: 2,
    };
    let arms: Vec<_> = [
        "scenarios/ai-rollout.toml",
        "scenarios/ai-with-review-investment.toml",
    ]
    .iter()
    .map(|path| {
        let s = dorasim::scenario::load_file(path).unwrap_or_else(|e| panic!("{e}"));
        let schedule = Schedule::build(&s.params, &s.timeline).unwrap_or_else(|e| panic!("{e}"));
        run_arm(
            &s.name,
            &Model::new(&schedule),
            plan,
            Lens::Truth,
            || Ok(()),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    })
    .collect();
    let c = compare(&arms, None);
    let mut narrower = 0;
    let mut compared = 0;
    for m in &c.metrics {
        let Some(d) = m.differences[1] else { continue };
        compared += 1;
        let unpaired = d.unpaired_half_width.unwrap_or(f64::NAN);
        println!(
            "{}: paired ±{} unpaired ±{}",
            m.metric, d.paired_half_width, unpaired
        );
        if d.paired_half_width < unpaired {
            narrower += 1;
        }
        assert!((0.0..=1.0).contains(&d.prob_better));
    }
    for key in ["deploys_per_week", "change_fail_rate", "rework_rate"] {
        let m = c
            .metrics
            .iter()
            .find(|m| m.metric == key)
            .unwrap_or_else(|| panic!("{key}"));
        let d = m.differences[1].unwrap_or_else(|| panic!("{key}: no difference"));
        let unpaired = d.unpaired_half_width.unwrap_or(0.0);
        assert!(
            d.paired_half_width < unpaired,
            "{key}: paired ±{} not narrower than unpaired ±{unpaired}",
            d.paired_half_width
        );
    }
    assert!(
        narrower * 4 >= compared * 3,
        "only {narrower} of {compared} metrics narrower"
    );
}
