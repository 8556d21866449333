"""What a person's review adds: the clustering after each round of judgements.

    python bench/review_gain.py [--world second|demo] [--traders 2000] [--seed 5]
                                [--kind ""|hard|messy|supply|messy+supply] [--only leads]
                                [--rounds 4] [--batch 100]

What the rules cannot settle is listed for a person by `resolver review`: last, each account
that clustering holds alone and that weak ties of one kind point to another trader (the leads:
one weak tie never links), and before them the parts of traders held by one tie alone, which a
purchase from a wholesaler imitates. This links one case of `bench/quality_panel.py`
(generated once under bench/out/), then plays an investigator who works through one part of
the queue (`--only`, as `resolver review --only` names it: `leads` raises recall, `one-tie`
precision) in rounds of `--batch` pairs: each pair not yet judged is judged `same` or
`different` as the truth has it, the round's judgements are recorded in the case's ledger and
the traders clustered again, as `resolver judge import` does; the next round takes the first
pairs of the queue as it then stands. It prints, per round, how many pairs were judged, how
many of them were one trader, the clustering's pairwise precision and recall, its over-merged
clusters, fronts and relatives linked, and how many items the part still lists.
"""

from __future__ import annotations

import argparse

import pandas as pd
from common import over_merged, read_truth, roles_linked, scratch
from quality_panel import World

from resolver import review
from resolver.case import Case
from resolver.ingestion import ingest
from resolver.judging import REVIEW_PARTS
from resolver.linkage.pipeline import link, recluster
from resolver.linkage.quality import pairwise

EVERY_ITEM = 10**9  # the whole part, not the first 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", choices=("second", "demo"), default="second")
    parser.add_argument("--traders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--kind", default="", help="demo: hard; second: messy, supply, both")
    parser.add_argument("--only", choices=sorted(REVIEW_PARTS), default="leads")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    world = World(args.world, args.traders, args.seed, args.kind)
    data, files, config = world.disclosure()
    truth = read_truth(data)
    true_of = truth["trader_id"]
    print(f"{world.label}: {len(truth):,} accounts; `{args.only}` judged in rounds of "
          f"{args.batch}")  # fmt: skip
    print("| judged | of them one trader | P | R | over-merged | fronts | relatives | left |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    with scratch() as work, Case.open(work / "case") as case:
        ingest(case, files, config=config)
        link(case, config.matching)
        rules = case.model.rules(config.matching)
        judged = same = 0
        for _ in range(args.rounds + 1):
            queue = review(case, config, EVERY_ITEM, args.only).dropna(subset=["account_b"])
            done = {frozenset((j.account_a, j.account_b)) for j in case.judgements.current()}
            pairs = [(a, b) for a, b in zip(queue["account_a"], queue["account_b"], strict=True)
                     if frozenset((a, b)) not in done]  # fmt: skip
            found = pd.Series(case.traders.assignment()).reindex(truth.index)
            scores = pairwise(true_of, found)
            shares = [hit / max(of, 1) for hit, of, _ in roles_linked(truth, found).values()]
            print(f"| {judged:,} | {same:,} | {scores.precision:.4f} | {scores.recall:.4f} | "
                  f"{over_merged(found, true_of)} | {shares[0]:.3f} | {shares[1]:.3f} | "
                  f"{len(pairs):,} |")  # fmt: skip
            if not pairs or judged >= args.rounds * args.batch:
                break
            with case.transaction():
                for a, b in pairs[: args.batch]:
                    one = true_of[a] == true_of[b]
                    same += one
                    case.judgements.record(a, b, "same" if one else "different", "bench",
                                           "the truth of the generated world")  # fmt: skip
                recluster(case, rules)
            judged += len(pairs[: args.batch])


if __name__ == "__main__":
    main()
