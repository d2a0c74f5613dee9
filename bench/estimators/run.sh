#!/usr/bin/env bash
# Estimator benchmark: evaluations needed to reach precision@10 and precision@100 >= 0.9 on
# collapsing-network games (1,000 and 20,000 players) for permutation sampling, truncated Monte
# Carlo, the original Neuron Shapley bandit and the adaptive estimator, medians over seeds and the
# ratio bandit/adaptive; then convergence to exact values and interval coverage.
#
#   bench/estimators/run.sh                 # full run (about an hour on 2 cores)
#   bench/estimators/run.sh --quick         # 1,000 players, 3 seeds (a few minutes)
#   bench/estimators/run.sh precision --sizes 20000 --seeds 5   # any EstimatorBench arguments
#   SCRATCH_PATH=.build-bench bench/estimators/run.sh --quick  # build in another scratch path
#
# Tables go to standard output; CSV files to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch="${SCRATCH_PATH:-.build}"   # SCRATCH_PATH=.build-x builds in another scratch path
swift build -c release --product EstimatorBench --scratch-path "$scratch" >&2
bench="$scratch/release/EstimatorBench"
if [[ "${1:-}" == "--quick" ]]; then
    "$bench" precision --sizes 1000 --seeds 3 --budget-per-player 300
    "$bench" convergence --seeds 3
    "$bench" coverage --seeds 2
elif [[ $# -gt 0 ]]; then
    "$bench" "$@"
else
    "$bench" precision --sizes 1000 --seeds 7 --budget-per-player 400
    "$bench" precision --sizes 20000 --seeds 5 --budget-per-player 1500
    "$bench" convergence --seeds 5
    "$bench" coverage --seeds 5
fi
