#!/usr/bin/env python3
"""Orders the focus filters of `neuronshapley-bench pairs --out FILE` runs by their mean marginal,
and says how well each neighbouring pair is separated, on the shared bases.

    python3 bench/neuronshapley/paired.py [--k 10] [--out REFERENCE.json] PAIRS.json ...

Each run's marginals are plain permutation marginals on bases of uniform sizes, every focus filter
toggled on every base, so each filter's mean is an unbiased estimate of its Shapley value and the
difference of two filters' marginals on the same base is an unbiased sample of the difference of
their values. Several runs (with seeds of their own, the same focus) are concatenated. Prints the
number of bases, the filters in order with mean and standard error, then for the ranks around k
the gap to each lower rank in standard errors of the paired difference, and for every filter the
variance of its difference to the threshold (half the sum of ranks k and k+1) on the same bases as
a share of its own variance (how alike neighbours' marginals are on a base: `oracle.py`'s first
lines). With --out, writes the
order (addresses), the values and standard errors and the top k (for `seeds.py --truth`; `misses.py`
reads the file as a reference) as JSON.
"""
import argparse, json, math, sys

from pooling import read_pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out")
    parser.add_argument("runs", nargs="+")
    a = parser.parse_args()
    if len(set(a.runs)) != len(a.runs):
        sys.exit("a run is given twice: its bases would be counted twice; give each pairs run once")
    focus, columns = None, None
    for name in a.runs:
        run = read_pairs(name)
        if focus is None:
            focus, columns = run["focus"], [list(m) for m in run["marginals"]]
        elif run["focus"] != focus:
            sys.exit(f"{name}: focus {','.join(run['focus'])} differs from {','.join(focus)}")
        else:
            for c, m in zip(columns, run["marginals"]):
                c.extend(m)
    if not focus:
        sys.exit(f"{a.runs[0]}: no focus filters")
    n = len(columns[0])
    if n < 2 or any(len(c) != n for c in columns):
        sys.exit("expected at least two bases and as many marginals for every focus filter")
    if not 1 <= a.k < len(focus):
        sys.exit(f"--k {a.k}: expected 1...{len(focus) - 1} for {len(focus)} focus filters")

    def mean(xs):
        return sum(xs) / len(xs)

    def se(xs):
        m = mean(xs)
        return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1) / len(xs))

    means = [mean(c) for c in columns]
    errors = [se(c) for c in columns]
    order = sorted(range(len(focus)), key=lambda i: (-means[i], i))
    print(f"{n} bases; {len(focus)} focus filters")
    print("| rank | filter | value | s.e. |")
    print("| ---: | --- | ---: | ---: |")
    for r, i in enumerate(order):
        print(f"| {r + 1} | {focus[i]} | {means[i]:.5f} | {errors[i]:.5f} |")
    lo, hi = max(0, a.k - 3), min(len(focus), a.k + 3)
    print(f"\ngap in standard errors of the paired difference (row above column), ranks {lo + 1} to {hi}")
    print("| rank | " + " | ".join(str(c + 1) for c in range(lo + 1, hi)) + " |")
    print("| ---: | " + " | ".join("---:" for _ in range(lo + 1, hi)) + " |")
    for r in range(lo, hi - 1):
        cells = []
        for c in range(lo + 1, hi):
            if c <= r:
                cells.append("")
                continue
            d = [x - y for x, y in zip(columns[order[r]], columns[order[c]])]
            s = se(d)
            cells.append(f"{mean(d) / s:.1f}" if s > 0 else "inf")
        print(f"| {r + 1} | " + " | ".join(cells) + " |")
    # Against the threshold: the estimator tests each filter against the midpoint of ranks k and
    # k + 1 as if it were known; on shared bases the paired difference carries the threshold's own
    # noise and still varies less where the filters' marginals move together.
    a_col, b_col = columns[order[a.k - 1]], columns[order[a.k]]
    print(f"\nvariance of the difference to the threshold (half of ranks {a.k} and {a.k + 1}) on the same bases,"
          f" as a share of the filter's own variance")
    print("| rank | filter | share |")
    print("| ---: | --- | ---: |")
    for r, i in enumerate(order):
        d = [x - (y + z) / 2 for x, y, z in zip(columns[i], a_col, b_col)]
        own = se(columns[i]) ** 2
        print(f"| {r + 1} | {focus[i]} | {se(d) ** 2 / own:.2f} |" if own > 0 else f"| {r + 1} | {focus[i]} | - |")
    top = [focus[i] for i in order[:a.k]]
    print(f"\ntop {a.k}: {','.join(top)}")
    if a.out:
        json.dump({"bases": n, "order": [focus[i] for i in order], "values": [means[i] for i in order],
                   "standardErrors": [errors[i] for i in order], "top": top}, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
