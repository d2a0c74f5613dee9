#!/usr/bin/env python3
"""Mean precision@k over a range of budgets (the area under each run's precision curve), by
variant, and each variant against a base variant seed by seed, in that area and in kept points.

    python3 bench/neuronshapley/area.py REFERENCE.json|A,B,... --base TAG DIR/TAG-SEED.json ...
        [--k 10] [--from 2000] [--to 46000] [--step 1000]

Runs are `neuronshapley-bench race` results named TAG-SEED.json; the precision at each budget is
read as `curves.py` reads it. The kept point `seeds.py` scores turns on whether a run holds
precision@k >= 0.9 to its very end, so a coin toss between two close filters at the end can move
it by the whole run; the area weighs every budget alike and is the steadier measure when two
variants are compared on the same seeds. For each variant other than the base: the mean of its
per-seed differences from the base, their standard error, and on how many seeds it was ahead;
then the same for the kept points (as `neuronshapley-bench score` reads them: the evaluations
from which precision@k >= --target held to the run's end, a run that never kept it counted at its
end), as the factor exp(mean log(variant / base)) with its standard error as a factor.
"""
import math
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
    p.add_argument("--target", type=float, default=0.9)
    a = p.parse_args()
    if a.step <= 0 or a.end < a.start:
        sys.exit(f"--from {a.start} --to {a.end} --step {a.step}: expected a positive step and --to not below --from")
    budgets = list(range(a.start, a.end + 1, a.step))
    truth = truth_set(a.reference, a.runs[0], a.k)
    areas = defaultdict(dict)
    kept = defaultdict(dict)
    for path in a.runs:
        m = re.fullmatch(r"(.+)-(\d+)\.json", os.path.basename(path))
        if not m:
            sys.exit(f"{path}: expected a name TAG-SEED.json")
        run = read(path)
        cells = [precision_at(run, truth, b, a.k) for b in budgets]
        if None in cells:
            sys.exit(f"{path}: ends at {run['evaluations']} evaluations, before --to {a.end}")
        areas[m.group(1)][int(m.group(2))] = sum(cells) / len(cells)
        kept[m.group(1)][int(m.group(2))] = kept_point(run, truth, a.k, a.target)
    if a.base not in areas:
        sys.exit(f"--base {a.base}: no run named {a.base}-SEED.json among the runs (tags: {', '.join(sorted(areas))})")
    base = areas[a.base]
    kept_lines = []
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
        logs = [math.log(kept[tag][s] / kept[a.base][s]) for s in seeds]
        earlier = sum(x > 0 for x in logs)
        kept_lines.append(f"| {tag} | {len(seeds)} | {math.exp(statistics.mean(logs)):.2f} | "
                          f"{math.exp(statistics.stdev(logs) / len(logs) ** 0.5):.2f} | {earlier} of {len(seeds)} |")
    print(f"\nkept points (precision@{a.k} >= {a.target} to the end; never kept: the run's end), against {a.base}")
    print(f"| variant | seeds | kept point / {a.base}'s (geometric mean) | standard error, as a factor | seeds on which {a.base} kept it sooner |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print("\n".join(kept_lines))


def kept_point(run, truth, k, target):
    """The evaluations from which the run's progress snapshots held precision@k >= target to its
    end (its final top k too), else the run's whole evaluations."""
    final = len(truth & set(run["topK"][:k])) / k
    snaps = run["snapshots"]
    i = len(snaps)
    if final >= target:
        while i > 0 and len(truth & set(snaps[i - 1]["top"][:k])) / k >= target:
            i -= 1
    return snaps[i]["evaluations"] if i < len(snaps) else run["evaluations"]


if __name__ == "__main__":
    main()
