#!/usr/bin/env python3
"""How well separated a run's top k is: for each `neuronshapley-bench race` result, its values at
ranks 1 to k + 2, the gap between ranks k and k + 1, and the half-widths of those two filters'
intervals.

    python3 bench/neuronshapley/boundary.py [--k 10] RUN.json ...
"""
import argparse, sys

from pooling import load, num


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("runs", nargs="+")
    a = parser.parse_args()
    if a.k < 1:
        sys.exit(f"--k {a.k}: expected at least 1")
    print(f"| run | evaluations | values at ranks 1 to {a.k + 2} | gap {a.k} to {a.k + 1} | half-widths at {a.k}, {a.k + 1} |")
    print("| --- | ---: | --- | ---: | --- |")
    for name, r in zip(a.runs, load(a.runs)):
        if len(r["values"]) <= a.k:
            sys.exit(f"{name}: {len(r['values'])} players, need more than --k {a.k}")
        v = [num(x) for x in r["values"]]
        half = [(num(u) - num(l)) / 2 for l, u in zip(r["lower"], r["upper"])]
        rk = r["ranking"]
        top = " ".join(f"{v[i]:.4f}" for i in rk[:a.k + 2])
        inside, outside = rk[a.k - 1], rk[a.k]
        print(f"| {name} | {r['evaluations']} | {top} | {v[inside] - v[outside]:.4f} | "
              f"{half[inside]:.4f}, {half[outside]:.4f} |")


main()
