"""Files the tool writes for its user: disclosures are personal data, so every file is created
readable by its owner only and appears whole or not at all (written beside its final name,
then renamed over it; an existing link at that name is replaced, never followed)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from resolver.errors import ResolverError


def write_private(out: Path, write: Callable[[Path], object]) -> None:
    """Call `write(partial)` to fill a new owner-only file, then move it to `out`."""
    if out.is_dir():
        raise ResolverError(f"{out}: is a folder; name a file to write")
    if not out.parent.is_dir():
        raise ResolverError(f"{out.parent}: no such folder")
    handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=out.suffix)
    os.close(handle)  # mkstemp made it 0600
    try:
        write(Path(partial))
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def write_private_text(out: Path, text: str) -> None:
    write_private(out, lambda partial: partial.write_text(text, encoding="utf-8"))
