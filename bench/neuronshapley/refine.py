#!/usr/bin/env python3
"""Sharpens a reference ranking at its border with stratified-sampling runs of the contested
filters, and says how well the border is separated afterwards.

    python3 bench/neuronshapley/refine.py [--k 10] [--out REFINED.json] REFERENCE.json STRATIFIED.json ...

REFERENCE is a pooled reference (for example permutation-pooled.json from references.py);
each STRATIFIED run comes from `neuronshapley-bench race --estimator stratified --set focus=...`
with a seed of its own, and values only its focus filters (the others carry unbounded intervals).
Both kinds of run report 95% normal intervals of unbiased, independent estimates, so each focus
filter's refined value is their inverse-variance weighted mean and its half-width combines
accordingly; every other filter keeps the reference's value. The table lists the focus filters in
refined order with both estimates, their difference in standard errors, and the refined value;
then the gap at rank k and the gaps between the ranks around it, in standard errors of the
difference.
"""
import argparse, json, math, sys

from pooling import load, num


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out")
    parser.add_argument("reference")
    parser.add_argument("stratified", nargs="+")
    a = parser.parse_args()
    ref = json.load(open(a.reference))
    runs = load(a.stratified)
    n = len(ref["values"])
    if a.k < 1 or a.k >= n:
        sys.exit(f"--k {a.k}: expected 1...{n - 1}")
    for name, r in zip(a.stratified, runs):
        if len(r["values"]) != n:
            sys.exit(f"{name}: {len(r['values'])} players, the reference has {n}")
    value = [num(v) for v in ref["values"]]
    se = [(num(u) - num(l)) / 2 / 1.96 for l, u in zip(ref["lower"], ref["upper"])]
    focus = sorted({i for r in runs for i in range(n) if math.isfinite(num(r["upper"][i]) - num(r["lower"][i]))})
    if not focus:
        sys.exit("no stratified run has a finite interval: were they run with --estimator stratified?")
    rows = {}
    for i in focus:
        # The stratified runs of the filter, pooled by inverse variance, then with the reference.
        parts = [(num(r["values"][i]), (num(r["upper"][i]) - num(r["lower"][i])) / 2 / 1.96) for r in runs
                 if math.isfinite(num(r["upper"][i]) - num(r["lower"][i])) and num(r["upper"][i]) > num(r["lower"][i])]
        if not parts:
            continue
        sw = sum(1 / s ** 2 for _, s in parts)
        sv, ss = sum(v / s ** 2 for v, s in parts) / sw, sw ** -0.5
        w0, w1 = 1 / se[i] ** 2, 1 / ss ** 2
        combined = (w0 * value[i] + w1 * sv) / (w0 + w1)
        rows[i] = (value[i], se[i], sv, ss, combined, (w0 + w1) ** -0.5)
    old_rank = {p: r for r, p in enumerate(ref["ranking"])}
    for i, (_, _, _, _, v, s) in rows.items():
        value[i], se[i] = v, s
    ranking = sorted(range(n), key=lambda i: (-value[i], i))
    rank = {p: r for r, p in enumerate(ranking)}
    addr = ref.get("addresses", [str(i) for i in range(n)])
    marg = [sum(int(r.get("marginals", [0] * n)[i]) for r in runs) for i in range(n)]
    print(f"reference: {ref.get('estimator', a.reference)}, {ref.get('evaluations', '?')} evaluations; "
          f"{len(runs)} stratified run(s), {sum(r['evaluations'] for r in runs)} evaluations, {len(rows)} focus filters")
    print("| refined rank | filter | reference rank | reference value ± s.e. | stratified value ± s.e. | difference / s.e. | marginals | refined value ± s.e. |")
    print("| ---: | --- | ---: | --- | --- | ---: | ---: | --- |")
    for i in sorted(rows, key=lambda p: rank[p]):
        v0, s0, v1, s1, v, s = rows[i]
        print(f"| {rank[i] + 1} | {addr[i]} | {old_rank[i] + 1} | {v0:.5f} ± {s0:.5f} | {v1:.5f} ± {s1:.5f} | "
              f"{(v1 - v0) / math.hypot(s0, s1):+.1f} | {marg[i]} | {v:.5f} ± {s:.5f} |")
    top_old, top_new = set(ref["ranking"][:a.k]), set(ranking[:a.k])
    print(f"top {a.k}: {len(top_old & top_new)} of {a.k} unchanged; left: "
          f"{', '.join(addr[p] for p in sorted(top_old - top_new, key=rank.get)) or 'none'}; joined: "
          f"{', '.join(addr[p] for p in sorted(top_new - top_old, key=rank.get)) or 'none'}")
    inside, outside = ranking[a.k - 1], ranking[a.k]
    gap = value[inside] - value[outside]
    print(f"gap between ranks {a.k} and {a.k + 1}: {gap:.5f} = {gap / math.hypot(se[inside], se[outside]):.1f} "
          f"standard errors of the difference")
    # How far apart the filters around the border are: rank r over rank c, in standard errors.
    around = list(range(max(1, a.k - 2), min(n, a.k + 3) + 1))
    print(f"gaps in standard errors of the difference, rank (row) over rank (column), ranks {around[0]} to {around[-1]}:")
    print("| rank | " + " | ".join(str(c) for c in around[1:]) + " |")
    print("| ---: | " + " | ".join("---:" for _ in around[1:]) + " |")
    for r in around[:-1]:
        hi = ranking[r - 1]
        cells = [f"{(value[hi] - value[ranking[c - 1]]) / math.hypot(se[hi], se[ranking[c - 1]]):.1f}" if c > r else ""
                 for c in around[1:]]
        print(f"| {r} | " + " | ".join(cells) + " |")
    # A filter outside the focus that could still be in the contested band means the focus was too narrow.
    band = [p for p in range(n) if p not in rows and abs(value[p] - (value[inside] + value[outside]) / 2) < 3 * se[p]]
    if band:
        print("outside the focus but within 3 s.e. of the border: " + ", ".join(f"{addr[p]} ({value[p]:.5f})" for p in band))
    if a.out:
        out = dict(ref, estimator=f"{ref.get('estimator', 'reference')} refined by stratified sampling", values=value,
                   ranking=ranking, topK=ranking[:a.k], lower=[v - 1.96 * s for v, s in zip(value, se)],
                   upper=[v + 1.96 * s for v, s in zip(value, se)],
                   evaluations=ref.get("evaluations", 0) + sum(r["evaluations"] for r in runs), snapshots=[])
        json.dump(out, open(a.out, "w"))
        print(f"wrote {a.out}")


main()
