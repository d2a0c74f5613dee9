#!/usr/bin/env python3
"""When the filters at the border were in play: from `neuronshapley-bench trace` records (every
player's direct marginals and value at regular numbers of evaluations), for each group of
reference ranks, how often a filter was set aside (its count stopped growing for at least
--gap evaluations) and came back, how many marginals it had when first set aside, and what
share of the run it was out of play while the run's top k was wrong about it; then, at chosen
budgets, the direct marginals a filter of each group had gathered (the median over the runs of
the group's mean), and how many filters were in play (the race's own progress snapshots).

    python3 bench/neuronshapley/inplay.py REFERENCE.json RACE_DIR:TRACE_DIR:TAG ... [--seeds 1-16]
        [--groups 1-7,8-16,17-20] [--gap 1000] [--to 46000] [--at 5000,10000,20000,30000]

RACE_DIR holds the race results TAG-SEED.json (for the players' addresses), TRACE_DIR the traces
TAG-SEED.json. A filter's count that does not grow between two records more than --gap apart is
out of play there (the estimator has resolved it); one that grows again later was brought back
(the threshold moved into its interval). "Wrongly out" is the share of records up to --to in
which the filter was out of play and on the wrong side of the run's top k (a top-10 filter
outside it, or another inside it): evaluations could not mend that until it came back.
"""
import argparse
import statistics

from pooling import rank_ranges, read, reference_ranking


def spells(counts, evaluations, gap):
    """The (start, end) evaluations of each stretch in which the count did not grow over more
    than `gap` evaluations."""
    out, start = [], None
    for j in range(1, len(counts)):
        if counts[j] == counts[j - 1]:
            if start is None:
                start = j - 1
        else:
            if start is not None and evaluations[j - 1] - evaluations[start] >= gap:
                out.append((start, j - 1))
            start = None
    if start is not None and evaluations[-1] - evaluations[start] >= gap:
        out.append((start, len(counts) - 1))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("reference")
    p.add_argument("variants", nargs="+", help="RACE_DIR:TRACE_DIR:TAG")
    p.add_argument("--seeds", default="1-16")
    p.add_argument("--groups", default="1-7,8-16,17-20")
    p.add_argument("--gap", type=int, default=1000)
    p.add_argument("--to", type=int, default=46000)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--at", default="5000,10000,20000,30000", help="budgets for the table of gathered marginals")
    a = p.parse_args()
    lo, hi = rank_ranges(a.seeds, "--seeds")[0]
    seeds = range(lo, hi + 1)
    groups = rank_ranges(a.groups, "--groups")
    ref = read(a.reference)
    try:
        budgets = [int(x) for x in a.at.split(",")]
    except ValueError:
        raise SystemExit(f"--at {a.at}: expected numbers of evaluations such as 5000,10000,20000")
    gathered = []
    in_play = []
    print(f"set aside = count not growing for at least {a.gap:,} evaluations; up to {a.to:,} evaluations; "
          f"filters of each group over all the runs")
    print("| variant | ranks | filters set aside | brought back, per filter (mean) | marginals when first set aside (median) | share wrongly out (mean) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for spec in a.variants:
        try:
            race_dir, trace_dir, tag = spec.split(":")
        except ValueError:
            raise SystemExit(f"{spec}: expected RACE_DIR:TRACE_DIR:TAG")
        stats = {g: {"aside": 0, "back": [], "first": [], "wrong": [], "n": 0} for g in groups}
        at = {(g, b): [] for g in groups for b in budgets}
        active = {b: [] for b in budgets}
        for s in seeds:
            race_path, trace_path = f"{race_dir}/{tag}-{s}.json", f"{trace_dir}/{tag}-{s}.json"
            race, trace = read(race_path), read(trace_path)
            ranking, _ = reference_ranking(ref, a.reference, race, race_path)
            truth = set(ranking[:a.k])
            records = [r for r in trace["records"] if r["evaluations"] <= a.to]
            for b in budgets:
                seen = [x["active"] for x in race["snapshots"] if x["evaluations"] <= b and x.get("active") is not None]
                if seen:
                    active[b].append(seen[-1])
            evaluations = [r["evaluations"] for r in records]
            for g in groups:
                members = ranking[g[0] - 1:g[1]]
                for b in budgets:
                    seen = [r for r in trace["records"] if r["evaluations"] <= b]
                    if seen:
                        at[(g, b)].append(statistics.mean(seen[-1]["marginals"][m] for m in members))
                for player in members:
                    counts = [r["marginals"][player] for r in records]
                    out = spells(counts, evaluations, a.gap)
                    st = stats[g]
                    st["n"] += 1
                    if out:
                        st["aside"] += 1
                        st["first"].append(counts[out[0][0]])
                    st["back"].append(sum(1 for (_, end) in out if end < len(counts) - 1))
                    wrong = 0
                    for start, end in out:
                        for j in range(start, end + 1):
                            inside = player in set(records[j]["top"][:a.k])
                            if inside != (player in truth):
                                wrong += 1
                    st["wrong"].append(wrong / max(1, len(records)))
        in_play.append(f"| {tag} | " + " | ".join(
            f"{statistics.median(active[b]):.0f} ({min(active[b])}-{max(active[b])})" if active[b] else "" for b in budgets) + " |")
        for g in groups:
            gathered.append(f"| {tag} | {g[0]}-{g[1]} | " + " | ".join(
                f"{statistics.median(at[(g, b)]):,.0f}" if at[(g, b)] else "" for b in budgets) + " |")
            st = stats[g]
            first = f"{statistics.median(st['first']):.0f}" if st["first"] else "-"
            print(f"| {tag} | {g[0]}-{g[1]} | {st['aside']} of {st['n']} | {statistics.mean(st['back']):.2f} | {first} | "
                  f"{statistics.mean(st['wrong']):.3f} |")
    print(f"\ndirect marginals per filter gathered by each budget (median over the runs of the group's mean)")
    print("| variant | ranks | " + " | ".join(f"{b:,}" for b in budgets) + " |")
    print("| --- | --- | " + " | ".join("---:" for _ in budgets) + " |")
    print("\n".join(gathered))
    print(f"\nfilters in play at each budget (median over the runs, and the range)")
    print("| variant | " + " | ".join(f"{b:,}" for b in budgets) + " |")
    print("| --- | " + " | ".join("---:" for _ in budgets) + " |")
    print("\n".join(in_play))


if __name__ == "__main__":
    main()
