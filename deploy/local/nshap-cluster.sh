#!/bin/sh
# One machine, several processes: a coordinator and N workers of nshap over loopback TCP (or,
# with --bind, any address), each a separate process, all stopped when this script ends.
#
#   deploy/local/nshap-cluster.sh [--workers N] [--run-dir DIR] [--bind ENDPOINT] [--keys DIR]
#                                 [--game-args "GAME OPTIONS"] [--run-args "ESTIMATOR OPTIONS"]
#
# --game-args go to the coordinator and to every worker (they must agree on the game);
# --run-args go to the coordinator only. With --keys DIR, CURVE key pairs for the coordinator and
# the workers are created in DIR if missing and used (required off loopback). The result is
# written to RUN_DIR/result.json; the script exits with the coordinator's status.
# NSHAP names the executable (default: nshap on the PATH).
set -eu

NSHAP="${NSHAP:-nshap}"
workers=2
run_dir="runs/local-$(date +%Y%m%d-%H%M%S)"
bind="tcp://127.0.0.1:0"
keys=""
game_args="--game collapse --players 200"
run_args="--estimator tmc --samples 100"

while [ $# -gt 0 ]; do
    case "$1" in
        --workers) workers="$2"; shift 2 ;;
        --run-dir) run_dir="$2"; shift 2 ;;
        --bind) bind="$2"; shift 2 ;;
        --keys) keys="$2"; shift 2 ;;
        --game-args) game_args="$2"; shift 2 ;;
        --run-args) run_args="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "nshap-cluster.sh: unknown option '$1' (see --help)" >&2; exit 64 ;;
    esac
done

scratch="$(mktemp -d)"
pids=""
cleanup() {
    for pid in $pids; do kill "$pid" 2>/dev/null || true; done
    sleep 1
    for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

coordinator_security=""
worker_security=""
if [ -n "$keys" ]; then
    if [ ! -f "$keys/coordinator.key" ]; then
        "$NSHAP" keys generate --out "$keys" --name coordinator >/dev/null
    fi
    if [ ! -f "$keys/worker.key" ]; then
        "$NSHAP" keys generate --out "$keys" --name worker --allow-list "$keys/allow.txt" >/dev/null
    fi
    coordinator_security="--keys $keys/coordinator.key --allow $keys/allow.txt"
    worker_security="--keys $keys/worker.key --server-key $keys/coordinator.pub"
fi

# shellcheck disable=SC2086 # the argument strings are meant to be split into words
"$NSHAP" coordinator --bind "$bind" --endpoint-file "$scratch/endpoint" --run-dir "$run_dir" \
    --output "$run_dir/result.json" --progress-json "$run_dir/progress.jsonl" \
    $coordinator_security $game_args $run_args &
coordinator=$!
pids="$coordinator"

tries=0
while [ ! -s "$scratch/endpoint" ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 300 ] || ! kill -0 "$coordinator" 2>/dev/null; then
        echo "nshap-cluster.sh: the coordinator did not start listening" >&2
        exit 1
    fi
    sleep 0.1
done
endpoint="$(sed 's#tcp://0.0.0.0:#tcp://127.0.0.1:#' "$scratch/endpoint")"

i=1
while [ "$i" -le "$workers" ]; do
    # shellcheck disable=SC2086
    "$NSHAP" worker --connect "$endpoint" --name "local-$i" --log-level warning \
        $worker_security $game_args &
    pids="$pids $!"
    i=$((i + 1))
done

status=0
wait "$coordinator" || status=$?
exit "$status"
