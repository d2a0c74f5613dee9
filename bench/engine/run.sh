#!/usr/bin/env bash
# EfficientNet-Lite0 forward pass: this engine (release build) against ONNX Runtime, side by side.
# Both run the same batch (the reference images cycled to BATCH) with THREADS threads; the two are
# run alternately ROUNDS times, ITERATIONS timed passes each, and the medians are compared.
#
#   bench/engine/run.sh [ROUNDS] [ITERATIONS]
#   BATCH=32 THREADS=2 MICRO=16 bench/engine/run.sh 5 5
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
ITERATIONS=${2:-5}
BATCH=${BATCH:-32}
THREADS=${THREADS:-2}
MICRO=${MICRO:-16}
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
    --iterations "$ITERATIONS" | awk '{print $2, $4}' >> "$OUT/ours.txt"
  OMP_NUM_THREADS=1 python3 tools/ort_bench.py --model "$MODEL" --input "$INPUT" --batch "$BATCH" \
    --threads "$THREADS" --iterations "$ITERATIONS" | awk '{print $2, $4}' >> "$OUT/ort.txt"
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/ours.txt" "$OUT/ort.txt" <<'PY'
import statistics, sys
def load(path):
    rows = [line.split() for line in open(path) if line.strip()]
    return [float(r[0]) for r in rows], [float(r[1]) for r in rows]
(ours, ours_cpu), (ort, ort_cpu) = load(sys.argv[1]), load(sys.argv[2])
mo, mr = statistics.median(ours), statistics.median(ort)
print(f"engine      : median {mo:7.2f} ms/image wall (min {min(ours):.2f}, max {max(ours):.2f}, n={len(ours)}), "
      f"{statistics.median(ours_cpu):.2f} ms/image CPU")
print(f"onnxruntime : median {mr:7.2f} ms/image wall (min {min(ort):.2f}, max {max(ort):.2f}, n={len(ort)}), "
      f"{statistics.median(ort_cpu):.2f} ms/image CPU")
print(f"ratio engine/onnxruntime: {mo / mr:.2f}x (median wall), {min(ours) / min(ort):.2f}x (best wall), "
      f"{statistics.median(ours_cpu) / statistics.median(ort_cpu):.2f}x (median CPU)")
PY
