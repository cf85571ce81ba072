#!/bin/bash
# dorasim on a Slurm cluster: a job array whose task K runs shard K of SHARDS, then a merge job
# that runs once every task has succeeded. Run from the directory that holds scenarios/ (the
# repository root); all paths are relative to it.
#
#   bash docs/cluster/slurm-sweep.sh              # submit the array AND its merge job
#   sbatch docs/cluster/slurm-sweep.sh            # submit the array only; merge by hand:
#   dorasim merge results/sweep/*-of-16.json --out results/sweep-merged
#
# Either way results/sweep/ receives sweep-K-of-16.csv and .json from task K, and the merge
# writes results/sweep-merged/sweep.csv, byte-identical to the unsharded sweep. Logs go to the
# submit directory (dorasim-ARRAYJOB_TASK.out, dorasim-merge-JOB.out), which exists when Slurm
# opens them; pass --output=DIR/... after `mkdir -p DIR` to put them elsewhere.
#
# Shards: array task K runs shard K of SHARDS (--shard auto --shards SHARDS: K is
# SLURM_ARRAY_TASK_ID, tasks are numbered 1..SHARDS). The number of shards is stated here,
# never taken from the size of the submitted array, so a resubmitted task, a stepped or a
# listed array each run their own shards:
#
#   bash docs/cluster/slurm-sweep.sh --array=3     # re-run shard 3 alone, then merge again
#   sbatch --array=1-16:2 docs/cluster/slurm-sweep.sh   # the odd shards; --array=2,4,6 ...
#
# dorasim refuses (in every task, exit code 2) an array with a task 0 or a task above SHARDS.
# A sweep task that was killed resumes, when resubmitted, from the rows its sweep-K-of-N.csv
# already holds; a run or sensitivity task starts its shard again.
#
# Settings (environment variables at submission; sbatch passes them on to the tasks):
#   SHARDS   number of shards (16). With plain sbatch, also pass --array=1-SHARDS; with bash,
#            the array is 1-SHARDS unless you give --array.
#   OUT      directory of the shards' files (results/sweep); MERGED: merged results
#            (OUT-merged, overwritten by the merge job).
#   DORASIM  the dorasim binary (dorasim on the PATH).
# Usage with bash: bash slurm-sweep.sh [SBATCH OPTION...] [-- DORASIM ARGS...]
# Usage with sbatch: sbatch [SBATCH OPTION...] slurm-sweep.sh [DORASIM ARGS...]
# DORASIM ARGS replace the sweep below (a run or a sensitivity study, see the end of this file);
# the script adds --shard, --threads and --out to them. SBATCH OPTIONS apply to the array and
# override the #SBATCH lines below (e.g. --cpus-per-task=2 --partition=short). The machine must
# have --cpus-per-task CPUs on one node, or the tasks stay pending.
#SBATCH --job-name=dorasim
#SBATCH --array=1-16
#SBATCH --cpus-per-task=8
#SBATCH --mem=2G
#SBATCH --time=02:00:00
#SBATCH --output=dorasim-%A_%a.out

set -euo pipefail

SHARDS="${SHARDS:-16}"
OUT="${OUT:-results/sweep}"
MERGED="${MERGED:-${OUT}-merged}"
DORASIM="${DORASIM:-dorasim}"
export SHARDS OUT MERGED DORASIM

# The study: a 1,024-point Sobol sweep over two parameters, 200 replications per point.
SWEEP=(sweep scenarios/ai-rollout.toml
    --param review.reviewers=2..12
    --param ai.adoption=0..1
    --design sobol --points 1024 --runs 200 --seed 42)

if [ -z "${SLURM_JOB_ID:-}" ]; then
    # Run by hand: submit this script as the array, then the merge, which waits for every task
    # to succeed (afterok on the array) and is cancelled if one fails (resubmit that task with
    # --array=K: a new merge job comes with it).
    command -v sbatch >/dev/null || { echo "sbatch not found: run this on a Slurm login node" >&2; exit 2; }
    options=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do options+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    array=$(sbatch --parsable --array="1-${SHARDS}" "${options[@]}" "$0" "$@")
    array="${array%%;*}"
    merge_command="$(printf '%q' "$DORASIM") merge $(printf '%q' "$OUT")/*-of-${SHARDS}.json --out $(printf '%q' "$MERGED") --force"
    merge=$(sbatch --parsable --job-name=dorasim-merge --dependency="afterok:${array}" \
        --kill-on-invalid-dep=yes --ntasks=1 --cpus-per-task=1 --time=01:00:00 \
        --output=dorasim-merge-%j.out --wrap "$merge_command")
    merge="${merge%%;*}"
    echo "Submitted array job ${array} (shards of ${SHARDS} into ${OUT}) and merge job ${merge} (into ${MERGED})."
    echo "Follow them with: squeue -j ${array},${merge}"
    exit 0
fi

# An array task: shard SLURM_ARRAY_TASK_ID of SHARDS.
if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
    echo "Slurm job ${SLURM_JOB_ID} is not an array: submit it with sbatch --array=1-${SHARDS}" >&2
    exit 2
fi
if [ $# -eq 0 ]; then
    set -- "${SWEEP[@]}"
fi
echo "dorasim array task ${SLURM_ARRAY_TASK_ID} of array ${SLURM_ARRAY_JOB_ID:-?}: shard ${SLURM_ARRAY_TASK_ID}/${SHARDS} on $(hostname)"
# The batch step holds every CPU of the task; dorasim runs in it directly (an srun step would
# need its own --cpus-per-task since Slurm 22.05).
"$DORASIM" "$@" \
    --shard auto --shards "$SHARDS" \
    --threads "${SLURM_CPUS_PER_TASK:-1}" \
    --out "$OUT"

# Other studies, as DORASIM ARGS (merge: the same command, *-of-SHARDS.json in OUT):
#   a single large run (partial-K-of-N.json; the merge writes replications.csv, weekly.csv and
#   summary.json, identical to the unsharded run's but for summary.json's timing):
#     OUT=results/run bash docs/cluster/slurm-sweep.sh -- run scenarios/ai-rollout.toml --runs 100000
#   the evaluation points of a sensitivity study (sensitivity-K-of-N.json; the merge writes the
#   unsharded sensitivity.csv, sensitivity.json and tornado tables):
#     OUT=results/sensitivity bash docs/cluster/slurm-sweep.sh -- sensitivity \
#       scenarios/ai-rollout.toml --param review.reviewers=2..12 --param ai.adoption=0..1 \
#       --param testing.coverage=0.3..0.9 --method sobol --samples 512 --runs 50 --seed 42
# An array of different scenarios, one per task, is not sharded: call dorasim without --shard
# (it then ignores the array's variables), e.g. in a script of your own:
#     dorasim run "scenarios/${NAMES[$SLURM_ARRAY_TASK_ID]}.toml" --out "results/${SLURM_ARRAY_TASK_ID}"
