#!/usr/bin/env bash
# Neuron Shapley on EfficientNet-Lite0: the Shapley values of the chosen conv filters for top-1
# accuracy on the ImageNet sample (values on the validation half, checks on the test half), then
# the ablation curves on the test half: the accuracy after removing the top 1, 2, 5, 10, 20, 50,
# 100 filters by Shapley value, against removing as many at random (5 seeds), by weight norm, by
# mean activation and by leave-one-out value. Prints the table of the curves (from ablation.csv).
#
#   bench/neuronshapley/lite0.sh              # blocks.6.0.conv_pwl (320 filters), 20 min of estimation
#   PLAYERS=45-48 MAX_VALIDATION=250 TIME_LIMIT=1800 bench/neuronshapley/lite0.sh   # 3,904 filters
#   PLAYERS=all MAX_VALIDATION=64 TIME_LIMIT=7200 bench/neuronshapley/lite0.sh
#                                       # all 21,008 filters; the adaptive estimator's second round
#                                       # ends at 4,920 evaluations (samples go from 4 to 11), about
#                                       # an hour on 2 cores: SIGINT or SIGTERM to nshap then stops
#                                       # the estimation and the values so far are checked
#
# Leave-one-out values cost one evaluation per filter on the validation images, after the
# estimation, with every core (nshap run --loo-limit skips them above a number of filters;
# --check-threads sets the threads).
#
# Settings (environment): PLAYERS (layer indices or names, see 'nshap layers MODEL'; default
# 47), MAX_VALIDATION (validation images the values are computed on, of the 250 of the
# validation half; default 100), TIME_LIMIT (seconds of estimation, 1200), EVALUATIONS (an
# evaluation budget for the estimator; none by default), WORKERS (2), SEED (1),
# OUT (bench/out/lite0). The checks always use the whole test half (250 images).
set -euo pipefail
cd "$(dirname "$0")/../.."
PLAYERS=${PLAYERS:-47}
MAX_VALIDATION=${MAX_VALIDATION:-100}
TIME_LIMIT=${TIME_LIMIT:-1200}
WORKERS=${WORKERS:-2}
SEED=${SEED:-1}
EVALUATIONS=${EVALUATIONS:-}
OUT=${OUT:-bench/out/lite0}
swift build -c release --product nshap >&2
bin=$(swift build -c release --show-bin-path)
rm -rf "$OUT"
"$bin/nshap" run ../shared/models/efficientnet-lite0.onnx --data ../shared/data/imagenet-sample \
    --metric accuracy --players "$PLAYERS" --max-validation "$MAX_VALIDATION" --top-k 10 --workers "$WORKERS" --seed "$SEED" \
    --time-limit "$TIME_LIMIT" ${EVALUATIONS:+--evaluations "$EVALUATIONS"} --progress-interval 30 --out "$OUT"
echo "== ablation curves on the test half ($OUT/ablation.csv)"
python3 - "$OUT/ablation.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
sizes = sorted({int(r["removed"]) for r in rows})
for metric in dict.fromkeys(r["metric"] for r in rows):
    print(f"| {metric} | " + " | ".join(f"-{k}" for k in sizes) + " |")
    print("| --- " * (len(sizes) + 1) + "|")
    for method in dict.fromkeys(r["method"] for r in rows if r["metric"] == metric):
        cell = {int(r["removed"]): r for r in rows if r["metric"] == metric and r["method"] == method}
        def fmt(r):
            return "" if r is None else f"{float(r['value']):.3f}" + (f" ± {float(r['spread']):.3f}" if r["spread"] else "")
        print(f"| {method} | " + " | ".join(fmt(cell.get(k)) for k in sizes) + " |")
PY
