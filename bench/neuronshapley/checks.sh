#!/usr/bin/env bash
# The checks after an estimate (baselines, leave-one-out, ablation curves, patches) with one
# engine thread against every core: `nshap run --resume RUN` on a finished run checks it again,
# so the two settings run back to back on the same run, ROUNDS times, alternating which goes
# first. Prints each round's seconds (run.json's analysisSeconds) and the medians and their ratio.
#
#   bench/neuronshapley/checks.sh                 # a demo run made first (bench/out/checks-demo)
#   RUN=bench/out/lite0 ROUNDS=3 bench/neuronshapley/checks.sh
#
# Settings (environment): RUN (a finished run directory; default: the demo's, made if missing),
# ROUNDS (5), THREADS (the many-thread setting, default: the machine's cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-$(nproc)}
RUN=${RUN:-bench/out/checks-demo}
swift build -c release --product nshap >&2
bin=$(swift build -c release --show-bin-path)
if [[ ! -f "$RUN/run.json" ]]; then
    [[ "$RUN" == bench/out/checks-demo ]] || { echo "$RUN holds no finished run (no run.json)" >&2; exit 1; }
    "$bin/nshap" run --workers 2 --quiet --out "$RUN" >/dev/null
fi
seconds() {  # THREADS
    "$bin/nshap" run --resume "$RUN" --check-threads "$1" --quiet >/dev/null
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["analysisSeconds"])' "$RUN/run.json"
}
one=(); many=()
for r in $(seq 1 "$ROUNDS"); do
    if (( r % 2 )); then a=$(seconds 1); b=$(seconds "$THREADS"); else b=$(seconds "$THREADS"); a=$(seconds 1); fi
    one+=("$a"); many+=("$b")
    printf 'round %d: 1 thread %.1f s, %d threads %.1f s\n' "$r" "$a" "$THREADS" "$b"
done
python3 - "$THREADS" "${one[*]}" "${many[*]}" <<'PY'
import statistics, sys
threads, one, many = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
ratios = [a / b for a, b in zip(one, many)]
print(f"checks: median {statistics.median(one):.1f} s with 1 thread, {statistics.median(many):.1f} s with {threads}; "
      f"ratio of medians {statistics.median(one) / statistics.median(many):.2f}x, median of round ratios {statistics.median(ratios):.2f}x")
PY
