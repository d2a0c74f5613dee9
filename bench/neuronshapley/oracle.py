#!/usr/bin/env python3
"""How far any estimator that samples marginals could go in the race: oracles that already know
which filters matter, simulated by resampling the bases of a `neuronshapley-bench pairs --out`
file (plain marginals of every focus filter on bases of uniformly drawn sizes).

    python3 bench/neuronshapley/oracle.py [--k 10] [--target 0.9] [--budget 46400]
        [--replicates 400] [--seed 1] [--bins 32] [--ranks FIRST-LAST ...] [--independent]
        [--recorded BANDIT.json] PAIRS.json

The simulated game is the file itself: its means are the true values, its top k the truth (the
independent reference of the race is exactly this). Each oracle knows the ranks it does not
toggle (those above its range are in the top k, those below out) and draws bases with
replacement from the file, toggling its filters on every base: one evaluation for the base and one
per toggled filter. Its top k is the known leaders and the best of its filters by their running
means. Oracles:

- `focus`: toggles every focus filter (ranks 1 to 20 of the file);
- `border`: toggles only ranks 8 to 13 (ranks 1 to 7 are known in, 14 to 20 known out);
- `--ranks FIRST-LAST` (repeatable): toggles those ranks, which must hold ranks k and k + 1;
- each also with importance sampling of the base size (`+ sizes`): bases drawn with weights from
  the best size proposal common to its filters, fitted on the whole file (`q(s) ∝ √(mean
  E[m² | s])`, mixed with a uniform share of 0.15, as in sizes.py), and the marginals weighted back.
  Fitted to the same data, so optimistic, as the oracles are meant to be.

With --independent, each toggled filter draws bases of its own (the cost per base unchanged):
marginals of different filters on one base are correlated, and the order of two filters is
decided by the difference of their means, which shared bases make more precise.

For each oracle and replicate, the evaluations from which precision@k >= target held to the end
of the budget (the race's measure, over ours' default budget); printed: the median and quartiles
over the replicates and the share that never kept it. With --recorded (the bandit's kept points,
recorded/bandit-class3-independent.json), the race's statistic as if ours were the oracle: the
median over the recorded seeds of the bandit's kept point over an oracle replicate's (bounds as in
seeds.py), drawn 2,000 times, and how often it reaches 5x.
"""
import argparse, statistics, sys

import numpy as np

from pooling import race_ratio, rank_ranges, read, read_pairs


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--target", type=float, default=0.9)
    p.add_argument("--budget", type=int, default=46400, help="evaluations per simulated run")
    p.add_argument("--replicates", type=int, default=400)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--bins", type=int, default=32)
    p.add_argument("--recorded")
    p.add_argument("--ranks", action="append", help="another oracle toggling ranks FIRST-LAST (repeatable)")
    p.add_argument("--independent", action="store_true",
                   help="each toggled filter draws its own bases (at the same cost): what sharing the bases is worth")
    p.add_argument("pairs")
    a = p.parse_args()
    d = read_pairs(a.pairs)
    focus, sizes = d["focus"], np.array(d["sizes"])
    m = np.array(d["marginals"], dtype=float)  # focus x bases
    if m.shape != (len(focus), len(sizes)) or len(sizes) == 0:
        sys.exit(f"{a.pairs}: marginals are {m.shape}, expected {len(focus)} filters x {len(sizes)} bases")
    if len(focus) < a.k + 1:
        sys.exit(f"{a.pairs}: {len(focus)} focus filters; --k {a.k} needs at least {a.k + 1}")
    # The file's ranks: by its means.
    order = np.argsort(-m.mean(axis=1), kind="stable")
    m = m[order]
    names = [focus[i] for i in order]
    print(f"{len(sizes):,} bases, {len(names)} filters; truth (top {a.k} by the file's means): {','.join(names[:a.k])}")
    # Marginals of different filters on one base: correlated, so a difference of two means is more
    # precise on shared bases than on bases of their own (its variance, shared over independent).
    border = list(range(7, min(len(names), 16)))
    corr = np.corrcoef(m[border])
    pairs = [(i, j) for i in range(len(border)) for j in range(i + 1, len(border))]
    rho = sorted(corr[i, j] for i, j in pairs)
    ratio_var = sorted(np.var(m[border[i]] - m[border[j]]) / (np.var(m[border[i]]) + np.var(m[border[j]])) for i, j in pairs)
    print(f"ranks {border[0] + 1}-{border[-1] + 1}, marginals on one base: correlation {rho[0]:.2f} to {rho[-1]:.2f} "
          f"(median {statistics.median(rho):.2f}); variance of a difference, shared bases over independent, "
          f"{ratio_var[0]:.2f} to {ratio_var[-1]:.2f} (median {statistics.median(ratio_var):.2f})")
    n = d.get("playerCount", int(sizes.max()))
    bins = np.minimum(a.bins - 1, sizes * a.bins // (n + 1))
    share = np.bincount(bins, minlength=a.bins) / len(sizes)

    def proposal(rows):
        """Per base, the density of the common size proposal of `rows` over the uniform one."""
        m2 = np.zeros(a.bins)
        for b in range(a.bins):
            if share[b] > 0:
                m2[b] = (m[rows][:, bins == b] ** 2).mean()
        common = np.sqrt(m2)
        norm = (share * common).sum()
        ratio = 0.15 + 0.85 * common / norm if norm > 0 else np.ones(a.bins)
        return ratio[bins]

    def simulate(first, last, weighted):
        """Kept points (evaluations, or None) of the oracle toggling ranks first...last (0-based)."""
        rows = list(range(first, last + 1))
        cost = 1 + len(rows)
        count = a.budget // cost
        rng = np.random.default_rng(a.seed)
        if weighted:
            ratio = proposal(rows)
            prob = ratio / ratio.sum()
        toggled = m[rows]
        known_in = first  # ranks 0..first-1 are known to be in the top k
        picks = a.k - known_in
        kept = []
        for _ in range(a.replicates):
            # One draw of bases for all the toggled filters, or (--independent) one per filter.
            draws = [rng.choice(len(sizes), size=count, p=prob) if weighted else rng.integers(0, len(sizes), size=count)
                     for _ in (rows if a.independent else rows[:1])]
            if a.independent:
                x = np.stack([toggled[j, dr] / (ratio[dr] if weighted else 1) for j, dr in enumerate(draws)])
            else:
                x = toggled[:, draws[0]] / (ratio[draws[0]] if weighted else 1)
            means = np.cumsum(x, axis=1) / np.arange(1, count + 1)
            # The oracle's top k: the known leaders and its best `picks` by running mean; its hits
            # among them are the true top-k members it picks (rows below index k are not).
            best = np.argsort(-means, axis=0, kind="stable")[:picks]
            hits = known_in + (np.array(rows)[best] < a.k).sum(axis=0)
            ok = hits >= a.target * a.k - 1e-9
            if not ok[-1]:
                kept.append(None)
                continue
            bad = np.nonzero(~ok)[0]
            start = 0 if len(bad) == 0 else bad[-1] + 1
            kept.append((start + 1) * cost)
        return kept, cost

    def quantile(values, f):
        """The `f` quantile of sorted `values`, taken at a value."""
        return values[min(len(values) - 1, int(f * len(values)))]

    def summary(kept):
        never = sum(x is None for x in kept) / len(kept)
        # Never kept counts as the whole budget (a bound) in the median and quartiles.
        alls = sorted(x if x is not None else a.budget for x in kept)
        return statistics.median(alls), quantile(alls, 0.25), quantile(alls, 0.75), never

    recorded = read(a.recorded) if a.recorded else None
    if recorded is not None and "seeds" not in recorded:
        sys.exit(f"{a.recorded}: no 'seeds' (not a recorded figures file, see recorded/README.md)")
    if recorded is not None:
        scored = [x.strip() for x in str(recorded.get("truth", "")).split(",") if x.strip()]
        if set(scored) != set(names[:a.k]):
            sys.exit(f"{a.recorded}: scored against {','.join(scored)}, not this file's top {a.k}")
        bandit = [(row["kept"], row["evaluations"]) for row in recorded["seeds"].values()]
        print(f"{recorded.get('estimator', 'recorded')}: kept points of {len(bandit)} seeds, median "
              f"{statistics.median([k if k is not None else e for k, e in bandit]):,.0f} evaluations "
              f"({sum(k is None for k, _ in bandit)} never kept, counted at their whole run)")
    print(f"\nbudget {a.budget:,} evaluations, {a.replicates} replicates, precision@{a.k} >= {a.target} kept to the end"
          + (", each filter on bases of its own" if a.independent else ", the toggled filters sharing every base") + "\n")
    head = "| oracle | toggles | evaluations per base | kept: median | quartiles | never kept |"
    if recorded is not None:
        head += " race median | race median >= 5x |"
    print(head)
    print("|" + " --- |" * 2 + " ---: |" * (4 + (2 if recorded is not None else 0)))
    oracles = [("focus", 0, len(names) - 1), ("border", 7, min(len(names) - 1, 12))]
    for spec in a.ranks or []:
        for first, last in rank_ranges(spec, "--ranks"):
            if last > len(names):
                sys.exit(f"--ranks {spec}: ranks run from 1 to {len(names)}")
            if not first <= a.k < last:
                sys.exit(f"--ranks {spec}: an oracle must toggle ranks {a.k} and {a.k + 1}, whose order decides its top {a.k}; e.g. 8-13")
            oracles.append((f"ranks {first}-{last}", first - 1, last - 1))
    draw = np.random.default_rng(a.seed + 1)
    for name, first, last in oracles:
        if first >= a.k or last < a.k:
            continue
        for weighted in (False, True):
            kept, cost = simulate(first, last, weighted)
            med, q1, q3, never = summary(kept)
            cells = [name + (" + sizes" if weighted else ""), f"ranks {first + 1}-{last + 1}", str(cost),
                     f"{med:,.0f}", f"{q1:,.0f}-{q3:,.0f}", f"{never:.2f}"]
            if recorded is not None:
                races = []
                for _ in range(2000):
                    ratios = []
                    for kb, eb in bandit:
                        r, _ = race_ratio(kb, eb, kept[draw.integers(0, len(kept))], a.budget)
                        if r is not None:
                            ratios.append(r)
                    races.append(statistics.median(ratios))
                races.sort()
                cells += [f"{statistics.median(races):.1f}x (90%: {quantile(races, 0.05):.1f}x-{quantile(races, 0.95):.1f}x)",
                          f"{sum(r >= 5 for r in races) / len(races):.2f}"]
            print("| " + " | ".join(cells) + " |")


main()
