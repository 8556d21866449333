"""What the benchmarks share: their arguments, the demo data they run on (generated once, kept
under bench/out/) and a scratch folder for the case, removed afterwards."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from resolver.demo import demo_folder

OUT = Path(__file__).parent / "out"


def arguments(doc: str, traders: int, seed: int) -> argparse.ArgumentParser:
    """A parser with --traders and --seed (the demo's size and seed), described by `doc`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--traders", type=int, default=traders)
    parser.add_argument("--seed", type=int, default=seed)
    return parser


def demo_data(args: argparse.Namespace) -> Path:
    return demo_folder(OUT, args.traders, args.seed)


@contextmanager
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="resolver-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
