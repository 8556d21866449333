"""What investigators' judgements make of the links: every run obeys them.

A `same` pair is joined by a confirmed link that no rule cuts; a `different` pair is separated
by cutting the weakest links between them (never a confirmed one); an `unsure` pair's own link
does not count, so the model alone never joins it. Judgements that cannot all hold (A = B,
B = C, A ≠ C) are contradictions: their accounts' trader is contested until a person resolves
them. Judgements do not train the model: Splink's EM is unsupervised, and keeping them out keeps
`resolver evaluate` an honest measure of the model against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

from resolver.case.judgements import VERDICTS, Judgement

Pair = tuple[str, str]


@dataclass(frozen=True)
class Judged:
    same: dict[Pair, Judgement]
    different: dict[Pair, Judgement]
    unsure: dict[Pair, Judgement]

    @classmethod
    def of(cls, judgements: list[Judgement]) -> Judged:
        by_verdict: dict[str, dict[Pair, Judgement]] = {v: {} for v in VERDICTS}
        for judgement in judgements:
            by_verdict[judgement.verdict][(judgement.account_a, judgement.account_b)] = judgement
        return cls(by_verdict["same"], by_verdict["different"], by_verdict["unsure"])

    def overrules(self, a: str, b: str) -> bool:
        """Whether the model's own link of a pair is set aside (judged different or unsure)."""
        pair = (a, b) if a < b else (b, a)
        return pair in self.different or pair in self.unsure


def contradictions(judgements: list[Judgement]) -> dict[str, str]:
    """account -> the judgements that cannot all hold on its trader, in words: a `different`
    pair whose accounts `same` judgements join, with the chain that joins them."""
    judged = Judged.of(judgements)
    same = nx.Graph()
    for (a, b), judgement in judged.same.items():
        same.add_edge(a, b, judgement=judgement)
    conflicts: dict[str, list[str]] = {}
    for (a, b), apart in judged.different.items():
        if a in same and b in same and nx.has_path(same, a, b):
            path = nx.shortest_path(same, a, b)
            chain = [same.edges[u, v]["judgement"] for u, v in pairwise(path)]
            words = "; ".join(j.words for j in [*chain, apart])
            for account in nx.node_connected_component(same, a):
                conflicts.setdefault(account, []).append(words)
    return {account: " | ".join(sorted(set(said))) for account, said in conflicts.items()}
