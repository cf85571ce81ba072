#!/usr/bin/env python3
"""Runs dorasim (one thread) and the SimPy peer model on the default scenario, side by side on this
machine, and prints events per replication, replications per second, the speed ratio and the
headline metrics of both.

Usage: compare.py --dorasim PATH [--runs N] [--peer-runs M] [--seed S] [--python PY]
(benches/peer/compare.sh builds dorasim, installs SimPy in a virtual environment and calls this.)
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# (key, label, format) of the metrics both models compute, as dorasim's summary.json names them.
METRICS = [
    ("deploys_per_week", "deployments per week", "{:.2f}"),
    ("pull_requests_per_week", "pull requests merged per week", "{:.1f}"),
    ("throughput_per_week", "planned changes deployed per week", "{:.1f}"),
    ("review_wait_mean_hours", "review wait per PR, mean (h)", "{:.2f}"),
    ("lead_time_p50_hours", "lead time, median (h)", "{:.2f}"),
    ("lead_time_mean_hours", "lead time, mean (h)", "{:.2f}"),
    ("change_fail_rate", "change fail rate", "{:.3f}"),
    ("recovery_p50_hours", "recovery time, median (h)", "{:.2f}"),
    ("incidents", "incidents (26 weeks)", "{:.1f}"),
]


def run_json(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dorasim", required=True, help="path to the dorasim release binary")
    parser.add_argument("--runs", type=int, default=50, help="replications of each model")
    parser.add_argument("--peer-runs", type=int, help="replications of the SimPy model (default: --runs)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--python", default=sys.executable, help="a python with simpy installed")
    args = parser.parse_args()
    peer_runs = args.peer_runs or args.runs

    dorasim = run_json([args.dorasim, "run", "--threads", "1", "--runs", str(args.runs), "--seed", str(args.seed), "--json"])
    peer = run_json([args.python, os.path.join(HERE, "peer_model.py"), "--runs", str(peer_runs), "--seed", str(args.seed), "--json"])

    d_events = dorasim["events"] / dorasim["runs"]
    p_events = peer["events"] / peer["runs"]
    d_rate = dorasim["timing"]["replications_per_second"]
    p_rate = peer["timing"]["replications_per_second"]
    rows = [
        ("replications", str(dorasim["runs"]), str(peer["runs"]), ""),
        ("events per replication", f"{d_events:,.0f}", f"{p_events:,.0f}", f"{(p_events / d_events - 1) * 100:+.1f} %"),
        ("replications per second (1 thread)", f"{d_rate:.2f}", f"{p_rate:.3f}", f"dorasim {d_rate / p_rate:.0f}x"),
        ("events per second", f"{d_events * d_rate:,.0f}", f"{p_events * p_rate:,.0f}", ""),
    ]
    for key, label, fmt in METRICS:
        d = dorasim["metrics"][key]["mean"]
        p = peer["metrics"].get(key, float("nan"))
        rows.append((label, fmt.format(d), fmt.format(p), f"{(p / d - 1) * 100:+.1f} %" if d else ""))

    print(f"default scenario, seed {args.seed}; dorasim {dorasim['version']} --threads 1; "
          f"SimPy {peer['simpy']} on Python {peer['python']}")
    widths = [max(len(r[i]) for r in rows + [("", "dorasim", "SimPy peer", "peer vs dorasim")]) for i in range(4)]
    header = ("", "dorasim", "SimPy peer", "peer vs dorasim")
    for row in [header] + rows:
        print(f"  {row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}")
    print(f"  ratio of replications per second, dorasim / SimPy: {d_rate / p_rate:.1f}")
    print(f"  SimPy kernel events per replication (its own Initialize/Timeout/Request/Release/Process "
          f"events): {peer['kernel_events'] / peer['runs']:,.0f}")
    print(f"  mean pending events when an event is popped: {peer['mean_pending_events']:.0f} "
          f"(the same events in both: both queue the ramp's phase changes one at a time)")


if __name__ == "__main__":
    main()
