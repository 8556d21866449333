"""Shared fixtures: one small demo world, generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from resolver.case import Case
from resolver.demo import generate
from resolver.ingest import ingest


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    generate(folder, traders=60, seed=11)
    return folder


def disclosure_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".xlsx", ".jsonl"))


@pytest.fixture(scope="session")
def demo_files(demo_dir: Path) -> list[Path]:
    """The demo disclosures in name order: douyin, jd, taobao 2023, taobao 2024."""
    return disclosure_files(demo_dir)


@pytest.fixture(scope="session")
def ingested_case(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("case") / "matter"
    with Case.open(folder) as case:
        ingest(case, disclosure_files(demo_dir))
    return folder
