"""The Splink model: settings from `matching.yaml`, training, and scoring account pairs.

Splink runs on its own in-memory DuckDB (or on Spark: see `engines`), fed Arrow tables, so its
work tables never enter the case database. The trained model is saved in the case (see
`resolver.case.model`) and reused by later runs.
"""

from __future__ import annotations

import copy
import json
import logging
import math
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules, n_largest_blocks
from splink.blocking_rule_library import CustomRule
from splink.internals.exceptions import EMTrainingException, SplinkException

from resolver.case import quiet
from resolver.config.matching import LIST_COLUMNS, MatchingConfig
from resolver.errors import ResolverError
from resolver.linkage.engines import condition, database_api, register
from resolver.progress import Progress, silent
from resolver.vocabulary import VALUE_KINDS

EVIDENCE_COLUMN = "evidence_tokens"
PARAMETER_DIGITS = 9  # significant digits a trained m or u probability keeps (see _settle)
SAMPLE_SCALE = 1_000_000  # an EM sample keeps pairs whose hash, modulo this, falls below a bound
logging.getLogger("splink").setLevel(logging.ERROR)  # training notes are ours to report
LOG = logging.getLogger(__name__)


def comparison_parts(config: MatchingConfig, pairs: pd.DataFrame) -> list[str]:
    """Each scored pair's weight, comparison by comparison (the level that held and its bits,
    term-frequency adjustment included), as the JSON a link keeps: from Splink's `gamma_` and
    `mw_` columns."""
    columns = []
    for comparison in config.comparisons:
        gamma, weight = f"gamma_{comparison.name}", f"mw_{comparison.name}"
        if gamma not in pairs or weight not in pairs:  # a small case could not estimate it
            columns.append((comparison.name, ["not estimated: too little data"] * len(pairs),
                            [0.0] * len(pairs)))  # fmt: skip
            continue
        labels = {int(g): comparison.level_label(int(g)) for g in pairs[gamma].dropna().unique()}
        bits = pairs[weight].astype(float)
        adjustment = f"mw_tf_adj_{comparison.tf_column}"
        if adjustment in pairs:
            bits = bits + pairs[adjustment].astype(float).fillna(0.0)
        columns.append((comparison.name, [labels[int(g)] for g in pairs[gamma]], bits.tolist()))
    return [
        json.dumps(
            [{"comparison": name, "level": levels[i], "weight": round(weights[i], 3)}
             for name, levels, weights in columns],
            ensure_ascii=False,
        )
        for i in range(len(pairs))
    ]  # fmt: skip


def _level(level, engine: str) -> dict:
    """A comparison level as Splink's settings hold it, its condition in the engine's SQL."""
    level_settings = _duckdb_level(level)
    if level_settings["sql_condition"] != "ELSE":
        level_settings["sql_condition"] = condition(level_settings["sql_condition"], engine)
    return level_settings


def _duckdb_level(level) -> dict:
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
    if level.kind == "masked":  # a masked value on one side fits a value (or mask) on the other
        keys = VALUE_KINDS[level.column].keys
        condition = (
            f"len(list_intersect({level.column}_l, {keys}_r)) > 0 "
            f"OR len(list_intersect({level.column}_r, {keys}_l)) > 0"
        )
        return {"sql_condition": condition, "label_for_charts": label or f"{level.column} fit"}
    if level.kind == "sql":
        return {
            "sql_condition": level.condition,
            "label_for_charts": label,
            "is_null_level": level.missing,
        }
    return {"sql_condition": "ELSE", "label_for_charts": label or "all other"}


def _lists(rule: list[str]) -> list[str]:
    return [column for column in rule if column in LIST_COLUMNS]


# A key (`138*5678`) only says something where one side's is masked: two full numbers that
# differ are different numbers, whatever their keys (a key of 3 + 4 digits is held by numbers
# whose count grows with the case, so pairs of full numbers on one key grow as its square).
MASKED_KEYS = {kind.keys: name for name, kind in VALUE_KINDS.items() if kind.keys}


def capped(rule: list[str]) -> bool:
    """Whether `rule` blocks on weak values only (a name and district, an address, a store
    name: no identifier, no masked key), whose blocks are held to `budget.max_block_accounts`.
    A weak value never links on its own, so a pair it alone brings has nothing to link it, and
    a value that many accounts hold (a common name where a third of the sellers trade) makes
    pairs as the square of the case."""
    return not any(
        column in MASKED_KEYS or getattr(VALUE_KINDS.get(column), "strong", False)
        for column in rule
    )


def block_column(rule: list[str]) -> str:
    """The column a capped rule blocks on: its values, joined, where few enough hold them."""
    return "block_" + "_".join(rule)


def with_block_columns(accounts: pd.DataFrame, config: MatchingConfig) -> pd.DataFrame:
    """`accounts` with a `block_column` for each capped rule: the rule's values of an account
    (one of each list's, joined) that at most `budget.max_block_accounts` accounts hold."""
    rules = [rule for rule in config.blocking if capped(rule)]
    if not rules:
        return accounts
    columns = sorted({column for rule in rules for column in rule})
    frame = accounts.reset_index(drop=True)
    with quiet(duckdb.connect(config={"memory_limit": config.resources.memory_limit})) as db:
        # as Arrow: DuckDB types a pandas list column from a sample of its first rows, and a
        # column whose values all come later is typed a list of nothing, which no value fits
        db.register("accounts", _arrow(frame[["unique_id", *columns]]))
        for rule in rules:
            exploded = ", ".join(
                f"unnest({column}) AS {column}" if column in LIST_COLUMNS else column
                for column in rule
            )
            held = db.sql(
                f"""
                WITH held AS (
                    SELECT DISTINCT unique_id, concat_ws(chr(31), {", ".join(rule)}) AS key
                    FROM (SELECT unique_id, {exploded} FROM accounts)
                    WHERE {" AND ".join(f"{column} IS NOT NULL" for column in rule)}
                )
                SELECT a.unique_id, coalesce(b.keys, []::VARCHAR[]) AS keys
                FROM accounts a LEFT JOIN (
                    SELECT unique_id, list_sort(list(key)) AS keys FROM (
                        SELECT unique_id, key, count(*) OVER (PARTITION BY key) AS holders
                        FROM held
                    ) WHERE holders <= {int(config.budget.max_block_accounts)} GROUP BY unique_id
                ) b USING (unique_id)
                """
            ).to_arrow_table()
            keys = dict(zip(held["unique_id"].to_pylist(), held["keys"].to_pylist(), strict=True))
            frame[block_column(rule)] = frame["unique_id"].map(keys)
    return frame


def blocking_rule(rule: list[str]):
    """Splink's rule for the columns of `rule`: the same value in each (one of the values of a
    list); on a key column, only where one side's key is masked; a capped rule on its
    `block_column`."""
    if capped(rule):
        return block_on(block_column(rule), arrays_to_explode=[block_column(rule)])
    keys = [column for column in rule if column in MASKED_KEYS]
    if not keys:
        return block_on(*rule, arrays_to_explode=_lists(rule))
    masked = [
        f"(list_contains(l.{MASKED_KEYS[key]}, l.{key}) OR "
        f"list_contains(r.{MASKED_KEYS[key]}, r.{key}))"
        for key in keys
    ]
    return CustomRule(" AND ".join(_same(rule) + masked), "duckdb", arrays_to_explode=_lists(rule))


def _same(rule: list[str]) -> list[str]:
    """A rule's columns as SQL conditions: the same value on both sides."""
    return [f"l.{column} = r.{column}" for column in rule]


def em_rule(rule: list[str], pairs: int, max_pairs: int):
    """The EM rule on `rule`'s columns, over at most about `max_pairs` of its `pairs`: past
    that, a sample of them fixed by a hash of the two ids (the same on every run and engine).
    A value most sellers share (a common name) makes pairs as the square of the case, and m
    is estimated as well from a sample of them."""
    if pairs <= max_pairs:
        return block_on(*rule)
    kept = max_pairs * SAMPLE_SCALE // pairs
    sample = f"abs(hash(l.unique_id || '|' || r.unique_id)) % {SAMPLE_SCALE} < {kept}"
    return CustomRule(" AND ".join([*_same(rule), sample]), "duckdb")


def blocking_rules(config: MatchingConfig) -> list:
    rules = [blocking_rule(rule) for rule in config.blocking]
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
                "comparison_levels": [_level(level, config.engine) for level in c.levels],
            }
            for c in config.comparisons
        ],
        "blocking_rules_to_generate_predictions": blocking_rules(config),
        "retain_intermediate_calculation_columns": True,
    }


class Model:
    """A Splink linker over all accounts of the case, on the engine of `matching.yaml`: its
    own DuckDB (held to the memory limit, spilling into `spill`, a folder inside the case) or
    Spark."""

    def __init__(
        self,
        accounts: pd.DataFrame,
        settings: dict[str, Any],
        config: MatchingConfig,
        spill: Path,
    ) -> None:
        self.db_api = database_api(config, spill)
        blocked = bool(settings.get("blocking_rules_to_generate_predictions"))
        self.table = _arrow(with_block_columns(accounts, config) if blocked else accounts)
        self.accounts = register(self.db_api, self.table, "accounts")
        self.linker = Linker(self.accounts, settings, log_level=logging.ERROR)

    @classmethod
    def untrained(cls, accounts: pd.DataFrame, config: MatchingConfig, spill: Path) -> Model:
        return cls(accounts, splink_settings(config), config, spill)

    @classmethod
    def load(
        cls, accounts: pd.DataFrame, settings: dict[str, Any], config: MatchingConfig, spill: Path
    ) -> Model:
        model = cls(accounts, settings, config, spill)
        for column in tf_columns(config):  # a fresh process has no frequency tables yet
            model.linker.table_management.compute_tf_table(column)
        return model

    @classmethod
    def for_one_pair(
        cls, accounts: pd.DataFrame, settings: dict[str, Any], config: MatchingConfig, spill: Path
    ) -> Model:
        """The saved model on DuckDB whatever engine trained it, to score one pair (`explain`):
        the same levels with the same trained parameters, each condition in DuckDB's SQL (a
        Spark session for one pair would take longer than the question). One pair is not
        blocked: no blocking rules, so no block columns to make over the whole case."""
        settings = copy.deepcopy(settings)
        settings["blocking_rules_to_generate_predictions"] = []
        if config.engine == "duckdb":
            return cls.load(accounts, settings, config, spill)
        on_duckdb = config.on("duckdb")
        settings["sql_dialect"] = "duckdb"
        for saved, rules in zip(settings["comparisons"], config.comparisons, strict=True):
            for level, rule in zip(saved["comparison_levels"], rules.levels, strict=True):
                level["sql_condition"] = _level(rule, "duckdb")["sql_condition"]
        return cls.load(accounts, settings, on_duckdb, spill)

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
            count = self.table.num_rows
            settings._probability_two_random_records_match = 1 / max(count, 2)
            skipped.append("prior from shared ID numbers: none shared; 1/accounts used")
        training.estimate_u_using_random_sampling(
            max_pairs=config.training.u_max_pairs, seed=config.training.seed
        )
        for rule in config.training.em_blocking:
            pairs = self._pairs_of(block_on(*rule))
            if pairs > config.training.em_max_pairs:
                LOG.info("EM on %s: a sample of its %s pairs", ", ".join(rule), f"{pairs:,}")
            try:
                training.estimate_parameters_using_expectation_maximisation(
                    em_rule(rule, pairs, config.training.em_max_pairs)
                )
            except (EMTrainingException, SplinkException) as err:
                skipped.append(f"EM blocked on {', '.join(rule)}: {str(err).splitlines()[0]}")
        _settle(self.linker._settings_obj)
        for note in skipped:
            LOG.warning("training step skipped: %s", note)
        return skipped

    def check_budget(self, config: MatchingConfig, progress: Progress = silent) -> list[str]:
        """Count the candidate pairs of each blocking rule with Splink's blocking analysis
        before any is scored; past `budget.max_pairs` stop, naming the rule and the values that
        blow up; past `budget.warn_pairs`, return a warning. `progress` hears each rule counted.
        (An EM rule is held to `training.em_max_pairs` by sampling: see `em_rule`.)"""
        budget, warnings = config.budget, []
        named = [(", ".join(rule), blocking_rule(rule)) for rule in config.blocking]
        for done, (name, rule) in enumerate(named, start=1):
            counted = self._pairs_of(rule)
            progress("counting candidate pairs per blocking rule", done, len(named))
            if counted <= budget.warn_pairs:
                continue
            largest = n_largest_blocks(
                self.accounts, blocking_rule=rule, link_type="dedupe_only", n_largest=3
            ).as_pandas_dataframe()
            blocks = "; ".join(
                f"{', '.join(str(v) for v in row[:-1])} ({int(row[-1]):,} pairs)"
                for row in largest.itertuples(index=False)
            )
            message = f"blocking rule [{name}] makes {counted:,} candidate pairs; largest: {blocks}"
            if counted > budget.max_pairs:
                raise ResolverError(
                    f"{config.source}: {message}; more than budget.max_pairs "
                    f"({budget.max_pairs:,}): narrow the rule or raise the budget"
                )
            warnings.append(message)
        return warnings

    def _pairs_of(self, rule: Any) -> int:
        """The candidate pairs a blocking rule brings (Splink's blocking analysis)."""
        return int(count_comparisons_from_blocking_rules(
            self.accounts, blocking_rules=rule, link_type="dedupe_only",
            unique_id_column_name="unique_id", record_sample_proportion=1.0,
        )[0]["marginal_comparison_count"])  # fmt: skip

    def settings(self) -> dict[str, Any]:
        """The trained model (settings and parameters) as Splink writes it to JSON."""
        return self.linker.misc.save_model_to_json()

    def predict(self, new_ids: set[str] | None = None) -> pd.DataFrame:
        """Every blocked pair, scored; with `new_ids`, only pairs that involve one of those
        accounts (an incremental run)."""
        inference = self.linker.inference
        if new_ids is None:
            return _pairs(self._kept(inference.predict()))
        is_new = pc.is_in(self.table["unique_id"], pa.array(sorted(new_ids), pa.string()))
        if not pc.any(is_new).as_py():
            return _pairs(pd.DataFrame())
        new = register(self.db_api, self.table.filter(is_new), "new_accounts")
        parts = [inference.predict_within(new)]
        if not pc.all(is_new).as_py():
            old = self.table.filter(pc.invert(is_new))
            registered = register(self.db_api, old, "old_accounts")
            parts.append(inference.predict_between(new, registered))
        return _pairs(pd.concat([self._kept(p) for p in parts], ignore_index=True))

    def _kept(self, predictions: Any) -> pd.DataFrame:
        """What a link keeps of Splink's predictions, as pandas: the ids, the weight, each
        comparison's level and weight. The two records' own columns, which Splink keeps beside
        them, stay in the engine (at 60,000 traders, a million pairs of list columns)."""
        names = [column.unquote().name for column in predictions.columns]
        kept = [n for n in names if n in ("unique_id_l", "unique_id_r", "match_weight")
                or n.startswith(("gamma_", "mw_"))]  # fmt: skip
        sql = f"SELECT {', '.join(kept)} FROM {predictions.physical_name}"
        frame = self.linker.misc.query_sql(sql, output_type="pandas")
        predictions.drop_table_from_database_and_remove_from_cache()  # read back whole: free it
        return frame

    def explain(self, left: dict, right: dict) -> pd.DataFrame:
        """One pair scored, as `predict` gives pairs."""
        return _pairs(self.linker.inference.score_pair(left, right).as_pandas_dataframe())


def _settle(settings: Any) -> None:
    """Round the trained m and u probabilities to PARAMETER_DIGITS significant digits. EM sums
    over pairs in parallel, so the last bits of its answer differ from run to run (1e-14 apart
    on the demo); rounded, the same case trains to the same model, and its links, reasons and
    report fingerprint are the same on every run. The rounded values are the ones stored and
    scored with. (Splink's raw attributes: its public getter answers a default for a level
    that training left alone.)"""
    for comparison in settings.comparisons:
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            for name in ("_m_probability", "_u_probability"):
                value = getattr(level, name)
                if isinstance(value, float):
                    setattr(level, name, float(f"{value:.{PARAMETER_DIGITS}g}"))


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
    """The account records as Arrow; a list column empty in every row is a list of strings
    still (pandas alone makes it a list of nothing, which Spark cannot store)."""
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    for index, field in enumerate(table.schema):
        if pa.types.is_list(field.type) and pa.types.is_null(field.type.value_type):
            strings = table.column(index).cast(pa.list_(pa.string()))
            table = table.set_column(index, field.name, strings)
    return table


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
