//! One test per class of scenario error: each asserts the key path, the line, and that the
//! message says what would be accepted (and suggests a fix for typos).

use dorasim::scenario::{ScenarioError, apply_overrides, load_file, load_str};

const FILE: &str = "scenarios/test.toml";

/// Every error of loading `text`; panics if it loads.
fn errors(text: &str) -> Vec<ScenarioError> {
    match load_str(text, FILE) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(e) => e.0,
    }
}

/// The single error of loading `text`.
fn only(text: &str) -> ScenarioError {
    let errors = errors(text);
    assert_eq!(
        errors.len(),
        1,
        "expected exactly one error, got: {errors:#?}"
    );
    errors.into_iter().next().unwrap_or_else(|| unreachable!())
}

fn assert_at(error: &ScenarioError, key_path: &str, line: usize) {
    assert_eq!(error.key_path, key_path, "{error}");
    assert_eq!(error.line, Some(line), "{error}");
    assert_eq!(error.origin, FILE, "{error}");
    assert!(error.column.is_some(), "{error}");
    assert!(!error.allowed.is_empty(), "no `allowed` in {error}");
    let text = error.to_string();
    assert!(
        text.contains(&format!("{FILE}:{line}:")),
        "no location in {text}"
    );
    assert!(text.contains("= allowed: "), "{text}");
}

fn assert_suggests(error: &ScenarioError, suggestion: &str) {
    assert_eq!(error.suggestion.as_deref(), Some(suggestion), "{error}");
    assert!(
        error
            .to_string()
            .contains(&format!("did you mean `{suggestion}`?")),
        "{error}"
    );
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    let e = only("name = \"x\"\n[review]\nreviewers = \n");
    assert_eq!(e.line, Some(3));
    assert!(e.column.is_some());
    assert!(e.message.contains("syntax"), "{e}");
    assert!(e.allowed.contains("TOML"), "{e}");
}

#[test]
fn duplicate_key_is_a_syntax_error() {
    let e = only("[review]\nreviewers = 4\nreviewers = 5\n");
    assert_eq!(e.line, Some(3), "{e}");
}

#[test]
fn unknown_section_suggests_the_closest() {
    let e = only("name = \"x\"\n\n[reveiw]\nreviewers = 8\n");
    assert_at(&e, "reveiw", 3);
    assert_suggests(&e, "review");
    assert!(
        e.allowed.contains("review") && e.allowed.contains("timeline"),
        "{e}"
    );
}

#[test]
fn unknown_key_suggests_the_closest() {
    let e = only("[review]\nloc_per_hour = 300\nreviewrs = 8\n");
    assert_at(&e, "review.reviewrs", 3);
    assert_eq!(e.column, Some(1));
    assert_suggests(&e, "reviewers");
    assert!(e.allowed.contains("loc_per_hour"), "{e}");
    assert!(e.message.contains("[review]"), "{e}");
}

#[test]
fn key_in_the_wrong_section_suggests_the_right_one() {
    let e = only("[team]\nreviewers = 8\n");
    assert_at(&e, "team.reviewers", 2);
    assert_suggests(&e, "review.reviewers");
}

#[test]
fn unknown_enum_value_suggests_the_closest() {
    let e = only("[deploy]\npolicy = \"continous\"\n");
    assert_at(&e, "deploy.policy", 2);
    assert_suggests(&e, "continuous");
    assert!(
        e.allowed.contains("continuous") && e.allowed.contains("scheduled"),
        "{e}"
    );
}

#[test]
fn unknown_distribution_suggests_the_closest() {
    let e = only("[review]\neffort_noise = { dist = \"exponentail\", mean = 1.0 }\n");
    assert_at(&e, "review.effort_noise.dist", 2);
    assert_suggests(&e, "exponential");
    assert!(e.allowed.contains("lognormal"), "{e}");
}

#[test]
fn unknown_distribution_field_suggests_the_closest() {
    // The misspelt field, and the `p90` that is then missing.
    let all =
        errors("[review]\neffort_noise = { dist = \"lognormal\", median = 1.0, p09 = 2.0 }\n");
    assert_eq!(all.len(), 2, "{all:#?}");
    let by_key = |k: &str| {
        all.iter()
            .find(|e| e.key_path == k)
            .unwrap_or_else(|| panic!("{k}: {all:#?}"))
    };
    assert_at(
        by_key("review.effort_noise.p09"),
        "review.effort_noise.p09",
        2,
    );
    assert_suggests(by_key("review.effort_noise.p09"), "p90");
    assert_at(
        by_key("review.effort_noise.p90"),
        "review.effort_noise.p90",
        2,
    );
}

#[test]
fn wrong_type_says_what_is_expected() {
    let e = only("[review]\n\nloc_per_hour = \"fast\"\n");
    assert_at(&e, "review.loc_per_hour", 3);
    assert!(e.found.contains("fast"), "{e}");
    assert!(e.allowed.contains("number"), "{e}");

    let e = only("[testing]\nstaging = \"yes\"\n");
    assert_at(&e, "testing.staging", 2);
    assert!(e.allowed.contains("true or false"), "{e}");

    let e = only("[review]\nreviewers = 7.5\n");
    assert_at(&e, "review.reviewers", 2);
    assert!(e.allowed.contains("whole number"), "{e}");

    let e = only("[ai]\nspeedup = 0.2\n");
    assert_at(&e, "ai.speedup", 2);
    assert!(e.allowed.contains("dist"), "{e}");
}

#[test]
fn out_of_range_values_name_the_range() {
    let e = only("[ai]\nadoption = 1.5\n");
    assert_at(&e, "ai.adoption", 2);
    assert!(e.allowed.contains("[0, 1]"), "{e}");

    let e = only("[review]\nreviewers = 0\n");
    assert_at(&e, "review.reviewers", 2);
    assert!(e.allowed.contains("[1, 100000]"), "{e}");

    let e = only("[review]\nreviewers = -3\n");
    assert_at(&e, "review.reviewers", 2);

    let e = only("[deploy]\ninterval_hours = 0\n");
    assert_at(&e, "deploy.interval_hours", 2);
    assert!(e.allowed.contains("> 0"), "{e}");

    let e = only("[run]\nruns = 0\n");
    assert_at(&e, "run.runs", 2);
    assert!(e.allowed.contains(">= 1"), "{e}");
}

#[test]
fn nan_and_infinity_are_rejected() {
    for literal in ["nan", "inf", "-inf", "+nan"] {
        let e = only(&format!("[ai]\nadoption = {literal}\n"));
        assert_at(&e, "ai.adoption", 2);
        assert!(e.message.contains("finite"), "{e}");
    }
    let e = only("[review]\neffort_noise = { dist = \"exponential\", mean = inf }\n");
    assert_eq!(e.key_path, "review.effort_noise.mean");
    assert_eq!(e.line, Some(2));
    let e = only("[[timeline]]\nkey = \"ai.adoption\"\nat_week = nan\nvalue = 0.5\n");
    assert_at(&e, "timeline[0].at_week", 3);
}

#[test]
fn invalid_distributions_are_rejected() {
    let e =
        only("[demand]\nfeature_size_loc = { dist = \"lognormal\", median = 100, p90 = 100 }\n");
    assert_at(&e, "demand.feature_size_loc", 2);
    assert!(e.message.contains("p90"), "{e}");
    assert!(e.allowed.contains("p90 > median"), "{e}");

    let e = only("[team]\nrework_hours_per_defect = { dist = \"uniform\", min = -1, max = 2 }\n");
    assert_at(&e, "team.rework_hours_per_defect", 2);

    let e = only("[review]\neffort_noise = { dist = \"gamma\", shape = 2 }\n");
    assert_eq!(e.key_path, "review.effort_noise.scale");
    assert_eq!(e.line, Some(2));

    let e = only("[review]\neffort_noise = { mean = 1.0 }\n");
    assert_at(&e, "review.effort_noise", 2);

    // A speed-up may be negative (a slow-down); nothing else may.
    let ok = load_str(
        "[ai]\nspeedup = { dist = \"uniform\", min = -0.3, max = 0.1 }\n",
        FILE,
    );
    assert!(ok.is_ok(), "{ok:?}");
    let e = only("[ai]\nspeedup = { dist = \"lognormal\", median = 0.2, p90 = 0.5 }\n");
    assert_at(&e, "ai.speedup", 2);
}

#[test]
fn warmup_must_be_shorter_than_the_horizon() {
    let e = only("[time]\nhorizon_weeks = 10\nwarmup_weeks = 12\n");
    assert!(e.key_path == "time.warmup_weeks", "{e}");
    assert_eq!(e.line, Some(3));
    assert!(
        e.allowed.contains("warmup_weeks < time.horizon_weeks"),
        "{e}"
    );
    let e = only("[time]\nwarmup_weeks = 26\n");
    assert_at(&e, "time.warmup_weeks", 2);
    // Only the horizon written: the error is placed there.
    let e = only("[time]\nhorizon_weeks = 3\n");
    assert_at(&e, "time.horizon_weeks", 2);
}

#[test]
fn horizon_must_be_positive() {
    let errors = errors("[time]\nhorizon_weeks = 0\n");
    assert!(
        errors
            .iter()
            .any(|e| e.key_path == "time.horizon_weeks" && e.allowed.contains("> 0")),
        "{errors:#?}"
    );
    assert!(errors.iter().all(|e| e.line == Some(2)));
}

#[test]
fn shares_of_work_items_cannot_exceed_one() {
    let e = only("[demand]\nfeature_share = 0.8\n");
    assert_at(&e, "demand.feature_share", 2);
    assert!(
        e.allowed
            .contains("feature_share + demand.bugfix_share <= 1"),
        "{e}"
    );
    let e = only("[demand]\nfeature_share = 0.6\nbugfix_share = 0.5\n");
    assert_at(&e, "demand.bugfix_share", 3);
}

#[test]
fn calendar_settings_must_fit_a_day_and_a_week() {
    let e = only("[time]\nhours_per_day = 25\n");
    assert_at(&e, "time.hours_per_day", 2);
    assert!(e.allowed.contains("[0.25, 24]"), "{e}");

    for days in [0, 8] {
        let e = only(&format!("[time]\ndays_per_week = {days}\n"));
        assert_at(&e, "time.days_per_week", 2);
        assert!(e.allowed.contains("[1, 7]"), "{e}");
    }

    let e = only("[time]\nworkday_start_hour = 20\nhours_per_day = 8\n");
    assert_at(&e, "time.hours_per_day", 3);
    assert!(
        e.allowed
            .contains("workday_start_hour + time.hours_per_day <= 24"),
        "{e}"
    );
}

#[test]
fn timeline_unknown_parameter_suggests_the_closest() {
    let e = only("[[timeline]]\nkey = \"ai.adoptoin\"\nat_week = 2\nvalue = 0.5\n");
    assert_at(&e, "timeline[0].key", 2);
    assert_suggests(&e, "ai.adoption");
}

#[test]
fn timeline_unknown_field_suggests_the_closest() {
    // Two problems: the misspelt field, and (as a consequence) an entry with neither a step nor
    // a ramp.
    let all = errors("[[timeline]]\nkey = \"ai.adoption\"\nat_weeks = 2\nvalue = 0.5\n");
    assert_eq!(all.len(), 2, "{all:#?}");
    let e = all
        .iter()
        .find(|e| e.key_path == "timeline[0].at_weeks")
        .unwrap_or_else(|| panic!("{all:#?}"));
    assert_at(e, "timeline[0].at_weeks", 3);
    assert_suggests(e, "at_week");
    assert!(e.allowed.contains("ramp_weeks"), "{e}");
}

#[test]
fn timeline_needs_exactly_one_of_step_and_ramp() {
    let both = "[[timeline]]\nkey = \"ai.adoption\"\nat_week = 2\nvalue = 0.5\nramp_weeks = [0, 4]\nto = 0.6\n";
    let errors_both = errors(both);
    let e = errors_both
        .iter()
        .find(|e| e.key_path == "timeline[0]")
        .unwrap_or_else(|| panic!("{errors_both:#?}"));
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("both"), "{e}");
    assert!(
        e.allowed.contains("at_week") && e.allowed.contains("ramp_weeks"),
        "{e}"
    );

    let e = only("name = \"x\"\n[[timeline]]\nkey = \"ai.adoption\"\nvalue = 0.5\n");
    assert_at(&e, "timeline[0]", 2);
    assert!(
        e.message.contains("at_week") && e.message.contains("ramp_weeks"),
        "{e}"
    );
}

#[test]
fn timeline_ramp_must_end_after_it_starts() {
    let e = only("[[timeline]]\nkey = \"ai.adoption\"\nramp_weeks = [10, 4]\nto = 0.6\n");
    assert_at(&e, "timeline[0].ramp_weeks", 3);
    assert!(e.allowed.contains("from_week < to_week"), "{e}");
}

#[test]
fn timeline_weeks_must_fall_inside_the_run() {
    let e = only("[[timeline]]\nkey = \"ai.adoption\"\nat_week = 30\nvalue = 0.6\n");
    assert_at(&e, "timeline[0].at_week", 3);
    assert!(e.allowed.contains("[-6, 26]"), "{e}");
    let e = only("[[timeline]]\nkey = \"ai.adoption\"\nramp_weeks = [-8, 4]\nto = 0.6\n");
    assert_at(&e, "timeline[0].ramp_weeks", 3);
    // Inside the warm-up is allowed.
    assert!(
        load_str(
            "[[timeline]]\nkey = \"ai.adoption\"\nat_week = -2\nvalue = 0.6\n",
            FILE
        )
        .is_ok()
    );
}

#[test]
fn timeline_cannot_ramp_a_non_numeric_parameter() {
    let e = only("[[timeline]]\nkey = \"deploy.policy\"\nramp_weeks = [0, 4]\nto = 1\n");
    assert_at(&e, "timeline[0].ramp_weeks", 3);
    assert!(e.message.contains("cannot ramp"), "{e}");
    assert!(e.allowed.contains("step"), "{e}");
}

#[test]
fn timeline_step_value_is_checked_like_the_file() {
    let e = only("[[timeline]]\nkey = \"review.reviewers\"\nat_week = 4\nvalue = \"eight\"\n");
    assert_at(&e, "timeline[0].value", 4);
    assert!(e.allowed.contains("whole number"), "{e}");

    let e = only("[[timeline]]\nkey = \"ai.adoption\"\nat_week = 4\nvalue = 1.3\n");
    assert_at(&e, "timeline[0].value", 4);
    assert!(e.allowed.contains("[0, 1]"), "{e}");

    let e = only("[[timeline]]\nkey = \"deploy.policy\"\nat_week = 4\nvalue = \"continous\"\n");
    assert_at(&e, "timeline[0].value", 4);
    assert_suggests(&e, "continuous");

    let e = only("[[timeline]]\nkey = \"demand.feature_share\"\nat_week = 4\nvalue = 0.9\n");
    assert_at(&e, "timeline[0].value", 4);
    assert!(e.message.contains("add up to"), "{e}");

    let e = only("[[timeline]]\nkey = \"ai.adoption\"\nramp_weeks = [0, 4]\nto = 2\n");
    assert_at(&e, "timeline[0].to", 4);

    let ok = load_str(
        "[[timeline]]\nkey = \"deploy.policy\"\nat_week = 4\nvalue = \"continuous\"\n\
         [[timeline]]\nkey = \"review.reviewers\"\nramp_weeks = [0, 10]\nto = 9\n",
        FILE,
    );
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn override_errors_name_the_set_flag() {
    let text = "[review]\nreviewers = 6\n";
    let set = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        apply_overrides(text, FILE, &args)
            .err()
            .map(|e| e.0)
            .unwrap_or_default()
    };
    let errors = set(&["review.reviewers=zero"]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].origin, "--set review.reviewers");
    assert_eq!(errors[0].key_path, "review.reviewers");
    assert_eq!(errors[0].line, None);
    assert!(
        errors[0].to_string().contains("--> --set review.reviewers"),
        "{}",
        errors[0]
    );
    assert!(errors[0].allowed.contains("whole number"));

    let errors = set(&["ai.adoption=1.5"]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].origin, "--set ai.adoption");

    let errors = set(&["deploy.policy=continous"]);
    assert_eq!(errors[0].suggestion.as_deref(), Some("continuous"));

    let errors = set(&["review.reviewrs=3"]);
    assert_eq!(errors[0].origin, "--set review.reviewrs");
    assert_eq!(errors[0].suggestion.as_deref(), Some("review.reviewers"));

    let errors = set(&["review.effort_noise={ dist = \"exponential\", mean = -1.0 }"]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].origin, "--set review.effort_noise");

    let errors = set(&["review.reviewers"]);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].is_override());
    assert!(errors[0].allowed.contains("KEY=VALUE"));

    let ok = apply_overrides(
        text,
        FILE,
        &[
            "review.effort_noise={ dist = \"exponential\", mean = 1.0 }".to_string(),
            "run.runs=50".to_string(),
        ],
    );
    assert!(ok.is_ok_and(|s| s.run.runs == 50));
}

#[test]
fn missing_file_is_an_error() {
    let errors = load_file("does/not/exist.toml")
        .err()
        .map(|e| e.0)
        .unwrap_or_default();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("cannot read"), "{}", errors[0]);
    assert!(!errors[0].allowed.is_empty());
}

#[test]
fn three_distinct_errors_are_all_reported() {
    let text = "\
name = \"three problems\"

[review]
reviewrs = 8

[ai]
adoption = 1.4

[deploy]
policy = \"continous\"
";
    let result = load_str(text, FILE);
    let Err(all) = result else {
        panic!("expected errors")
    };
    let found: Vec<(String, Option<usize>)> =
        all.0.iter().map(|e| (e.key_path.clone(), e.line)).collect();
    assert_eq!(
        found,
        vec![
            ("review.reviewrs".to_string(), Some(4)),
            ("ai.adoption".to_string(), Some(7)),
            ("deploy.policy".to_string(), Some(10)),
        ]
    );
    let text = all.to_string();
    assert!(text.ends_with("3 errors"), "{text}");
    assert!(
        text.contains("did you mean `reviewers`?") && text.contains("did you mean `continuous`?"),
        "{text}"
    );
}
