#!/bin/bash
# A dorasim sweep (or run) as a Slurm job array: each array task runs one shard.
# dorasim reads its shard from SLURM_ARRAY_TASK_ID (relative to SLURM_ARRAY_TASK_MIN) and the
# number of shards from SLURM_ARRAY_TASK_COUNT, so no --shard flag is needed.
#
#   sbatch docs/cluster/slurm-sweep.sh
#   # when every task has finished:
#   dorasim merge results/sweep/sweep-*-of-16.json --out results/sweep-merged
#
# A task that was killed (time limit, pre-emption) can be resubmitted as is: it resumes from
# the rows its sweep-K-of-N.csv already holds.
#SBATCH --job-name=dorasim-sweep
#SBATCH --array=1-16
#SBATCH --cpus-per-task=8
#SBATCH --mem=2G
#SBATCH --time=02:00:00
#SBATCH --output=logs/dorasim-%A_%a.out

set -euo pipefail
mkdir -p logs results/sweep

srun dorasim sweep scenarios/ai-rollout.toml \
  --param review.reviewers=2..12 \
  --param ai.adoption=0..1 \
  --design sobol --points 1024 --runs 200 --seed 42 \
  --threads "${SLURM_CPUS_PER_TASK}" \
  --out results/sweep

# The same array shards a single large run instead (merge partial-*-of-16.json):
#   srun dorasim run scenarios/ai-rollout.toml --runs 100000 --out results/run
#
# ... or the evaluation points of a sensitivity study (merge sensitivity-*-of-16.json into the
# unsharded sensitivity.csv, sensitivity.json and tornado tables; a killed task recomputes its
# share of the points):
#   srun dorasim sensitivity scenarios/ai-rollout.toml --param review.reviewers=2..12 \
#     --param ai.adoption=0..1 --param testing.coverage=0.3..0.9 --method sobol --samples 512 \
#     --runs 50 --seed 42 --threads "${SLURM_CPUS_PER_TASK}" --out results/sensitivity
#   dorasim merge results/sensitivity/sensitivity-*-of-16.json --out results/sensitivity-merged
