"""Files the tool writes for its user: disclosures are personal data, so every file is created
readable by its owner only and appears whole or not at all (written beside its final name,
then renamed over it; an existing link at that name is replaced, never followed)."""

from __future__ import annotations

import glob
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from resolver.errors import ResolverError
from resolver.processes import alive


def write_private(out: Path, write: Callable[[Path], object]) -> None:
    """Call `write(partial)` to fill a new owner-only file, then move it to `out`. Partial files
    that a killed command left beside `out` are removed first."""
    if out.is_dir():
        raise ResolverError(f"{out}: is a folder; name a file to write")
    if not out.parent.is_dir():
        raise ResolverError(f"{out.parent}: no such folder")
    _remove_abandoned_partials(out)
    handle, partial = tempfile.mkstemp(
        dir=out.parent, prefix=f".{out.name}.{os.getpid()}.", suffix=out.suffix
    )
    os.close(handle)  # mkstemp made it 0600
    try:
        write(Path(partial))
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def write_private_text(out: Path, text: str) -> None:
    write_private(out, lambda partial: partial.write_text(text, encoding="utf-8"))


def _remove_abandoned_partials(out: Path) -> None:
    """`.NAME.PID.RANDOM.SUFFIX` files of processes that are gone."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(\d+)\.\w+{re.escape(out.suffix)}")
    for path in out.parent.glob(f".{glob.escape(out.name)}.*"):
        found = pattern.fullmatch(path.name)
        if found and not alive(int(found.group(1))):
            path.unlink(missing_ok=True)
