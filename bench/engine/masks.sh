#!/usr/bin/env bash
# Masked evaluation of EfficientNet-Lite0: COALITIONS coalitions, each removing half of the units of
# an early, a middle or a late group of layers at random, valued on BATCH images. Compares one
# call per coalition through the whole network (no prefix cache) with one call for all coalitions
# (batched pairs) with and without the prefix cache; then a base coalition over the whole network
# with one unit toggled per coalition (the adaptive estimator's direct measurements), in calls of
# 16 masks, with and without running the removals they share once per image; medians of
# ITERATIONS repetitions.
#
#   bench/engine/masks.sh [ITERATIONS]
#   BATCH=16 COALITIONS=32 THREADS=2 bench/engine/masks.sh 3
#   ONLY=toggles COALITIONS=96 bench/engine/masks.sh 3    # base + toggles alone, over 6 calls
set -euo pipefail
cd "$(dirname "$0")/../.."
ITERATIONS=${1:-3}
swift build -c release --product engine-bench 2>&1 | grep -E "error" && exit 1 || true
BIN=$(swift build -c release --product engine-bench --show-bin-path)/engine-bench
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN" masks --model "${MODEL:-../shared/models/efficientnet-lite0.onnx}" \
  --input "${INPUT:-../shared/models/efficientnet-lite0-reference/input.npy}" \
  --batch "${BATCH:-16}" --coalitions "${COALITIONS:-32}" --threads "${THREADS:-2}" --iterations "$ITERATIONS" \
  --only "${ONLY:-all}"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
