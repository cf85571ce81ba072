#!/usr/bin/env bash
# Where a replication's instructions go: runs `dorasim run --runs N --threads 1 --json` (default
# scenario, or the scenario file given) under callgrind and prints instructions per replication
# and per event, then the share of instructions by source file (each line's own cost, inlined code
# counted where it was written) and the heaviest functions with what they call.
#
#   benches/instructions.sh                                  # 20 replications of the default
#   benches/instructions.sh 5 scenarios/org-of-five-teams.toml
#
# Instruction counts do not depend on the machine's load, so two commits compare exactly even on a
# busy machine (time is another matter: use the criterion benches and farm-bench for that). Needs
# valgrind (Debian: `apt-get install valgrind`); builds a release binary with line tables into
# target/instructions, apart from the normal build. Run by hand; CI does not run it.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
runs="${1:-20}"
scenario="${2:-}"
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }

target="$repo/target/instructions"
(cd "$repo" && CARGO_TARGET_DIR="$target" CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
    cargo build --release --quiet --bin dorasim)

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2086
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
    "$target/release/dorasim" run $scenario --runs "$runs" --threads 1 --json \
    >"$out/summary.json" 2>"$out/valgrind.log"
callgrind_annotate --auto=no --threshold=100 "$out/callgrind.out" >"$out/self.txt" 2>/dev/null
callgrind_annotate --auto=no --threshold=100 --inclusive=yes "$out/callgrind.out" >"$out/inclusive.txt" 2>/dev/null

python3 - "$out" "$repo" <<'PY'
import json, re, sys
out, repo = sys.argv[1], sys.argv[2]
summary = json.load(open(f"{out}/summary.json"))
# Self cost per (source file, function): callgrind files inlined code under the file it was
# written in, so summing by file shows where the instructions are, whatever the inlining.
total, by_file = None, {}
entry = re.compile(r"^\s*([0-9,]+) \(\s*[0-9.]+%\)\s+(.*?):(.*?)(?: \[.*\])?$")
for line in open(f"{out}/self.txt"):
    m = re.match(r"^\s*([0-9,]+) \(100\.0%\)\s+PROGRAM TOTALS", line)
    if m:
        total = int(m.group(1).replace(",", ""))
        continue
    m = entry.match(line)
    if m and total:
        by_file[m.group(2)] = by_file.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
runs, events = summary["runs"], summary["events"]
print(f"{runs} replications, {events / runs:,.0f} events each: {total / runs / 1e6:.1f} M instructions "
      f"per replication, {total / events:,.0f} per event (process start-up included)")
print("\nshare of instructions by source file (inlined code counted where it was written):")
for path, n in sorted(by_file.items(), key=lambda kv: -kv[1])[:18]:
    short = path.replace(repo + "/", "")
    short = re.sub(r".*/registry/src/[^/]+/", "crate ", short)
    short = re.sub(r"^/rustc/[0-9a-f]+/library/", "std ", short)
    short = re.sub(r"^\./", "libm/libc ", short)
    print(f"  {n / total * 100:5.1f} %  {short}")

print("\nheaviest functions, with what they call (inclusive):")
shown = 0
for line in open(f"{out}/inclusive.txt"):
    # Whole functions only (an entry naming the binary), not their inlined pieces.
    m = re.match(r"^\s*([0-9,]+) \(\s*([0-9.]+)%\)\s+([^:]+):(.*) \[.*\]$", line)
    if not m or not m.group(4).startswith("dorasim::"):
        continue
    name = m.group(4).replace("<impl dorasim::model::simulation::Simulation>::", "")
    if re.match(r"dorasim::(main|cli::|runner::)", name):
        continue
    print(f"  {float(m.group(2)):5.1f} %  {name[:110]}")
    shown += 1
    if shown == 20:
        break
PY
