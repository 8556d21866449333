"""One short hierarchy of errors the user can act on. Each names what it is about (the file,
row, column or key; the case; the account). The CLI prints one line per error and maps each
class to an exit code; the library only raises."""

from __future__ import annotations

from pathlib import Path


class ResolverError(Exception):
    """Any error the user can act on."""


class InputError(ResolverError):
    """A disclosure file that cannot be read at all; nothing from it is stored."""

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        where = [str(path)]
        if sheet:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column!r}")
        super().__init__(f"{': '.join(where)}: {message}")
        self.path, self.sheet, self.row, self.column = Path(path), sheet, row, column

    def __reduce__(self):  # crosses from a read-ahead process whole (see `resolver.ingestion`)
        return _restore_input_error, (str(self), str(self.path), self.sheet, self.row, self.column)


def _restore_input_error(
    text: str, path: str, sheet: str | None, row: int | None, column: str | None
) -> InputError:
    error = InputError.__new__(InputError)
    ResolverError.__init__(error, text)
    error.path, error.sheet, error.row, error.column = Path(path), sheet, row, column
    return error


class ConfigError(ResolverError):
    """A configuration file that does not validate; names the file and the key."""

    def __init__(self, path: str | Path, key: str, message: str) -> None:
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")
        self.path, self.key = Path(path), key


class CaseError(ResolverError):
    """The case cannot be used as asked: made by a newer resolver, or in use."""


class NotFound(ResolverError):
    """Something named does not exist: a case, an account, a trader, a query."""


class NotLinked(ResolverError):
    """The case has accounts no linkage has seen yet: `resolver match` first."""


class StoreUnavailable(ResolverError):
    """The graph store cannot be reached or started; the case itself is unaffected."""


class StoreHung(StoreUnavailable):
    """The embedded graph store stopped answering and was stopped; nothing was saved, so the
    command can be run again."""


class GraphOutOfDate(StoreUnavailable):
    """The graph does not hold what the case holds now: `resolver load-graph`."""
