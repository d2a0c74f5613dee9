#!/usr/bin/env python3
"""Checks a race's reference ranking against references that do not come from our estimator.

    python3 bench/neuronshapley/references.py OUT [PERMUTATION.json ...]

Pools OUT/tmc-*.json (finished truncated Monte Carlo runs) into OUT/tmc-pooled.json, then, given
untruncated permutation-sampling runs with different seeds (for example from `neuronshapley-bench
race --estimator permutation`), pools them into OUT/permutation-pooled.json when there are several
(both pools weight each run by its samples; the interval half-widths combine as independent errors),
and compares the permutation values with OUT/pooled.json (our reference) and with the truncated
pool: top-10 overlaps, mean absolute differences over the filters in either pool's top 14, and a
table of those filters. Score a race against any of them with `neuronshapley-bench score
--reference FILE`.
"""
import glob, json, statistics, sys

from pooling import load, num, pool


out = sys.argv[1]
ours = json.load(open(f"{out}/pooled.json"))
tmc_files = sorted(f for f in glob.glob(f"{out}/tmc-*.json") if not f.endswith("tmc-pooled.json"))
tmc = pool(load(tmc_files), "pooled tmc")
json.dump(tmc, open(f"{out}/tmc-pooled.json", "w"))
top = lambda r, k=10: set(r["ranking"][:k])
print(f"truncated pool: {len(tmc_files)} runs, {tmc['evaluations']} evaluations; its top 10 shares "
      f"{len(top(tmc) & top(ours))} with our reference")
if len(sys.argv) < 3:
    sys.exit(0)
perm_runs = load(sys.argv[2:])
if len(perm_runs) == 1:
    perm = perm_runs[0]
else:
    perm = pool(perm_runs, "pooled permutation")
    json.dump(perm, open(f"{out}/permutation-pooled.json", "w"))
    print(f"permutation pool: {len(perm_runs)} runs (" + ", ".join(sys.argv[2:]) + f"); top 10s of the runs share "
          + ", ".join(str(len(top(r) & top(perm))) for r in perm_runs) + " with the pool's")
addr = ours["addresses"]
pv, ov, tv = ([num(v) for v in r["values"]] for r in (perm, ours, tmc))
lo, hi = [num(v) for v in perm["lower"]], [num(v) for v in perm["upper"]]
print(f"permutation run: {perm['evaluations']} evaluations, {perm['samples']} permutations; its top 10 shares "
      f"{len(top(perm) & top(ours))} with our reference and {len(top(perm) & top(tmc))} with the truncated pool")
contested = sorted(top(ours, 14) | top(tmc, 14), key=lambda i: -pv[i])
rank = lambda r: {p: i + 1 for i, p in enumerate(r["ranking"])}
rp, ro, rt = rank(perm), rank(ours), rank(tmc)
print("| filter | permutation [interval] | ours | truncated | ranks: permutation, ours, truncated |")
print("| --- | --- | --- | --- | --- |")
for i in contested:
    print(f"| {addr[i]} | {pv[i]:.4f} [{lo[i]:.4f}, {hi[i]:.4f}] | {ov[i]:.4f} | {tv[i]:.4f} | {rp[i]}, {ro[i]}, {rt[i]} |")
print(f"mean |permutation - ours| over these {len(contested)}: {statistics.mean(abs(pv[i] - ov[i]) for i in contested):.4f}; "
      f"mean |permutation - truncated|: {statistics.mean(abs(pv[i] - tv[i]) for i in contested):.4f}; "
      f"mean half-width of the permutation intervals: {statistics.mean((hi[i] - lo[i]) / 2 for i in contested):.4f}")
