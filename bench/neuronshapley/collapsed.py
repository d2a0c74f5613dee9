#!/usr/bin/env python3
"""How much of a run's direct measurement falls on base coalitions whose network has already
collapsed, and what thinning the toggles there would gain.

    python3 bench/neuronshapley/collapsed.py REFERENCE.json RACE.json MARGINALS.csv ... [--groups 1-7,8-13,14-20]

MARGINALS.csv: `neuronshapley-bench trace --run-dir DIR --marginals FILE` (every direct marginal of
an adaptive run: base sample, size and value, player, marginal, importance weight); RACE.json: the
race result of any of the runs (for the filters' addresses); REFERENCE.json: the reference by
address (`paired.py --out`), whose ranks name the groups (the filters outside its order form
"others").

A base is collapsed when its value lies within --tolerance (a fraction of |v(N) - v(empty)|, 0.02
as the screening walks' truncation) of v(empty). Per group it prints the share of its marginals on
collapsed bases, how often a marginal is non-zero there and elsewhere, and the collapsed bases'
share of the weighted second moment E[(w m)^2], as medians over the runs.

Then it prices a change that was not built: evaluate a base first and, when it has collapsed,
toggle each of its planned players only with probability e, weighting the marginals that are
evaluated by 1/e and counting the others as zeros (Horvitz-Thompson, so each player's mean stays
unbiased). Per player the variance of one observation becomes M + C/e - phi^2 (M and C the
second moment off and on collapsed bases, phi the player's mean) instead of M + C - phi^2; the
direct-measurement evaluations (bases plus toggles) become bases + toggles off collapsed bases +
e * toggles on them. The printed factor, variance times evaluations relative to today's, pooled
over a group's players, is the share of today's evaluations the same precision would cost (below
1 is a gain); the screening walks and the one-round delay before toggles are left out.
"""
import argparse, collections, csv, statistics, sys

from pooling import rank_ranges, read


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference")
    parser.add_argument("race")
    parser.add_argument("marginals", nargs="+")
    parser.add_argument("--groups", default="1-7,8-13,14-20")
    parser.add_argument("--tolerance", type=float, default=0.02)
    parser.add_argument("--rates", default="0.125,0.25,0.375,0.5,0.75")
    a = parser.parse_args()
    ref, race = read(a.reference), read(a.race)
    if "order" not in ref:
        sys.exit(f"{a.reference}: no 'order' (expected a reference by address, as paired.py --out writes)")
    addresses = race.get("addresses")
    if not addresses:
        sys.exit(f"{a.race}: no 'addresses' (expected a race result of the runs the marginals come from)")
    unknown = [x for x in ref["order"] if x not in addresses]
    if unknown:
        sys.exit(f"{a.reference}: {', '.join(unknown)} not players of {a.race}")
    ranges = rank_ranges(a.groups, "--groups")
    names = [f"{lo}-{hi}" if hi > lo else f"{lo}" for lo, hi in ranges] + ["others"]
    group_of = collections.defaultdict(lambda: "others")
    for r, address in enumerate(ref["order"], 1):
        for (lo, hi), name in zip(ranges, names):
            if lo <= r <= hi:
                group_of[addresses.index(address)] = name
    try:
        rates = [float(x) for x in a.rates.split(",")]
    except ValueError:
        sys.exit(f"--rates {a.rates}: expected probabilities such as 0.25,0.5")
    if not rates or any(not 0 < e <= 1 for e in rates):
        sys.exit(f"--rates {a.rates}: each rate must lie in (0, 1]")

    shares = {name: collections.defaultdict(list) for name in names}
    factors = {name: collections.defaultdict(list) for name in names + ["all"]}
    for path in a.marginals:
        rows = read_marginals(path)
        if not rows:
            sys.exit(f"{path}: no marginals")
        full, empty = rows[0]["full"], rows[0]["empty"]
        tol = a.tolerance * abs(full - empty)
        bases_all, toggles_col, toggles_off = set(), 0, 0
        per_player = collections.defaultdict(lambda: {"n": 0, "sum": 0.0, "M": 0.0, "C": 0.0})
        per_group = collections.defaultdict(lambda: collections.Counter())
        for row in rows:
            collapsed = abs(row["base"] - empty) <= tol
            x = row["weight"] * row["marginal"]
            bases_all.add(row["sample"])
            p = per_player[row["player"]]
            p["n"] += 1
            p["sum"] += x
            p["C" if collapsed else "M"] += x * x
            g = per_group[group_of[row["player"]]]
            g["n"] += 1
            g["collapsed"] += collapsed
            g["nonzero_c" if collapsed else "nonzero_o"] += row["marginal"] != 0
            g["C" if collapsed else "M"] += x * x
            if collapsed:
                toggles_col += 1
            else:
                toggles_off += 1
        for name in names:
            g = per_group[name]
            if not g["n"]:
                continue
            c = g["collapsed"]
            shares[name]["marginals"].append(g["n"])
            shares[name]["collapsed"].append(c / g["n"])
            shares[name]["there"].append(g["nonzero_c"] / c if c else 0)
            shares[name]["elsewhere"].append(g["nonzero_o"] / (g["n"] - c) if g["n"] > c else 0)
            shares[name]["moment"].append(g["C"] / max(g["C"] + g["M"], 1e-300))
        evaluations = len(bases_all) + toggles_col + toggles_off
        for e in rates:
            cost = (len(bases_all) + toggles_off + e * toggles_col) / evaluations
            now, thin = collections.Counter(), collections.Counter()
            for player, p in per_player.items():
                n = p["n"]
                phi2 = (p["sum"] / n) ** 2
                for name in (group_of[player], "all"):
                    now[name] += max((p["M"] + p["C"]) / n - phi2, 0)
                    thin[name] += max((p["M"] + p["C"] / e) / n - phi2, 0)
            for name in names + ["all"]:
                if now[name] > 0:
                    factors[name][e].append(thin[name] / now[name] * cost)
    print(f"{len(a.marginals)} runs; medians over the runs (the second moment's share also its range)")
    print(f"{'group':<7} {'marginals':>9} {'on collapsed':>12} {'non-zero there':>14} {'elsewhere':>9} {'2nd moment there':>22}")
    for name in names:
        x = shares[name]
        if x["marginals"]:
            print(f"{name:<7} {statistics.median(x['marginals']):>9.0f} {statistics.median(x['collapsed']):>12.2f} {statistics.median(x['there']):>14.3f} "
                  f"{statistics.median(x['elsewhere']):>9.3f} {statistics.median(x['moment']):>8.3f} ({min(x['moment']):.3f}-{max(x['moment']):.3f})")
    print()
    print("evaluations for today's precision, as a share of today's (median over runs), by thinning rate e:")
    print(f"{'group':<7} " + " ".join(f"{'e=' + format(e, 'g'):>8}" for e in rates))
    for name in names + ["all"]:
        if factors[name]:
            print(f"{name:<7} " + " ".join(f"{statistics.median(factors[name][e]):>8.3f}" for e in rates))


def read_marginals(path):
    try:
        with open(path, newline="") as f:
            rows = []
            for r in csv.DictReader(f):
                rows.append({"sample": int(r["sample"]), "base": float(r["baseValue"]), "player": int(r["player"]),
                             "marginal": float(r["marginal"]), "weight": float(r["weight"]),
                             "full": float(r["fullValue"]), "empty": float(r["emptyValue"])})
            return rows
    except (OSError, KeyError, ValueError) as error:
        sys.exit(f"{path}: not a `neuronshapley-bench trace --marginals` file ({error})")


if __name__ == "__main__":
    main()
