#!/usr/bin/env python3
"""Cluster benchmarks over real ZeroMQ with real processes (release build of nshap).

1. Coordinator capacity: a no-op game, one coalition per work unit, several worker processes on
   loopback TCP; units accepted per second, and the coordinator's CPU time per unit.
2. Parallel efficiency: a game whose unit burns 50 ms of CPU; 1 versus 2 workers on this machine;
   efficiency = T(1 worker) / (2 * T(2 workers)).
Both plain and with CURVE. Prints medians of the repeats and the individual runs.

Usage: bench/cluster/zmq_bench.py [--repeats R] [--nshap PATH] [--quick]
"""
import argparse, json, os, resource, shutil, statistics, subprocess, sys, tempfile, time

def run_cluster(nshap, workdir, game, estimator, workers, slots, curve, threads=1):
    """Runs one coordinator and `workers` worker processes; returns measurements."""
    run_dir = os.path.join(workdir, "run")
    shutil.rmtree(run_dir, ignore_errors=True)
    for f in ("endpoint", "result.json", "progress.jsonl"):
        try: os.remove(os.path.join(workdir, f))
        except FileNotFoundError: pass
    security_c, security_w = [], []
    if curve:
        keys = os.path.join(workdir, "keys")
        if not os.path.exists(keys):
            subprocess.run([nshap, "keys", "generate", "--out", keys, "--name", "coordinator"], check=True, capture_output=True)
            subprocess.run([nshap, "keys", "generate", "--out", keys, "--name", "worker", "--allow-list", keys + "/allow.txt"],
                           check=True, capture_output=True)
        security_c = ["--keys", keys + "/coordinator.key", "--allow", keys + "/allow.txt"]
        security_w = ["--keys", keys + "/worker.key", "--server-key", keys + "/coordinator.pub"]
    endpoint_file = os.path.join(workdir, "endpoint")
    coordinator = subprocess.Popen(
        [nshap, "coordinator", "--bind", "tcp://127.0.0.1:0", "--endpoint-file", endpoint_file, "--run-dir", run_dir,
         "--output", os.path.join(workdir, "result.json"), "--progress-json", os.path.join(workdir, "progress.jsonl"),
         "--progress-interval", "0.25", "--quiet", "--log-level", "warning"] + game + estimator + security_c,
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "coordinator.err"), "w"))
    deadline = time.time() + 30
    while not os.path.exists(endpoint_file) and time.time() < deadline:
        time.sleep(0.02)
    endpoint = open(endpoint_file).read().strip()
    procs = [subprocess.Popen([nshap, "worker", "--connect", endpoint, "--slots", str(slots), "--threads", str(threads),
                               "--log-level", "error", "--name", f"w{i}"] + game + security_w,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(workers)]
    _, status, usage = os.wait4(coordinator.pid, 0)
    coordinator.returncode = status
    for p in procs:
        try: p.wait(timeout=30)
        except subprocess.TimeoutExpired: p.kill()
    if status != 0:
        sys.exit(f"coordinator failed with status {status}: see {workdir}/coordinator.err")
    result = json.load(open(os.path.join(workdir, "result.json")))
    lines = [json.loads(l) for l in open(os.path.join(workdir, "progress.jsonl")) if l.strip()]
    started = next(l for l in lines if l["statistics"]["resultsAccepted"] > 0)
    # The first line with results marks the start of steady work; units before it are not counted.
    units = result["statistics"]["resultsAccepted"] - started["statistics"]["resultsAccepted"]
    seconds = lines[-1]["elapsedSeconds"] - started["elapsedSeconds"]
    stats = result["statistics"]
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "units": result["statistics"]["resultsAccepted"],
        # Too short a run for two progress lines: fall back to the whole run, start-up included.
        "rate": units / seconds if seconds > 0.5 else stats["resultsAccepted"] / max(lines[-1]["elapsedSeconds"], 1e-3),
        "wall": lines[-1]["elapsedSeconds"],
        "coordinator_cpu_per_unit_us": cpu / stats["resultsAccepted"] * 1e6,
        "busy_per_unit_us": stats["busyNanos"] / stats["resultsAccepted"] / 1e3,
        "worker_seconds": stats["workerNanos"] / 1e9,
        "coordinator_cpu": cpu,
        "estimates": [e["value"] for e in result["estimates"]],
    }

def median(xs):
    return statistics.median(xs)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--nshap", default=None)
    ap.add_argument("--quick", action="store_true", help="smaller runs (a smoke test of the script)")
    args = ap.parse_args()
    nshap = args.nshap or os.path.join(os.path.dirname(__file__), "../../.build/release/nshap")
    nshap = os.path.abspath(nshap)
    if not os.access(nshap, os.X_OK):
        sys.exit(f"no nshap at {nshap}; build it with: swift build -c release --product nshap")
    workdir = tempfile.mkdtemp(prefix="nshap-zmq-bench-")
    print(f"nshap: {nshap}")
    print(f"machine: {os.cpu_count()} cores, load average before: {os.getloadavg()}")

    # 1. Capacity: one coalition per unit, no-op game.
    cap_players, cap_samples = (60, 40) if args.quick else (100, 300)
    cap_game = ["--game", "noop", "--players", str(cap_players)]
    cap_est = ["--estimator", "permutation", "--seed", "1", "--samples", str(cap_samples),
               "--set", "chunkSize=1", "--set", "roundSize=64"]
    cap_workers = 4
    print(f"\n== capacity: no-op game, {cap_players} players, {cap_samples} walks, 1 coalition per unit, "
          f"{cap_workers} worker processes x 32 slots, loopback TCP")
    capacity = {}
    for curve in (False, True):
        runs = [run_cluster(nshap, workdir, cap_game, cap_est, cap_workers, 32, curve) for _ in range(args.repeats)]
        capacity[curve] = runs
        label = "curve" if curve else "plain"
        print(f"{label}: median {median([r['rate'] for r in runs]):8.0f} units/s   "
              f"coordinator CPU {median([r['coordinator_cpu_per_unit_us'] for r in runs]):6.1f} us/unit   "
              f"busy {median([r['busy_per_unit_us'] for r in runs]):6.1f} us/unit   "
              "(rates: " + " ".join("%.0f" % r["rate"] for r in runs) + f"; units per run {runs[0]['units']})")

    # 2. Parallel efficiency: 50 ms of CPU per unit.
    eff_players, eff_samples = (11, 4) if args.quick else (21, 8)
    eff_game = ["--game", "spin", "--players", str(eff_players), "--coalition-cost-ms", "50"]
    eff_est = ["--estimator", "permutation", "--seed", "1", "--samples", str(eff_samples), "--set", "chunkSize=1"]
    units = (eff_players - 1) * eff_samples + 2
    print(f"\n== parallel efficiency: spin game, 50 ms CPU per unit, ~{units} units, 1 vs 2 worker processes")
    for curve in (False, True):
        t1, t2, ests, overhead = [], [], set(), []
        for _ in range(args.repeats):
            a = run_cluster(nshap, workdir, eff_game, eff_est, 1, 2, curve)
            b = run_cluster(nshap, workdir, eff_game, eff_est, 2, 2, curve)
            t1.append(a["wall"]); t2.append(b["wall"])
            overhead += [r["coordinator_cpu"] / r["worker_seconds"] for r in (a, b) if r["worker_seconds"] > 0]
            ests.add(tuple(a["estimates"])); ests.add(tuple(b["estimates"]))
        label = "curve" if curve else "plain"
        eff = median(t1) / (2 * median(t2))
        print(f"{label}: 1 worker {median(t1):6.2f} s, 2 workers {median(t2):6.2f} s, efficiency {eff*100:5.1f}%   "
              f"coordinator CPU {median(overhead)*100:.2f}% of worker time   "
              "(1w: " + " ".join("%.2f" % t for t in t1) + "; 2w: " + " ".join("%.2f" % t for t in t2) + f"; identical estimates: {len(ests) == 1})")

    rate = median([r["rate"] for r in capacity[False]])
    cpu_us = median([r["coordinator_cpu_per_unit_us"] for r in capacity[False]])
    print(f"\n== what one coordinator can feed (plain, measured capacity {rate:.0f} units/s, {cpu_us:.0f} us CPU per unit)")
    for unit_ms in (1, 10, 50, 500):
        print(f"units of {unit_ms:4d} ms: up to ~{rate * unit_ms / 1000:8.0f} busy worker threads; "
              f"coordinator CPU = {cpu_us / (unit_ms * 1000) * 100:6.3f}% of one worker's time per unit")
    print(f"\nload average after: {os.getloadavg()}")
    shutil.rmtree(workdir, ignore_errors=True)

if __name__ == "__main__":
    main()
