"""`config/damages.yaml`: the damages scenarios a report computes, validated.

A margin or multiplier is a decimal (as written in the YAML, never a float); each scenario is
either a margin on sales (with its source, and optionally a punitive multiplier of one to five)
or a fixed statutory amount. Texts a reader sees (name, legal basis, sources, notes) are given
once, or once per report language (`{zh: ..., en: ...}`). A margin the matter cannot prove yet
is marked `to_be_proven`, and every output says so beside its figure.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from resolver.config.base import Strict

Text = str | dict[Literal["zh", "en"], str]


def in_language(text: Text | None, lang: str) -> str:
    """A configured text in `lang`: the one given, or (given per language) the language's, else
    any language's (a report never drops what the investigator wrote)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.get(lang) or next(iter(text.values()), "")  # type: ignore[call-overload]


class Scenario(Strict):
    """Either a margin on sales (with its source, and optionally a punitive multiplier of one
    to five), or a fixed statutory amount (the fallback when sales cannot show the profit)."""

    name: Text = Field(min_length=1)
    legal_basis: Text | None = None  # 法律依据: the article the scenario rests on
    margin: Decimal | None = Field(default=None, gt=0, le=1)
    margin_source: Text | None = None
    to_be_proven: bool = False  # the margin is a placeholder the matter has yet to prove
    punitive_multiplier: Decimal | None = Field(default=None, ge=1, le=5)
    statutory_yuan: Decimal | None = Field(default=None, gt=0)
    note: Text | None = None

    @field_validator("margin", "punitive_multiplier", "statutory_yuan", mode="before")
    @classmethod
    def _exact(cls, value: object) -> object:
        """YAML reads 0.3 as a float; its shortest text is what the investigator wrote."""
        return str(value) if isinstance(value, float) else value

    @model_validator(mode="after")
    def _one_kind(self) -> Scenario:
        name = in_language(self.name, "en")
        if (self.margin is None) == (self.statutory_yuan is None):
            raise ValueError(f"{name}: give either `margin` or `statutory_yuan`")
        if self.margin is not None and not in_language(self.margin_source, "en").strip():
            raise ValueError(f"{name}: a margin needs its `margin_source`")
        if self.statutory_yuan is not None and self.punitive_multiplier is not None:
            raise ValueError(f"{name}: a punitive multiplier applies to a margin scenario")
        if self.statutory_yuan is not None and self.statutory_yuan != round(self.statutory_yuan, 2):
            raise ValueError(f"{name}: statutory_yuan has more than two decimals")
        return self


class DamagesConfig(Strict):
    basis: Literal["infringing_sales", "all_sales"] = "infringing_sales"
    scenarios: list[Scenario] = Field(min_length=1)
    source: Path = Path("<memory>")
