"""Splink on Spark (`--engine spark`): the same comparisons, blocking, training and control
evidence as on DuckDB, so the same traders. Spark runs in local mode on a demo of 2,000 traders
(needs pyspark and Java 17: CI has both and sets RESOLVER_REQUIRE_SPARK; elsewhere these tests
skip with the reason)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from resolver import workflows
from resolver.case import Case
from resolver.cli import app
from resolver.config import Config
from resolver.demo import disclosure_files, generate
from resolver.linkage.engines import condition, default_partitions, spark_session
from resolver.linkage.model import Model, em_rule
from resolver.linkage.pipeline import prepare
from resolver.linkage.quality import pairwise

runner = CliRunner()


def spark_ready() -> None:
    """pyspark and Java: required where RESOLVER_REQUIRE_SPARK is set (CI), else skip."""
    missing = [name for name, found in (("pyspark", importlib.util.find_spec("pyspark")),
                                        ("java", shutil.which("java"))) if not found]  # fmt: skip
    if not missing:
        return
    if os.environ.get("RESOLVER_REQUIRE_SPARK"):
        pytest.fail(f"RESOLVER_REQUIRE_SPARK is set but {' and '.join(missing)} is missing")
    pytest.skip(f"needs {' and '.join(missing)} (pip install -e '.[spark]'; Java 17)")


@pytest.fixture(scope="module")
def demo_2000(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("demo-2000")
    generate(folder, traders=2000, seed=5, hard=True, orders_per_account=3)
    return disclosure_files(folder)


def _traders(files: list[Path], folder: Path, engine: str) -> pd.Series:
    """A full match of all files but the last, then, in the case opened again, an incremental
    one of the last (the saved model scores only the new accounts' pairs): every account's
    trader."""
    config = Config().running_on(engine, "local[2]")
    with Case.open(folder) as case:
        first = workflows.match(case, files[:-1], config=config, graph=False)
        assert first.link.trained
    with Case.open(folder) as case:  # opening it again empties tmp/, Spark's scratch
        then = workflows.match(case, files[-1:], config=config, graph=False)
        assert then.link.mode == "incremental" and not then.link.trained
        assert then.link.scored_accounts < then.link.accounts
        return pd.Series(case.traders.assignment())


def test_spark_gives_the_traders_duckdb_gives(
    demo_2000: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spark_ready()
    here = tmp_path / "current-folder"
    here.mkdir()
    monkeypatch.chdir(here)
    on_duckdb = _traders(demo_2000, tmp_path / "duckdb", "duckdb")
    on_spark = _traders(demo_2000, tmp_path / "spark", "spark")
    assert len(on_duckdb) > 4000 and on_duckdb.nunique() < len(on_duckdb) * 0.6
    scores = pairwise(on_duckdb, on_spark.reindex(on_duckdb.index))
    assert 2 * scores.precision * scores.recall / (scores.precision + scores.recall) >= 0.999
    assert not list(here.iterdir()), "Spark wrote into the current folder"
    assert (tmp_path / "spark" / "tmp" / "spark" / "checkpoints").is_dir()
    _explain_scores_as_spark_did(tmp_path / "spark", demo_2000[-1])


def _explain_scores_as_spark_did(folder: Path, last: Path) -> None:
    """`explain` scores a pair on DuckDB with the model Spark trained: for the links Spark
    scored in the last run (those of accounts that only the last file names: the others may
    have been scored when the case held fewer accounts, under other name frequencies), the
    same weight."""
    with Case.open(folder) as case:
        saved = case.model.load()
        assert saved is not None and saved.settings["sql_dialect"] == "spark"
        rules = case.model.rules(Config().matching)
        prepared = prepare(case, rules)
        model = Model.for_one_pair(prepared.accounts, saved.settings, rules, case.spill_folder())
        records = prepared.accounts.set_index("unique_id")
        sources = case.disclosures.sources()
        is_last = sources["file_name"] == last.name
        new = case.disclosures.accounts_of(sources.loc[is_last, "sha256"].tolist())
        new -= case.disclosures.accounts_of(sources.loc[~is_last, "sha256"].tolist())
        links = case.links.for_graph()
        links = links[links["account_a"].isin(new) | links["account_b"].isin(new)].head(40)
        assert len(links) == 40
        for a, b in zip(links["account_a"], links["account_b"], strict=True):
            stored = case.links.pair(a, b)
            scored = model.explain(_record(records, a), _record(records, b))
            assert scored["match_weight"].iloc[0] == pytest.approx(stored["splink_weight"],
                                                                  abs=1e-6)  # fmt: skip


def _record(records: pd.DataFrame, account: str) -> dict:
    """One account's record as `explain` hands it to the model."""
    record: dict = {"unique_id": account}
    for column, value in records.loc[account].items():
        if isinstance(value, list | tuple) or hasattr(value, "tolist"):
            record[column] = list(value)
        else:
            record[column] = None if pd.isna(value) else value
    return record


def test_another_case_gets_a_spark_session_of_its_own(tmp_path: Path) -> None:
    """In one Python process, a second case's Spark work goes into its own folder, not into
    the first one's (removed here: it must stay removed)."""
    spark_ready()
    config = Config().running_on("spark", "local[2]").matching
    for folder in ("a", "b"):
        spark = spark_session(config, tmp_path / folder / "tmp")
        assert spark.range(1000).repartition(3).count() == 1000  # a shuffle: scratch written
        if folder == "a":
            shutil.rmtree(tmp_path / "a")
    assert any((tmp_path / "b" / "tmp" / "spark" / "local").iterdir())
    assert not (tmp_path / "a").exists(), "b's Spark scratch went into a's folder"


def test_an_em_sample_reads_the_same_in_sparks_sql() -> None:
    """`em_rule`'s sample, as Splink translates it for Spark: the same bound on a hash of the
    two ids (Spark's hash is not DuckDB's: another sample of the same size)."""
    rule = em_rule(["registrant_pinyin"], 4_000_000, 2_000_000)
    sql = rule.get_blocking_rule("spark").blocking_rule_sql
    assert "l.registrant_pinyin = r.registrant_pinyin" in sql
    assert "ABS(HASH(l.unique_id || '|' || r.unique_id)) % 1000000 < 500000" in sql


def test_conditions_in_sparks_sql() -> None:
    assert condition("len(list_intersect(phones_l, phones_r)) >= 1", "spark") == (
        "SIZE(ARRAY_INTERSECT(phones_l, phones_r)) >= 1"
    )
    assert condition("len(phone_keys_l) = 0 OR len(registrant_name_r) > 2", "spark") == (
        "SIZE(phone_keys_l) = 0 OR LENGTH(registrant_name_r) > 2"
    )
    assert (
        condition("jaro_winkler_similarity(registrant_name_l, registrant_name_r) >= 0.75", "spark")
        == "JARO_WINKLER(registrant_name_l, registrant_name_r) >= 0.75"
    )
    assert condition("list_has_any(phones_l, phones_r)", "spark") == (
        "ARRAYS_OVERLAP(phones_l, phones_r)"
    )
    duckdb_sql = "len(list_intersect(phones_l, phones_r)) >= 1"
    assert condition(duckdb_sql, "duckdb") == duckdb_sql


def test_shuffle_partitions_follow_the_cores_unless_set() -> None:
    assert default_partitions("local[3]") == 6
    assert default_partitions("local") == 2
    assert default_partitions("local[*]") == 2 * (os.cpu_count() or 1)
    assert default_partitions("spark://host:7077") == 200


def test_the_engine_is_part_of_the_rules_and_the_master_is_not() -> None:
    rules = Config().matching
    assert rules.on("spark").sha256 != rules.sha256  # a model trained on DuckDB is retrained
    assert rules.on("spark", "local[8]").sha256 == rules.on("spark").sha256
    assert rules.on("spark", "local[8]").spark.master == "local[8]"
    assert rules.on() is rules


def test_an_unknown_engine_is_one_line_and_no_case(tmp_path: Path) -> None:
    result = runner.invoke(app, ["match", "--case", str(tmp_path / "case"), "--engine", "sqlite"])
    assert result.exit_code == 2
    assert "expected duckdb or spark" in result.output
    assert not (tmp_path / "case").exists()
