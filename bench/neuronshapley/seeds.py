#!/usr/bin/env python3
"""The race over many seeds in one table: for each seed, the evaluations after which each
estimator kept precision@k >= target to the end of its run (as `neuronshapley-bench score`
counts them), the ratios to ours, and their median.

    python3 bench/neuronshapley/seeds.py --reference REF.json [--k 10] [--target 0.9]
        [--tolerance EPS] [--ours adaptive] [--others bandit,tmc] DIR SEED ...

Reads DIR/NAME-SEED.json for ours and each other estimator. A run that never kept the target
gives a bound: "> x" when the other estimator did not keep it (its whole run over ours), "< x"
when ours did not (the other's over our whole run). Bounds sort as their values in the median.
"""
import argparse, json, os, statistics, sys

from pooling import num


def kept(run, truth, k, target):
    """Evaluations from which the run's top k kept precision >= target to its end, else None."""
    final = len(set(run["topK"][:k]) & truth) / k
    if final < target:
        return None
    snaps = run["snapshots"]
    i = len(snaps)
    while i > 0 and len(set(snaps[i - 1]["top"][:k]) & truth) / k >= target:
        i -= 1
    return snaps[i]["evaluations"] if i < len(snaps) else None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reference", required=True)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--target", type=float, default=0.9)
    p.add_argument("--tolerance", type=float)
    p.add_argument("--ours", default="adaptive")
    p.add_argument("--others", default="bandit,tmc")
    p.add_argument("dir")
    p.add_argument("seeds", nargs="+")
    a = p.parse_args()
    ref = json.load(open(a.reference))
    values = [num(v) for v in ref["values"]]
    truth = set(ref["ranking"][:a.k])
    if a.tolerance is not None:
        floor = values[ref["ranking"][a.k - 1]] - a.tolerance
        truth |= {i for i in ref["ranking"][a.k:] if values[i] >= floor}
    others = [o for o in a.others.split(",") if o]
    print(f"reference {a.reference}; precision@{a.k} >= {a.target}"
          + (f", tolerance {a.tolerance} ({len(truth)} filters count)" if a.tolerance is not None else ""))
    print("| seed | " + " | ".join([a.ours] + [f"{o} | {o} / {a.ours}" for o in others]) + " |")
    print("| ---: | " + " | ".join(["---:"] * (1 + 2 * len(others))) + " |")
    ratios = {o: [] for o in others}
    for seed in a.seeds:
        path = lambda name: os.path.join(a.dir, f"{name}-{seed}.json")
        if not os.path.exists(path(a.ours)):
            sys.exit(f"{path(a.ours)}: no such run")
        ours = json.load(open(path(a.ours)))
        ko = kept(ours, truth, a.k, a.target)
        cells = [f"{ko:,}" if ko else f"not kept ({ours['evaluations']:,})"]
        for o in others:
            if not os.path.exists(path(o)):
                cells += ["-", "-"]
                continue
            run = json.load(open(path(o)))
            kr = kept(run, truth, a.k, a.target)
            if ko and kr:
                r, text = kr / ko, f"{kr / ko:.1f}x"
            elif ko:
                r, text = run["evaluations"] / ko, f"> {run['evaluations'] / ko:.1f}x"
            elif kr:
                r, text = kr / ours["evaluations"], f"< {kr / ours['evaluations']:.1f}x"
            else:
                r, text = None, "neither"
            if r is not None:
                ratios[o].append(r)
            cells += [f"{kr:,}" if kr else f"not kept ({run['evaluations']:,})", text]
        print(f"| {seed} | " + " | ".join(cells) + " |")
    for o in others:
        if ratios[o]:
            print(f"{o} / {a.ours}: median {statistics.median(ratios[o]):.1f}x over {len(ratios[o])} seeds; "
                  f"{sum(r >= 5 for r in ratios[o])} at 5x or more")


main()
