"""`config/damages.yaml`: the damages scenarios a report computes, validated.

A margin or multiplier is a decimal (as written in the YAML, never a float); each scenario is
either a margin on sales (with its source, and optionally a punitive multiplier of one to five)
or a fixed statutory amount.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from resolver.config.base import Strict


class Scenario(Strict):
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


class DamagesConfig(Strict):
    basis: Literal["infringing_sales", "all_sales"] = "infringing_sales"
    scenarios: list[Scenario] = Field(min_length=1)
    source: Path = Path("<memory>")
