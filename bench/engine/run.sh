#!/usr/bin/env bash
# EfficientNet-Lite0 forward pass: this engine (release build) against ONNX Runtime, side by side.
# Both run the same batch (the reference images cycled to BATCH) with THREADS threads; the two are
# run alternately ROUNDS times, ITERATIONS timed passes each, and the medians are compared.
#
# Each round runs the engine and then ONNX Runtime back to back, so the median of the per-round
# ratios cancels slow changes in the machine's load; it is printed beside the ratio of medians.
#
#   bench/engine/run.sh [ROUNDS] [ITERATIONS]
#   BATCH=32 THREADS=2 MICRO=16 bench/engine/run.sh 5 5
#   ORT_SPINNING=0 bench/engine/run.sh   # ONNX Runtime's idle threads sleep instead of spinning
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
ITERATIONS=${2:-5}
BATCH=${BATCH:-32}
THREADS=${THREADS:-2}
MICRO=${MICRO:-16}
ORT_FLAGS=()
[ "${ORT_SPINNING:-1}" = 0 ] && ORT_FLAGS+=(--no-spinning)
MODEL=${MODEL:-../shared/models/efficientnet-lite0.onnx}
INPUT=${INPUT:-../shared/models/efficientnet-lite0-reference/input.npy}
OUT=bench/out/engine
mkdir -p "$OUT"

swift build -c release --product engine-bench 2>&1 | grep -E "error" && exit 1 || true
BIN=$(swift build -c release --product engine-bench --show-bin-path)/engine-bench

: > "$OUT/ours.txt"
: > "$OUT/ort.txt"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  "$BIN" run --model "$MODEL" --input "$INPUT" --batch "$BATCH" --threads "$THREADS" --micro-batch "$MICRO" \
    --iterations "$ITERATIONS" | awk -v r="$r" '{print $2, $4, r}' >> "$OUT/ours.txt"
  OMP_NUM_THREADS=1 python3 tools/ort_bench.py --model "$MODEL" --input "$INPUT" --batch "$BATCH" \
    --threads "$THREADS" --iterations "$ITERATIONS" "${ORT_FLAGS[@]}" | awk -v r="$r" '{print $2, $4, r}' >> "$OUT/ort.txt"
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/ours.txt" "$OUT/ort.txt" <<'PY'
import statistics, sys
def load(path):
    rows = [line.split() for line in open(path) if line.strip()]
    return [float(r[0]) for r in rows], [float(r[1]) for r in rows], [r[2] for r in rows]
(ours, ours_cpu, ours_round), (ort, ort_cpu, ort_round) = load(sys.argv[1]), load(sys.argv[2])
def by_round(values, rounds):
    groups = {}
    for v, r in zip(values, rounds): groups.setdefault(r, []).append(v)
    return {r: statistics.median(vs) for r, vs in groups.items()}
ours_by_round, ort_by_round = by_round(ours, ours_round), by_round(ort, ort_round)
round_ratios = sorted(ours_by_round[r] / ort_by_round[r] for r in ours_by_round if r in ort_by_round)
mo, mr = statistics.median(ours), statistics.median(ort)
print(f"engine      : median {mo:7.2f} ms/image wall (min {min(ours):.2f}, max {max(ours):.2f}, n={len(ours)}), "
      f"{statistics.median(ours_cpu):.2f} ms/image CPU")
print(f"onnxruntime : median {mr:7.2f} ms/image wall (min {min(ort):.2f}, max {max(ort):.2f}, n={len(ort)}), "
      f"{statistics.median(ort_cpu):.2f} ms/image CPU")
print(f"ratio engine/onnxruntime: {mo / mr:.2f}x (median wall), {min(ours) / min(ort):.2f}x (best wall), "
      f"{statistics.median(ours_cpu) / statistics.median(ort_cpu):.2f}x (median CPU)")
print(f"per-round ratios (engine then onnxruntime, back to back): median {statistics.median(round_ratios):.2f}x, "
      f"range {round_ratios[0]:.2f}x .. {round_ratios[-1]:.2f}x over {len(round_ratios)} rounds")
PY
