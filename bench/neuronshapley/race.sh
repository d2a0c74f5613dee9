#!/usr/bin/env bash
# Estimator race on a real network game, through the real cluster (a coordinator in the bench
# process, worker processes of the nshap binary over ipc://): our adaptive top-k estimator against
# the original Neuron Shapley estimators (truncated Monte Carlo and the top-k bandit, their default
# settings, k = 10), scored by the forward passes (evaluations) and wall time each needs before its
# top 10 reaches, and keeps, precision@10 >= 0.9 against a high-precision reference ranking.
#
#   bench/neuronshapley/race.sh                       # the embedded demo CNN, all 232 filters
#   MODEL=../shared/models/efficientnet-lite0.onnx DATA=../shared/data/imagenet-sample \
#     PLAYERS=47 MAX_VALIDATION=100 bench/neuronshapley/race.sh    # one layer of EfficientNet-Lite0
#
# Settings (environment): MODEL, DATA, PLAYERS (default all), MAX_VALIDATION (default 120),
# METRIC (accuracy), WORKERS (2), SEEDS (race seeds, default "1"), REF_SEEDS (two reference seeds,
# default "1001 2002"), REF_DELTA (0.001), REF_LIMIT (s, 900), LIMIT (s per raced run, 600),
# OUT (bench/out/race), REFERENCES_ONLY=1 (stop after the references; existing JSON files are reused). JSON results go to OUT; the score table to standard output.
set -euo pipefail
cd "$(dirname "$0")/../.."
demo=Sources/NeuronShapley/Resources/demo
MODEL=${MODEL:-$demo/digits-cnn.onnx}
DATA=${DATA:-$demo/images}
PLAYERS=${PLAYERS:-all}
MAX_VALIDATION=${MAX_VALIDATION:-120}
METRIC=${METRIC:-accuracy}
WORKERS=${WORKERS:-2}
SEEDS=${SEEDS:-1}
REF_SEEDS=${REF_SEEDS:-1001 2002}
REF_DELTA=${REF_DELTA:-0.001}
REF_LIMIT=${REF_LIMIT:-900}
LIMIT=${LIMIT:-600}
OUT=${OUT:-bench/out/race}
mkdir -p "$OUT"
swift build -c release --product nshap >&2
swift build -c release --product neuronshapley-bench >&2
bin=$(swift build -c release --show-bin-path)
race() {  # NAME ESTIMATOR SEED LIMIT [--set K=V ...]
    local name=$1 estimator=$2 seed=$3 limit=$4; shift 4
    "$bin/neuronshapley-bench" race --nshap "$bin/nshap" --model "$MODEL" --data "$DATA" --players "$PLAYERS" \
        --metric "$METRIC" --max-validation "$MAX_VALIDATION" --workers "$WORKERS" --estimator "$estimator" \
        --top-k 10 --seed "$seed" --time-limit "$limit" --progress-interval 1 --out "$OUT/$name.json" "$@"
}
# The two references run side by side, then the three raced estimators of each seed side by side
# (so that they share the machine's load; evaluations do not depend on it, wall times do).
read -r ref1 ref2 <<<"$REF_SEEDS"
[[ -f "$OUT/reference.json" ]] || race reference adaptive "$ref1" "$REF_LIMIT" --set delta="$REF_DELTA" &
[[ -f "$OUT/reference2.json" ]] || race reference2 adaptive "$ref2" "$REF_LIMIT" --set delta="$REF_DELTA" &
wait
# The reference ranking pools the two independent reference runs (the mean of their estimates).
python3 - "$OUT/reference.json" "$OUT/reference2.json" "$OUT/pooled.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
def num(x): return float(x) if not isinstance(x, str) else float(x.replace("inf", "Infinity"))
values = [(num(x) + num(y)) / 2 for x, y in zip(a["values"], b["values"])]
pooled = dict(a, estimator="pooled references", values=values, evaluations=a["evaluations"] + b["evaluations"],
              samples=a["samples"] + b["samples"], ranking=sorted(range(len(values)), key=lambda i: -values[i]))
pooled["topK"] = pooled["ranking"][:10]
json.dump(pooled, open(sys.argv[3], "w"))
overlap = len(set(a["ranking"][:10]) & set(b["ranking"][:10]))
print(f"references: {a['evaluations']} and {b['evaluations']} evaluations; their top 10 share {overlap}; "
      f"each shares {len(set(a['ranking'][:10]) & set(pooled['topK']))} and {len(set(b['ranking'][:10]) & set(pooled['topK']))} with the pooled top 10")
PY
[[ "${REFERENCES_ONLY:-0}" == 1 ]] && exit 0
for seed in $SEEDS; do
    files=()
    for estimator in adaptive bandit tmc; do
        [[ -f "$OUT/$estimator-$seed.json" ]] || race "$estimator-$seed" "$estimator" "$seed" "$LIMIT" &
        files+=("$OUT/$estimator-$seed.json")
    done
    wait
    echo "== seed $seed"
    "$bin/neuronshapley-bench" score --reference "$OUT/pooled.json" \
        --k 10 --target 0.9 --ours adaptive "${files[@]}"
done
