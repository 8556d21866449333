"""The whole pipeline at growing sizes: ingest, link, graph, report --all (XLSX), each stage run
as the `resolver` command in a process of its own, as a user runs it.

    python bench/scale.py [--sizes 2000 20000 60000] [--seed 5] [--hard] [--stages N] [--export]

For each size it generates the demo (kept under bench/out/, not timed), then prints each stage's
wall time and peak memory (the resident set of the largest process of the stage: the command,
or one it waited for, such as the embedded graph server), and the growth of each stage per 10x
of data between consecutive sizes (the issue's bound: at most ~12x per 10x). `--stages 3` stops
after the graph (each stage needs the ones before it); `--export` adds `export-graph --format
neo4j-admin` after the graph.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from common import OUT, scratch

from resolver.demo import demo_folder, disclosure_files

STAGES = ("ingest", "link", "graph", "report")


def command(stage: str, case: Path, files: list[Path]) -> list[str]:
    resolver = [sys.executable, "-m", "resolver"]
    quiet = ["--case", str(case), "--quiet"]
    return {
        "ingest": [*resolver, "ingest", *map(str, files), *quiet],
        "link": [*resolver, "match", *quiet, "--no-graph"],
        "graph": [*resolver, "load-graph", *quiet],
        "export": [*resolver, "export-graph", "--out", str(case.parent / "neo4j-admin"), *quiet],
        "report": [*resolver, "report", "--all", "--out", str(case.parent / "all.xlsx"), *quiet],
    }[stage]


def run(arguments: list[str]) -> tuple[float, float]:
    """(seconds, peak GB) of one command, its waited-for children included."""
    with tempfile.TemporaryFile() as said:
        started = time.perf_counter()
        process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=said)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            said.seek(0)
            errors = said.read().decode(errors="replace").strip()[-500:]
            raise SystemExit(f"{' '.join(arguments[3:5])} failed: {errors}")
    return seconds, usage.ru_maxrss / 1024**2


def generated(size: int, seed: int, hard: bool) -> Path:
    """The demo's folder, generated (when not kept yet) in a process of its own: Linux keeps a
    process's peak memory across exec, so a stage started from this process would report at
    least what generating took here (23 GB for 200,000 traders)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(demo_folder, OUT, size, seed, hard).result()


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 60000])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--hard", action="store_true", help="the hard demo (resolver demo --hard)")
    parser.add_argument("--stages", type=int, choices=range(1, 5), default=4,
                        help="how many stages to run, in order: " + ", ".join(STAGES))  # fmt: skip
    parser.add_argument("--export", action="store_true", help="export-graph after the graph")
    args = parser.parse_args()
    stages = STAGES[: args.stages]
    if args.export and "graph" in stages:
        stages = (*stages[:3], "export", *stages[3:])
    figures: dict[int, dict[str, tuple[float, float]]] = {}
    print(f"{'traders':>8} {'stage':>7} {'seconds':>9} {'peak GB':>8}", flush=True)
    for size in args.sizes:
        files = disclosure_files(generated(size, args.seed, args.hard))
        figures[size] = {}
        with scratch() as work:
            case = work / "case"
            for stage in stages:
                seconds, peak = run(command(stage, case, files))
                figures[size][stage] = (seconds, peak)
                print(f"{size:>8,} {stage:>7} {seconds:>9.1f} {peak:>8.2f}", flush=True)
    for small, large in zip(args.sizes, args.sizes[1:], strict=False):
        per_10x = math.log(10) / math.log(large / small)
        growth = ", ".join(
            f"{stage} {(figures[large][stage][0] / figures[small][stage][0]) ** per_10x:.1f}x"
            for stage in stages
        )
        print(f"time per 10x of data, {small:,} -> {large:,} traders: {growth}")


if __name__ == "__main__":
    main()
