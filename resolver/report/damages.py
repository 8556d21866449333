"""Damages scenarios (`config/damages.yaml`): each one's figure and the formula behind it.

Money stays integer fen. A margin or multiplier is a decimal (as written in the YAML, never a
float), and each product is rounded half up to the fen, once per step, as the formula shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from resolver.config import PACKAGE_CONFIG, load_yaml_model
from resolver.money import yuan


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scenario(_Strict):
    """Either a margin on sales (with its source, and optionally a punitive multiplier of one
    to five), or a fixed statutory amount (the fallback when sales cannot show the profit)."""

    name: str = Field(min_length=1)
    margin: Decimal | None = Field(default=None, gt=0, le=1)
    margin_source: str | None = None
    punitive_multiplier: Decimal | None = Field(default=None, ge=1, le=5)
    statutory_yuan: Decimal | None = Field(default=None, gt=0)
    note: str | None = None

    @field_validator("margin", "punitive_multiplier", "statutory_yuan", mode="before")
    @classmethod
    def _exact(cls, value: object) -> object:
        """YAML reads 0.3 as a float; its shortest text is what the investigator wrote."""
        return str(value) if isinstance(value, float) else value

    @model_validator(mode="after")
    def _one_kind(self) -> Scenario:
        if (self.margin is None) == (self.statutory_yuan is None):
            raise ValueError(f"{self.name}: give either `margin` or `statutory_yuan`")
        if self.margin is not None and not (self.margin_source or "").strip():
            raise ValueError(f"{self.name}: a margin needs its `margin_source`")
        if self.statutory_yuan is not None and self.punitive_multiplier is not None:
            raise ValueError(f"{self.name}: a punitive multiplier applies to a margin scenario")
        if self.statutory_yuan is not None and self.statutory_yuan != round(self.statutory_yuan, 2):
            raise ValueError(f"{self.name}: statutory_yuan has more than two decimals")
        return self


class DamagesConfig(_Strict):
    basis: Literal["infringing_sales", "all_sales"] = "infringing_sales"
    scenarios: list[Scenario] = Field(min_length=1)
    source: Path = Path("<memory>")


def load_damages(config_dir: Path | None = None) -> DamagesConfig:
    return load_yaml_model((config_dir or PACKAGE_CONFIG) / "damages.yaml", DamagesConfig)


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
