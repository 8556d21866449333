"""What the benchmarks share: their arguments, the demo data they run on (generated once, kept
under bench/out/), a scratch folder for the case, removed afterwards, and the report of a
clustering's quality against a truth."""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from resolver.case import Case
from resolver.config import Config
from resolver.demo import demo_folder
from resolver.ingestion import ingest
from resolver.linkage.pipeline import link
from resolver.linkage.quality import bcubed, pairwise

OUT = Path(__file__).parent / "out"


def arguments(doc: str, traders: int, seed: int) -> argparse.ArgumentParser:
    """A parser with --traders, --seed and --hard (the demo's size, seed and kind),
    described by `doc`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--traders", type=int, default=traders)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--hard", action="store_true", help="the hard demo (resolver demo --hard)")
    return parser


def demo_data(args: argparse.Namespace) -> Path:
    return demo_folder(OUT, args.traders, args.seed, args.hard)


@contextmanager
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="resolver-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


CHILDREN = resource.RUSAGE_CHILDREN  # the processes that read files ahead


def report_quality(label: str, data: Path, files: list[Path], config: Config, why: bool) -> None:
    """Ingest `files` into a scratch case, link them, and print the clustering's quality against
    `data/truth/` (accounts.csv: platform, account_key, trader_id, role, tie, patterns;
    orders.csv: platform, order_id, self_purchase), the link time and the peak memory."""
    with scratch() as work, Case.open(work / "case") as case:
        ingest(case, files, config=config)
        started = time.perf_counter()
        summary = link(case, config.matching, progress=_timed(started))
        seconds = time.perf_counter() - started
        found = pd.Series(case.traders.assignment())
        flagged = case.orders.once()
        flagged = set(flagged.loc[flagged["self_purchase"], "key"])
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, CHILDREN))
    truth = pd.read_csv(data / "truth" / "accounts.csv", dtype=str, keep_default_na=False)
    truth.index = truth["platform"] + ":" + truth["account_key"]
    predicted = found.reindex(truth.index)
    print(
        f"{label}: {len(truth):,} accounts -> "
        f"{summary.traders:,} traders ({summary.multi_account_traders:,} with several), "
        f"{summary.pairs:,} candidate pairs, {summary.links:,} links, {summary.hubs:,} hubs "
        f"left out and {summary.weak_hubs:,} kept as weak ties, "
        f"{summary.kept_apart:,} groups kept apart; linked in {seconds:.1f} s, peak memory "
        f"{peak / 1024**2:.2f} GB"
    )
    for name, scores in (
        ("pairwise", pairwise(truth["trader_id"], predicted)),
        ("B-cubed", bcubed(truth["trader_id"], predicted)),
    ):
        print(f"{name:9} precision {scores.precision:.4f}  recall {scores.recall:.4f}  "
              f"F1 {scores.f1:.4f}")  # fmt: skip
    true_of = truth["trader_id"]
    merged = predicted.groupby(predicted).apply(lambda a: true_of[a.index].nunique())
    print(f"over-merged clusters (several true traders): {int((merged > 1).sum())}")
    linked, complete = _linked(predicted, true_of)
    with_siblings = truth[true_of.map(true_of.value_counts()) > 1]
    for role in ("front", "relative"):
        accounts = with_siblings.index[with_siblings["role"] == role]
        share, whole = linked[accounts].mean(), complete[accounts].mean()
        print(
            f"{role}s linked to their trader: {share:.3f} ({int(linked[accounts].sum())} of "
            f"{len(accounts)}; with all siblings {whole:.3f})"
        )
    orders = pd.read_csv(data / "truth" / "orders.csv", dtype=str)
    true_self = set((orders["platform"] + ":" + orders["order_id"])[orders["self_purchase"] == "1"])
    hit = len(flagged & true_self)
    print(f"self-purchase orders: precision {hit / max(len(flagged), 1):.4f}  recall "
          f"{hit / max(len(true_self), 1):.4f}  ({hit} of {len(true_self)} true; "
          f"{len(flagged)} flagged)")  # fmt: skip
    if why:
        _why(truth, predicted)


def _timed(started: float):
    """Progress as lines: each step once, when it starts."""
    said: list[str] = []

    def say(step: str, done: int | None = None, total: int | None = None) -> None:
        if not said or said[-1] != step:
            said.append(step)
            print(f"  [{time.perf_counter() - started:7.1f} s] {step}", flush=True)

    return say


def _linked(predicted: pd.Series, true_of: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per account: whether it is in a cluster with another account of its true trader, and
    whether its cluster holds every account of its true trader."""
    pairs = pd.DataFrame({"true": true_of, "found": predicted})
    together = pairs.groupby(["true", "found"])["true"].transform("size")
    whole = pairs.groupby("true")["found"].transform("nunique").eq(1)
    whole &= pairs["found"].notna()
    return together.gt(1), whole


def _why(truth: pd.DataFrame, predicted: pd.Series) -> None:
    true_of = truth["trader_id"]
    linked, _ = _linked(predicted, true_of)
    alone = truth[(true_of.map(true_of.value_counts()) > 1) & ~linked]
    missed = Counter(zip(alone["role"], alone["tie"], alone["patterns"], strict=True))
    print("not linked to any sibling (role, tie, patterns): count")
    for key, count in missed.most_common(25):
        print(f"  {key}: {count}")
    merged = Counter()
    for _cluster, accounts in predicted.groupby(predicted):
        traders = true_of[accounts.index]
        if traders.nunique() > 1:
            merged[
                tuple(sorted(set(";".join(truth.loc[accounts.index, "patterns"]).split(";"))))
            ] += 1
    print("over-merged clusters by the patterns of their accounts: count")
    for key, count in merged.most_common(15):
        print(f"  {key}: {count}")
