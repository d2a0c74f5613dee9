#!/usr/bin/env python3
"""Where each run spent its direct marginals: for each `neuronshapley-bench race` result, the share
of its marginals that went to each group of reference ranks, and to the players the reference does
not rank (or ranks past the last group).

    python3 bench/neuronshapley/spend.py [--groups 1-7,8-16,17-20] REFERENCE.json RUN.json ...

REFERENCE is a reference by address (`order`, as recorded/reference-class3-independent.json and
`paired.py --out` hold) or a reference run (`ranking`, players by index). A run whose marginals
at the border of the top k (with the default groups, ranks 8 to 16) are a small share spends the
rest on filters whose side of the border is not in doubt; the last line gives the median share of
each group over the runs.
"""
import argparse, statistics, sys

from pooling import rank_ranges, read, reference_ranking


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--groups", default="1-7,8-16,17-20", help="ranges of reference ranks (default 1-7,8-16,17-20)")
    p.add_argument("reference")
    p.add_argument("runs", nargs="+")
    a = p.parse_args()
    groups = rank_ranges(a.groups, "--groups")
    ref = read(a.reference)
    labels = [f"ranks {lo}-{hi}" for lo, hi in groups] + ["others"]
    shares = {label: [] for label in labels}
    print("| run | evaluations | direct marginals | " + " | ".join(labels) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in labels) + " |")
    for name in a.runs:
        run = read(name)
        if "marginals" not in run:
            sys.exit(f"{name}: no marginal counts (not a race result)")
        ranking, _ = reference_ranking(ref, a.reference, run, name)
        counts = run["marginals"]
        total = sum(counts)
        if total == 0:
            sys.exit(f"{name}: no direct marginals")
        row, used = [], set()
        for (lo, hi), label in zip(groups, labels):
            members = ranking[lo - 1:hi]
            used.update(members)
            row.append(sum(counts[p] for p in members) / total)
        row.append(sum(c for p, c in enumerate(counts) if p not in used) / total)
        for label, share in zip(labels, row):
            shares[label].append(share)
        print(f"| {name.split('/')[-1]} | {run['evaluations']:,} | {total:,} | " + " | ".join(f"{s:.2f}" for s in row) + " |")
    print("\nmedian share over the runs: " + ", ".join(f"{label} {statistics.median(shares[label]):.2f}" for label in labels))


main()
