"""The README's Python blocks run as written, in order, in a fresh folder: the documentation
of the library is tested like the library."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_has_python_blocks() -> None:
    assert len(python_blocks()) >= 3


def test_the_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme"}
    for number, block in enumerate(python_blocks(), start=1):
        try:
            exec(compile(block, f"README.md python block {number}", "exec"), namespace)
        except Exception as err:
            raise AssertionError(f"README python block {number} fails: {err!r}\n{block}") from err
    assert (tmp_path / "case.xlsx").stat().st_size > 0
