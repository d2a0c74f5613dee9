#!/usr/bin/env python3
"""Precision@k of raced estimators at equal numbers of evaluations.

    python3 bench/neuronshapley/curves.py REFERENCE.json|A,B,... RUN.json... [--k 10] [--at 1000,2000,3000]

For each run (a `neuronshapley-bench race` result) and each budget, the precision@k of the top k
the estimator reported in its last progress snapshot with at most that many evaluations, against
the reference's top k (a reference run, or its top k given by the filters' addresses). Prints a
Markdown table; runs named alike but for their seed (NAME-SEED.json) are also averaged.
"""
import argparse
import os
import re
from collections import defaultdict

from pooling import precision_at, read, truth_set


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("reference")
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--at", default="500,1000,1500,2000,2500,3000,3500,4000,5000")
    a = parser.parse_args()
    truth = truth_set(a.reference, a.runs[0], a.k)
    budgets = [int(x) for x in a.at.split(",")]
    rows = defaultdict(list)
    print("| run | evaluations in all | " + " | ".join(f"p@{a.k} at {b}" for b in budgets) + " |")
    print("| --- " * (len(budgets) + 2) + "|")
    for path in a.runs:
        run = read(path)
        cells = [precision_at(run, truth, b, a.k) for b in budgets]
        rows[re.sub(r"-\d+\.json$", "", os.path.basename(path))].append(cells)
        print(f"| {path.split('/')[-1]} | {run['evaluations']} | "
              + " | ".join("" if c is None else f"{c:.1f}" for c in cells) + " |")
    for name, runs in rows.items():
        if len(runs) < 2:
            continue
        means = []
        for j in range(len(budgets)):
            got = [r[j] for r in runs if r[j] is not None]
            means.append(f"{sum(got) / len(got):.2f}" if len(got) == len(runs) else "")
        print(f"| {name} (mean of {len(runs)}) | | " + " | ".join(means) + " |")


if __name__ == "__main__":
    main()
