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
    """A parser with --traders, --seed and --hard (the demo's size, seed and kind),
    described by `doc`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--traders", type=int, default=traders)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--hard", action="store_true", help="the hard demo (resolver demo --hard)")
    return parser


def demo_data(args: argparse.Namespace) -> Path:
    return demo_folder(OUT, args.traders, args.seed, args.hard)


@contextmanager
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="resolver-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
