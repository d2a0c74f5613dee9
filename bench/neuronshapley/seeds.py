#!/usr/bin/env python3
"""The race over many seeds in one table: for each seed, the evaluations after which each
estimator kept precision@k >= target to the end of its run (read from `neuronshapley-bench
score`, built with `swift build -c release --product neuronshapley-bench`), the ratios to ours,
and their median. With --seconds, the seconds instead (for runs made alone, one after another).

    python3 bench/neuronshapley/seeds.py --reference REF.json | --truth A,B,... [--k 10] [--target 0.9]
        [--tolerance EPS] [--ours adaptive] [--others bandit,tmc] [--recorded FILE] [--seconds]
        [--bench PATH] DIR SEED ...

Reads DIR/NAME-SEED.json for ours and each other estimator. --truth gives the reference's top k
by the filters' addresses instead of a reference run. --recorded FILE takes an estimator's kept
points from a JSON file of figures measured earlier (see recorded/README.md) for the seeds whose
run is not in DIR, and only against the top k the file was scored against (its "truth"): the
estimators give the same results for a seed on any machine, so those runs need not be repeated
to compare a new version of ours against them. A run that never kept
the target gives a bound: "> x" when the other estimator did not keep it (its whole run over
ours), "< x" when ours did not (the other's over our whole run). Bounds sort as their values in
the median. The median comes with a 90% bootstrap interval over the seeds (seeds drawn with
replacement, 10,000 times, from a fixed generator; bounds again at their values): how far the
median of this many seeds could move by the draw of the seeds alone. The first line after the
table gives ours' median kept point over the seeds (a run that never kept the target counted at
its whole run), the figure to set beside an oracle's (`oracle.py`).
"""
import argparse, json, os, random, statistics, subprocess, sys

from pooling import race_ratio


def bootstrap(values, rounds=10000, level=0.9):
    """The `level` percentile interval of the median of `values` over `rounds` resamplings."""
    draw = random.Random(1)
    medians = sorted(statistics.median(draw.choices(values, k=len(values))) for _ in range(rounds))
    tail = (1 - level) / 2
    return medians[int(tail * rounds)], medians[min(rounds - 1, int((1 - tail) * rounds))]


def kept(bench, reference, run, k, target, tolerance, seconds=False):
    """Evaluations (or seconds) from which the run kept precision@k >= target to its end (None if
    it did not), as `score` reports them. `reference` is a list of arguments: --reference FILE
    or --truth LIST."""
    command = [bench, "score"] + reference + ["--k", str(k), "--target", str(target)]
    if tolerance is not None:
        command += ["--tolerance", str(tolerance)]
    out = subprocess.run(command + [run], capture_output=True, text=True, check=True).stdout
    # The last line is the run's row: estimator | status | evaluations | seconds | final | first | kept.
    cell = out.strip().splitlines()[-1].split(" | ")[-1]
    if cell == "not reached":
        return None
    evaluations, elapsed = cell.split(",")
    return float(elapsed) if seconds else int(evaluations)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reference")
    p.add_argument("--truth")
    p.add_argument("--recorded")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--target", type=float, default=0.9)
    p.add_argument("--tolerance", type=float)
    p.add_argument("--ours", default="adaptive")
    p.add_argument("--others", default="bandit,tmc")
    p.add_argument("--seconds", action="store_true", help="compare wall time, not evaluations")
    p.add_argument("--bench", default=".build/release/neuronshapley-bench")
    p.add_argument("dir")
    p.add_argument("seeds", nargs="+")
    a = p.parse_args()
    if (a.reference is None) == (a.truth is None):
        sys.exit("give the reference as --reference FILE or as --truth A,B,... (one of them)")
    if a.tolerance is not None and (a.truth or a.recorded):
        sys.exit("--tolerance needs the reference's values: give --reference FILE and the runs, not --truth or --recorded")
    reference = ["--reference", a.reference] if a.reference else ["--truth", a.truth]
    recorded = json.load(open(a.recorded)) if a.recorded else None
    if recorded is not None:
        # Recorded figures hold only for the top k they were scored against.
        scored = [x.strip() for x in str(recorded.get("truth", "")).split(",") if x.strip()]
        given = [x.strip() for x in (a.truth or "").split(",") if x.strip()]
        if not scored:
            sys.exit(f"{a.recorded}: no 'truth' (the top k its figures were scored against); add it to the file")
        if set(given) != set(scored):
            sys.exit(f"{a.recorded}: its figures were scored against the top {len(scored)} {','.join(scored)}; "
                     f"give that as --truth (given: {a.truth or 'a --reference file'}), or rescore the runs")
    if not os.access(a.bench, os.X_OK):
        sys.exit(f"{a.bench}: not found; build it with swift build -c release --product neuronshapley-bench")
    others = [o for o in a.others.split(",") if o]
    unit = "seconds" if a.seconds else "evaluations"
    total = lambda run: run["seconds"] if a.seconds else run["evaluations"]
    show = lambda x: f"{x:,.0f} s" if a.seconds else f"{x:,}"
    print(f"reference {a.reference or 'top ' + str(a.k) + ' ' + a.truth}; precision@{a.k} >= {a.target}"
          + (f", tolerance {a.tolerance}" if a.tolerance is not None else "") + f"; {unit}")
    print("| seed | " + " | ".join([a.ours] + [f"{o} | {o} / {a.ours}" for o in others]) + " |")
    print("| ---: | " + " | ".join(["---:"] * (1 + 2 * len(others))) + " |")
    ratios = {o: [] for o in others}
    ours_kept = []
    for seed in a.seeds:
        path = lambda name: os.path.join(a.dir, f"{name}-{seed}.json")
        if not os.path.exists(path(a.ours)):
            sys.exit(f"{path(a.ours)}: no such run")
        ours = json.load(open(path(a.ours)))
        ko = kept(a.bench, reference, path(a.ours), a.k, a.target, a.tolerance, a.seconds)
        cells = [show(ko) if ko else f"not kept ({show(total(ours))})"]
        ours_kept.append((ko if ko else total(ours), ko is None))
        for o in others:
            row = recorded["seeds"].get(str(seed)) if recorded and recorded["estimator"] == o else None
            if os.path.exists(path(o)):
                run = json.load(open(path(o)))
                kr = kept(a.bench, reference, path(o), a.k, a.target, a.tolerance, a.seconds)
            elif row is not None:
                run = {"seconds": row["seconds"], "evaluations": row["evaluations"]}
                kr = row["kept_seconds" if a.seconds else "kept"]
            else:
                cells += ["-", "-"]
                continue
            r, kind = race_ratio(kr, total(run), ko, total(ours))
            text = "neither" if r is None else f"{r:.1f}x" if kind == "=" else f"{kind} {r:.1f}x"
            if r is not None:
                ratios[o].append(r)
            cells += [show(kr) if kr else f"not kept ({show(total(run))})", text]
        print(f"| {seed} | " + " | ".join(cells) + " |")
    middle = statistics.median(x for x, _ in ours_kept)
    never = sum(missed for _, missed in ours_kept)
    print(f"{a.ours}: median kept point {show(round(middle))} over {len(ours_kept)} seeds"
          + (f" ({never} never kept it, counted at their whole run)" if never else ""))
    for o in others:
        if ratios[o]:
            lo, hi = bootstrap(ratios[o])
            print(f"{o} / {a.ours}: median {statistics.median(ratios[o]):.1f}x over {len(ratios[o])} seeds "
                  f"(90% bootstrap interval {lo:.1f}x to {hi:.1f}x); {sum(r >= 5 for r in ratios[o])} at 5x or more")


main()
