"""What a person's review of the leads adds: recall after each round of judgements.

    python bench/review_gain.py [--world second|demo] [--traders 2000] [--seed 5]
                                [--kind ""|hard|messy|supply|messy+supply] [--rounds 4]
                                [--batch 100]

One weak tie never links an account (see README, "Weak ties add up"), so what the rules leave
alone is there for a person: `resolver review` lists, last, each account that clustering holds
alone and that weak ties of one kind point to another trader (`resolver export leads`), best
first by the model's weight. This links one case of `bench/quality_panel.py` (generated once
under bench/out/), then plays an investigator who works through that list in rounds of
`--batch`: each lead is judged `same` or `different` as the truth has it, the round's
judgements are recorded in the case's ledger and the traders clustered again, as `resolver
judge import` does; the next round takes the first leads of the list as it then stands. It
prints, per round, how many leads were judged, how many of them were one trader, and the
clustering's pairwise precision and recall, fronts and relatives linked, after it.
"""

from __future__ import annotations

import argparse

import pandas as pd
from common import linked_to_own, scratch
from quality_panel import World

from resolver.case import Case
from resolver.ingestion import ingest
from resolver.linkage.pipeline import link, recluster
from resolver.linkage.quality import pairwise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", choices=("second", "demo"), default="second")
    parser.add_argument("--traders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--kind", default="", help="demo: hard; second: messy, supply, both")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    world = World(args.world, args.traders, args.seed, args.kind)
    data, files, config = world.disclosure()
    truth = pd.read_csv(data / "truth" / "accounts.csv", dtype=str, keep_default_na=False)
    truth.index = truth["platform"] + ":" + truth["account_key"]
    true_of = truth["trader_id"]
    with_siblings = truth[true_of.map(true_of.value_counts()) > 1]
    print(f"{world.label}: {len(truth):,} accounts; leads judged in rounds of {args.batch}")
    print("| judged | of them one trader | P | R | fronts | relatives | leads left |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with scratch() as work, Case.open(work / "case") as case:
        ingest(case, files, config=config)
        link(case, config.matching)
        rules = case.model.rules(config.matching)
        judged = same = 0
        for _ in range(args.rounds + 1):
            leads = case.links.leads()
            found = pd.Series(case.traders.assignment()).reindex(truth.index)
            scores = pairwise(true_of, found)
            linked, _ = linked_to_own(found, true_of)
            shares = [float(linked[with_siblings.index[with_siblings["role"] == role]].mean())
                      for role in ("front", "relative")]  # fmt: skip
            print(f"| {judged:,} | {same:,} | {scores.precision:.4f} | {scores.recall:.4f} | "
                  f"{shares[0]:.3f} | {shares[1]:.3f} | {len(leads):,} |")  # fmt: skip
            if leads.empty or judged >= args.rounds * args.batch:
                break
            with case.transaction():
                for lead in leads.head(args.batch).itertuples(index=False):
                    one = true_of[lead.account_id] == true_of[lead.best]
                    verdict = "same" if one else "different"
                    same += one
                    case.judgements.record(lead.account_id, lead.best, verdict, "bench",
                                           "the truth of the generated world")  # fmt: skip
                recluster(case, rules)
            judged += min(args.batch, len(leads))


if __name__ == "__main__":
    main()
