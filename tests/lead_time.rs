//! The lead-time statistics beside the DORA median: each change's lead time in working hours (set
//! by the model when the change is deployed) and the per-replication mean and working-hours
//! median computed from the records.

use dorasim::metrics::{Lens, Metric, compute};
use dorasim::model::Model;
use dorasim::model::params::Params;
use dorasim::model::records::RunRecords;
use dorasim::model::timeline::Schedule;

const DAY: f64 = 24.0;
const WEEK: f64 = 168.0;

fn run(params: &Params, seed: u64) -> RunRecords {
    let schedule = Schedule::build(params, &[]).expect("valid parameters");
    Model::new(&schedule).run(seed, 0)
}

/// A short run on the default 9:00–17:00, Monday-to-Friday calendar.
fn office_params() -> Params {
    let mut p = Params::default();
    p.time.warmup_weeks = 1.0;
    p.time.horizon_weeks = 6.0;
    p.time.working_calendar = true;
    p.time.workday_start_hour = 9.0;
    p.time.hours_per_day = 8.0;
    p.time.days_per_week = 5;
    p
}

#[test]
fn working_hours_of_changes_started_on_friday_and_deployed_after_the_weekend() {
    let records = run(&office_params(), 11);
    let mut checked = 0;
    for c in &records.changes {
        let (f, d) = (c.first_commit_hours, c.deployed_hours);
        if !(f.is_finite() && d.is_finite()) {
            continue;
        }
        let week = (f / WEEK).floor();
        let friday = week * WEEK + 4.0 * DAY;
        let saturday = friday + DAY;
        let next_monday = (week + 1.0) * WEEK;
        // First commit on Friday, deployed after Friday's close and before Tuesday.
        if !(f >= friday && f < saturday && d >= friday + 17.0 && d < next_monday + DAY) {
            continue;
        }
        // By hand: what is left of Friday's 9:00–17:00 after the first commit (a hotfix can
        // start outside it), nothing on Saturday and Sunday, and Monday's hours from 9:00 until
        // the deployment.
        let friday_hours = (17.0 - (f - friday).max(9.0)).clamp(0.0, 8.0);
        let monday_hours = if d >= next_monday {
            (d - next_monday - 9.0).clamp(0.0, 8.0)
        } else {
            0.0
        };
        let by_hand = friday_hours + monday_hours;
        let recorded = f64::from(c.lead_working_hours);
        assert!(
            (recorded - by_hand).abs() < 1e-4,
            "change {}: first commit {f}, deployed {d}: recorded {recorded} working hours, by hand {by_hand}",
            c.id
        );
        if d >= next_monday {
            assert!(recorded <= (d - f) - 48.0, "the weekend does not count");
        }
        checked += 1;
    }
    assert!(
        checked >= 10,
        "only {checked} changes crossed a weekend: the test checks nothing"
    );
}

#[test]
fn without_a_calendar_working_hours_are_wall_clock_hours() {
    let mut p = office_params();
    p.time.working_calendar = false;
    let records = run(&p, 5);
    let mut deployed = 0;
    for c in &records.changes {
        let lead = c.deployed_hours - c.first_commit_hours;
        if lead.is_finite() {
            deployed += 1;
            assert_eq!(c.lead_working_hours, lead as f32, "change {}", c.id);
        } else {
            assert!(c.lead_working_hours.is_nan(), "change {}", c.id);
        }
    }
    assert!(deployed > 100);
}

#[test]
fn mean_and_working_hours_median_come_from_the_changes_deployed_in_the_window() {
    let records = run(&office_params(), 3);
    let in_window = |t: f64| t >= records.warmup_hours && t < records.end_hours;
    let delivered: Vec<_> = records
        .changes
        .iter()
        .filter(|c| in_window(c.deployed_hours))
        .collect();
    assert!(delivered.len() > 100);
    let mean = delivered
        .iter()
        .map(|c| c.deployed_hours - c.first_commit_hours)
        .sum::<f64>()
        / delivered.len() as f64;
    let mut working: Vec<f64> = delivered
        .iter()
        .map(|c| f64::from(c.lead_working_hours))
        .collect();
    working.sort_by(f64::total_cmp);
    let n = working.len();
    let median = if n % 2 == 1 {
        working[n / 2]
    } else {
        (working[n / 2 - 1] + working[n / 2]) / 2.0
    };
    let m = compute(&records, 0.999, Lens::Truth);
    assert!((m.get(Metric::LeadTimeMean) - mean).abs() < 1e-9 * mean);
    assert_eq!(m.get(Metric::LeadTimeWorkingP50), median);
    // Nights and weekends left out: well below the wall-clock median.
    assert!(m.get(Metric::LeadTimeWorkingP50) < m.get(Metric::LeadTimeP50));
    // The lead-time breakdown adds up to the mean lead time.
    let parts: f64 = [
        Metric::LeadCoding,
        Metric::LeadReviewWait,
        Metric::LeadReview,
        Metric::LeadRework,
        Metric::LeadTests,
        Metric::LeadDeployWait,
    ]
    .iter()
    .map(|p| m.get(*p))
    .sum();
    assert!((parts - mean).abs() < 1e-6 * mean, "{parts} vs {mean}");
}
