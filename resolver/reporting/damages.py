"""Damages scenarios (`config/damages.yaml`): each one's figure and the formula behind it, in
the report's language.

Money stays integer fen. A margin or multiplier is a decimal, and each product is rounded half up
to the fen, once per step, as the formula shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from resolver.config.damages import DamagesConfig, in_language
from resolver.i18n import money_words, words
from resolver.money import yuan


@dataclass(frozen=True)
class Assessment:
    scenario: str
    amount_fen: int
    formula: str
    note: str
    legal_basis: str
    to_be_proven: bool  # the margin is a placeholder: the figure is no finding yet


def assess(
    config: DamagesConfig, sales_fen: int, infringing_fen: int, lang: str = "en"
) -> list[Assessment]:
    """Every scenario's figure for one network's counted sales."""
    t = words(lang)
    money = yuan if lang == "en" else (lambda fen: money_words(fen, lang))  # 人民币1,234.56元
    basis_fen = infringing_fen if config.basis == "infringing_sales" else sales_fen
    basis_label = t["basis_" + config.basis]
    results = []
    for scenario in config.scenarios:
        name = in_language(scenario.name, lang)
        basis = in_language(scenario.legal_basis, lang)
        if scenario.statutory_yuan is not None:
            amount = _fen(scenario.statutory_yuan * 100)
            formula = t.say("formula_statutory", amount=money(amount))
            note = in_language(scenario.note, lang)
            results.append(Assessment(name, amount, formula, note, basis, False))
            continue
        assert scenario.margin is not None  # the model's check: margin xor statutory
        profit = _fen(basis_fen * scenario.margin)
        formula = t.say("formula_margin", basis=money(basis_fen), basis_label=basis_label,
                        margin=_percent(scenario.margin), profit=money(profit))  # fmt: skip
        amount = profit
        if scenario.punitive_multiplier is not None:
            amount = _fen(profit * scenario.punitive_multiplier)
            times = f"{scenario.punitive_multiplier.normalize():f}"
            formula += t.say("formula_punitive", multiplier=times, amount=money(amount))
        note = t.say("margin_source", source=in_language(scenario.margin_source, lang))
        results.append(Assessment(name, amount, formula, note, basis, scenario.to_be_proven))
    return results


def _fen(value: Decimal | int) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _percent(margin: Decimal) -> str:
    return f"{(margin * 100).normalize():f}%"
