#!/usr/bin/env python3
"""How noisy each run's single marginals are for the filters that decide a top k: for each
`neuronshapley-bench race` result, the median over the reference's ranks FIRST to LAST of the
per-marginal standard deviation, recovered from the run's interval and marginal count as
half-width / z · sqrt(marginals), and the median marginal count.

    python3 bench/neuronshapley/spread.py [--ranks 4-20] REFERENCE.json RUN.json ...

z is the run's own: Φ⁻¹(1 − δ/(2n)) for the adaptive estimator (δ from its options, 0.1 by
default; its intervals use a moderated variance, which a few thousand marginals leave close to
the sample variance), and the normal quantile of its confidence (0.95 by default) otherwise.
Needs results that record marginals (race results written since they were added).
"""
import argparse, json, math, statistics, sys
from statistics import NormalDist

from pooling import num


def z_of(run):
    options = run.get("options", {})
    if run["estimator"] == "adaptive":
        delta = float(options.get("delta", 0.1))
        return NormalDist().inv_cdf(1 - delta / (2 * run["playerCount"]))
    return NormalDist().inv_cdf(0.5 + float(options.get("confidence", 0.95)) / 2)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ranks", default="4-20")
    p.add_argument("reference")
    p.add_argument("runs", nargs="+")
    a = p.parse_args()
    try:
        first, last = (int(x) for x in a.ranks.split("-"))
        assert 1 <= first <= last
    except (ValueError, AssertionError):
        sys.exit(f"--ranks {a.ranks}: expected FIRST-LAST, e.g. 4-20")
    ref = json.load(open(a.reference))
    players = ref["ranking"][first - 1:last]
    print(f"| run | per-marginal s.d., median over ranks {first}-{last} | [min, max] | median marginals |")
    print("| --- | ---: | --- | ---: |")
    for name in a.runs:
        run = json.load(open(name))
        if "marginals" not in run:
            sys.exit(f"{name}: no marginal counts recorded (written before race results carried them)")
        z = z_of(run)
        sds = []
        for i in players:
            half = (num(run["upper"][i]) - num(run["lower"][i])) / 2
            if run["marginals"][i] > 1 and math.isfinite(half):
                sds.append(half / z * math.sqrt(run["marginals"][i]))
        if not sds:
            print(f"| {name} | - | - | - |")
            continue
        print(f"| {name} | {statistics.median(sds):.4f} | [{min(sds):.4f}, {max(sds):.4f}] | "
              f"{statistics.median(run['marginals'][i] for i in players):.0f} |")


main()
