//! Mutation fuzzer for dorasim on stable Rust (no nightly, no libFuzzer): takes the shipped
//! scenario files in `../scenarios/`, mutates them (text, numbers, keys, distributions, `--set` overrides), and
//! sends every input through parsing, validation, schedule building, a short run (two
//! replications under a tight guard), the terminal summary and the JSON summary.
//!
//! A finding is a panic anywhere, or a `NaN`/`inf` in the rendered terminal or JSON output.
//! Each finding is saved to `crashes/` (the input, and the overrides as a comment) and the run
//! goes on. Usage: `cargo run --release -- [--seconds N] [--seed S]`.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use dorasim_fuzz::{HARNESS_GUARD, Tally, exercise};

/// splitmix64: small, fast and good enough to drive mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that break things: boundaries, signs, non-finite, overflow, wrong types.
const INTERESTING: &[&str] = &[
    "0",
    "-0.0",
    "1",
    "-1",
    "0.5",
    "0.999999",
    "1.0000001",
    "2",
    "7",
    "24",
    "168",
    "1e-300",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "1e15",
    "65535",
    "65536",
    "true",
    "\"\"",
    "\"x\"",
    "[]",
    "[1, 2]",
    "{}",
    "{ dist = \"constant\", value = 0 }",
    "{ dist = \"lognormal\", median = 1e-9, p90 = 1e9 }",
    "{ dist = \"exponential\", mean = 1e12 }",
    "{ dist = \"gamma\", shape = 1e-6, scale = 1e6 }",
    "{ dist = \"uniform\", min = 0, max = 1e300 }",
    "{ dist = \"triangular\", min = 0, mode = 0, max = 1e-12 }",
    "{ dist = \"lognormal\" }",
    "\"poisson\"",
    "\"backlog\"",
    "\"scheduled\"",
    "\"continuous\"",
    "\"surveillance\"",
];

/// Fragments spliced into the text.
const FRAGMENTS: &[&str] = &[
    "\n[[timeline]]\nkey = \"review.reviewers\"\nat_week = 2\nvalue = 1\n",
    "\n[[timeline]]\nkey = \"ai.adoption\"\nramp_weeks = [0, 3]\nto = 1.0\n",
    "\n[[timeline]]\nkey = \"demand.items_per_week\"\nramp_weeks = [-2, 1e9]\nto = 1e6\n",
    "\n[demand]\nmode = \"poisson\"\nitems_per_week = 100000\n",
    "\n[time]\nwarmup_weeks = 0\nhorizon_weeks = 0.01\n",
    "\n[pull_requests]\nmax_loc = 10\n",
    "\n[run]\nruns = 3\n",
    "\ntimeline = 3\n",
    "\n[culture]\npreset = \"surveillance\"\n",
    "\n\u{0}\u{feff}\u{202e}é\n",
    "[",
    "]",
    "=",
    "\"",
    "{",
    "}",
    ",",
    ".",
    "#",
    "\n",
    "'''",
    "[[",
];

fn mutate(rng: &mut Rng, text: &str, seeds: &[String], keys: &[String]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let n = lines.len();
        match rng.below(9) {
            // Replace the value of a `key = value` line.
            0 | 1 => {
                if n > 0 {
                    let i = rng.below(n);
                    if let Some((key, _)) = lines[i].split_once('=') {
                        lines[i] = format!("{key}= {}", rng.pick(INTERESTING));
                    }
                }
            }
            // Add a known key with an interesting value under its section.
            2 => {
                let key = rng.pick(keys);
                if let Some((section, field)) = key.rsplit_once('.') {
                    lines.push(format!("[{section}]"));
                    lines.push(format!("{field} = {}", rng.pick(INTERESTING)));
                }
            }
            // Delete or duplicate a line.
            3 => {
                if n > 0 {
                    lines.remove(rng.below(n));
                }
            }
            4 => {
                if n > 0 {
                    let line = lines[rng.below(n)].clone();
                    lines.insert(rng.below(n + 1), line);
                }
            }
            // Splice a line from another seed.
            5 => {
                let other: Vec<&str> = rng.pick(seeds).lines().collect();
                if !other.is_empty() {
                    let line = other[rng.below(other.len())].to_string();
                    lines.insert(rng.below(n + 1), line);
                }
            }
            // Insert a fragment.
            6 => {
                let fragment = rng.pick(FRAGMENTS).to_string();
                lines.insert(rng.below(n + 1), fragment);
            }
            // Flip a character in a line.
            7 => {
                if n > 0 {
                    let i = rng.below(n);
                    let mut chars: Vec<char> = lines[i].chars().collect();
                    if !chars.is_empty() {
                        let j = rng.below(chars.len());
                        chars[j] = *rng.pick(&['x', '0', '9', '.', '-', '"', ' ', '_', 'e', '=']);
                        lines[i] = chars.into_iter().collect();
                    }
                }
            }
            // Truncate.
            _ => {
                if n > 1 {
                    lines.truncate(rng.below(n) + 1);
                }
            }
        }
    }
    lines.join("\n")
}

fn overrides(rng: &mut Rng, keys: &[String]) -> Vec<String> {
    (0..rng.below(3))
        .map(|_| match rng.below(10) {
            0 => rng.pick(INTERESTING).to_string(),
            1 => format!("{}.x={}", rng.pick(keys), rng.pick(INTERESTING)),
            _ => format!("{}={}", rng.pick(keys), rng.pick(INTERESTING)),
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: u64| -> u64 {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let seconds = arg("--seconds", 60);
    let mut rng = Rng(arg("--seed", 1));
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Seeds: the shipped scenarios.
    let mut seeds: Vec<String> = std::fs::read_dir(here.join("../scenarios"))
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    seeds.push(String::new());
    let keys: Vec<String> = dorasim::scenario::catalogue()
        .iter()
        .map(|info| info.key.to_string())
        .chain(
            [
                "run.runs",
                "run.seed",
                "run.lens",
                "run.max_events_per_replication",
            ]
            .map(String::from),
        )
        .collect();
    let crashes = here.join("crashes");
    let trace = args.iter().any(|a| a == "--trace");
    // Panics are findings, reported by the loop; keep the default hook from printing each one.
    std::panic::set_hook(Box::new(|_| {}));

    let started = Instant::now();
    let mut tally = Tally::default();
    let mut seen = HashSet::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        let base = rng.pick(&seeds).clone();
        let text = mutate(&mut rng, &base, &seeds, &keys);
        let set = overrides(&mut rng, &keys);
        tally.executions += 1;
        if trace {
            // The input in progress, to find what hangs.
            let _ = std::fs::write(here.join("current.toml"), format!("# {set:?}\n{text}"));
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            exercise(&text, &set, HARNESS_GUARD, &mut tally)
        }));
        let finding = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(message)) => message,
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                format!("panic: {message}")
            }
        };
        tally.findings += 1;
        let first_line = finding.lines().next().unwrap_or_default().to_string();
        if seen.insert(first_line.clone()) {
            let _ = std::fs::create_dir_all(&crashes);
            let file = crashes.join(format!("finding-{}.toml", seen.len()));
            let header: String = finding
                .lines()
                .chain(set.iter().map(|s| s.as_str()))
                .map(|l| format!("# {l}\n"))
                .collect();
            let _ = std::fs::write(&file, format!("{header}{text}"));
            eprintln!("finding {}: {first_line} -> {}", seen.len(), file.display());
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{} executions in {elapsed:.0} s ({:.0}/s): {} invalid, {} timeline errors, {} stopped by the guard, {} ran to the end; {} findings ({} distinct)",
        tally.executions,
        tally.executions as f64 / elapsed,
        tally.invalid,
        tally.timeline_errors,
        tally.guard_stops,
        tally.ran,
        tally.findings,
        seen.len()
    );
}
