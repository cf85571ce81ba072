//! Parameters changed by the timeline take effect mid-run.

use dorasim::model::Model;
use dorasim::model::records::DeployReason;
use dorasim::model::timeline::Schedule;
use dorasim::scenario::load_str;

fn model(text: &str) -> Model {
    let scenario = load_str(text, "test").expect("valid scenario");
    Model::new(&Schedule::build(&scenario.params, &scenario.timeline).expect("valid timeline"))
}

#[test]
fn switching_to_a_release_train_mid_run_keeps_deploying() {
    let m = model(
        r#"
        [time]
        warmup_weeks = 1
        horizon_weeks = 6
        [deploy]
        policy = "continuous"
        [[timeline]]
        key = "deploy.policy"
        at_week = 3
        value = "scheduled"
        [[timeline]]
        key = "deploy.interval_hours"
        at_week = 3
        value = 24.0
        "#,
    );
    let records = m.run(11, 0);
    let switch = (1.0 + 3.0) * 168.0;
    let planned = |from: f64, to: f64| {
        records
            .deployments
            .iter()
            .filter(|d| {
                d.reason == DeployReason::Planned
                    && d.finished_hours >= from
                    && d.finished_hours < to
            })
            .collect::<Vec<_>>()
    };
    let before = planned(168.0, switch);
    let after = planned(switch + 24.0, records.end_hours);
    assert!(
        !after.is_empty(),
        "the train must keep deploying after the switch"
    );
    // A daily train carries a day's work: far bigger batches than continuous deployment.
    let mean = |d: &[&dorasim::model::records::DeploymentRecord]| {
        d.iter().map(|x| f64::from(x.change_count)).sum::<f64>() / d.len().max(1) as f64
    };
    assert!(
        mean(&after) > 3.0 * mean(&before),
        "batch before {} after {}",
        mean(&before),
        mean(&after)
    );
    // At most one train a day after the switch (weekends skipped in working hours only).
    assert!(
        after.len() as f64 <= 3.0 * 7.0 - 1.0 + 1.0,
        "{} trains",
        after.len()
    );
}

#[test]
fn hiring_reviewers_mid_run_shortens_the_review_wait() {
    let text = |hire: bool| {
        format!(
            r#"
            [time]
            warmup_weeks = 2
            horizon_weeks = 8
            [ai]
            adoption = 0.8
            {}
            "#,
            if hire {
                "[[timeline]]\nkey = \"review.reviewers\"\nat_week = 0\nvalue = 10"
            } else {
                ""
            }
        )
    };
    let wait = |m: &Model| {
        (0..10)
            .map(|rep| {
                let r = m.run(5, rep);
                r.flow.review_wait_sum_hours / r.flow.reviews_started as f64
            })
            .sum::<f64>()
    };
    let (without, with) = (wait(&model(&text(false))), wait(&model(&text(true))));
    assert!(
        with < 0.5 * without,
        "review wait with hires {with} vs without {without}"
    );
}
