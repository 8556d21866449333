"""Linkage quality on a panel of worlds, sizes and seeds, as one table: a change is judged by
what it does on data it was not built on, not on one demo.

    python bench/quality_panel.py [--large] [--only TEXT ...] [--save FILE] [--against FILE]

Each case (the demo, plain and `--hard`; the second world of `bench/second_world.py`, plain,
`--messy`, `--supply` and both) is generated once under bench/out/, then ingested and linked
in a process of its own (so that each peak memory is that case's), and measured as
`bench/linkage_quality.py` measures it. It prints one Markdown row per case: pairwise precision
and recall, over-merged clusters, fronts and relatives linked, self-purchase orders found
(precision / recall), the link time and the peak memory (with the ingest). `--large` adds the
cases of 20,000 traders (several minutes each); `--only` keeps the cases whose label holds one
of the texts. `--save` writes the figures to a JSON file; `--against` reads such a file (made
by the code before a change, say) and shows each figure that moved as `before -> after`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from common import OUT, measure_quality
from second_world import world_folder

from resolver.config import Config
from resolver.demo import demo_folder, disclosure_files


@dataclass(frozen=True)
class World:
    """One case of the panel: which world, its size and seed, and its kind."""

    world: str  # "demo" or "second"
    traders: int
    seed: int
    kind: str = ""  # demo: "" or "hard"; second world: "", "messy", "supply", "messy+supply"

    @property
    def label(self) -> str:
        if self.world == "demo":
            name = f"{self.kind or 'plain'} demo"
        else:
            name = "second world" + (f" ({self.kind})" if self.kind else "")
        return f"{name} {self.traders:,} s{self.seed}"

    def disclosure(self) -> tuple[Path, list[Path], Config]:
        """The data's folder, its files and the configuration that reads them."""
        if self.world == "demo":
            data = demo_folder(OUT, self.traders, self.seed, self.kind == "hard")
            return data, disclosure_files(data), Config()
        kinds = self.kind.split("+")
        data = world_folder(self.traders, self.seed, "messy" in kinds, "supply" in kinds)
        files = [data / "alpha.csv", data / "beta.xlsx", data / "gamma.jsonl"]
        return data, files, Config(data / "config")


PANEL = (
    World("demo", 2000, 9),
    World("demo", 2000, 7, "hard"),
    World("demo", 6000, 29, "hard"),
    World("second", 2000, 5),
    World("second", 6000, 3),
    World("second", 4000, 202, "messy"),
    World("second", 2000, 5, "supply"),
    World("second", 6000, 3, "supply"),
    World("second", 8000, 808, "messy+supply"),
)
LARGE = (
    World("demo", 20000, 5, "hard"),
    World("second", 20000, 11),
    World("second", 20000, 11, "supply"),
)
COLUMNS = ("accounts", "P", "R", "over-merged", "fronts", "relatives", "self P", "self R",
           "link s", "peak GB")  # fmt: skip


def measure(world: World) -> dict[str, float]:
    """The figures of one case (run in a process of its own)."""
    data, files, config = world.disclosure()
    quality, _, _ = measure_quality(data, files, config)
    self_precision, self_recall = quality.self_purchase_scores()
    return {
        "accounts": quality.accounts,
        "P": quality.pairwise.precision,
        "R": quality.pairwise.recall,
        "over-merged": quality.over_merged,
        "fronts": quality.share_linked("front"),
        "relatives": quality.share_linked("relative"),
        "self P": self_precision,
        "self R": self_recall,
        "link s": quality.seconds,
        "peak GB": quality.peak_gb,
    }


def cell(column: str, now: float, before: float | None) -> str:
    """A figure as the table shows it, with its value before where that differs."""

    def shown(value: float) -> str:
        if column in ("accounts", "over-merged"):
            return f"{int(value):,}"
        if column in ("link s", "peak GB"):
            return f"{value:.1f}" if column == "link s" else f"{value:.2f}"
        return f"{value:.3f}" if column in ("fronts", "relatives") else f"{value:.4f}"

    timing = column in ("link s", "peak GB")  # machine noise: shown, never compared
    if before is None or timing or shown(before) == shown(now):
        return shown(now)
    return f"{shown(before)} -> **{shown(now)}**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="add the cases of 20,000 traders")
    parser.add_argument("--only", nargs="+", default=[], help="cases whose label holds a text")
    parser.add_argument("--save", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--against", type=Path, help="figures saved before, to compare with")
    args = parser.parse_args()
    worlds = [*PANEL, *(LARGE if args.large else ())]
    worlds = [w for w in worlds if not args.only or any(t in w.label for t in args.only)]
    before = json.loads(args.against.read_text(encoding="utf-8")) if args.against else {}
    print("| data | " + " | ".join(COLUMNS) + " |")
    print("|---|" + "---:|" * len(COLUMNS))
    figures: dict[str, dict[str, float]] = {}
    spawn = multiprocessing.get_context("spawn")
    for world in worlds:
        # a fresh process for each case: its peak memory is its own
        with ProcessPoolExecutor(1, mp_context=spawn, max_tasks_per_child=1) as pool:
            figures[world.label] = found = pool.submit(measure, world).result()
        old = before.get(world.label, {})
        cells = [cell(c, found[c], old.get(c)) for c in COLUMNS]
        print(f"| {world.label} | " + " | ".join(cells) + " |", flush=True)
    if args.save:
        args.save.write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
