#!/usr/bin/env python3
"""Mean precision@k over a range of budgets (the area under each run's precision curve), by
variant, and each variant against a base variant seed by seed.

    python3 bench/neuronshapley/area.py REFERENCE.json|A,B,... --base TAG DIR/TAG-SEED.json ...
        [--k 10] [--from 2000] [--to 46000] [--step 1000]

Runs are `neuronshapley-bench race` results named TAG-SEED.json; the precision at each budget is
read as `curves.py` reads it. The kept point `seeds.py` scores turns on whether a run holds
precision@k >= 0.9 to its very end, so a coin toss between two close filters at the end can move
it by the whole run; the area weighs every budget alike and is the steadier measure when two
variants are compared on the same seeds. For each variant other than the base: the mean of its
per-seed differences from the base, their standard error, and on how many seeds it was ahead.
"""
import argparse
import os
import re
import statistics
import sys
from collections import defaultdict

from pooling import precision_at, read, truth_set


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("reference")
    p.add_argument("runs", nargs="+")
    p.add_argument("--base", required=True, help="the TAG the others are compared with")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--from", dest="start", type=int, default=2000)
    p.add_argument("--to", dest="end", type=int, default=46000)
    p.add_argument("--step", type=int, default=1000)
    a = p.parse_args()
    if a.step <= 0 or a.end < a.start:
        sys.exit(f"--from {a.start} --to {a.end} --step {a.step}: expected a positive step and --to not below --from")
    budgets = list(range(a.start, a.end + 1, a.step))
    truth = truth_set(a.reference, a.runs[0], a.k)
    areas = defaultdict(dict)
    for path in a.runs:
        m = re.fullmatch(r"(.+)-(\d+)\.json", os.path.basename(path))
        if not m:
            sys.exit(f"{path}: expected a name TAG-SEED.json")
        run = read(path)
        cells = [precision_at(run, truth, b, a.k) for b in budgets]
        if None in cells:
            sys.exit(f"{path}: ends at {run['evaluations']} evaluations, before --to {a.end}")
        areas[m.group(1)][int(m.group(2))] = sum(cells) / len(cells)
    if a.base not in areas:
        sys.exit(f"--base {a.base}: no run named {a.base}-SEED.json among the runs (tags: {', '.join(sorted(areas))})")
    base = areas[a.base]
    print(f"mean precision@{a.k} from {a.start:,} to {a.end:,} evaluations, every {a.step:,}")
    print(f"| variant | seeds | mean area | against {a.base}: mean difference (standard error) | seeds ahead |")
    print("| --- | ---: | ---: | --- | ---: |")
    for tag, by_seed in areas.items():
        mean = statistics.mean(by_seed.values())
        if tag == a.base:
            print(f"| {tag} | {len(by_seed)} | {mean:.3f} | | |")
            continue
        seeds = sorted(set(by_seed) & set(base))
        if len(seeds) < 2:
            print(f"| {tag} | {len(by_seed)} | {mean:.3f} | fewer than two seeds shared with {a.base} | |")
            continue
        d = [by_seed[s] - base[s] for s in seeds]
        se = statistics.stdev(d) / len(d) ** 0.5
        ahead = sum(x > 0 for x in d)
        print(f"| {tag} | {len(by_seed)} | {mean:.3f} | {statistics.mean(d):+.3f} ({se:.3f}) | {ahead} of {len(seeds)} |")


if __name__ == "__main__":
    main()
