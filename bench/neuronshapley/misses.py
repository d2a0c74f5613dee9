#!/usr/bin/env python3
"""Where each run's final top k goes wrong: for each `neuronshapley-bench race` result, the
reference ranks of the filters its last reported top k misses and of those it holds instead,
its final precision@k, and how far apart the reference puts the two groups.

    python3 bench/neuronshapley/misses.py [--k 10] REFERENCE.json RUN.json ...

REFERENCE is a reference run (players by index) or a reference by address (`order` and `values`,
as `paired.py --out` writes and recorded/reference-class3-independent.json holds); a filter held
that the reference does not value shows as the rank past its last. The summary counts, over all
runs, how often each reference rank was missed or held by mistake: if the misses all sit at the
border, among filters whose reference values lie closer together
than the runs' own standard errors, the runs fail by noise at the border, not by losing a filter
that stands clear. Its last line puts the runs' mean final estimate of each border rank beside the
reference's value: a reference value that every estimator's runs fall short of (or exceed) on
average is the reference's error, not theirs.
"""
import argparse, collections, sys

from pooling import read, reference_ranking


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, default=10)
    p.add_argument("reference")
    p.add_argument("runs", nargs="+")
    a = p.parse_args()
    ranking, values = reference_ranking(read(a.reference), a.reference, read(a.runs[0]), a.runs[0])
    if a.k >= len(ranking):
        sys.exit(f"--k {a.k}: the reference ranks {len(ranking)} players; expected fewer")
    rank = {player: r + 1 for r, player in enumerate(ranking)}
    estimates = collections.defaultdict(list)
    truth = set(ranking[:a.k])
    missed, held = collections.Counter(), collections.Counter()
    print(f"| run | final p@{a.k} | reference ranks missed | held instead | value gap (smallest missed − largest held) |")
    print("| --- | ---: | --- | --- | ---: |")
    for name in a.runs:
        run = read(name)
        if not run.get("snapshots"):
            sys.exit(f"{name}: no snapshots (not a race result)")
        top = run["snapshots"][-1]["top"][:a.k]
        out = sorted(rank[x] for x in truth - set(top))
        extra = sorted(rank.get(x, len(ranking) + 1) for x in set(top) - truth)
        for player in ranking:
            estimates[player].append(run["values"][player])
        missed.update(out)
        held.update(extra)
        # Ranks past the reference's last (a filter it does not value) have no value to compare.
        valued = [r for r in extra if r <= len(ranking)]
        gap = (min(values[ranking[r - 1]] for r in out) - max(values[ranking[r - 1]] for r in valued)) if out and valued else None
        print(f"| {name.split('/')[-1]} | {len(truth & set(top)) / a.k:.1f} | {', '.join(map(str, out)) or '-'} | "
              f"{', '.join(map(str, extra)) or '-'} | {f'{gap:.5f}' if gap is not None else '-'} |")
    border = sorted(set(missed) | set(held))
    if border:
        print(f"\nmissed by rank: {dict(sorted(missed.items()))}; held by mistake: {dict(sorted(held.items()))}")
        lo, hi = border[0], min(border[-1], len(ranking))
        print(f"reference values of ranks {lo} to {hi}: "
              + ", ".join(f"{values[ranking[r - 1]]:.5f}" for r in range(lo, hi + 1))
              + f" (spread {values[ranking[lo - 1]] - values[ranking[hi - 1]]:.5f})")
        print(f"the runs' mean final estimates of ranks {lo} to {hi}: "
              + ", ".join(f"{sum(estimates[ranking[r - 1]]) / len(a.runs):.5f}" for r in range(lo, hi + 1)))


main()
