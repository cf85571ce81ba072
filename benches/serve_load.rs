//! Load test of `dorasim serve` on loopback (a script, not a timed unit test):
//! 50 concurrent clients each start a 200-replication run of the default scenario and follow
//! its server-sent events to the end. Reports errors, the server's peak memory, and p50 / p99 of
//! the time to the first result and to completion.
//!
//! ```sh
//! cargo build --release && cargo bench --bench serve_load
//! # options: CLIENTS=50 RUNS=200 SERVE_ARGS="--max-jobs 2"
//! ```

#[path = "../tests/common/http.rs"]
mod http;

use std::time::{Duration, Instant};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// One client: start a run, follow it; time to first result and to the end.
fn client(address: &str, runs: usize) -> Result<(Duration, Duration), String> {
    let started = Instant::now();
    let answer = http::post(address, "/api/run", &format!(r#"{{"runs": {runs}}}"#));
    if answer.status != 202 {
        return Err(format!("HTTP {}: {}", answer.status, answer.body));
    }
    let job = answer.json();
    let mut events = http::Events::open(address, job["events"].as_str().ok_or("no events link")?);
    let mut first = None;
    while let Some(e) = events.next_event() {
        if first.is_none() && !e.data["result"].is_null() {
            first = Some(started.elapsed());
        }
        match e.name.as_str() {
            "progress" => {}
            "done" => {
                if e.data["result"]["runs"].as_u64() != Some(runs as u64) {
                    return Err(format!("done with {}", e.data["result"]["runs"]));
                }
                return Ok((first.unwrap_or(started.elapsed()), started.elapsed()));
            }
            other => return Err(format!("job ended {other}: {}", e.data["error"])),
        }
    }
    Err("the event stream ended early".to_string())
}

fn main() {
    // `cargo bench` passes `--bench`; a plain `cargo test --benches` must not start a load test.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let clients = env_or("CLIENTS", 50);
    let runs = env_or("RUNS", 200);
    let binary = std::env::var("DORASIM_BIN").unwrap_or_else(|_| {
        let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
        format!("{dir}/release/dorasim")
    });
    let extra = std::env::var("SERVE_ARGS").unwrap_or_default();
    let extra: Vec<&str> = extra.split_whitespace().collect();
    let server = http::Server::start(&binary, &extra);
    let idle_kib = server.peak_memory_kib();
    println!(
        "serve_load: {clients} clients x {runs} replications on {} ({binary} serve {})",
        server.address,
        extra.join(" ")
    );
    let started = Instant::now();
    let results: Vec<Result<(Duration, Duration), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|_| scope.spawn(|| client(&server.address, runs)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("client panicked".to_string()))
            })
            .collect()
    });
    let wall = started.elapsed().as_secs_f64();
    let errors: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let mut first: Vec<f64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|(f, _)| f.as_secs_f64()))
        .collect();
    let mut done: Vec<f64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|(_, d)| d.as_secs_f64()))
        .collect();
    first.sort_by(f64::total_cmp);
    done.sort_by(f64::total_cmp);
    println!(
        "  completed {} of {clients}, errors {} ({:.1} s wall, {:.0} replications/s)",
        done.len(),
        errors.len(),
        wall,
        (done.len() * runs) as f64 / wall
    );
    for e in errors.iter().take(5) {
        println!("  error: {e}");
    }
    println!(
        "  time to first result: p50 {:.3} s, p99 {:.3} s",
        quantile(&first, 0.5),
        quantile(&first, 0.99)
    );
    println!(
        "  time to completion:   p50 {:.3} s, p99 {:.3} s",
        quantile(&done, 0.5),
        quantile(&done, 0.99)
    );
    println!(
        "  server peak memory (VmHWM): idle {} KiB, after the load {} KiB",
        idle_kib.map_or("?".to_string(), |k| k.to_string()),
        server
            .peak_memory_kib()
            .map_or("?".to_string(), |k| k.to_string())
    );
    if !errors.is_empty() {
        std::process::exit(1);
    }
}
