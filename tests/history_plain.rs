//! The plain CSV history format (`src/history/formats/plain.rs`, `docs/history.md`):
//!
//! - a simulated replication written and read back gives the same measured DORA figures as the
//!   original, through every lens, once the window is set to the original's (times are floored
//!   to the millisecond on writing, so a time, and a difference of two times, is off by < 1 ms);
//! - `examples/history/` is read, and reading writes nothing;
//! - every kind of bad input gets an error naming the file, line and column;
//! - arbitrary bytes in any file never panic the reader.

use std::path::Path;

use dorasim::history::formats::plain::{
    CHANGES_CSV, DEPLOYMENTS_CSV, INCIDENTS_CSV, PULL_REQUESTS_CSV, Plain,
};
use dorasim::history::formats::{self, Export, Format, InputError};
use dorasim::history::time::millis_of;
use dorasim::history::{
    DeployLabel, ExportInfo, MeasuredLog, ground_truth, measured_log, to_records,
};
use dorasim::metrics::ledger::{DoraFigures, LedgerView, Lens, dora};
use dorasim::model::Model;
use dorasim::model::timeline::Schedule;
use dorasim::scenario::load_file_with_overrides;
use proptest::prelude::*;

const MS_HOURS: f64 = 1.0 / 3_600_000.0;

fn simulated(scenario: &str) -> MeasuredLog {
    let set = ["time.warmup_weeks=2".into(), "time.horizon_weeks=10".into()];
    let s = load_file_with_overrides(scenario, &set).expect("scenario loads");
    let model = Model::new(&Schedule::build(&s.params, &s.timeline).expect("timeline"));
    let records = model.run(s.run.seed, 0);
    let info = ExportInfo {
        scenario: s.name.clone(),
        seed: s.run.seed,
        replication: 0,
    };
    measured_log(&records, &info)
}

fn write_plain(log: &MeasuredLog, dir: &Path) {
    let info = ExportInfo {
        scenario: String::new(),
        seed: 0,
        replication: 0,
    };
    let truth = ground_truth(&to_records(log), &info);
    let files = Plain.write(Export { log, truth: &truth }).expect("renders");
    assert_eq!(files.len(), Plain.files().len());
    for (name, bytes) in Plain.files().iter().zip(files) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

fn figures(log: &MeasuredLog, lens: Lens) -> DoraFigures {
    let weeks = (log.window.to_hours - log.window.from_hours) / 168.0;
    dora(&LedgerView::measured(&to_records(log), lens), weeks)
}

fn assert_same_figures(scenario: &str, lens: Lens, got: &DoraFigures, want: &DoraFigures) {
    let exact = [
        ("deployments", got.deployments, want.deployments),
        ("padding", got.padding, want.padding),
        ("failures", got.failures, want.failures),
        ("rework", got.rework, want.rework),
        ("deploys/week", got.deploys_per_week, want.deploys_per_week),
        (
            "change fail rate",
            got.change_fail_rate,
            want.change_fail_rate,
        ),
        ("rework rate", got.rework_rate, want.rework_rate),
    ];
    let times = [
        ("lead time p50", got.lead_time_p50, want.lead_time_p50),
        ("lead time p90", got.lead_time_p90, want.lead_time_p90),
        ("lead time mean", got.lead_time_mean, want.lead_time_mean),
        ("recovery p50", got.recovery_p50, want.recovery_p50),
        ("recovery p90", got.recovery_p90, want.recovery_p90),
    ];
    let tolerances = exact
        .iter()
        .map(|&(n, g, w)| (n, g, w, 0.0))
        .chain(times.iter().map(|&(n, g, w)| (n, g, w, MS_HOURS + 1e-9)));
    for (name, g, w, tolerance) in tolerances {
        assert!(
            (g.is_nan() && w.is_nan()) || (g - w).abs() <= tolerance,
            "{scenario}, {} lens: {name} read back {g}, original {w}",
            lens.name()
        );
    }
}

/// `gamed`: the scenario games its numbers, so the history holds split changes (several work
/// items), padding and incidents closed early.
fn round_trip(scenario: &str, gamed: bool) {
    let log = simulated(scenario);
    let dir = tempfile::tempdir().unwrap();
    write_plain(&log, dir.path());
    let mut back = Plain.read(dir.path()).expect("reads its own output");
    assert!(back.run.is_none());
    assert_eq!(back.deployments.len(), log.deployments.len());
    assert_eq!(back.changes.len(), log.changes.len());
    assert_eq!(back.pull_requests.len(), log.pull_requests.len());
    assert_eq!(back.incidents.len(), log.incidents.len());
    // The read window spans the data, in whole hours.
    let w = &back.window;
    assert_eq!(w.from_hours, w.from_hours.floor());
    assert_eq!(w.to_hours, w.to_hours.floor());
    for d in &back.deployments {
        assert!(d.started_hours >= w.from_hours && d.started_hours < w.to_hours);
    }
    // Deployments are renumbered in order of start (a rollback is recorded when it finishes,
    // so the model's order is not), incidents in order of impact start.
    let by_start = |times: Vec<f64>| {
        let mut order: Vec<usize> = (0..times.len()).collect();
        order.sort_by_key(|&i| millis_of(times[i]));
        order
    };
    let order = by_start(log.deployments.iter().map(|d| d.started_hours).collect());
    let mut new_id = vec![0u32; order.len()];
    for (k, &i) in order.iter().enumerate() {
        new_id[i] = k as u32;
    }
    let renumbered = |d: Option<u32>| d.map(|d| new_id[d as usize]);
    for (a, &i) in back.deployments.iter().zip(&order) {
        let b = &log.deployments[i];
        assert_eq!(
            (a.label, a.rolls_back, a.changes.len()),
            (b.label, renumbered(b.rolls_back), b.changes.len())
        );
        assert!((a.started_hours - b.started_hours).abs() < MS_HOURS);
    }
    for (a, b) in back.changes.iter().zip(&log.changes) {
        assert_eq!(
            (
                a.kind,
                a.deployment,
                a.work_item.is_some(),
                a.pull_requests.len()
            ),
            (
                b.kind,
                renumbered(b.deployment),
                b.work_item.is_some(),
                b.pull_requests.len()
            )
        );
    }
    let order = by_start(
        log.incidents
            .iter()
            .map(|i| i.impact_started_hours)
            .collect(),
    );
    for (a, &i) in back.incidents.iter().zip(&order) {
        assert_eq!(a.deployment, renumbered(log.incidents[i].deployment));
    }
    assert_eq!(
        log.changes.iter().any(|c| c.work_item.is_none()),
        gamed,
        "{scenario}: split changes"
    );
    back.window = log.window.clone();
    for lens in Lens::ALL {
        let (got, want) = (figures(&back, lens), figures(&log, lens));
        assert!(want.deployments > 0.0 && want.failures > 0.0, "{scenario}");
        assert_eq!(want.padding > 0.0, gamed, "{scenario}: padding");
        assert_same_figures(scenario, lens, &got, &want);
    }
}

#[test]
fn a_simulated_history_reads_back_with_the_same_measured_figures_baseline() {
    round_trip("scenarios/baseline.toml", false);
}

#[test]
fn a_simulated_history_reads_back_with_the_same_measured_figures_surveillance() {
    round_trip("scenarios/surveillance.toml", true);
}

/// Every file name and its size and modification time, to check reading writes nothing.
fn listing(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut list: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                meta.len(),
                meta.modified().unwrap(),
            )
        })
        .collect();
    list.sort();
    list
}

#[test]
fn the_example_history_is_read_and_reading_writes_nothing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/history");
    let before = listing(&dir);
    let log = Plain.read(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listing(&dir), before, "reading changed the directory");
    assert!(formats::detect(&dir).is_some_and(|f| f.name() == "plain"));
    assert!((18..=25).contains(&log.deployments.len()));
    let count = |label| log.deployments.iter().filter(|d| d.label == label).count();
    assert_eq!(count(DeployLabel::Hotfix), 1);
    assert_eq!(count(DeployLabel::Rollback), 1);
    assert!(log.deployments.iter().any(|d| d.rolls_back.is_some()));
    assert!((2..=6).contains(&log.incidents.len()));
    assert!(!log.pull_requests.is_empty());
    // Deployments are numbered in order of start.
    assert!(
        log.deployments
            .windows(2)
            .all(|w| w[0].started_hours <= w[1].started_hours)
    );
    let f = figures(&log, Lens::Truth);
    assert!(f.deployments >= 15.0 && f.failures >= 1.0, "{f:?}");
    assert!(f.lead_time_p50 > 0.0 && f.recovery_p50 > 0.0, "{f:?}");
}

// ---------------------------------------------------------------------------------------------
// Bad input

const DEPLOYMENTS: &str = "\
id,started,finished,label,rolls_back
d1,2026-01-05T10:00:00Z,2026-01-05T10:20:00Z,,
d2,2026-01-06T10:00:00Z,2026-01-06T10:20:00Z,hotfix,
";
const CHANGES: &str = "\
id,deployment_id,first_commit,merged,kind
c1,d1,2026-01-02T09:00:00Z,2026-01-05T09:00:00Z,feature
c2,d2,2026-01-06T08:00:00Z,,bug_fix
";
const PULL_REQUESTS: &str = "\
id,change_id,first_commit,opened,approved,lines
p1,c1,2026-01-02T09:00:00Z,2026-01-02T15:00:00Z,2026-01-03T10:00:00Z,120
";
const INCIDENTS: &str = "\
id,started,opened,resolved,deployment_id
i1,2026-01-05T11:00:00Z,2026-01-05T11:30:00Z,2026-01-05T13:00:00Z,d1
";

/// The four valid files, with `file` replaced by `text` (`None`: removed).
fn history(file: &str, text: Option<&[u8]>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, valid) in [
        (DEPLOYMENTS_CSV, DEPLOYMENTS),
        (CHANGES_CSV, CHANGES),
        (PULL_REQUESTS_CSV, PULL_REQUESTS),
        (INCIDENTS_CSV, INCIDENTS),
    ] {
        let bytes = if name == file {
            text
        } else {
            Some(valid.as_bytes())
        };
        if let Some(bytes) = bytes {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
    }
    dir
}

fn read_with(file: &str, text: Option<&str>) -> Result<MeasuredLog, InputError> {
    let dir = history(file, text.map(str::as_bytes));
    Plain.read(dir.path())
}

#[test]
fn the_valid_base_history_is_read() {
    let log = read_with(DEPLOYMENTS_CSV, Some(DEPLOYMENTS)).unwrap();
    assert_eq!(log.deployments.len(), 2);
    assert_eq!(
        log.changes[1].deployed_hours,
        log.deployments[1].finished_hours
    );
    assert_eq!(log.deployments[1].label, DeployLabel::Hotfix);
    assert_eq!(log.incidents[0].deployment, Some(0));
    // From the earliest time (Friday 09:00) to one hour after the latest (Tuesday 10:20).
    assert_eq!(log.window.from, "2026-01-02T09:00:00.000Z");
    assert_eq!(log.window.to, "2026-01-06T11:00:00.000Z");
    // A byte-order mark and CRLF line endings (spreadsheet exports), quoted cells, extra
    // columns and a column order of one's own are read.
    let excel = "\u{feff}\"finished\",\"id\",\"started\",\"environment\"\r\n\
                 \"2026-01-05T10:20:00Z\",\"d1\",\"2026-01-05T10:00:00Z\",\"prod\"\r\n\
                 ,d2,2026-01-06 10:00:00 UTC,prod\r\n";
    let log = read_with(DEPLOYMENTS_CSV, Some(excel)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(log.deployments.len(), 2);
    assert_eq!(log.deployments[1].finished_hours, None);
    // pull_requests.csv is optional.
    let log = read_with(PULL_REQUESTS_CSV, None).unwrap();
    assert!(log.pull_requests.is_empty());
}

struct Case {
    name: &'static str,
    file: &'static str,
    /// The file's text (`None`: the file is missing).
    text: Option<&'static str>,
    line: Option<usize>,
    column: Option<&'static str>,
    /// Texts the message must contain.
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "missing required columns",
        file: DEPLOYMENTS_CSV,
        text: Some("id,label\nd1,\n"),
        line: Some(1),
        column: None,
        expect: &[
            "missing columns `started`, `finished`",
            "the header has id, label",
            "required: id, started, finished",
        ],
    },
    Case {
        name: "empty file",
        file: CHANGES_CSV,
        text: Some(""),
        line: Some(1),
        column: None,
        expect: &[
            "missing columns `id`, `deployment_id`",
            "the header is empty",
        ],
    },
    Case {
        name: "missing file",
        file: INCIDENTS_CSV,
        text: None,
        line: None,
        column: None,
        expect: &["incidents.csv`: no such file"],
    },
    Case {
        name: "unparseable timestamp",
        file: DEPLOYMENTS_CSV,
        text: Some("id,started,finished\nd1,yesterday,2026-01-05T10:20:00Z\n"),
        line: Some(2),
        column: Some("started"),
        expect: &["cannot read `yesterday` as a time", "RFC 3339"],
    },
    Case {
        name: "unparseable optional timestamp",
        file: INCIDENTS_CSV,
        text: Some("id,opened,resolved\ni1,2026-01-05T11:30:00Z,2026-13-01\n"),
        line: Some(2),
        column: Some("resolved"),
        expect: &["cannot read `2026-13-01` as a time"],
    },
    Case {
        name: "unknown label",
        file: DEPLOYMENTS_CSV,
        text: Some(
            "id,started,finished,label\nd1,2026-01-05T10:00:00Z,2026-01-05T10:20:00Z,hotfx\nd2,2026-01-06T10:00:00Z,,\n",
        ),
        line: Some(2),
        column: Some("label"),
        expect: &["unknown label `hotfx`", "deploy, hotfix, bug_fix, rollback"],
    },
    Case {
        name: "the first problem in the file is reported, whatever the order of start",
        file: DEPLOYMENTS_CSV,
        text: Some(
            "id,started,finished,label\nd2,2026-01-06T10:00:00Z,,redeploy\nd1,2026-01-05T10:00:00Z,,hotfx\n",
        ),
        line: Some(2),
        column: Some("label"),
        expect: &["unknown label `redeploy`"],
    },
    Case {
        name: "unknown kind",
        file: CHANGES_CSV,
        text: Some(
            "id,deployment_id,first_commit,merged,kind\nc1,d1,2026-01-02T09:00:00Z,,chore\n",
        ),
        line: Some(2),
        column: Some("kind"),
        expect: &["unknown kind `chore`", "feature, bug_fix, config"],
    },
    Case {
        name: "duplicate deployment id",
        file: DEPLOYMENTS_CSV,
        text: Some("id,started,finished\nd1,2026-01-05T10:00:00Z,\nd1,2026-01-06T10:00:00Z,\n"),
        line: Some(3),
        column: Some("id"),
        expect: &["duplicate id `d1`: already used on line 2"],
    },
    Case {
        name: "duplicate change id",
        file: CHANGES_CSV,
        text: Some("id,deployment_id,first_commit,merged\nc1,d1,2026-01-02T09:00:00Z,\nc1,,,\n"),
        line: Some(3),
        column: Some("id"),
        expect: &["duplicate id `c1`: already used on line 2"],
    },
    Case {
        name: "duplicate incident id",
        file: INCIDENTS_CSV,
        text: Some("id,opened,resolved\ni1,2026-01-05T11:30:00Z,\ni1,2026-01-05T12:30:00Z,\n"),
        line: Some(3),
        column: Some("id"),
        expect: &["duplicate id `i1`"],
    },
    Case {
        name: "empty id",
        file: DEPLOYMENTS_CSV,
        text: Some("id,started,finished\n,2026-01-05T10:00:00Z,\n"),
        line: Some(2),
        column: Some("id"),
        expect: &["the id is empty"],
    },
    Case {
        name: "deployment finished before it started",
        file: DEPLOYMENTS_CSV,
        text: Some(
            "id,started,finished\nd1,2026-01-05T10:00:00Z,2026-01-05T09:00:00Z\nd2,2026-01-06T10:00:00Z,\n",
        ),
        line: Some(2),
        column: Some("finished"),
        expect: &[
            "finished at 2026-01-05T09:00:00.000Z is before started at 2026-01-05T10:00:00.000Z",
        ],
    },
    Case {
        name: "change merged before its first commit",
        file: CHANGES_CSV,
        text: Some(
            "id,deployment_id,first_commit,merged\nc1,d1,2026-01-02T09:00:00Z,2026-01-01T09:00:00Z\n",
        ),
        line: Some(2),
        column: Some("merged"),
        expect: &[
            "merged at 2026-01-01T09:00:00.000Z is before first commit at 2026-01-02T09:00:00.000Z",
        ],
    },
    Case {
        name: "change deployed before its first commit",
        file: CHANGES_CSV,
        text: Some("id,deployment_id,first_commit,merged\nc1,d1,2026-01-05T12:00:00Z,\n"),
        line: Some(2),
        column: Some("deployment_id"),
        expect: &[
            "deployed (deployment `d1` finished) at 2026-01-05T10:20:00.000Z is before first commit",
        ],
    },
    Case {
        name: "deployed change without a first commit",
        file: CHANGES_CSV,
        text: Some("id,deployment_id,first_commit,merged\nc1,d1,,\n"),
        line: Some(2),
        column: Some("first_commit"),
        expect: &["a deployed change needs its first commit time"],
    },
    Case {
        name: "change of an unknown deployment",
        file: CHANGES_CSV,
        text: Some("id,deployment_id,first_commit,merged\nc1,d9,2026-01-02T09:00:00Z,\n"),
        line: Some(2),
        column: Some("deployment_id"),
        expect: &["no deployment has id `d9` in deployments.csv"],
    },
    Case {
        name: "incident of an unknown deployment",
        file: INCIDENTS_CSV,
        text: Some("id,opened,resolved,deployment_id\ni1,2026-01-05T11:30:00Z,,d9\n"),
        line: Some(2),
        column: Some("deployment_id"),
        expect: &["no deployment has id `d9` in deployments.csv"],
    },
    Case {
        name: "rollback of an unknown deployment",
        file: DEPLOYMENTS_CSV,
        text: Some("id,started,finished,label,rolls_back\nd1,2026-01-05T10:00:00Z,,rollback,d0\n"),
        line: Some(2),
        column: Some("rolls_back"),
        expect: &["no deployment has id `d0` in deployments.csv"],
    },
    Case {
        name: "rolls_back on a deployment that is not a rollback",
        file: DEPLOYMENTS_CSV,
        text: Some(
            "id,started,finished,label,rolls_back\nd1,2026-01-05T10:00:00Z,,,\nd2,2026-01-06T10:00:00Z,,hotfix,d1\n",
        ),
        line: Some(3),
        column: Some("rolls_back"),
        expect: &["only a rollback rolls back"],
    },
    Case {
        name: "pull request of an unknown change",
        file: PULL_REQUESTS_CSV,
        text: Some("id,change_id\np1,c9\n"),
        line: Some(2),
        column: Some("change_id"),
        expect: &["no change has id `c9` in changes.csv"],
    },
    Case {
        name: "pull request approved before it was opened",
        file: PULL_REQUESTS_CSV,
        text: Some(
            "id,change_id,opened,approved\np1,c1,2026-01-03T10:00:00Z,2026-01-02T10:00:00Z\n",
        ),
        line: Some(2),
        column: Some("approved"),
        expect: &["approved at 2026-01-02T10:00:00.000Z is before opened"],
    },
    Case {
        name: "bad number of lines",
        file: PULL_REQUESTS_CSV,
        text: Some("id,change_id,lines\np1,c1,-3\n"),
        line: Some(2),
        column: Some("lines"),
        expect: &["cannot read `-3` as a number of lines"],
    },
    Case {
        name: "incident resolved before it was opened",
        file: INCIDENTS_CSV,
        text: Some("id,opened,resolved\ni1,2026-01-05T11:30:00Z,2026-01-05T11:00:00Z\n"),
        line: Some(2),
        column: Some("resolved"),
        expect: &["resolved at 2026-01-05T11:00:00.000Z is before opened"],
    },
    Case {
        name: "incident started after it was opened",
        file: INCIDENTS_CSV,
        text: Some("id,started,opened,resolved\ni1,2026-01-05T12:00:00Z,2026-01-05T11:30:00Z,\n"),
        line: Some(2),
        column: Some("opened"),
        expect: &["opened at 2026-01-05T11:30:00.000Z is before started"],
    },
    Case {
        name: "a row with too many cells",
        file: INCIDENTS_CSV,
        text: Some("id,opened,resolved\ni1,2026-01-05T11:30:00Z,,extra\n"),
        line: Some(2),
        column: None,
        expect: &["fields"],
    },
    Case {
        name: "an empty history",
        file: DEPLOYMENTS_CSV,
        text: Some("id,started,finished\n"),
        line: None,
        column: None,
        expect: &[
            "no deployments",
            "at least one row",
            "`id`, `started` and `finished`",
        ],
    },
];

#[test]
fn bad_input_is_an_error_naming_file_line_and_column() {
    for case in CASES {
        let e = match read_with(case.file, case.text) {
            Ok(_) => panic!("{}: read without an error", case.name),
            Err(e) => e,
        };
        let text = e.to_string();
        assert!(
            e.file.ends_with(case.file),
            "{}: names {} ({text})",
            case.name,
            e.file.display()
        );
        assert_eq!(e.line, case.line, "{}: {text}", case.name);
        assert_eq!(e.column.as_deref(), case.column, "{}: {text}", case.name);
        for want in case.expect {
            assert!(
                text.contains(want),
                "{}: `{text}` lacks `{want}`",
                case.name
            );
        }
    }
}

#[test]
fn a_file_that_is_not_text_is_an_error() {
    let dir = history(CHANGES_CSV, Some(b"id,deployment_id\n\xff\xfe,\x00\n"));
    let e = Plain.read(dir.path()).unwrap_err();
    assert!(e.file.ends_with(CHANGES_CSV), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Never a panic

/// CSV-like text: a header of the format's column names and rows of cells picked from valid
/// and invalid values, so the reader's checks past the header are reached.
fn csv_like() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "id",
        "started",
        "finished",
        "label",
        "rolls_back",
        "deployment_id",
        "first_commit",
        "last_commit",
        "merged",
        "kind",
        "work_item",
        "change_id",
        "opened",
        "approved",
        "lines",
        "resolved",
    ]);
    let cells = prop::sample::select(vec![
        "",
        "d1",
        "d2",
        "c1",
        "p1",
        "i1",
        "W1",
        "2026-01-05T10:00:00Z",
        "2026-01-02T09:00:00Z",
        "2026-01-06 10:20:00 UTC",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z",
        "hotfix",
        "rollback",
        "bug_fix",
        "config",
        "NaN",
        "-1",
        "1e308",
        "inf",
        "\"a,b\"",
        "\u{e9}",
    ]);
    (
        prop::collection::vec(names, 0..8),
        prop::collection::vec(prop::collection::vec(cells, 0..8), 0..6),
    )
        .prop_map(|(header, rows)| {
            let mut text = header.join(",");
            for row in rows {
                text.push('\n');
                text.push_str(&row.join(","));
            }
            text
        })
}

fn file_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        DEPLOYMENTS_CSV,
        CHANGES_CSV,
        PULL_REQUESTS_CSV,
        INCIDENTS_CSV,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_in_any_file_never_panic(
        file in file_name(),
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let dir = history(file, Some(&bytes));
        let _ = Plain.read(dir.path());
    }

    #[test]
    fn arbitrary_csv_in_any_file_never_panics(file in file_name(), text in csv_like()) {
        let dir = history(file, Some(text.as_bytes()));
        if let Ok(log) = Plain.read(dir.path()) {
            // Whatever is accepted makes a consistent log the ledgers can read.
            prop_assert!(!log.deployments.is_empty());
            prop_assert!(log.window.from_hours < log.window.to_hours);
            for lens in Lens::ALL {
                let _ = figures(&log, lens);
            }
        }
    }
}
