"""Fault injection: `kill -9` at random moments of ingest, match, load-graph and report on a
small demo. Afterwards the case is as it was before the command or as a whole run leaves it,
the graph answers as before, no process of ours is left running, and the same command then
succeeds without any clean-up by hand."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from resolver.case import Case
from resolver.graph.store import embedded_available

pytestmark = pytest.mark.skipif(
    not embedded_available(), reason="the embedded graph store runs on Linux and macOS only"
)
KILLS_PER_COMMAND = 2
CHANCE = random.Random(20261202)  # the moments are random, and the same on every run


def resolver(*args: object, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "resolver", *map(str, args)], capture_output=True, text=True
    )
    assert not check or done.returncode == 0, done.stderr
    return done


def state(case: Path) -> dict:
    """What the case holds, as counts per table (a command adds whole files or nothing)."""
    with Case.open(case, create=False) as opened:
        return {
            table: opened.scalar(f"SELECT count(*) FROM {table}")
            for table in ("disclosures", "orders", "quarantine", "links", "trader_accounts")
        }


def graph_answer(case: Path) -> object:
    done = resolver("query", "top_networks", "--format", "json", "--case", case, check=False)
    return json.loads(done.stdout) if done.returncode == 0 else done.stderr.strip()


def leftovers(case: Path) -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if str(case.resolve()) in line]


@pytest.fixture(scope="module")
def started(demo_files, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case that has matched two of the demo files and loaded its graph."""
    case = tmp_path_factory.mktemp("faults") / "case"
    resolver("match", *demo_files[:2], "--case", case)
    return case


def _kill_at(args: list[object], moment: float) -> None:
    process = subprocess.Popen([sys.executable, "-m", "resolver", *map(str, args)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(moment)
    process.kill()
    process.wait()
    time.sleep(0.3)  # the kernel ends what the command started


@pytest.mark.parametrize("command", ["ingest", "match", "load-graph", "report"])
def test_kill_9_at_random_moments(command: str, started: Path, demo_files, tmp_path) -> None:
    case = tmp_path / "case"
    shutil.copytree(started, case)
    out = tmp_path / "report.html"
    args: list[object] = {
        "ingest": ["ingest", *demo_files[2:]],
        "match": ["match", *demo_files[2:]],
        "load-graph": ["load-graph"],
        "report": ["report", "--all", "--out", out],
    }[command] + ["--case", case]
    before, answer = state(case), graph_answer(case)
    whole = tmp_path / "whole"
    shutil.copytree(case, whole)
    started_at = time.monotonic()
    resolver(*[whole if a == case else a for a in args])
    after, took = state(whole), time.monotonic() - started_at
    for _ in range(KILLS_PER_COMMAND):
        moment = CHANCE.uniform(0.3, took)
        _kill_at(args, moment)
        where = f"{command} killed after {moment:.2f} s of {took:.2f}"
        assert leftovers(case) == [], where
        assert state(case) in (before, after), where
        if state(case) == before:
            assert graph_answer(case) == answer, where
        assert not out.exists() or out.read_text(encoding="utf-8").rstrip().endswith("</html>")
    resolver(*args)  # the same command, with no clean-up by hand
    assert state(case) == after
    assert isinstance(graph_answer(case), list) or command == "ingest"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report.html.")]
