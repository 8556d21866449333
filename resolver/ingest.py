"""Ingest disclosure files into a case: recognise, read, map, normalise, store.

`ingest(case, paths)` is all or nothing: every file is read and mapped inside one transaction, so
a file that cannot be read at all leaves the case exactly as it was. A file already ingested
(same sha256) is skipped and reported as such.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from resolver.case import Case
from resolver.config import PlatformConfig, load_platforms
from resolver.errors import InputError
from resolver.mapping import MappedDisclosure, map_disclosure
from resolver.readers import RawFile, file_kind, headers_of, read_csv, read_jsonl, read_xlsx

ProgressCallback = Callable[[str, Path], None]  # (stage, file) as work moves on


@dataclass
class FileResult:
    path: Path
    disclosure_id: str
    platform: str
    status: str  # ingested | already ingested
    source_rows: int = 0
    sellers: int = 0
    orders: int = 0
    quarantined_rows: int = 0
    quarantined_values: int = 0
    seconds: float = 0.0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_platform(path: Path, configs: dict[str, PlatformConfig]) -> PlatformConfig:
    """The mapping whose header signature the file carries; the most specific one wins."""
    kind = file_kind(path)
    candidates = [c for c in configs.values() if c.file.kind == kind]
    if not candidates:
        raise InputError(path, f"unknown file kind {path.suffix!r}: expected .csv, .xlsx or .jsonl")
    matches = []
    for config in candidates:
        if set(config.signature) <= headers_of(path, kind, config.file):
            matches.append(config)
    if not matches:
        names = ", ".join(sorted(c.platform for c in candidates))
        raise InputError(
            path,
            f"unknown shape: no {kind} mapping ({names}) recognises its headers; "
            "name one with --platform or add a mapping to config/platforms/",
        )
    matches.sort(key=lambda c: len(c.signature), reverse=True)
    if len(matches) > 1 and len(matches[0].signature) == len(matches[1].signature):
        both = f"{matches[0].platform} and {matches[1].platform}"
        raise InputError(path, f"ambiguous shape: {both} both match; name one with --platform")
    return matches[0]


def read_file(path: Path, config: PlatformConfig) -> RawFile:
    kind = config.file.kind
    if file_kind(path) not in (kind, None):
        raise InputError(path, f"platform {config.platform!r} reads {kind} files")
    if kind == "xlsx":
        sheets = {config.sellers.sheet: config.sellers.header_row}
        sheets[config.orders.sheet] = config.orders.header_row
        return read_xlsx(path, sheets)
    if kind == "jsonl":
        paths = {
            c for t in (config.sellers, config.orders) for f in t.fields.values() for c in f.columns
        }
        return read_jsonl(path, config.file, sorted(paths))
    return read_csv(path, config.file, config.orders.header_row)


def _store(case: Case, sha: str, path: Path, config: PlatformConfig, mapped: MappedDisclosure):
    db, prefix = case.db, sha[:16]
    constants = {"disclosure_id": sha, "platform": config.platform, "source_file": path.name}
    sellers = mapped.sellers.assign(**constants)
    sellers["account_id"] = config.platform + ":" + sellers["account_key"]
    sellers["record_id"] = prefix + ":" + sellers["account_id"]
    identifiers = mapped.identifiers.assign(
        record_id=prefix + ":" + config.platform + ":" + mapped.identifiers["account_key"]
    ).drop(columns="account_key")
    orders = mapped.orders.assign(**constants)
    orders["account_id"] = config.platform + ":" + orders["account_key"]
    quarantine = mapped.quarantine.assign(disclosure_id=sha, source_file=path.name)
    for table, frame in (
        ("seller_records", sellers),
        ("seller_identifiers", identifiers),
        ("orders", orders),
        ("quarantine", quarantine),
    ):
        if len(frame):  # as Arrow: DuckDB scans it without touching each Python object
            db.register("incoming", pa.Table.from_pandas(frame, preserve_index=False))
            db.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
            db.unregister("incoming")
    counts = quarantine_counts(mapped.quarantine)
    db.execute(
        "INSERT INTO disclosures VALUES (?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?)",
        [
            sha,
            str(path.resolve()),
            path.name,
            config.platform,
            config.sha256,
            mapped.source_rows,
            len(sellers),
            len(orders),
            *counts,
        ],
    )
    return counts


def quarantine_counts(quarantine: pd.DataFrame) -> tuple[int, int]:
    """(rows set aside, values set aside): a row failing on two columns counts once."""
    rows = quarantine[quarantine["level"] == "row"]
    distinct = rows.drop_duplicates(["table_name", "source_sheet", "source_row"])
    return len(distinct), int((quarantine["level"] == "value").sum())


@contextmanager
def paused_garbage_collection() -> Iterator[None]:
    """Reading builds millions of small objects and no cycles; the cyclic collector would scan
    them again and again (a third of the reading time, measured). Reference counting still
    frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def ingest(
    case: Case,
    paths: Iterable[Path | str],
    platform: str | None = None,
    config_dir: Path | None = None,
    progress: ProgressCallback | None = None,
) -> list[FileResult]:
    """Ingest files into the case, all or nothing; returns what happened to each file.

    One process does the work: on our 2-core machines a second worker process made no file
    faster (the cores share their caches) and doubled the memory; measured in bench/.
    """
    configs = load_platforms(config_dir)
    if platform is not None and platform not in configs:
        raise InputError(platform, f"no such platform mapping; known: {', '.join(configs)}")
    results: list[FileResult] = []
    seen: set[str] = set()
    with case.transaction():
        for path in map(Path, paths):
            started = time.perf_counter()
            if not path.is_file():
                raise InputError(path, "no such file")
            sha = file_sha256(path)
            previous = case.disclosure(sha)
            if previous or sha in seen:
                platform_name = previous["platform"] if previous else "?"
                results.append(FileResult(path, sha, platform_name, "already ingested"))
                if progress:
                    progress("done", path)
                continue
            seen.add(sha)
            config = configs[platform] if platform else detect_platform(path, configs)
            with paused_garbage_collection():
                if progress:
                    progress("reading", path)
                raw = read_file(path, config)
                if progress:
                    progress("normalising", path)
                mapped = map_disclosure(raw, config, path)
                del raw
            if progress:
                progress("storing", path)
            q_rows, q_values = _store(case, sha, path, config, mapped)
            results.append(
                FileResult(
                    path,
                    sha,
                    config.platform,
                    "ingested",
                    mapped.source_rows,
                    len(mapped.sellers),
                    len(mapped.orders),
                    q_rows,
                    q_values,
                    time.perf_counter() - started,
                )
            )
            if progress:
                progress("done", path)
    return results
