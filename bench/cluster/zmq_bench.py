#!/usr/bin/env python3
"""Cluster benchmarks over real ZeroMQ with real processes (release build of nshap).

1. Start-up: the CPU time of a coordinator that starts, binds, and is stopped (SIGTERM) before any
   worker joins: the fixed cost of a coordinator process, part of every run's overhead.
2. Coordinator capacity: a no-op game, one coalition per work unit, several worker processes on
   loopback TCP; units accepted per second, and the coordinator's CPU time per unit.
3. Parallel efficiency: a game whose unit burns 50 ms of CPU; 1 versus 2 workers on this machine;
   efficiency = T(1 worker) / (2 * T(2 workers)); the coordinator's CPU time (all of it, start-up
   included) as a share of the workers' evaluation time, and the same without the start-up cost.
4. Longer runs (plain): the same game with 4x the walks on 2 workers, side by side with the short
   2-worker runs; the coordinator's share of worker time in a longer run, and its marginal CPU per
   worker second, (CPU(long) - CPU(short)) / (work(long) - work(short)), which no fixed cost enters.
Both plain and with CURVE (4: plain only). With --baseline, every measurement is also taken with another nshap
binary, alternating run by run, so that both see the same machine load. Prints medians of the
repeats and the individual runs.

Usage: bench/cluster/zmq_bench.py [--repeats R] [--nshap PATH] [--baseline PATH] [--quick]
                                  [--skip-capacity] [--skip-long] [--progress-interval SECONDS]
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

def coordinator_args(nshap, workdir, game, estimator, security, progress="0.25"):
    return [nshap, "coordinator", "--bind", "tcp://127.0.0.1:0", "--endpoint-file", os.path.join(workdir, "endpoint"),
            "--run-dir", os.path.join(workdir, "run"), "--output", os.path.join(workdir, "result.json"),
            "--progress-json", os.path.join(workdir, "progress.jsonl"), "--progress-interval", progress, "--quiet",
            "--log-level", "warning"] + game + estimator + security

def fresh(workdir):
    shutil.rmtree(os.path.join(workdir, "run"), ignore_errors=True)
    for f in ("endpoint", "result.json", "progress.jsonl"):
        try: os.remove(os.path.join(workdir, f))
        except FileNotFoundError: pass

def wait_endpoint(workdir, process):
    path = os.path.join(workdir, "endpoint")
    deadline = time.time() + 30
    while time.time() < deadline and process.poll() is None:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return open(path).read().strip()
        time.sleep(0.005)
    sys.exit(f"the coordinator did not start listening: see {workdir}/coordinator.err")

def keys(nshap, workdir, curve):
    if not curve:
        return [], []
    k = os.path.join(workdir, "keys")
    if not os.path.exists(k):
        subprocess.run([nshap, "keys", "generate", "--out", k, "--name", "coordinator"], check=True, capture_output=True)
        subprocess.run([nshap, "keys", "generate", "--out", k, "--name", "worker", "--allow-list", k + "/allow.txt"],
                       check=True, capture_output=True)
    return (["--keys", k + "/coordinator.key", "--allow", k + "/allow.txt"],
            ["--keys", k + "/worker.key", "--server-key", k + "/coordinator.pub"])

def startup_cpu(nshap, workdir, game, estimator, curve, env=None):
    """CPU seconds of a coordinator that starts listening and is stopped before any worker joins."""
    fresh(workdir)
    security_c, _ = keys(nshap, workdir, curve)
    c = subprocess.Popen(coordinator_args(nshap, workdir, game, estimator, security_c), env=env,
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "coordinator.err"), "w"))
    wait_endpoint(workdir, c)
    c.send_signal(signal.SIGTERM)
    _, status, usage = os.wait4(c.pid, 0)
    return usage.ru_utime + usage.ru_stime

def run_cluster(nshap, workdir, game, estimator, workers, slots, curve, threads=1, progress="0.25"):
    """Runs one coordinator and `workers` worker processes; returns measurements."""
    fresh(workdir)
    security_c, security_w = keys(nshap, workdir, curve)
    coordinator = subprocess.Popen(coordinator_args(nshap, workdir, game, estimator, security_c, progress),
                                   stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "coordinator.err"), "w"))
    endpoint = wait_endpoint(workdir, coordinator)
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
        "units": stats["resultsAccepted"],
        # Too short a run for two progress lines: fall back to the whole run, start-up included.
        "rate": units / seconds if seconds > 0.5 else stats["resultsAccepted"] / max(lines[-1]["elapsedSeconds"], 1e-3),
        "wall": lines[-1]["elapsedSeconds"],
        "coordinator_cpu_per_unit_us": cpu / stats["resultsAccepted"] * 1e6,
        "busy_per_unit_us": stats["busyNanos"] / stats["resultsAccepted"] / 1e3,
        "worker_seconds": stats["workerNanos"] / 1e9,
        "coordinator_cpu": cpu,
        "syncs": stats["journalSyncs"],
        "estimates": [e["value"] for e in result["estimates"]],
    }

def median(xs):
    return statistics.median(xs)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--nshap", default=None)
    ap.add_argument("--baseline", default=None, help="another nshap binary, measured side by side")
    ap.add_argument("--quick", action="store_true", help="smaller runs (a smoke test of the script)")
    ap.add_argument("--skip-capacity", action="store_true")
    ap.add_argument("--skip-long", action="store_true", help="skip the longer runs (section 4)")
    ap.add_argument("--progress-interval", default="2",
                    help="seconds between progress reports in the efficiency runs (the coordinator's default: 2)")
    args = ap.parse_args()
    nshap = os.path.abspath(args.nshap or os.path.join(os.path.dirname(__file__), "../../.build/release/nshap"))
    binaries = [("after", nshap)]
    if args.baseline:
        binaries = [("before", os.path.abspath(args.baseline)), ("after", nshap)]
    for _, b in binaries:
        if not os.access(b, os.X_OK):
            sys.exit(f"no nshap at {b}; build it with: swift build -c release --product nshap")
    workdir = tempfile.mkdtemp(prefix="nshap-zmq-bench-")
    for label, b in binaries:
        print(f"{label}: {b}")
    print(f"machine: {os.cpu_count()} cores, load average before: {os.getloadavg()}")

    eff_players, eff_samples = (11, 4) if args.quick else (21, 8)
    eff_game = ["--game", "spin", "--players", str(eff_players), "--coalition-cost-ms", "50"]
    eff_est = ["--estimator", "permutation", "--seed", "1", "--samples", str(eff_samples), "--set", "chunkSize=1"]

    # 1. Start-up.
    print("\n== start-up: coordinator CPU from exec to stopped, no worker (ms, median of "
          f"{max(5, args.repeats)}); with OPENBLAS_NUM_THREADS=1 the BLAS library starts no threads")
    startup = {}
    blas_env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    for curve in (False, True):
        for env_label, env in (("", None), (" OPENBLAS_NUM_THREADS=1", blas_env)):
            runs = {label: [] for label, _ in binaries}
            for _ in range(max(5, args.repeats)):
                for label, b in binaries:
                    runs[label].append(startup_cpu(b, workdir, eff_game, eff_est, curve, env) * 1000)
            for label, _ in binaries:
                if env is None:
                    startup[(label, curve)] = median(runs[label]) / 1000
                print(f"{'curve' if curve else 'plain'}{env_label} {label}: {median(runs[label]):6.1f} ms   "
                      "(" + " ".join("%.0f" % x for x in runs[label]) + ")")

    # 2. Capacity: one coalition per unit, no-op game.
    capacity = None
    if not args.skip_capacity:
        cap_players, cap_samples = (60, 40) if args.quick else (100, 300)
        cap_game = ["--game", "noop", "--players", str(cap_players)]
        cap_est = ["--estimator", "permutation", "--seed", "1", "--samples", str(cap_samples),
                   "--set", "chunkSize=1", "--set", "roundSize=64"]
        cap_workers = 4
        print(f"\n== capacity: no-op game, {cap_players} players, {cap_samples} walks, 1 coalition per unit, "
              f"{cap_workers} worker processes x 32 slots, loopback TCP")
        for curve in (False, True):
            runs = {label: [] for label, _ in binaries}
            for _ in range(args.repeats):
                for label, b in binaries:
                    runs[label].append(run_cluster(b, workdir, cap_game, cap_est, cap_workers, 32, curve))
            if not curve:
                capacity = runs["after"]
            for label, _ in binaries:
                rs = runs[label]
                print(f"{'curve' if curve else 'plain'} {label}: median {median([r['rate'] for r in rs]):8.0f} units/s   "
                      f"coordinator CPU {median([r['coordinator_cpu_per_unit_us'] for r in rs]):6.1f} us/unit   "
                      f"busy {median([r['busy_per_unit_us'] for r in rs]):6.1f} us/unit   "
                      "(rates: " + " ".join("%.0f" % r["rate"] for r in rs) + f"; units per run {rs[0]['units']})")

    # 3. Parallel efficiency: 50 ms of CPU per unit.
    units = (eff_players - 1) * eff_samples + 2
    print(f"\n== parallel efficiency: spin game, 50 ms CPU per unit, ~{units} units, 1 vs 2 worker processes, "
          f"progress every {args.progress_interval} s")
    for curve in (False, True):
        t1 = {l: [] for l, _ in binaries}; t2 = {l: [] for l, _ in binaries}
        share = {l: [] for l, _ in binaries}; steady = {l: [] for l, _ in binaries}
        syncs = {l: [] for l, _ in binaries}; ests = set()
        for _ in range(args.repeats):
            for label, b in binaries:
                for workers, times in ((1, t1), (2, t2)):
                    r = run_cluster(b, workdir, eff_game, eff_est, workers, 2, curve, progress=args.progress_interval)
                    times[label].append(r["wall"])
                    share[label].append(r["coordinator_cpu"] / r["worker_seconds"])
                    steady[label].append((r["coordinator_cpu"] - startup[(label, curve)]) / r["worker_seconds"])
                    syncs[label].append(r["syncs"])
                    ests.add(tuple(r["estimates"]))
        for label, _ in binaries:
            eff = median(t1[label]) / (2 * median(t2[label]))
            print(f"{'curve' if curve else 'plain'} {label}: 1 worker {median(t1[label]):6.2f} s, 2 workers "
                  f"{median(t2[label]):6.2f} s, efficiency {eff*100:5.1f}%   coordinator CPU "
                  f"{median(share[label])*100:.2f}% of worker time ({median(steady[label])*100:.2f}% without the "
                  f"start-up's {startup[(label, curve)]*1000:.0f} ms)   journal syncs {median(syncs[label]):.0f}   "
                  "(shares: " + " ".join("%.2f" % (x * 100) for x in share[label]) + ")")
        print(f"{'curve' if curve else 'plain'}: identical estimates in every run: {len(ests) == 1}")
    # 4. Longer runs: what a fixed cost does not explain.
    if not args.skip_long:
        long_est = eff_est[:eff_est.index("--samples") + 1] + [str(4 * eff_samples)] + eff_est[eff_est.index("--samples") + 2:]
        print(f"\n== longer runs (plain): 2 workers, {eff_samples} vs {4 * eff_samples} walks (~{units} vs "
              f"~{(eff_players - 1) * 4 * eff_samples + 2} units), progress every {args.progress_interval} s")
        for label, b in binaries:
            shares, marginals, walls = [], [], []
            for _ in range(args.repeats):
                short = run_cluster(b, workdir, eff_game, eff_est, 2, 2, False, progress=args.progress_interval)
                long = run_cluster(b, workdir, eff_game, long_est, 2, 2, False, progress=args.progress_interval)
                shares.append(long["coordinator_cpu"] / long["worker_seconds"])
                marginals.append((long["coordinator_cpu"] - short["coordinator_cpu"]) /
                                 (long["worker_seconds"] - short["worker_seconds"]))
                walls.append(long["wall"])
            print(f"plain {label}: long run {median(walls):6.2f} s, coordinator CPU {median(shares)*100:.2f}% of worker "
                  f"time; marginal {median(marginals)*100:.2f}% of worker time   (shares: "
                  + " ".join("%.2f" % (x * 100) for x in shares) + "; marginal: "
                  + " ".join("%.2f" % (x * 100) for x in marginals) + ")")
    if capacity:
        rate = median([r["rate"] for r in capacity])
        cpu_us = median([r["coordinator_cpu_per_unit_us"] for r in capacity])
        print(f"\n== what one coordinator can feed (plain, measured capacity {rate:.0f} units/s, {cpu_us:.0f} us CPU per unit)")
        for unit_ms in (1, 10, 50, 500):
            print(f"units of {unit_ms:4d} ms: up to ~{rate * unit_ms / 1000:8.0f} busy worker threads; "
                  f"coordinator CPU = {cpu_us / (unit_ms * 1000) * 100:6.3f}% of one worker's time per unit")
    print(f"\nload average after: {os.getloadavg()}")
    shutil.rmtree(workdir, ignore_errors=True)

if __name__ == "__main__":
    main()
