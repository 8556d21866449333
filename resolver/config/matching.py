"""`config/matching.yaml`: the match rules investigators tune, validated with clear errors."""

from __future__ import annotations

import hashlib
import math
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from resolver.config.base import Strict
from resolver.vocabulary import LISTED, TIE_KINDS, VALUE_KINDS

# Columns of the account records (see `Case.records.for_linkage`) that rules may name.
SCALAR_COLUMNS = (
    "registrant_name",
    "registrant_pinyin",
    "registrant_surname",
    "id_number",
    "id_partial",
    "district",
    "platform",
)
LIST_COLUMNS = (*LISTED, "evidence_tokens")


class MissingLevel(Strict):
    kind: Literal["missing"]
    column: str
    label: str | None = None


class ExactLevel(Strict):
    kind: Literal["exact"]
    column: str
    term_frequency: bool = False
    label: str | None = None


class OverlapLevel(Strict):
    kind: Literal["overlap"]
    column: str
    min: int = Field(default=1, ge=1)
    label: str | None = None


class MaskedLevel(Strict):
    """A masked value of one account fits a value (or mask) of the other: `column` is a
    `masked_*` list, compared with the keys of the same kind."""

    kind: Literal["masked"]
    column: str
    label: str | None = None


class SqlLevel(Strict):
    kind: Literal["sql"]
    condition: str
    label: str
    missing: bool = False  # a level that means "no information"


class ElseLevel(Strict):
    kind: Literal["else"]
    label: str | None = None


Level = Annotated[
    MissingLevel | ExactLevel | OverlapLevel | MaskedLevel | SqlLevel | ElseLevel,
    Field(discriminator="kind"),
]


class Comparison(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    levels: list[Level] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> Comparison:
        if self.levels[-1].kind != "else":
            raise ValueError(f"{self.name}: the last level must be `else`")
        for level in self.levels:
            column = getattr(level, "column", None)
            if column is None:
                continue
            known = LIST_COLUMNS if level.kind == "overlap" else (*SCALAR_COLUMNS, *LIST_COLUMNS)
            if column not in known:
                raise ValueError(
                    f"{self.name}: unknown column {column!r}; expected one of " + ", ".join(known)
                )
            if level.kind == "exact" and column in LIST_COLUMNS:
                raise ValueError(f"{self.name}: {column!r} is a list: compare it with `overlap`")
            kind = VALUE_KINDS.get(column)
            if level.kind == "masked" and (kind is None or not kind.masked):
                raise ValueError(f"{self.name}: {column!r} is no masked_* list")
        return self

    @property
    def tf_column(self) -> str | None:
        """The column whose term frequencies adjust this comparison's weight, if any."""
        return next(
            (lv.column for lv in self.levels if isinstance(lv, ExactLevel) and lv.term_frequency),
            None,
        )

    def level_label(self, gamma: int) -> str:
        """What Splink's level number means: the levels count from the bottom (else = 0);
        a missing level is -1."""
        if gamma < 0:
            missing = next(lv for lv in self.levels if _is_missing(lv))
            return missing.label or "missing"
        counted = [lv for lv in self.levels if not _is_missing(lv)]
        level = counted[len(counted) - 1 - gamma]
        if level.label:
            return level.label
        if isinstance(level, ExactLevel):
            return f"same {level.column.replace('_', ' ')}"
        if isinstance(level, OverlapLevel):
            return f"{level.column.replace('_', ' ')} in common"
        if isinstance(level, MaskedLevel):
            return f"{level.column.replace('_', ' ')} that fit"
        return "all other"


def _is_missing(level: Level) -> bool:
    return level.kind == "missing" or getattr(level, "missing", False)


class Hubs(Strict):
    """When a value is a hub: its holders are otherwise unrelated (see `linkage.hubs`)."""

    max_groups: int = Field(default=10, ge=2)  # unrelated groups holding one strong value
    max_add_on_groups: int = Field(default=1, ge=1)  # ... lending it: a weak hub
    max_groups_weak: int = Field(default=8, ge=1)  # unrelated groups holding one weak value
    max_recipient_names: int = Field(default=4, ge=1)  # names orders reach it under
    max_groups_supplied: int = Field(default=2, ge=1)  # unrelated groups a group's stores ship to


class Training(Strict):
    prior_recall: float = Field(default=0.6, gt=0, le=1)
    u_max_pairs: int = Field(default=2_000_000, ge=10_000)
    em_blocking: list[list[str]] = Field(min_length=1)
    em_max_pairs: int = Field(default=2_000_000, ge=10_000)
    seed: int = 1


class Budget(Strict):
    """Candidate pairs a blocking rule may bring before the model (counted by Splink's
    blocking analysis first): past `warn_pairs` the run says so, past `max_pairs` it stops,
    naming the rule and the values that blow up."""

    warn_pairs: int = Field(default=2_000_000, ge=1)
    max_pairs: int = Field(default=30_000_000, ge=1)
    # a weak value (a name in a district, an address, a store name) held by more accounts than
    # this brings no candidate pairs: see `linkage.model.capped`
    max_block_accounts: int = Field(default=50, ge=2)


class Resources(Strict):
    """DuckDB's memory limit (the case's connection and the model's each); beyond it work
    spills to `tmp/` inside the case."""

    memory_limit: str = "3GB"

    @field_validator("memory_limit")
    @classmethod
    def _size(cls, value: str) -> str:
        if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value.strip()):
            raise ValueError(f"{value!r}: expected a size such as 3GB or 512MB")
        return value.strip()


class Spark(Strict):
    """Splink's Spark backend (`engine: spark`): where it runs and how it keeps its work."""

    master: str = "local[*]"  # local[N] on one machine, or spark://host:port of a cluster
    # None: twice the cores of local[N] (measured best on 2 cores: 4 took 84 s, 16 took 124 s
    # on 2,000 traders), Spark's 200 on a cluster
    shuffle_partitions: int | None = Field(default=None, ge=1)
    driver_memory: str = "4g"
    break_lineage: Literal["parquet", "persist", "checkpoint"] = "parquet"


class Thresholds(Strict):
    link: float = Field(default=0.95, gt=0, lt=1)
    bridge: float = Field(default=0.999, gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.bridge < self.link:
            raise ValueError("bridge: must be at least the link threshold")
        return self


class MatchingConfig(Strict):
    hubs: Hubs = Hubs()
    comparisons: list[Comparison] = Field(min_length=1)
    blocking: list[list[str]] = Field(min_length=1)
    budget: Budget = Budget()
    training: Training
    control_evidence: dict[str, float] = {}
    thresholds: Thresholds = Thresholds()
    resources: Resources = Resources()
    engine: Literal["duckdb", "spark"] = "duckdb"  # where Splink scores pairs
    spark: Spark = Spark()
    source: Path = Path("<memory>")

    @model_validator(mode="after")
    def _control_evidence(self) -> MatchingConfig:
        """One strong tie links; one weak tie alone never does."""
        link_bits = math.log2(self.thresholds.link / (1 - self.thresholds.link))
        for kind, bits in self.control_evidence.items():
            tie = TIE_KINDS.get(kind)
            if tie is None:
                raise ValueError(
                    f"control_evidence.{kind}: unknown kind; expected one of "
                    + ", ".join(TIE_KINDS)
                )
            if tie.strong and bits < link_bits:
                raise ValueError(
                    f"control_evidence.{kind}: a strong tie needs at least {link_bits:.2f} bits "
                    "(the link threshold) to link on its own"
                )
            if not tie.strong and not 0 < bits < link_bits:
                raise ValueError(
                    f"control_evidence.{kind}: a weak tie weighs more than 0 and less than "
                    f"{link_bits:.2f} bits (the link threshold): alone it never links"
                )
        return self

    @model_validator(mode="after")
    def _columns(self) -> MatchingConfig:
        known = (*SCALAR_COLUMNS, *LIST_COLUMNS)
        for where, rules in (
            ("blocking", self.blocking),
            ("training.em_blocking", self.training.em_blocking),
        ):
            for rule in rules:
                for column in rule:
                    if column not in known:
                        raise ValueError(f"{where}: unknown column {column!r}")
        for rule in self.training.em_blocking:
            lists = [column for column in rule if column in LIST_COLUMNS]
            if lists:
                raise ValueError(
                    f"training.em_blocking: {lists[0]!r} is a list; EM needs single values"
                )
        names = [c.name for c in self.comparisons]
        if len(set(names)) != len(names):
            raise ValueError("comparisons: two comparisons have the same name")
        return self

    @property
    def link_bits(self) -> float:
        """The link threshold as a match weight."""
        return math.log2(self.thresholds.link / (1 - self.thresholds.link))

    @cached_property
    def sha256(self) -> str:
        """The rules a trained model belongs to: the engine among them (its SQL is the
        engine's), not where Spark runs."""
        rules = self.model_dump_json(exclude={"source", "spark"})
        return hashlib.sha256(rules.encode()).hexdigest()

    def on(self, engine: str | None = None, spark_master: str | None = None) -> MatchingConfig:
        """These rules run on another engine, or another Spark master (a command's options)."""
        if engine is None and spark_master is None:
            return self
        rules = self.model_dump()
        if engine is not None:
            rules["engine"] = engine
        if spark_master is not None:
            rules["spark"]["master"] = spark_master
        return MatchingConfig.model_validate(rules)
