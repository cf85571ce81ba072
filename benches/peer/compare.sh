#!/usr/bin/env bash
# The peer comparison: dorasim on one thread against the SimPy model of the default scenario, on
# this machine. Builds dorasim (release), installs SimPy into a virtual environment under the
# cargo target directory (once), and prints the comparison table.
#
#   benches/peer/compare.sh            # 50 replications of each model
#   benches/peer/compare.sh 100        # 100 of each
#   benches/peer/compare.sh 200 50     # 200 of dorasim, 50 of SimPy
#
# Run it by hand on an idle machine; CI does not run it.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
runs="${1:-50}"
peer_runs="${2:-$runs}"

(cd "$repo" && cargo build --release --quiet)

venv="$target/peer-venv"
if ! "$venv/bin/python" -c 'import simpy' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'simpy==4.1.1'
fi

exec "$venv/bin/python" "$here/compare.py" --dorasim "$target/release/dorasim" \
    --python "$venv/bin/python" --runs "$runs" --peer-runs "$peer_runs"
