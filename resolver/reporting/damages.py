"""Damages scenarios (`config/damages.yaml`): each one's figure and the formula behind it.

Money stays integer fen. A margin or multiplier is a decimal, and each product is rounded half up
to the fen, once per step, as the formula shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from resolver.config.damages import DamagesConfig
from resolver.money import yuan


@dataclass(frozen=True)
class Assessment:
    scenario: str
    amount_fen: int
    formula: str
    note: str


def assess(config: DamagesConfig, sales_fen: int, infringing_fen: int) -> list[Assessment]:
    """Every scenario's figure for one network's counted sales."""
    basis_fen = infringing_fen if config.basis == "infringing_sales" else sales_fen
    basis_label = "infringing sales" if config.basis == "infringing_sales" else "sales"
    results = []
    for scenario in config.scenarios:
        if scenario.statutory_yuan is not None:
            amount = _fen(scenario.statutory_yuan * 100)
            formula = f"statutory amount, as set in damages.yaml: {yuan(amount)}"
            results.append(Assessment(scenario.name, amount, formula, scenario.note or ""))
            continue
        assert scenario.margin is not None  # the model's check: margin xor statutory
        profit = _fen(basis_fen * scenario.margin)
        formula = (
            f"{yuan(basis_fen)} {basis_label} × {_percent(scenario.margin)} margin = {yuan(profit)}"
        )
        amount = profit
        if scenario.punitive_multiplier is not None:
            amount = _fen(profit * scenario.punitive_multiplier)
            formula += f"; × {scenario.punitive_multiplier.normalize():f} = {yuan(amount)}"
        note = f"Margin source: {scenario.margin_source}"
        results.append(Assessment(scenario.name, amount, formula, note))
    return results


def _fen(value: Decimal | int) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _percent(margin: Decimal) -> str:
    return f"{(margin * 100).normalize():f}%"
