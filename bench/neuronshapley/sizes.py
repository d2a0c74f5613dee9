#!/usr/bin/env python3
"""What the choice of base sizes can still gain, from a `neuronshapley-bench pairs --out` file
(plain marginals on bases of uniformly drawn sizes).

    python3 bench/neuronshapley/sizes.py [--bins 32] PAIRS.json

For each focus player, the variance of one marginal drawn at a uniform size, and as fractions of
it: stratified by size (the variance left within size bins), importance-sampled with the best
proposal common to all the focus players (`q(s) ∝ √(mean over them of E[m² | s])`, as the
adaptive estimator learns one from the squared marginals it sees), the same mixed with a uniform
share of 0.15 (its default), and with the best proposal of the player's own. Bins estimate the
conditional moments, so the proposals are fitted to the same data they are scored on: the
fractions are optimistic, the more so the fewer bases per bin.

With a file written by `pairs --complement` (each base followed by its complement, sizes s and
n − s), the table above uses the first base of each pair (their sizes are uniform), and a second
table compares an antithetic pair with two independent bases: the correlation of the
two marginals of a pair, the pair's variance against two independent uniform bases, and, under
the best proposal for each design (the pair's size drawn for the first base), the variance per
evaluation of pairs against single bases (above 1: the complement costs more than it gives).
"""
import argparse, math, sys

from pooling import read_pairs


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bins", type=int, default=32)
    p.add_argument("pairs")
    a = p.parse_args()
    d = read_pairs(a.pairs)
    sizes, marginals, focus = d["sizes"], d["marginals"], d["focus"]
    if not sizes or a.bins < 1:
        sys.exit(f"{a.pairs}: no bases, or --bins {a.bins} below 1")
    # The game's player count; files without it: the largest size drawn (sizes run over 0...n).
    n = d.get("playerCount", max(sizes))
    B = a.bins

    def bin_of(s):
        return min(B - 1, s * B // (n + 1))

    def moments(xs, ss):
        count, m1, m2 = [0] * B, [0.0] * B, [0.0] * B
        for x, s in zip(xs, ss):
            b = bin_of(s)
            count[b] += 1
            m1[b] += x
            m2[b] += x * x
        return count, [m1[b] / count[b] if count[b] else 0 for b in range(B)], [m2[b] / count[b] if count[b] else 0 for b in range(B)]

    complement = bool(d.get("complement"))
    first = sizes[0::2] if complement else sizes
    rows = []
    for name, xs in zip(focus, marginals):
        ms = xs[0::2] if complement else xs
        count, m1, m2 = moments(ms, first)
        total = sum(count)
        w = [c / total for c in count]
        phi = sum(ms) / len(ms)
        uniform = sum(w[b] * m2[b] for b in range(B)) - phi ** 2
        within = sum(w[b] * (m2[b] - m1[b] ** 2) for b in range(B))
        own = sum(w[b] * math.sqrt(m2[b]) for b in range(B)) ** 2 - phi ** 2
        rows.append((name, phi, uniform, within, own, m2, w))
    common = [math.sqrt(sum(r[5][b] for r in rows) / len(rows)) for b in range(B)]
    w = rows[0][6]
    norm = sum(w[b] * common[b] for b in range(B))
    print(f"{len(first)} bases{' (each with its complement)' if complement else ''}, {B} size bins\n")
    print("| player | value | variance, uniform sizes | stratified | common proposal | common, 0.15 uniform | own proposal |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, phi, uniform, within, own, m2, _ in rows:
        def proposal(mix):
            q = [mix + (1 - mix) * common[b] / norm if norm > 0 else 1 for b in range(B)]
            return sum(w[b] * m2[b] / q[b] for b in range(B) if q[b] > 0) - phi ** 2
        print(f"| {name} | {phi:.5f} | {uniform:.3e} | {within / uniform:.2f} | {proposal(0) / uniform:.2f} | "
              f"{proposal(0.15) / uniform:.2f} | {own / uniform:.2f} |")
    if not complement:
        return
    print("\n| player | correlation within a pair | pair / two independent, uniform | pairs / single bases per evaluation, best proposals |")
    print("| --- | ---: | ---: | ---: |")
    ratios = []
    for name, xs in zip(focus, marginals):
        x, y = xs[0::2], xs[1::2]
        k = len(y)
        x = x[:k]
        mx, my = sum(x) / k, sum(y) / k
        vx = sum((v - mx) ** 2 for v in x) / k
        vy = sum((v - my) ** 2 for v in y) / k
        cov = sum((u - mx) * (v - my) for u, v in zip(x, y)) / k
        corr = cov / math.sqrt(vx * vy) if vx > 0 and vy > 0 else 0.0
        count, _, m2s = moments(x, first[:k])
        _, _, m2p = moments([(u + v) / 2 for u, v in zip(x, y)], first[:k])
        wb = [c / k for c in count]
        phi = (mx + my) / 2
        single = sum(wb[b] * math.sqrt(m2s[b]) for b in range(B)) ** 2 - phi ** 2
        pair = sum(wb[b] * math.sqrt(m2p[b]) for b in range(B)) ** 2 - phi ** 2
        ratio = 2 * pair / single if single > 0 else float("nan")
        ratios.append(ratio)
        print(f"| {name} | {corr:+.2f} | {(vx + vy + 2 * cov) / 2 / ((vx + vy) / 2):.2f} | {ratio:.2f} |")
    print(f"\nmedian variance per evaluation, pairs / single bases: {sorted(ratios)[len(ratios) // 2]:.2f}")


main()
