//! Exported event logs round-trip: the measured DORA metrics recomputed from the exported files
//! alone equal the numbers `compute` reports for the same replication, for every lens.
//!
//! - `events.json` (hours as exact `f64`) is rebuilt into records whose ground-truth fields are
//!   poisoned (every cause "fragility", no restore time, no artificial flag beyond what the work
//!   items show) and read by the library's measured ledger: equal to 1e-9 relative (in practice
//!   bit-identical, since serde_json round-trips `f64`).
//! - The Four Keys and DevLake exports are checked against each tool's own rules in
//!   `tests/fourkeys.rs` and `tests/devlake.rs`. Times there are floored to the millisecond, so each
//!   time is off by less than 1 ms and a difference of two times (a lead time, a recovery time) by
//!   less than 1 ms; a median of values each off by less than 1 ms is off by less than 1 ms.
//!   Counts and ratios must be exact: flooring keeps every time on the same side of the window's
//!   whole-hour bounds and keeps the order of deployments and incidents.

use std::path::Path;
use std::process::Command;

use dorasim::history::formats::dorasim::EVENTS_JSON;
use dorasim::history::{ExportInfo, MeasuredLog, to_records};
use dorasim::metrics::ledger::{LedgerView, Lens, dora};
use dorasim::metrics::{Metric, ReplicationMetrics, compute};
use dorasim::model::Model;
use dorasim::model::records::RunRecords;
use dorasim::model::timeline::Schedule;
use dorasim::output::OutputDir;
use dorasim::output::events::{files, write_events};
use dorasim::scenario::{Scenario, load_file_with_overrides};

const SCENARIO: &str = "scenarios/surveillance.toml";
const SHORT: [&str; 2] = ["time.warmup_weeks=2", "time.horizon_weeks=10"];

fn scenario() -> Scenario {
    let set: Vec<String> = SHORT.iter().map(|s| s.to_string()).collect();
    load_file_with_overrides(SCENARIO, &set).expect("scenario loads")
}

fn model(s: &Scenario) -> Model {
    Model::new(&Schedule::build(&s.params, &s.timeline).expect("timeline"))
}

/// The five measured DORA figures: deploys/week, lead time p50, change fail rate, recovery p50,
/// rework rate.
type Five = [f64; 5];

fn reported(m: &ReplicationMetrics) -> Five {
    [
        m.get(Metric::MeasuredDeploysPerWeek),
        m.get(Metric::MeasuredLeadTimeP50),
        m.get(Metric::MeasuredChangeFailRate),
        m.get(Metric::MeasuredRecoveryP50),
        m.get(Metric::MeasuredReworkRate),
    ]
}

const NAMES: [&str; 5] = [
    "deploys/week",
    "lead time p50",
    "change fail rate",
    "recovery p50",
    "rework rate",
];

fn assert_close(lens: Lens, source: &str, got: Five, want: Five, abs_time: f64) {
    for k in 0..5 {
        let (g, w) = (got[k], want[k]);
        let time = k == 1 || k == 3;
        let tolerance = 1e-9 * w.abs().max(1e-300) + if time { abs_time } else { 0.0 };
        assert!(
            (g.is_nan() && w.is_nan()) || (g - w).abs() <= tolerance,
            "{} lens, {source}: {} recomputed {g}, reported {w}",
            lens.name(),
            NAMES[k]
        );
    }
}

fn export(dir: &Path) -> (RunRecords, f64, ExportInfo) {
    let s = scenario();
    let info = ExportInfo {
        scenario: s.name.clone(),
        seed: s.run.seed,
        replication: 0,
    };
    let records = model(&s).run(info.seed, 0);
    let out = OutputDir::prepare(dir, &files(), false).expect("prepare");
    let written = write_events(&out, &records, &info).expect("export");
    assert_eq!(written.len(), files().len());
    (records, s.params.reliability.slo_target, info)
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Records rebuilt from `events.json` alone; every ground-truth field is poisoned.
fn rebuild(log: &MeasuredLog) -> RunRecords {
    to_records(log)
}

#[test]
fn events_json_reproduces_the_measured_metrics_of_every_lens() {
    let dir = tempfile::tempdir().unwrap();
    let (records, slo, _) = export(dir.path());
    let log: MeasuredLog = serde_json::from_slice(&read(dir.path(), EVENTS_JSON)).unwrap();
    let rebuilt = rebuild(&log);
    let weeks = (log.window.to_hours - log.window.from_hours) / 168.0;
    let mut gaming_seen = [false; 3];
    for lens in Lens::ALL {
        let want = compute(&records, slo, lens);
        let got = dora(&LedgerView::measured(&rebuilt, lens), weeks);
        let five = [
            got.deploys_per_week,
            got.lead_time_p50,
            got.change_fail_rate,
            got.recovery_p50,
            got.rework_rate,
        ];
        assert_close(lens, "events.json", five, reported(&want), 0.0);
        assert_eq!(got.padding, want.get(Metric::PaddingDeployments));
        assert_eq!(got.failures, want.get(Metric::MeasuredFailures));
        assert_eq!(got.deployments, want.get(Metric::MeasuredDeployments));
        gaming_seen[0] |= got.padding > 0.0;
        gaming_seen[1] |= want.get(Metric::ArtificialSplits) > 0.0;
        gaming_seen[2] |= want.get(Metric::ClosedEarly) + want.get(Metric::Reclassified) > 0.0;
    }
    assert_eq!(
        gaming_seen, [true; 3],
        "the exported history should contain gaming"
    );
}

#[test]
fn cli_writes_every_file_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let events_dir = dir.path().join("events");
    let run = |extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dorasim"));
        cmd.args(["run", SCENARIO, "--runs", "2", "--threads", "1", "--events"])
            .arg(&events_dir);
        for s in SHORT {
            cmd.args(["--set", s]);
        }
        cmd.args(extra).output().unwrap()
    };
    let first = run(&["--events-replication", "1"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    for name in files() {
        let meta = std::fs::metadata(events_dir.join(name)).unwrap();
        assert!(meta.len() > 2, "{name} is empty");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&events_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");

    // The CLI's replication 1 is the library's `model.run(seed, 1)`.
    let s = scenario();
    let info = ExportInfo {
        scenario: s.name.clone(),
        seed: s.run.seed,
        replication: 1,
    };
    let library = dir.path().join("library");
    let out = OutputDir::prepare(&library, &files(), false).unwrap();
    write_events(&out, &model(&s).run(info.seed, 1), &info).unwrap();
    for name in files() {
        assert_eq!(
            read(&events_dir, name),
            read(&library, name),
            "{name} differs"
        );
    }

    let again = run(&[]);
    assert!(!again.status.success(), "overwrote without --force");
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(run(&["--force"]).status.success());
    let beyond = run(&["--force", "--events-replication", "2"]);
    assert!(!beyond.status.success(), "replication 2 of 2 runs accepted");
}
