"""Synthetic platform disclosures with a ground truth, for demos, tests and benchmarks.

`generate(folder, traders, seed, hard=False)` writes disclosures in the shapes platforms send
(see `writers`) drawn from a world of traders and their accounts (see `world`), and `truth/`:
which account belongs to which trader (with its role and, for fronts and relatives, what ties
it to its trader), every true order once, each trader's true sales, and the bad rows planted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from resolver.demo.world import Generator
from resolver.demo.writers import (
    JD_ORDER_HEADERS,
    JD_SELLER_HEADERS,
    PDD_HEADERS,
    TAOBAO_HEADERS,
    write_douyin,
    write_jd,
    write_pdd,
    write_taobao,
    write_truth,
)
from resolver.errors import ResolverError

__all__ = [
    "JD_ORDER_HEADERS",
    "JD_SELLER_HEADERS",
    "PDD_HEADERS",
    "TAOBAO_HEADERS",
    "DemoSummary",
    "demo_folder",
    "disclosure_files",
    "generate",
]


@dataclass
class DemoSummary:
    folder: Path
    traders: int
    accounts: int
    orders: int
    files: list[Path]


def generate(
    out: Path | str,
    traders: int = 200,
    seed: int = 7,
    orders_per_account: float = 28.0,
    hard: bool = False,
) -> DemoSummary:
    """Write demo disclosures of `traders` traders and their ground truth into `out`."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ResolverError(f"{folder}: not a folder; name a folder for the demo disclosures")
    folder.mkdir(parents=True, exist_ok=True)
    gen = Generator(traders, seed, orders_per_account, hard)
    _, accounts = gen.build()
    by_platform = defaultdict(list)
    for account in accounts:
        by_platform[account.platform].append(account)
    bad: list = []
    written = write_taobao(gen, by_platform["taobao"], folder, bad)
    written.append(write_jd(gen, by_platform["jd"], folder, bad))
    written.append(write_douyin(gen, by_platform["douyin"], folder, bad))
    if hard:
        written.append(write_pdd(gen, by_platform["pdd"], folder, bad))
    write_truth(folder, accounts, bad)
    orders = sum(len(a.orders) for a in accounts)
    return DemoSummary(folder, traders, len(accounts), orders, written)


def disclosure_files(folder: Path | str) -> list[Path]:
    """The disclosures of a demo folder, in name order (its truth/ is not one of them)."""
    return sorted(p for p in Path(folder).iterdir() if p.suffix in (".csv", ".xlsx", ".jsonl"))


def demo_folder(root: Path, traders: int, seed: int, hard: bool = False) -> Path:
    """`root/demo-TRADERS-SEED[-hard]`, generated on first use (benchmarks share it)."""
    folder = root / f"demo-{traders}-{seed}{'-hard' if hard else ''}"
    if not (folder / "truth" / "accounts.csv").exists():
        generate(folder, traders=traders, seed=seed, hard=hard)
    return folder
