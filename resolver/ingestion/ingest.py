"""Ingest disclosure files into a case: recognise, read, map, normalise, store.

`ingest(case, paths)` is all or nothing: every file is read and mapped inside one transaction, so
a file that cannot be read at all leaves the case exactly as it was. A file already ingested
(same sha256) is skipped and reported as such.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import multiprocessing as mp
import os
import pickle
import queue
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from resolver.case import Case
from resolver.case.disclosures import Disclosure
from resolver.config import Config, PlatformConfig
from resolver.errors import InputError
from resolver.ingestion.mapping import MappedDisclosure, map_disclosure
from resolver.ingestion.readers import (
    RawFile,
    file_kind,
    header_row_of,
    headers_of,
    read_csv,
    read_jsonl,
    read_xlsx,
)
from resolver.processes import die_with_parent

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
    # a workbook's sheets that hold a table's headers and that no table of its mapping reads
    unread_sheets: list[str] = field(default_factory=list)


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
    if kind is None or not candidates:
        raise InputError(
            path, f"unknown file kind {path.suffix!r}: expected .csv, .xlsx, .jsonl or .json"
        )
    matches = []
    for config in candidates:
        if set(config.signature) <= headers_of(path, kind, config.file, header_rows(config)):
            matches.append(config)
    if not matches:
        for config in candidates:  # a title above the table pushed its headers down
            row = header_row_of(path, kind, config.file, config.signature)
            if row is not None:
                raise InputError(
                    path,
                    f"the {config.platform} mapping's headers are in row {row}, below a title: "
                    f"set header_row: {row} under sellers and orders in its mapping",
                )
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


def header_rows(config: PlatformConfig) -> dict[str | None, int]:
    """The row of each sheet (of a CSV: None) that holds its headers."""
    if config.file.kind == "xlsx":
        return {
            str(config.sellers.sheet): config.sellers.header_row,
            str(config.orders.sheet): config.orders.header_row,
        }
    return {None: config.orders.header_row}


def read_file(path: Path, config: PlatformConfig) -> RawFile:
    return _read(path, config).without_nul_rows()


def _read(path: Path, config: PlatformConfig) -> RawFile:
    kind = config.file.kind
    if file_kind(path) not in (kind, None):
        raise InputError(path, f"platform {config.platform!r} reads {kind} files")
    if kind == "xlsx":  # the mapping names both sheets (checked when it was loaded)
        return read_xlsx(path, {str(sheet): row for sheet, row in header_rows(config).items()})
    if kind == "jsonl":
        paths = {
            c for t in (config.sellers, config.orders) for f in t.fields.values() for c in f.columns
        }
        return read_jsonl(path, config.file, sorted(paths))
    return read_csv(path, config.file, header_rows(config)[None])


def _store(case: Case, sha: str, path: Path, config: PlatformConfig, mapped: MappedDisclosure):
    disclosure = Disclosure(
        sha, str(path.resolve()), path.name, config.platform, config.sha256, mapped.source_rows
    )
    return case.disclosures.add(
        disclosure,
        mapped.sellers,
        mapped.parties,
        mapped.identifiers,
        mapped.orders,
        mapped.quarantine,
    )


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
    config: Config | None = None,
    progress: ProgressCallback | None = None,
    read_ahead: bool | None = None,
) -> list[FileResult]:
    """Ingest files into the case, all or nothing; returns what happened to each file, in the
    order given.

    With `read_ahead` (default: when the files after the first hold READ_AHEAD_BYTES or more),
    other processes read files, the costliest first, while this one reads the cheapest itself
    and maps and stores each file as it comes: reading is a third of the work, and it runs on
    the other core (see `ReadAhead`).
    """
    config = config or Config()
    configs = config.platforms
    if platform is not None and platform not in configs:
        raise InputError(platform, f"no such platform mapping; known: {', '.join(configs)}")
    files = [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise InputError(path, "no such file")
    stored = case.disclosures.platforms()
    results: dict[int, FileResult] = {}
    todo: dict[Path, tuple[int, str]] = {}  # file -> (position given, sha256)
    for index, path in enumerate(files):
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
    readers = (
        ReadAhead(costliest, platform, config.folder, case.spill_folder())
        if read_ahead and len(todo) > 1
        else None
    )
    try:
        with case.transaction(), ThreadPoolExecutor(1, "store") as storer:
            stored_files = []  # (position given, future of the store, its result so far)
            try:
                for _ in range(len(todo)):
                    started = time.perf_counter()
                    with paused_garbage_collection():
                        path, mapping, raw = _next_file(
                            readers, costliest, configs, platform, progress
                        )
                        if progress:
                            progress("normalising", path)
                        mapped = map_disclosure(raw, mapping, path)
                        del raw
                    if progress:
                        progress("storing", path)
                    index, sha = todo[path]
                    # DuckDB stores this file beside the mapping of the next (it lets go of
                    # the GIL); the case's connection is used by that thread alone meanwhile.
                    future = storer.submit(_store, case, sha, path, mapping, mapped)
                    result = FileResult(
                        path,
                        sha,
                        mapping.platform,
                        "ingested",
                        mapped.source_rows,
                        len(mapped.sellers),
                        len(mapped.orders),
                        seconds=time.perf_counter() - started,
                        unread_sheets=mapped.unread_sheets,
                    )
                    stored_files.append((index, future, result))
                    del mapped
                    if progress:
                        progress("done", path)
                for index, future, result in stored_files:
                    result.quarantined_rows, result.quarantined_values = future.result()
                    results[index] = result
            except BaseException:
                storer.shutdown(cancel_futures=True)  # nothing more is stored: it rolls back
                raise
    finally:
        if readers is not None:
            readers.close()
    return [results[index] for index in range(len(files))]


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
    else wait for the file being read ahead. A file whose reading process failed is read here."""
    path: Path | None
    if readers is not None:
        ready = readers.poll()
        if ready is None:
            path = readers.claim(reversed(costliest))
            if path is None:
                ready = readers.next()
        if ready is not None:
            path, name, raw = ready
            if name is not None and raw is not None:
                return path, configs[name], raw
    else:
        path = costliest.pop()
    assert path is not None  # claimed here, or its reading process failed
    if progress:
        progress("reading", path)
    config = configs[platform] if platform else detect_platform(path, configs)
    return path, config, read_file(path, config)


class ReadAhead:
    """Reads disclosures in other processes, costliest first, while this one maps and stores.

    A thread starts one fresh process per file, one after the other; each writes what it read
    (or its error) to a scratch file in the case folder and ends, so each file's reading heap
    goes with its process. Before reading a file, the thread claims the one after it, so this
    process, which takes the cheapest files itself when none is waiting, never starts a big
    file that would have been ready sooner. At most one file waits while the next is read.
    """

    def __init__(
        self, costliest: list[Path], platform: str | None, config_dir: Path | None, scratch: Path
    ) -> None:
        self._paths, self._platform, self._config_dir = costliest, platform, config_dir
        self._scratch = Path(tempfile.mkdtemp(dir=scratch, prefix=".read-ahead-"))  # 0700
        self._claimed: set[Path] = set()
        self._reads = itertools.count()
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(2)  # files read and not yet taken
        self._ready: queue.Queue[tuple[Path, Path | None]] = queue.Queue()
        self._stopping = False
        self._process: mp.process.BaseProcess | None = None
        self._thread = threading.Thread(target=self._read_all, daemon=True)
        self._thread.start()

    def claim(self, paths: Iterable[Path]) -> Path | None:
        """The first of `paths` that no one has claimed yet, now claimed."""
        with self._lock:
            for path in paths:
                if path not in self._claimed:
                    self._claimed.add(path)
                    return path
        return None

    def poll(self) -> tuple[Path, str | None, RawFile | None] | None:
        """A file read ahead, if one is waiting (see `_take`)."""
        try:
            return self._take(self._ready.get_nowait())
        except queue.Empty:
            return None

    def next(self) -> tuple[Path, str | None, RawFile | None]:
        return self._take(self._ready.get())

    def _take(self, item: tuple[Path, Path | None]) -> tuple[Path, str | None, RawFile | None]:
        """(path, platform name, raw file); (path, None, None) when its reading process failed
        (out of memory, say): the caller reads that file itself."""
        self._slots.release()
        path, result = item
        if result is None:
            return path, None, None
        try:
            with result.open("rb") as handle:
                kind, payload = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError):  # damaged: read it here instead
            return path, None, None
        finally:
            result.unlink(missing_ok=True)
        if kind == "error":
            raise payload
        return (path, *payload)

    def _read_all(self) -> None:
        context = mp.get_context("spawn")  # a fresh interpreter: none of DuckDB's threads
        current = self.claim(self._paths)
        while current is not None:
            self._slots.acquire()
            if self._stopping:
                return
            following = self.claim(self._paths)
            # numbered by reading, not by claims: this process claims files too, so two reads
            # could otherwise be given one name and the second overwrite the first
            result = self._scratch / f"{next(self._reads)}.pickle"
            self._process = context.Process(
                target=_read_to_file,
                args=(current, self._platform, self._config_dir, result, os.getpid()),
                daemon=True,
            )
            self._process.start()
            self._process.join()
            if self._process.exitcode != 0:  # killed, or could not start: read here instead
                with self._lock:
                    self._claimed.discard(following)
                self._ready.put((current, None))
                return
            self._ready.put((current, result))
            current = following

    def close(self) -> None:
        self._stopping = True
        self._slots.release()  # a thread waiting for a slot sees the stop
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
        self._thread.join()
        shutil.rmtree(self._scratch, ignore_errors=True)


def _read_to_file(
    path: Path, platform: str | None, config_dir: Path | None, out: Path, parent: int
) -> None:
    """A reading process: the file's platform and raw tables, or the error that stops it,
    pickled to `out`."""
    die_with_parent(parent)
    os.umask(0o077)  # the scratch file holds the disclosure's rows
    try:
        configs = Config(config_dir).platforms
        with paused_garbage_collection():
            config = configs[platform] if platform else detect_platform(path, configs)
            result: tuple[str, object] = ("file", (config.platform, read_file(path, config)))
    except InputError as err:
        result = ("error", err)
    except Exception:  # a bug: its traceback goes to the main process as the error
        result = ("error", RuntimeError(f"reading {path}:\n{traceback.format_exc()}"))
    with out.open("wb") as handle:
        pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
