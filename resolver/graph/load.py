"""Load what the case concluded into a graph store, idempotently (MERGE on keys).

Model: (Trader)-[:OPERATES]->(Account)-[:SOLD]->(Order); (Account)-[:REGISTERED_WITH]->
(Phone | Address | BankAccount | IdNumber | Name); (Order)-[:SHIPS_TO]->(Phone | Address) where
an order ships to an identifier some account is registered with; (Account)-[:LINKED]->(Account)
for scored links; (Account)-[:DISCLOSED_IN {sheet, row}]->(Disclosure); retired traders
-[:MERGED_INTO]-> the trader that kept the id. An order disclosed twice is one Order node whose
`provenance` lists both `file!sheet!row` entries, so sales sum once. Orders also carry their
trader's id and network id, so that sales queries aggregate orders without walking the graph.

Buyers' own phones and addresses get no nodes (a million buyers would swamp the graph and say
nothing about the trader); the order keeps them as properties.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from resolver.case import Case
from resolver.errors import GraphOutOfDate
from resolver.files import write_private
from resolver.graph import bulk, by_label
from resolver.graph.model import IDENTIFIER_LABELS, first_load_counts
from resolver.graph.store import FalkorStore, GraphStore, holds_nothing, write_frame
from resolver.progress import Progress, silent

STATEMENTS = {
    "disclosures": """UNWIND $rows AS r
MERGE (d:Disclosure {disclosure_id: r.disclosure_id})
SET d.file_name = r.file_name, d.platform = r.platform, d.ingested_at = r.ingested_at""",
    "traders": """UNWIND $rows AS r
MERGE (t:Trader {trader_id: r.trader_id})
SET t.retired = r.retired, t.names = r.names, t.account_count = r.account_count,
    t.platforms = r.platforms, t.network_id = r.network_id""",
    "merged": """UNWIND $rows AS r
MATCH (old:Trader {trader_id: r.retired})
MATCH (kept:Trader {trader_id: r.kept})
MERGE (old)-[:MERGED_INTO]->(kept)""",
    "accounts": """UNWIND $rows AS r
MERGE (a:Account {account_id: r.account_id})
SET a.platform = r.platform, a.account_key = r.account_key, a.store_name = r.store_name,
    a.registrant_name = r.registrant_name, a.registrant_kind = r.registrant_kind,
    a.trader_id = r.trader_id, a.probability = r.probability, a.network_id = r.network_id""",
    "unlink_moved": """UNWIND $rows AS r
MATCH (a:Account {account_id: r.account_id})
WITH a, r
WHERE a.trader_id <> r.trader_id
MATCH (a)<-[o:OPERATES]-(:Trader)
DELETE o""",
    "move_orders": """UNWIND $rows AS r
MATCH (a:Account {account_id: r.account_id})
WITH a, r
WHERE a.trader_id <> r.trader_id OR a.network_id <> r.network_id
MATCH (a)-[:SOLD]->(o:Order)
SET o.trader_id = r.trader_id, o.network_id = r.network_id""",
    "operates": """UNWIND $rows AS r
MATCH (t:Trader {trader_id: r.trader_id})
MATCH (a:Account {account_id: r.account_id})
MERGE (t)-[o:OPERATES]->(a)
SET o.probability = r.probability""",
    "account_sources": """UNWIND $rows AS r
MATCH (a:Account {account_id: r.account_id})
MATCH (d:Disclosure {disclosure_id: r.disclosure_id})
MERGE (a)-[x:DISCLOSED_IN]->(d)
SET x.sheet = r.sheet, x.row = r.row""",
    "drop_links": """MATCH (:Account)-[l:LINKED]->(:Account)
DELETE l""",
    "links_gone": """UNWIND $rows AS r
MATCH (:Account {account_id: r.account_a})-[l:LINKED]->(:Account {account_id: r.account_b})
DELETE l""",
    "drop_judged": """MATCH (:Account)-[j:JUDGED]->(:Account)
DELETE j""",
    "judged": """UNWIND $rows AS r
MATCH (a:Account {account_id: r.account_a})
MATCH (b:Account {account_id: r.account_b})
MERGE (a)-[j:JUDGED]->(b)
SET j.verdict = r.verdict, j.by = r.author, j.at = r.judged_at, j.reason = r.reason,
    j.seq = r.seq""",
    "forget_case_state": """MATCH (s:CaseState)
DELETE s""",
    "case_state": """UNWIND $rows AS r
MERGE (s:CaseState {key: 'case'})
SET s.revision = r.revision, s.loaded_at = r.loaded_at""",
    "links": """UNWIND $rows AS r
MATCH (a:Account {account_id: r.account_a})
MATCH (b:Account {account_id: r.account_b})
MERGE (a)-[l:LINKED]->(b)
SET l.probability = r.probability, l.match_weight = r.match_weight, l.evidence = r.evidence""",
    "self_purchase_flags": """UNWIND $rows AS r
MATCH (o:Order {key: r.key})
SET o.self_purchase = r.self_purchase""",
    "orders_first": """UNWIND $rows AS r
MATCH (a:Account {account_id: r.account_id})
CREATE (a)-[:SOLD]->(o:Order {key: r.key})
SET o.platform = r.platform, o.order_id = r.order_id, o.product_title = r.product_title,
    o.amount_fen = r.amount_fen, o.quantity = r.quantity, o.unit_price_fen = r.unit_price_fen,
    o.paid_at = r.paid_at, o.recipient_name = r.recipient_name,
    o.recipient_phone = r.recipient_phone, o.recipient_address = r.recipient_address,
    o.self_purchase = r.self_purchase, o.provenance = r.provenance,
    o.trader_id = r.trader_id, o.network_id = r.network_id""",
    "orders": """UNWIND $rows AS r
MERGE (o:Order {key: r.key})
SET o.platform = r.platform, o.order_id = r.order_id, o.product_title = r.product_title,
    o.amount_fen = r.amount_fen, o.quantity = r.quantity, o.unit_price_fen = r.unit_price_fen,
    o.paid_at = r.paid_at, o.recipient_name = r.recipient_name,
    o.recipient_phone = r.recipient_phone, o.recipient_address = r.recipient_address,
    o.self_purchase = r.self_purchase, o.provenance = r.provenance,
    o.trader_id = r.trader_id, o.network_id = r.network_id
WITH o, r
MATCH (a:Account {account_id: r.account_id})
MERGE (a)-[:SOLD]->(o)""",
}
IDENTIFIER_STATEMENT = """UNWIND $rows AS r
MERGE (i:{label} {{key: r.key}})
SET i.value = r.value, i.masked = r.masked, i.hub = r.hub
WITH i, r
MATCH (a:Account {{account_id: r.account_id}})
MERGE (a)-[x:REGISTERED_WITH]->(i)
SET x.sources = r.sources"""
SHIPS_TO_STATEMENT = """UNWIND $rows AS r
MATCH (o:Order {{key: r.order}})
MATCH (i:{label} {{key: r.key}})
MERGE (o)-[:SHIPS_TO]->(i)"""


def statements() -> dict[str, str]:
    """Every statement the loader runs, by name (the lint test reads them all)."""
    named = dict(STATEMENTS)
    for label in IDENTIFIER_LABELS:
        named[f"identifiers_{label}"] = IDENTIFIER_STATEMENT.format(label=label)
    for label in ("Phone", "Address"):
        named[f"ships_to_{label}"] = SHIPS_TO_STATEMENT.format(label=label)
    return named


@dataclass
class LoadSummary:
    counts: dict[str, int]
    seconds: float


FirstLoad = Literal["fastest", "by_label", "merge"]


def load(
    case: Case,
    store: GraphStore,
    orders_of: list[str] | None = None,
    batch_size: int = 10_000,
    progress: Progress | None = None,
    first_load: FirstLoad = "fastest",
) -> LoadSummary:
    """Load the case into `store`. `orders_of`: only the orders of these disclosures (after an
    incremental match), and of any the graph does not hold (matched without it); None: every
    order. Everything else is small and always loaded whole.

    A graph that holds nothing gets the whole case at once, created rather than merged:
    `first_load` "fastest" sends it to the embedded store by GRAPH.BULK and to Neo4j by label
    in parallel-safe chunks (`by_label`, also the embedded store's way where GRAPH.BULK cannot
    carry a value); "by_label" and "merge" (the later loads' statements) force one way (the
    tests compare the three). A graph without orders gets every order, created. `progress`
    hears each batch written."""
    started = time.perf_counter()
    named = statements()
    if first_load != "merge" and holds_nothing(store):
        frames = graph_frames(case, None)
        counts = _first_load(case, store, frames, progress or silent, batch_size, first_load)
        return _finish(case, store, named, counts, started, frames)
    store.ensure_schema()
    _, state = store.query(CASE_STATE)
    stamped = state[0][0] if state else None  # None: never loaded, or a load was cut short
    # after a match, only the rows that changed since the last load (see `Ledger`)
    ledger = Ledger.of(case, store, stamped) if orders_of is not None else None
    first = store.query("MATCH (o:Order) RETURN count(o) AS orders")[1][0][0] == 0
    only = None if first or stamped is None else _unloaded(case, store, orders_of)
    store.query(named["forget_case_state"])  # a load cut short leaves a graph of no revision
    frames = graph_frames(case, only)
    shipped = {name: frames.pop(name) for name in list(frames) if name.startswith("ships_to_")}
    write = _writer(store, batch_size, progress or silent)
    counts, hashed = {}, {}
    for name, frame in frames.items():
        if name == "judged" or (name == "links" and ledger is None):
            store.query(named[f"drop_{name}"])  # replaced whole: one no longer in force must go
        elif ledger is not None and _ledgered(name):
            hashed[name] = _row_hashes(frame)
            if name == "links":
                gone = ledger.links_gone(frame)
                counts["links_gone"] = write(named["links_gone"], "links gone", [gone], len(gone))
            frame = frame[ledger.changed(name, hashed[name])]
        counts[name] = write(named[name], name, [frame], len(frame))
    with case.orders.in_batches(frames["accounts"], ORDER_ROWS, READ_MEMORY, only) as orders:
        statement = named["orders_first" if first else "orders"]
        counts["orders"] = write(statement, "orders", orders.frames(), orders.count)
    for name, frame in shipped.items():  # after the orders they start from
        counts[name] = write(named[name], name, [frame], len(frame))
    now = case.orders.self_purchase_keys()
    flags = _self_purchase_flags(store, ledger, now)
    counts["self_purchase_flags"] = write(named["self_purchase_flags"], "self-purchases",
                                          [flags], len(flags))  # fmt: skip
    return _finish(case, store, named, counts, started, frames, hashed, now)


def _unloaded(case: Case, store: GraphStore, orders_of: list[str] | None) -> list[str] | None:
    """The disclosures whose orders a graph that a whole load stamped lacks: `orders_of` (new
    to the case) and those a match without the graph brought (None: every order; so too
    where a load was cut short, as it may hold part of a disclosure's)."""
    if orders_of is None:
        return None
    _, rows = store.query("MATCH (d:Disclosure) RETURN d.disclosure_id")
    held = {disclosure for (disclosure,) in rows}
    return sorted(set(orders_of) | (set(case.disclosures.sources()["sha256"]) - held))


def _self_purchase_flags(store: GraphStore, ledger: Ledger | None, now: set[str]) -> pd.DataFrame:
    """(key, self_purchase) of the orders already in the graph whose flag the traders as they
    are now (`now`: the orders that are self-purchases) change: an order becomes a
    self-purchase when its seller and the account it was shipped to come to be one trader (a
    later disclosure, a judgement), and stops being one when they part. The orders flagged in
    the graph are the ledger's, else asked for."""
    if ledger is not None:
        flagged = set(ledger.flagged)
    else:
        _, rows = store.query("MATCH (o:Order) WHERE o.self_purchase = true RETURN o.key")
        flagged = {key for (key,) in rows}
    changed = sorted(now - flagged) + sorted(flagged - now)
    return pd.DataFrame({"key": changed, "self_purchase": [key in now for key in changed]})


def _writer(store: GraphStore, batch_size: int, progress: Progress) -> Callable[..., int]:
    """A function that writes the rows of one frame, given in parts, with a statement, a batch
    at a time (rows as dicts), and says how far it got; it returns the rows written."""

    def write(statement: str, name: str, parts: Iterable[pd.DataFrame], total: int) -> int:
        done = 0
        for part in parts:
            for written in write_frame(store, statement, part, batch_size):
                done += written
                progress(f"graph: {name.replace('_', ' ')}", done, total)
        return done

    return write


def _first_load(
    case: Case,
    store: GraphStore,
    frames: dict[str, pd.DataFrame],
    progress: Progress,
    batch_size: int,
    how: FirstLoad,
) -> dict[str, int]:
    """The whole case (`frames`, and its orders read a batch at a time) into a graph that
    holds nothing; the counts of the frames written."""
    owners = frames["accounts"]
    if how == "fastest" and isinstance(store, FalkorStore):
        try:
            with case.orders.in_batches(owners, ORDER_ROWS, READ_MEMORY) as orders:
                store.bulk(bulk.bulk_batches(frames, orders.batches, progress, orders.count))
            store.ensure_schema()  # indexes built over what is there
            return first_load_counts(frames) | {"orders": orders.count}
        except bulk.NotBulkable:
            store.drop()  # what was sent: loaded again by label
    store.ensure_schema()  # MATCH by key finds the nodes created before
    with case.orders.in_batches(owners, ORDER_ROWS, READ_MEMORY) as orders:
        by_label.write(store, frames, batch_size, progress, orders=orders.frames(),
                       order_count=orders.count)  # fmt: skip
    return first_load_counts(frames) | {"orders": orders.count}


def _finish(
    case: Case,
    store: GraphStore,
    named: dict[str, str],
    counts: dict[str, int],
    started: float,
    frames: dict[str, pd.DataFrame],
    hashed: dict[str, np.ndarray] | None = None,
    flagged: set[str] | None = None,
) -> LoadSummary:
    """Mark the graph as holding the case's current revision (a load cut short leaves none),
    and keep the ledger of what it now holds (`hashed`: the row hashes of frames known;
    `flagged`: the self-purchases, when known)."""
    loaded_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    store.write(named["case_state"], [{"revision": case.revision, "loaded_at": loaded_at}], 1)
    Ledger.keep(case, store, frames, hashed or {}, flagged)
    return LoadSummary(counts, time.perf_counter() - started)


class Ledger:
    """What the embedded graph was last loaded with: a hash of every row of the frames a later
    load merges again (all but judgements, replaced whole, and the orders and what ships them,
    read by disclosure), the two accounts of each link (one no longer in force must go), and
    the orders flagged as self-purchases, kept beside `graph.rdb` with the revision the graph
    was stamped with. A later load after a match writes only the rows not in it, which MERGE
    would leave as they are, deletes the links gone, and finds the flags to change without
    reading every order of the graph. It counts only while the graph carries that same
    revision: a graph saved before (a command that failed after the ledger was kept), cut
    short, or loaded anew gets every row, as does `resolver load-graph`."""

    FILE = "ledger.parquet"

    def __init__(self, hashes: dict[str, np.ndarray], linked: set[str], flagged: list[str]) -> None:
        self.hashes, self.linked, self.flagged = hashes, linked, flagged

    @staticmethod
    def path(case: Case) -> Path:
        from resolver.graph.embedded import GRAPH_FOLDER

        return case.folder / GRAPH_FOLDER / Ledger.FILE

    @classmethod
    def of(cls, case: Case, store: GraphStore, stamped: str | None) -> Ledger | None:
        """The ledger of the graph in `store` (stamped with the revision `stamped`), if it
        holds what the ledger says."""
        path = cls.path(case)
        if not isinstance(store, FalkorStore) or not path.is_file():
            return None
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException):  # a damaged ledger says nothing: every row again
            return None
        revision = (table.schema.metadata or {}).get(b"revision", b"").decode()
        if stamped is None or stamped != revision:
            return None
        frame = table.to_pandas()
        flagged = frame["frame"] == FLAGGED
        hashes = {name: part["hash"].to_numpy() for name, part in frame[~flagged].groupby("frame")}
        linked = set(frame.loc[frame["frame"] == "links", "key"])
        return cls(hashes, linked, frame.loc[flagged, "key"].tolist())

    @classmethod
    def keep(
        cls,
        case: Case,
        store: GraphStore,
        frames: dict[str, pd.DataFrame],
        hashed: dict[str, np.ndarray],
        flagged: set[str] | None,
    ) -> None:
        if not isinstance(store, FalkorStore):
            return
        names: list[str] = []
        hashes: list[np.ndarray] = []
        keys: list[str | None] = []
        for name, frame in frames.items():
            if _ledgered(name):
                hashes.append(hashed[name] if name in hashed else _row_hashes(frame))
                names += [name] * len(frame)
                keys += _link_keys(frame) if name == "links" else [None] * len(frame)
        flags = sorted(case.orders.self_purchase_keys() if flagged is None else flagged)
        table = pa.table(
            {"frame": names + [FLAGGED] * len(flags),
             "hash": np.concatenate([*hashes, np.zeros(len(flags), np.uint64)]).astype(np.uint64),
             "key": pa.array(keys + list(flags), pa.string())}
        ).replace_schema_metadata({"revision": case.revision or ""})  # fmt: skip
        write_private(cls.path(case), lambda partial: pq.write_table(table, partial))

    def changed(self, name: str, hashes: np.ndarray) -> np.ndarray:
        """Which rows of frame `name`, given by their hashes, the graph was not loaded with."""
        return ~np.isin(hashes, self.hashes.get(name, np.array([], dtype=np.uint64)))

    def links_gone(self, links: pd.DataFrame) -> pd.DataFrame:
        """(account_a, account_b) of the links the graph holds and `links` no longer does."""
        gone = sorted(self.linked - set(_link_keys(links)))
        pairs = [key.split(LINK_KEY_SEPARATOR) for key in gone]
        return pd.DataFrame(pairs, columns=["account_a", "account_b"], dtype=object)


FLAGGED = "self_purchase"  # the ledger's rows of the orders flagged as self-purchases


LINK_KEY_SEPARATOR = "\x1f"  # no account id holds it


def _ledgered(name: str) -> bool:
    return name != "judged" and not name.startswith("ships_to_")


def _link_keys(links: pd.DataFrame) -> list[str]:
    return (links["account_a"] + LINK_KEY_SEPARATOR + links["account_b"]).tolist()


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A hash of each row's values; a list column's cells as their items joined by a separator
    (by Arrow's kernels: a later load hashes every row of what it would merge)."""
    if frame.empty:
        return np.array([], dtype=np.uint64)
    plain = frame.copy(deep=False)
    for column in frame.select_dtypes(include="object").columns:
        given = frame[column].dropna()
        if len(given) and isinstance(given.iloc[0], list | tuple | np.ndarray):
            joined = pc.binary_join(pa.array(frame[column], pa.list_(pa.string())), "\x1f")
            plain[column] = joined.to_pandas()
    return pd.util.hash_pandas_object(plain, index=False).to_numpy()


# DuckDB's memory while the graph is read from the case; past it, it spills into the case's
# folder. Counting 1.3 M orders once takes it 2.1 GB unheld, beside as much again in pandas
# (bench/scale.py, 20,000 traders: the load's peak 3.2 -> 2.2-2.4 GB for 2 s more). What it
# cannot spill grows with the case: where 1 GB is too little, the read runs again under the
# case's usual limit (at 60,000 traders it fits, since the graph does not count copies).
READ_MEMORY = "1GB"
ORDER_ROWS = 50_000  # orders a first load or an export reads from the case at a time

CASE_STATE = "MATCH (s:CaseState) RETURN s.revision AS revision, s.loaded_at AS loaded_at"


def check_current(case: Case, store: GraphStore) -> None:
    """Refuse a graph that does not hold what the case holds now: never loaded, cut short, or
    loaded before the case last changed (`match --no-graph`, `train`, an ingest)."""
    _, rows = store.query(CASE_STATE)
    if not rows:
        raise GraphOutOfDate(
            "the graph holds nothing loaded from this case (never loaded, or a load was cut "
            "short): run `resolver load-graph`"
        )
    revision, loaded_at = rows[0]
    if revision != case.revision:
        raise GraphOutOfDate(
            f"the graph is out of date: loaded at {loaded_at} UTC, and the case has changed "
            "since; run `resolver load-graph`"
        )


def graph_frames(case: Case, orders_of: list[str] | None) -> dict[str, pd.DataFrame]:
    """What the graph holds but its orders (read a batch at a time: `Orders.in_batches`), as
    one frame per loader statement (`orders_of`: only what ships the orders of these
    disclosures; None: of every order): the loader and the neo4j-admin export read these."""
    return case.read_within(READ_MEMORY, lambda: _graph_frames(case, orders_of))


def _graph_frames(case: Case, orders_of: list[str] | None) -> dict[str, pd.DataFrame]:
    values = case.records.registered()
    networks = case.traders.networks()
    frames: dict[str, pd.DataFrame] = {}
    frames["disclosures"] = case.disclosures.sources()[
        ["sha256", "file_name", "platform", "ingested_at"]
    ].rename(columns={"sha256": "disclosure_id"})
    traders = case.traders.for_graph()
    traders["network_id"] = traders["trader_id"].map(networks)
    frames["traders"] = traders
    frames["merged"] = case.traders.merged()
    accounts = case.traders.accounts()
    accounts["network_id"] = accounts["trader_id"].map(networks)
    # Accounts whose trader changed lose their old OPERATES, and their orders take the new
    # trader and network, before the accounts' own `trader_id` is overwritten.
    frames["unlink_moved"] = accounts[["account_id", "trader_id"]]
    frames["move_orders"] = accounts[["account_id", "trader_id", "network_id"]]
    frames["accounts"] = accounts
    frames["operates"] = accounts[["account_id", "trader_id", "probability"]]
    frames["account_sources"] = case.records.sources()
    for label in IDENTIFIER_LABELS:
        frames[f"identifiers_{label}"] = values[values["label"] == label].drop(columns="label")
    frames["links"] = case.links.for_graph()
    frames["judged"] = pd.DataFrame(
        [asdict(j) for j in case.judgements.current()],
        columns=["account_a", "account_b", "verdict", "author", "judged_at", "reason", "seq"],
    )
    for label, frame in case.orders.ships_to(orders_of).items():
        frames[f"ships_to_{label}"] = frame
    return frames
