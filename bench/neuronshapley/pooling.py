"""Pools independent estimator runs (`neuronshapley-bench race` results) of one game into one
reference: used by race.sh (our reference runs) and references.py (truncated Monte Carlo and
untruncated permutation runs). `read` is the bench scripts' reader of one JSON file, `read_pairs`
of a file of plain marginals, `reference_ranking` puts a reference's ranking in a run's player
indices, `rank_ranges` parses ranges of ranks, `race_ratio` is the race's ratio for one seed, and
`truth_set` and `precision_at` read a run's precision@k at a budget of evaluations.
"""
import json, sys


def read(path):
    """The JSON in `path`; exits naming the file when it cannot be read or parsed."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"{path}: cannot read it as JSON ({e})")


def read_pairs(path):
    """A `neuronshapley-bench pairs --out` file (its `focus`, `sizes` and `marginals`); exits
    naming the file when it is not one."""
    d = read(path)
    for key in ("focus", "sizes", "marginals"):
        if key not in d:
            sys.exit(f"{path}: no '{key}' (not a `neuronshapley-bench pairs --out` file)")
    return d


def rank_ranges(text, option):
    """Ranges of 1-based ranks written as `1-7,8-16` (a single rank as `5`); exits naming
    `option` and what would work when they do not parse."""
    ranges = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        try:
            lo, hi = int(lo), int(hi or lo)
        except ValueError:
            sys.exit(f"{option} {text}: expected rank ranges such as 1-7,8-16,17-20")
        if not 1 <= lo <= hi:
            sys.exit(f"{option} {text}: {part} is not a range of ranks from 1")
        ranges.append((lo, hi))
    return ranges


def race_ratio(other_kept, other_total, ours_kept, ours_total):
    """The race's ratio for one seed, the other estimator's evaluations over ours to keep the
    target, and its kind: "=" when both kept it, ">" (a lower bound, the other's whole run) when
    only ours did, "<" (an upper bound, over our whole run) when only the other did; None when
    neither did."""
    if other_kept and ours_kept:
        return other_kept / ours_kept, "="
    if ours_kept:
        return other_total / ours_kept, ">"
    if other_kept:
        return other_kept / ours_total, "<"
    return None, None


def reference_ranking(ref, ref_path, run, run_path):
    """The reference's players in rank order as indices of `run` (a race result), with their
    values by index. A reference by address (`order` and `values`, as `paired.py --out` writes)
    is matched to the run's `addresses`; a reference run (`ranking` and `values`) is by index
    already. Exits naming both files when a filter is not a player of the run."""
    if "order" in ref:
        addresses = run.get("addresses", [])
        unknown = [x for x in ref["order"] if x not in addresses]
        if unknown:
            sys.exit(f"{ref_path}: {', '.join(unknown)} not players of {run_path} (named like {', '.join(addresses[:3])})")
        ranking = [addresses.index(x) for x in ref["order"]]
        return ranking, dict(zip(ranking, ref["values"]))
    if "ranking" in ref:
        return ref["ranking"], ref["values"]
    sys.exit(f"{ref_path}: neither 'order' (a reference by address) nor 'ranking' (a reference run)")


def truth_set(reference, first_run, k):
    """The reference's top k as player indices: from a reference run (a JSON file with `ranking`)
    or from the filters' addresses, comma-separated, matched to `first_run`'s players. Exits
    naming what did not match."""
    if reference.endswith(".json"):
        return set(read(reference)["ranking"][:k])
    addresses = read(first_run)["addresses"]
    names = [name.strip() for name in reference.split(",")]
    unknown = [name for name in names if name not in addresses]
    if unknown or len(set(names)) != k:
        sys.exit(f"{reference}: expected {k} distinct players of {first_run} "
                 f"(named like {', '.join(addresses[:3])}); unknown: {', '.join(unknown) or 'none'}")
    return {addresses.index(name) for name in names}


def precision_at(run, truth, budget, k):
    """The precision@k of the top k a race result reported in its last progress snapshot with at
    most `budget` evaluations (0 before its first), or None past the run's end."""
    if budget > run["evaluations"]:
        return None
    seen = [s for s in run["snapshots"] if s["evaluations"] <= budget]
    top = seen[-1]["top"][:k] if seen else []
    return len(truth & set(top)) / k


def num(x):
    """A JSON number, or a string such as "inf" / "-inf" for an unbounded interval end."""
    return float(x) if not isinstance(x, str) else float(x.replace("inf", "Infinity"))


def load(files):
    return [json.load(open(f)) for f in files]


def pool(runs, name, by_samples=True):
    """The runs' values averaged, weighted by their samples (`by_samples`) or equally; the
    intervals' half-widths combine as independent errors."""
    total = sum(r["samples"] for r in runs)
    weights = [r["samples"] / total if by_samples else 1 / len(runs) for r in runs]
    n = len(runs[0]["values"])
    values = [sum(w * num(r["values"][i]) for w, r in zip(weights, runs)) for i in range(n)]
    half = [sum((w * (num(r["upper"][i]) - num(r["lower"][i])) / 2) ** 2 for w, r in zip(weights, runs)) ** 0.5
            for i in range(n)]
    ranking = sorted(range(n), key=lambda i: -values[i])
    return dict(runs[0], estimator=name, values=values, ranking=ranking, topK=ranking[:10],
                lower=[v - h for v, h in zip(values, half)], upper=[v + h for v, h in zip(values, half)],
                evaluations=sum(r["evaluations"] for r in runs), samples=total, snapshots=[])
