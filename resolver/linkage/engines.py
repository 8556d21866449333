"""Where Splink runs: DuckDB (one machine; the default) or Spark (`engine: spark` in
`matching.yaml`, `pip install "resolver[spark]"`), behind one small interface.

The comparisons are written once, in DuckDB's SQL; `condition` gives each in the engine's
dialect. Only Splink's work moves: the case, its hubs, control evidence, clustering and trader
ids stay in DuckDB whichever engine scores the pairs.

Spark runs as a private JVM of the command (PySpark's gateway ends with the Python process),
bound to 127.0.0.1 with its web UI off, writing its scratch, checkpoints and warehouse inside
the case (`tmp/`), never in the current folder. Jaro-Winkler comes from the similarity jar that
ships with Splink, put on the session's class path before the JVM starts (Splink's Spark notes:
a jar added later is not seen).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from resolver.case import quiet
from resolver.config.matching import LIST_COLUMNS, MatchingConfig
from resolver.errors import ResolverError

LOG_SETTINGS = """rootLogger.level = error
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark: %p %m%n
"""
# DuckDB's list functions -> Spark's (sqlglot leaves these as they are)
SPARK_FUNCTIONS = {"list_intersect": "array_intersect"}


def database_api(config: MatchingConfig, spill: Path) -> Any:
    """Splink's database API for the engine of `config`, its work held inside `spill`."""
    if config.engine == "spark":
        # A session of its own for each model: temp views of an earlier model in this process
        # (Splink names its tables by their SQL) must not stand in for this one's.
        spark = spark_session(config, spill).newSession()  # says so if pyspark is missing
        from splink.backends.spark import SparkAPI

        partitions = config.spark.shuffle_partitions or default_partitions(config.spark.master)
        return SparkAPI(spark_session=spark, break_lineage_method=config.spark.break_lineage,
                        num_partitions_on_repartition=partitions)  # fmt: skip
    from splink import DuckDBAPI

    connection = duckdb.connect(
        config={"memory_limit": config.resources.memory_limit, "temp_directory": str(spill)}
    )
    return DuckDBAPI(connection=quiet(connection))


def register(db_api: Any, table: pa.Table, name: str) -> Any:
    """`table` as a Splink input of the engine (on Spark, typed from the Arrow schema: a list
    column empty in every row would otherwise be read as a list of nothing)."""
    if type(db_api).__name__ == "SparkAPI":
        from pyspark.sql.pandas.types import from_arrow_schema

        frame = table.to_pandas()
        for column in frame.columns:
            if pa.types.is_list(table.schema.field(column).type):
                frame[column] = [list(v) if v is not None else [] for v in frame[column]]
        spark_frame = db_api.spark.createDataFrame(frame, schema=from_arrow_schema(table.schema))
        return db_api.register(spark_frame, dataset_display_name=name)
    return db_api.register(table, dataset_display_name=name)


def spark_session(config: MatchingConfig, spill: Path) -> Any:
    """The process's Spark session, its scratch inside `spill`: the one already running where
    it was made for this folder and its scratch is still there, else a new one."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError:
        raise ResolverError(
            'engine spark: pyspark is not installed; pip install "resolver[spark]" (and Java 17)'
        ) from None
    work = spill / "spark"
    work.mkdir(mode=0o700, parents=True, exist_ok=True)
    logging = work / "log4j2.properties"  # errors only: Spark's notes would drown ours
    logging.write_text(LOG_SETTINGS)
    settings = config.spark
    partitions = settings.shuffle_partitions or default_partitions(settings.master)
    builder = (
        SparkSession.builder.master(settings.master)
        .appName("resolver")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", settings.driver_memory)
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.local.dir", str(work / "local"))
        .config("spark.sql.warehouse.dir", str(work / "warehouse"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{logging}")
    )
    try:
        spark = builder.getOrCreate()
        scratch = work / "local"
        if spark.sparkContext.getConf().get("spark.local.dir") != str(scratch) or not (
            scratch.is_dir()
        ):  # a session of this process made for another case, or for this one before it
            jvm: Any = spark._jvm  # was opened again (which empties tmp/): its scratch is gone
            spark.stop()
            # the JVM keeps the scratch folders its first session made (Spark's
            # Utils.localRootDirs) for every later one: forget them, or this case's work would
            # be written into the other case's folder
            getattr(getattr(jvm.org.apache.spark.util, "Utils$"), "MODULE$").clearLocalRootDirs()
            spark = builder.getOrCreate()
    except Exception as err:  # no Java, a master that does not answer
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ResolverError(f"engine spark: Spark did not start: {first}") from None
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(str(work / "checkpoints"))
    return spark


def default_partitions(master: str) -> int:
    """Twice the cores of `local[N]` (`local[*]`: this machine's), else Spark's 200."""
    found = re.fullmatch(r"local\[(\d+|\*)\]|local", master.strip())
    if not found:
        return 200
    cores = found.group(1) or "1"  # plain `local` is one thread
    return 2 * (os.cpu_count() or 1 if cores == "*" else int(cores))


def condition(sql: str, engine: str) -> str:
    """A DuckDB condition of `matching.yaml` in the SQL of `engine`: Spark's names for list
    functions, `size` for the length of a list, `jaro_winkler` from Splink's jar."""
    if engine == "duckdb":
        return sql
    tree = sqlglot.parse_one(sql, read="duckdb")

    def functions(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.JarowinklerSimilarity):
            return exp.Anonymous(this="jaro_winkler", expressions=[node.this, node.expression])
        if isinstance(node, exp.ArrayOverlaps):  # DuckDB's list_has_any
            return exp.Anonymous(this="arrays_overlap", expressions=[node.this, node.expression])
        if isinstance(node, exp.Anonymous) and node.name.lower() in SPARK_FUNCTIONS:
            name = SPARK_FUNCTIONS[node.name.lower()]
            return exp.Anonymous(this=name, expressions=node.expressions)
        return node

    def lengths(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Length) and _is_list(node.this):
            return exp.Anonymous(this="size", expressions=[node.this])
        return node

    return tree.transform(functions).transform(lengths).sql(dialect="spark")


def _is_list(node: exp.Expression) -> bool:
    """A list column of the account records (`phones_l`), or a list function's result."""
    if isinstance(node, exp.Column):
        return node.name.removesuffix("_l").removesuffix("_r") in LIST_COLUMNS
    return isinstance(node, exp.Anonymous) and node.name.lower() == "array_intersect"
