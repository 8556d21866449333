"""Clustering quality against a ground truth: pairwise and B-cubed precision, recall, F1."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def pairwise(truth: pd.Series, predicted: pd.Series) -> Scores:
    """Over pairs of accounts placed together. Both series: account -> cluster label."""
    joint = pd.DataFrame({"t": truth, "p": predicted}).dropna()

    def pairs(counts: pd.Series) -> int:
        return int((counts * (counts - 1) // 2).sum())

    both = pairs(joint.groupby(["t", "p"]).size())
    in_truth, in_predicted = pairs(joint.groupby("t").size()), pairs(joint.groupby("p").size())
    return Scores(
        both / in_predicted if in_predicted else 1.0, both / in_truth if in_truth else 1.0
    )


def bcubed(truth: pd.Series, predicted: pd.Series) -> Scores:
    """Per account: the share of its predicted cluster that truly belongs with it (precision)
    and the share of its true cluster that was found with it (recall), averaged."""
    joint = pd.DataFrame({"t": truth, "p": predicted}).dropna()
    both = Counter(zip(joint["t"], joint["p"], strict=True))
    true_size, predicted_size = Counter(joint["t"]), Counter(joint["p"])
    precision = recall = 0.0
    for t, p in zip(joint["t"], joint["p"], strict=True):
        precision += both[(t, p)] / predicted_size[p]
        recall += both[(t, p)] / true_size[t]
    n = len(joint)
    return Scores(precision / n if n else 1.0, recall / n if n else 1.0)
