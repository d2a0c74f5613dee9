#!/usr/bin/env python3
"""How often a short 2-worker run ends with the coordinator waiting out its shutdown grace.

Each run: `nshap coordinator` on loopback TCP and 2 `nshap worker` processes, the spin game (50 ms
of CPU per unit, 44 units: about 1.2 s). A run whose coordinator takes more than 4.5 s waited out
its 5-s shutdown grace, because a worker's goodbye did not arrive; the result file says how many
workers joined and how many said goodbye. With --baseline, another nshap binary runs alternately,
run by run, so that both see the same machine load.

Usage: bench/cluster/shutdown_check.py [--runs N] [--nshap PATH] [--baseline PATH]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

GAME = ["--game", "spin", "--players", "11", "--coalition-cost-ms", "50"]
ESTIMATOR = ["--estimator", "permutation", "--seed", "1", "--samples", "4", "--set", "chunkSize=1"]

def one_run(nshap, workdir):
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    endpoint_file = os.path.join(workdir, "endpoint")
    start = time.time()
    coordinator = subprocess.Popen(
        [nshap, "coordinator", "--bind", "tcp://127.0.0.1:0", "--endpoint-file", endpoint_file,
         "--run-dir", os.path.join(workdir, "run"), "--output", os.path.join(workdir, "result.json"),
         "--quiet", "--log-level", "warning"] + GAME + ESTIMATOR,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while not os.path.exists(endpoint_file):
        if time.time() > deadline or coordinator.poll() is not None:
            sys.exit(f"the coordinator ({nshap}) did not start listening")
        time.sleep(0.005)
    endpoint = open(endpoint_file).read().strip()
    workers = [subprocess.Popen([nshap, "worker", "--connect", endpoint, "--slots", "2", "--threads", "1",
                                 "--log-level", "error", "--name", f"w{i}"] + GAME,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(2)]
    try:
        coordinator.wait(timeout=120)
    except subprocess.TimeoutExpired:
        coordinator.kill()
    wall = time.time() - start
    for w in workers:
        try: w.wait(timeout=30)
        except subprocess.TimeoutExpired: w.kill()
    stats = json.load(open(os.path.join(workdir, "result.json")))["statistics"]
    return wall, stats["workersWelcomed"], stats["workersLeft"]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--nshap", default=os.path.join(os.path.dirname(__file__), "../../.build/release/nshap"))
    ap.add_argument("--baseline", default=None, help="another nshap binary, run alternately")
    args = ap.parse_args()
    binaries = [("after", os.path.abspath(args.nshap))]
    if args.baseline:
        binaries.insert(0, ("before", os.path.abspath(args.baseline)))
    workdir = tempfile.mkdtemp(prefix="nshap-shutdown-check-")
    print(f"load average before: {os.getloadavg()}")
    results = {label: [] for label, _ in binaries}
    for _ in range(args.runs):
        for label, nshap in binaries:
            results[label].append(one_run(nshap, os.path.join(workdir, label)))
    for label, nshap in binaries:
        runs = results[label]
        walls = sorted(r[0] for r in runs)
        waited = sum(1 for r in runs if r[0] > 4.5)
        missing = sum(1 for r in runs if r[2] < r[1])
        print(f"{label} ({nshap}): {waited}/{len(runs)} runs waited out the grace, "
              f"{missing} with a worker that joined and did not say goodbye; median wall {walls[len(walls) // 2]:.2f} s")
    print(f"load average after: {os.getloadavg()}")
    shutil.rmtree(workdir, ignore_errors=True)

if __name__ == "__main__":
    main()
