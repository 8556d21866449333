"""The Splink model: settings from `matching.yaml`, training, and scoring account pairs.

Splink runs on its own in-memory DuckDB, fed Arrow tables, so its work tables never enter the
case database. The trained model is saved in the case (see `resolver.case.model`) and reused by
later runs.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pandas as pd
import pyarrow as pa
from splink import DuckDBAPI, Linker, block_on
from splink.internals.exceptions import EMTrainingException, SplinkException

from resolver.case.links import Step
from resolver.config.matching import LIST_COLUMNS, MatchingConfig

EVIDENCE_COLUMN = "evidence_tokens"
logging.getLogger("splink").setLevel(logging.ERROR)  # training notes are ours to report
LOG = logging.getLogger(__name__)


def comparison_steps(config: MatchingConfig, row: dict | pd.Series) -> list[Step]:
    """A scored pair's weight, comparison by comparison (term-frequency adjustment included),
    from Splink's `gamma_`/`mw_` columns."""
    steps = []
    for comparison in config.comparisons:
        gamma = row.get(f"gamma_{comparison.name}")
        if gamma is None or pd.isna(gamma) or f"mw_{comparison.name}" not in row:
            # a small case could not estimate it
            steps.append(Step(comparison.name, "not estimated: too little data", 0.0))
            continue
        weight = float(row[f"mw_{comparison.name}"])
        adjustment = row.get(f"mw_tf_adj_{comparison.tf_column}")
        if adjustment is not None and not pd.isna(adjustment):
            weight += float(adjustment)
        steps.append(Step(comparison.name, comparison.level_label(int(gamma)), weight))
    return steps


def _level(level, comparison: str) -> dict:
    label = getattr(level, "label", None)
    if level.kind == "missing":
        column = level.column
        empty = (
            f"len({column}_l) = 0 OR len({column}_r) = 0"
            if column in LIST_COLUMNS
            else f"{column}_l IS NULL OR {column}_r IS NULL"
        )
        return {
            "sql_condition": empty,
            "label_for_charts": label or "missing",
            "is_null_level": True,
        }
    if level.kind == "exact":
        result = {
            "sql_condition": f"{level.column}_l = {level.column}_r",
            "label_for_charts": label or f"same {level.column.replace('_', ' ')}",
        }
        if level.term_frequency:
            result |= {"tf_adjustment_column": level.column, "tf_adjustment_weight": 1.0}
        return result
    if level.kind == "overlap":
        condition = f"len(list_intersect({level.column}_l, {level.column}_r)) >= {level.min}"
        return {"sql_condition": condition, "label_for_charts": label or f"{level.column} overlap"}
    if level.kind == "sql":
        return {
            "sql_condition": level.condition,
            "label_for_charts": label,
            "is_null_level": level.missing,
        }
    return {"sql_condition": "ELSE", "label_for_charts": label or "all other"}


def blocking_rules(config: MatchingConfig) -> list:
    rules = [
        block_on(*rule, arrays_to_explode=[c for c in rule if c in LIST_COLUMNS])
        for rule in config.blocking
    ]
    # Pairs tied by order evidence are always scored, whatever their identifiers.
    return [*rules, block_on(EVIDENCE_COLUMN, arrays_to_explode=[EVIDENCE_COLUMN])]


def splink_settings(config: MatchingConfig) -> dict:
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": [
            {
                "output_column_name": c.name,
                "comparison_description": c.name.replace("_", " "),
                "comparison_levels": [_level(level, c.name) for level in c.levels],
            }
            for c in config.comparisons
        ],
        "blocking_rules_to_generate_predictions": blocking_rules(config),
        "retain_intermediate_calculation_columns": True,
    }


class Model:
    """A Splink linker over all accounts of the case."""

    def __init__(self, accounts: pd.DataFrame, settings: dict[str, Any]) -> None:
        self.db_api = DuckDBAPI()
        self.accounts = self.db_api.register(_arrow(accounts), dataset_display_name="accounts")
        self.linker = Linker(self.accounts, settings, log_level=logging.ERROR)

    @classmethod
    def untrained(cls, accounts: pd.DataFrame, config: MatchingConfig) -> Model:
        return cls(accounts, splink_settings(config))

    @classmethod
    def load(
        cls, accounts: pd.DataFrame, settings: dict[str, Any], config: MatchingConfig
    ) -> Model:
        model = cls(accounts, settings)
        for column in tf_columns(config):  # a fresh process has no frequency tables yet
            model.linker.table_management.compute_tf_table(column)
        return model

    def train(self, config: MatchingConfig) -> list[str]:
        """Train; returns the steps that the data could not support (a small case has no pairs
        for some EM rules: their parameters keep Splink's defaults)."""
        training, skipped = self.linker.training, []
        try:
            training.estimate_probability_two_random_records_match(
                [block_on("id_number")], recall=config.training.prior_recall
            )
        except (SplinkException, ValueError, ZeroDivisionError) as err:
            skipped.append(f"prior from shared ID numbers: {err}")
        settings = self.linker._settings_obj  # Splink has no public setter for the prior
        prior = settings._probability_two_random_records_match
        if not 0 < prior < 1:  # no pair shares an ID: expect about one other account each
            count = self.accounts.as_pandas_dataframe()["unique_id"].nunique()
            settings._probability_two_random_records_match = 1 / max(count, 2)
            skipped.append("prior from shared ID numbers: none shared; 1/accounts used")
        training.estimate_u_using_random_sampling(
            max_pairs=config.training.u_max_pairs, seed=config.training.seed
        )
        for rule in config.training.em_blocking:
            try:
                training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
            except (EMTrainingException, SplinkException) as err:
                skipped.append(f"EM blocked on {', '.join(rule)}: {str(err).splitlines()[0]}")
        for note in skipped:
            LOG.warning("training step skipped: %s", note)
        return skipped

    def settings(self) -> dict[str, Any]:
        """The trained model (settings and parameters) as Splink writes it to JSON."""
        return self.linker.misc.save_model_to_json()

    def predict(self, new_ids: set[str] | None = None) -> pd.DataFrame:
        """Every blocked pair, scored; with `new_ids`, only pairs that involve one of those
        accounts (an incremental run)."""
        inference = self.linker.inference
        if new_ids is None:
            frame = inference.predict().as_pandas_dataframe()
            return _pairs(frame)
        table = self.accounts.as_pandas_dataframe()
        is_new = table["unique_id"].isin(new_ids)
        if not is_new.any():
            return _pairs(pd.DataFrame())
        new = self.db_api.register(_arrow(table[is_new]), dataset_display_name="new_accounts")
        parts = [inference.predict_within(new)]
        if (~is_new).any():
            old = self.db_api.register(_arrow(table[~is_new]), dataset_display_name="old_accounts")
            parts.append(inference.predict_between(new, old))
        return _pairs(pd.concat([p.as_pandas_dataframe() for p in parts], ignore_index=True))

    def explain(self, left: dict, right: dict) -> pd.DataFrame:
        return self.linker.inference.score_pair(left, right).as_pandas_dataframe()


def tf_columns(config: MatchingConfig) -> list[str]:
    return sorted(
        {
            level.column
            for comparison in config.comparisons
            for level in comparison.levels
            if level.kind == "exact" and level.term_frequency
        }
    )


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)


def _pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Pairs in one orientation (account_a < account_b), with Splink's weight and its parts."""
    columns = ["account_a", "account_b", "match_weight"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    a, b = frame["unique_id_l"], frame["unique_id_r"]
    parts = [c for c in frame.columns if c.startswith(("mw_", "gamma_"))]
    out = pd.DataFrame(
        {
            "account_a": a.where(a < b, b),
            "account_b": b.where(a < b, a),
            "match_weight": frame["match_weight"].astype(float),
        }
    )
    for column in parts:
        out[column] = frame[column].astype(int if column.startswith("gamma_") else float)
    return out.drop_duplicates(["account_a", "account_b"]).reset_index(drop=True)


def probability(weight: float | pd.Series) -> float | pd.Series:
    if isinstance(weight, pd.Series):
        return 1 / (1 + 2.0 ** (-weight))
    return 1 / (1 + math.pow(2.0, -weight))
