#!/bin/sh
# Cluster benchmarks over real ZeroMQ and real processes: coordinator capacity (no-op game, many
# workers) and parallel efficiency (50 ms units, 1 vs 2 workers), plain and with CURVE; plus the
# raw transport echo rate. Usage: bench/cluster/zmq-bench.sh [REPEATS]
set -eu
cd "$(dirname "$0")/../.."
repeats="${1:-3}"
swift build -c release --product nshap >/dev/null
swift build -c release --product zmq-transport-bench >/dev/null
bin="$(swift build -c release --show-bin-path)"
"$bin/zmq-transport-bench" --messages 50000 --repeats "$repeats" 2>/dev/null
python3 bench/cluster/zmq_bench.py --repeats "$repeats" --nshap "$bin/nshap"
