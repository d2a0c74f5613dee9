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
# METRIC (accuracy), WORKERS (2), SEEDS (race seeds, default "1"), REF_SEEDS (reference seeds,
# default "1001 2002"), REF_DELTA (0.001), REF_LIMIT (s, 900), LIMIT (s per raced run, 600), OURS_LIMIT
# (s for our estimator's runs, default LIMIT: the original estimators may need longer to keep a precision),
# TARGETS (precisions scored, default "0.9 0.8 0.7"), OUT (bench/out/race), REFERENCES_ONLY=1 (stop after
# the references; existing JSON files are reused), REFERENCE (the ranking scored against, default
# OUT/pooled.json; for example a pool of untruncated permutation runs from references.py),
# SEQUENTIAL=1 (run a seed's three estimators one after another, each with the whole machine, so
# that their wall times compare directly; by default they run side by side). JSON results go to
# OUT; the score table to standard output.
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
OURS_LIMIT=${OURS_LIMIT:-$LIMIT}
TARGETS=${TARGETS:-0.9 0.8 0.7}
OUT=${OUT:-bench/out/race}
REFERENCE=${REFERENCE:-$OUT/pooled.json}
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
# The reference runs go side by side, then the three raced estimators of each seed side by side
# (so that they share the machine's load; evaluations do not depend on it, wall times do), or one
# after another with SEQUENTIAL=1.
refs=()
for seed in $REF_SEEDS; do
    [[ -f "$OUT/reference-$seed.json" ]] || race "reference-$seed" adaptive "$seed" "$REF_LIMIT" --set delta="$REF_DELTA" &
    refs+=("$OUT/reference-$seed.json")
done
wait
# The reference ranking pools the independent reference runs (their plain mean, as for every
# table measured so far).
python3 - "$OUT/pooled.json" "${refs[@]}" <<'PY'
import json, sys
sys.path.insert(0, "bench/neuronshapley")
from pooling import load, pool
runs = load(sys.argv[2:])
pooled = pool(runs, "pooled references", by_samples=False)
json.dump(pooled, open(sys.argv[1], "w"))
values, ranking = pooled["values"], pooled["ranking"]
tops = [set(r["ranking"][:10]) for r in runs]
pairs = [len(tops[i] & tops[j]) for i in range(len(runs)) for j in range(i + 1, len(runs))]
print(f"references: {[r['evaluations'] for r in runs]} evaluations; pairs of their top 10 share {pairs}; "
      f"each shares {[len(t & set(ranking[:10])) for t in tops]} with the pooled top 10; pooled top-20 values: "
      + ", ".join(f"{values[i]:.4f}" for i in ranking[:20]))
PY
[[ "${REFERENCES_ONLY:-0}" == 1 ]] && exit 0
for seed in $SEEDS; do
    files=()
    for estimator in adaptive bandit tmc; do
        limit=$LIMIT
        [[ $estimator == adaptive ]] && limit=$OURS_LIMIT
        if [[ ! -f "$OUT/$estimator-$seed.json" ]]; then
            if [[ "${SEQUENTIAL:-0}" == 1 ]]; then
                race "$estimator-$seed" "$estimator" "$seed" "$limit"
            else
                race "$estimator-$seed" "$estimator" "$seed" "$limit" &
            fi
        fi
        files+=("$OUT/$estimator-$seed.json")
    done
    wait
    for target in $TARGETS; do
        echo "== seed $seed, precision@10 >= $target"
        "$bin/neuronshapley-bench" score --reference "$REFERENCE" \
            --k 10 --target "$target" --ours adaptive "${files[@]}" | tail -n +2
    done
done
echo "== precision@10 at equal numbers of evaluations"
runs=()
for seed in $SEEDS; do for estimator in adaptive bandit tmc; do runs+=("$OUT/$estimator-$seed.json"); done; done
python3 bench/neuronshapley/curves.py "$REFERENCE" "${runs[@]}"
