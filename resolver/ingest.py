"""Ingest disclosure files into a case: recognise, read, map, normalise, store.

`ingest(case, paths)` is all or nothing: every file is read and mapped inside one transaction, so
a file that cannot be read at all leaves the case exactly as it was. A file already ingested
(same sha256) is skipped and reported as such.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing as mp
import queue
import time
import traceback
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
READ_AHEAD_BYTES = 64 << 20  # below this, starting a second process costs more than it saves


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
    seconds: float = 0.0  # in this process: a file read ahead was read beside the one before


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
    read_ahead: bool | None = None,
) -> list[FileResult]:
    """Ingest files into the case, all or nothing; returns what happened to each file, in the
    order given.

    With `read_ahead` (default: when the files hold at least READ_AHEAD_BYTES), a second process
    reads files, the costliest first, while this one reads the cheapest itself and maps and
    stores each file as it comes: reading is a third of the work, and it runs on the other core.
    """
    configs = load_platforms(config_dir)
    if platform is not None and platform not in configs:
        raise InputError(platform, f"no such platform mapping; known: {', '.join(configs)}")
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.is_file():
            raise InputError(path, "no such file")
    stored = dict(case.db.execute("SELECT disclosure_id, platform FROM disclosures").fetchall())
    results: dict[int, FileResult] = {}
    todo: dict[Path, tuple[int, str]] = {}  # file -> (position given, sha256)
    for index, path in enumerate(paths):
        sha = file_sha256(path)
        if sha in stored or any(sha == other for _, other in todo.values()):
            results[index] = FileResult(path, sha, stored.get(sha, "?"), "already ingested")
            if progress:
                progress("done", path)
            continue
        todo[path] = (index, sha)
    costliest = sorted(todo, key=read_cost, reverse=True)
    if read_ahead is None:
        read_ahead = sum(map(read_cost, costliest[1:])) >= READ_AHEAD_BYTES
    readers = ReadAhead(costliest, platform, config_dir) if read_ahead and len(todo) > 1 else None
    try:
        with case.transaction():
            for _ in range(len(todo)):
                started = time.perf_counter()
                with paused_garbage_collection():
                    path, config, raw = _next_file(readers, costliest, configs, platform, progress)
                    if progress:
                        progress("normalising", path)
                    mapped = map_disclosure(raw, config, path)
                    del raw
                if progress:
                    progress("storing", path)
                index, sha = todo[path]
                q_rows, q_values = _store(case, sha, path, config, mapped)
                results[index] = FileResult(
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
                del mapped  # stored: its frames go before the next file is read
                if progress:
                    progress("done", path)
    finally:
        if readers is not None:
            readers.close()
    return [results[index] for index in range(len(paths))]


def read_cost(path: Path) -> int:
    """How long a file takes to read, in bytes of text: an XLSX workbook is zipped about 8:1."""
    return path.stat().st_size * (8 if file_kind(path) == "xlsx" else 1)


def _next_file(
    readers: ReadAhead | None,
    costliest: list[Path],
    configs: dict[str, PlatformConfig],
    platform: str | None,
    progress: ProgressCallback | None,
) -> tuple[Path, PlatformConfig, RawFile]:
    """A file read ahead if one is waiting; else the cheapest file nobody has taken, read here;
    else wait for the file being read ahead."""
    if readers is not None:
        ready = readers.poll()
        if ready is None:
            path = readers.claim(reversed(costliest))
            if path is None:
                ready = readers.next()
        if ready is not None:
            path, name, raw = ready
            return path, configs[name], raw
    else:
        path = costliest.pop()
    if progress:
        progress("reading", path)
    config = configs[platform] if platform else detect_platform(path, configs)
    return path, config, read_file(path, config)


class ReadAhead:
    """Reads disclosures in a second process, costliest first; this process takes the cheapest
    ones itself when none is waiting. The reader claims the file after the one it reads, so
    the main process never starts a big file that the reader would have had ready sooner. One
    file waits at a time: memory grows by at most one file's raw text."""

    def __init__(self, costliest: list[Path], platform: str | None, config_dir: Path | None):
        context = mp.get_context("spawn")  # a fresh interpreter: none of DuckDB's threads
        self._paths = costliest
        self._claimed = context.Array("b", len(costliest))
        self._queue = context.Queue(maxsize=1)
        self._process = context.Process(
            target=_read_files,
            args=(costliest, platform, config_dir, self._claimed, self._queue),
            daemon=True,
        )
        self._process.start()

    def claim(self, paths: Iterable[Path]) -> Path | None:
        """The first of `paths` that no one has claimed yet, now claimed for this process."""
        return _claim(self._claimed, self._paths, paths)

    def poll(self) -> tuple[Path, str, RawFile] | None:
        """A file read ahead, if one is waiting: (path, platform name, raw file)."""
        try:
            return self._unpack(self._queue.get_nowait())
        except queue.Empty:
            return None

    def next(self) -> tuple[Path, str, RawFile]:
        while True:
            try:
                return self._unpack(self._queue.get(timeout=1))
            except queue.Empty:
                if not self._process.is_alive():
                    raise RuntimeError("the read-ahead process ended (out of memory?)") from None

    @staticmethod
    def _unpack(item: tuple[str, object]) -> tuple[Path, str, RawFile]:
        kind, payload = item
        if kind == "error":
            raise payload  # type: ignore[misc]
        return payload  # type: ignore[return-value]

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def _claim(claimed, paths: list[Path], wanted: Iterable[Path]) -> Path | None:
    with claimed.get_lock():
        for path in wanted:
            position = paths.index(path)
            if not claimed[position]:
                claimed[position] = 1
                return path
    return None


def _read_files(
    costliest: list[Path], platform: str | None, config_dir: Path | None, claimed, out
) -> None:
    """The read-ahead process: each file it claims, as (path, platform name, raw tables), or
    the error that stops it."""
    configs = load_platforms(config_dir)
    current = _claim(claimed, costliest, costliest)
    while current is not None:
        following = _claim(claimed, costliest, costliest)
        try:
            with paused_garbage_collection():
                config = configs[platform] if platform else detect_platform(current, configs)
                raw = read_file(current, config)
        except InputError as err:
            out.put(("error", err))
            return
        except Exception:  # a bug: its traceback goes to the main process as the error
            out.put(("error", RuntimeError(f"reading {current}:\n{traceback.format_exc()}")))
            return
        out.put(("file", (current, config.platform, raw)))
        current = following
