#!/bin/sh
# Coordinator capacity and parallel efficiency over the in-process transport.
# Usage: bench/cluster/coordinator-bench.sh [REPEATS] [UNITS_PER_RUN]
set -eu
cd "$(dirname "$0")/../.."
swift build -c release --product cluster-bench >/dev/null
exec "$(swift build -c release --show-bin-path)/cluster-bench" "$@"
