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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from resolver.case import Case
from resolver.config import Config
from resolver.demo import demo_folder
from resolver.ingestion import ingest
from resolver.linkage.pipeline import LinkSummary, link
from resolver.linkage.quality import Scores, bcubed, pairwise
from resolver.progress import Progress

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


@dataclass
class Quality:
    """A clustering's quality against a truth, and what the link cost."""

    accounts: int
    summary: LinkSummary
    seconds: float  # the link alone
    peak_gb: float  # the process's peak resident set, ingest included
    pairwise: Scores
    bcubed: Scores
    over_merged: int  # clusters that hold accounts of several true traders
    linked: dict[str, tuple[int, int, float]]  # role -> (linked, of, share with all siblings)
    self_purchases: tuple[int, int, int]  # (true ones flagged, true ones, flagged)

    def share_linked(self, role: str) -> float:
        hit, of, _ = self.linked[role]
        return hit / max(of, 1)

    def self_purchase_scores(self) -> tuple[float, float]:
        hit, true, flagged = self.self_purchases
        return hit / max(flagged, 1), hit / max(true, 1)


def measure_quality(
    data: Path, files: list[Path], config: Config, progress: Progress | None = None
) -> tuple[Quality, pd.DataFrame, pd.Series]:
    """Ingest `files` into a scratch case, link them, and measure the clustering against
    `data/truth/` (accounts.csv: platform, account_key, trader_id, role, tie, patterns;
    orders.csv: platform, order_id, self_purchase). Also returns the truth (by account) and
    the trader each account was given, for `--why`."""
    with scratch() as work, Case.open(work / "case") as case:
        ingest(case, files, config=config)
        started = time.perf_counter()
        summary = link(case, config.matching, progress=progress)
        seconds = time.perf_counter() - started
        found = pd.Series(case.traders.assignment())
        flagged = case.orders.once()
        flagged = set(flagged.loc[flagged["self_purchase"], "key"])
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, CHILDREN))
    truth = read_truth(data)
    predicted = found.reindex(truth.index)
    true_of = truth["trader_id"]
    orders = pd.read_csv(data / "truth" / "orders.csv", dtype=str)
    true_self = set((orders["platform"] + ":" + orders["order_id"])[orders["self_purchase"] == "1"])
    quality = Quality(
        accounts=len(truth),
        summary=summary,
        seconds=seconds,
        peak_gb=peak / 1024**2,
        pairwise=pairwise(true_of, predicted),
        bcubed=bcubed(true_of, predicted),
        over_merged=over_merged(predicted, true_of),
        linked=roles_linked(truth, predicted),
        self_purchases=(len(flagged & true_self), len(true_self), len(flagged)),
    )
    return quality, truth, predicted


def read_truth(data: Path) -> pd.DataFrame:
    """The true trader, role, tie and patterns of each account of `data`, by account id."""
    truth = pd.read_csv(data / "truth" / "accounts.csv", dtype=str, keep_default_na=False)
    truth.index = truth["platform"] + ":" + truth["account_key"]
    return truth


def over_merged(predicted: pd.Series, true_of: pd.Series) -> int:
    """Clusters that hold accounts of several true traders."""
    merged = predicted.groupby(predicted).apply(lambda a: true_of[a.index].nunique())
    return int((merged > 1).sum())


def roles_linked(truth: pd.DataFrame, predicted: pd.Series) -> dict[str, tuple[int, int, float]]:
    """Of the fronts and relatives whose trader has other accounts: how many are linked to one
    of them, of how many, and the share linked to all of them."""
    true_of = truth["trader_id"]
    linked, complete = linked_to_own(predicted, true_of)
    with_siblings = truth[true_of.map(true_of.value_counts()) > 1]
    roles = {}
    for role in ("front", "relative"):
        accounts = with_siblings.index[with_siblings["role"] == role]
        roles[role] = (int(linked[accounts].sum()), len(accounts), float(complete[accounts].mean()))
    return roles


def report_quality(label: str, data: Path, files: list[Path], config: Config, why: bool) -> None:
    """Print `measure_quality`'s figures, the link time and the peak memory; `why`: also the
    kinds of accounts not linked to their trader and the patterns of the wrong merges."""
    quality, truth, predicted = measure_quality(
        data, files, config, progress=_timed(time.perf_counter())
    )
    summary = quality.summary
    print(
        f"{label}: {quality.accounts:,} accounts -> "
        f"{summary.traders:,} traders ({summary.multi_account_traders:,} with several), "
        f"{summary.pairs:,} candidate pairs, {summary.links:,} links, {summary.hubs:,} hubs "
        f"left out and {summary.weak_hubs:,} kept as weak ties, "
        f"{summary.kept_apart:,} groups kept apart; linked in {quality.seconds:.1f} s, peak "
        f"memory {quality.peak_gb:.2f} GB"
    )
    for name, scores in (("pairwise", quality.pairwise), ("B-cubed", quality.bcubed)):
        print(f"{name:9} precision {scores.precision:.4f}  recall {scores.recall:.4f}  "
              f"F1 {scores.f1:.4f}")  # fmt: skip
    print(f"over-merged clusters (several true traders): {quality.over_merged}")
    for role, (hit, of, whole) in quality.linked.items():
        print(
            f"{role}s linked to their trader: {quality.share_linked(role):.3f} ({hit} of {of}; "
            f"with all siblings {whole:.3f})"
        )
    precision, recall = quality.self_purchase_scores()
    hit, true, flagged = quality.self_purchases
    print(f"self-purchase orders: precision {precision:.4f}  recall {recall:.4f}  "
          f"({hit} of {true} true; {flagged} flagged)")  # fmt: skip
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


def linked_to_own(predicted: pd.Series, true_of: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per account: whether it is in a cluster with another account of its true trader, and
    whether its cluster holds every account of its true trader."""
    pairs = pd.DataFrame({"true": true_of, "found": predicted})
    together = pairs.groupby(["true", "found"])["true"].transform("size")
    whole = pairs.groupby("true")["found"].transform("nunique").eq(1)
    whole &= pairs["found"].notna()
    return together.gt(1), whole


def _why(truth: pd.DataFrame, predicted: pd.Series) -> None:
    true_of = truth["trader_id"]
    linked, _ = linked_to_own(predicted, true_of)
    alone = truth[(true_of.map(true_of.value_counts()) > 1) & ~linked]
    missed = Counter(zip(alone["role"], alone["tie"], alone["patterns"], strict=True))
    print("not linked to any sibling (role, tie, patterns): count")
    for key, count in missed.most_common(25):
        print(f"  {key}: {count}")
    merged: Counter[tuple[str, ...]] = Counter()
    for _cluster, accounts in predicted.groupby(predicted):
        traders = true_of[accounts.index]
        if traders.nunique() > 1:
            merged[
                tuple(sorted(set(";".join(truth.loc[accounts.index, "patterns"]).split(";"))))
            ] += 1
    print("over-merged clusters by the patterns of their accounts: count")
    for patterns, count in merged.most_common(15):
        print(f"  {patterns}: {count}")
