#!/usr/bin/env python3
"""Where each run's final top k goes wrong: for each `neuronshapley-bench race` result, the
reference ranks of the filters its last reported top k misses and of those it holds instead,
its final precision@k, and how far apart the reference puts the two groups.

    python3 bench/neuronshapley/misses.py [--k 10] REFERENCE.json RUN.json ...

The summary counts, over all runs, how often each reference rank was missed or held by mistake:
if the misses all sit at the border, among filters whose reference values lie closer together
than the runs' own standard errors, the runs fail by noise at the border, not by losing a filter
that stands clear.
"""
import argparse, collections, json, sys


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, default=10)
    p.add_argument("reference")
    p.add_argument("runs", nargs="+")
    a = p.parse_args()
    ref = json.load(open(a.reference))
    ranking, values = ref["ranking"], ref["values"]
    rank = {player: r + 1 for r, player in enumerate(ranking)}
    truth = set(ranking[:a.k])
    missed, held = collections.Counter(), collections.Counter()
    print(f"| run | final p@{a.k} | reference ranks missed | held instead | value gap (smallest missed − largest held) |")
    print("| --- | ---: | --- | --- | ---: |")
    for name in a.runs:
        run = json.load(open(name))
        if not run.get("snapshots"):
            sys.exit(f"{name}: no snapshots (not a race result)")
        top = run["snapshots"][-1]["top"][:a.k]
        out = sorted(rank[x] for x in truth - set(top))
        extra = sorted(rank[x] for x in set(top) - truth)
        missed.update(out)
        held.update(extra)
        gap = (min(values[ranking[r - 1]] for r in out) - max(values[ranking[r - 1]] for r in extra)) if out else None
        print(f"| {name.split('/')[-1]} | {len(truth & set(top)) / a.k:.1f} | {', '.join(map(str, out)) or '-'} | "
              f"{', '.join(map(str, extra)) or '-'} | {f'{gap:.5f}' if gap is not None else '-'} |")
    border = sorted(set(missed) | set(held))
    if border:
        print(f"\nmissed by rank: {dict(sorted(missed.items()))}; held by mistake: {dict(sorted(held.items()))}")
        lo, hi = border[0], border[-1]
        print(f"reference values of ranks {lo} to {hi}: "
              + ", ".join(f"{values[ranking[r - 1]]:.5f}" for r in range(lo, hi + 1))
              + f" (spread {values[ranking[lo - 1]] - values[ranking[hi - 1]]:.5f})")


main()
