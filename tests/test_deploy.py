"""docker-compose.yml and the Browser style, checked offline (no Docker engine here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_pins_neo4j_and_keeps_it_private() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    neo4j = compose["services"]["neo4j"]
    assert re.fullmatch(r"neo4j:5\.26\.\d+-community", neo4j["image"])
    assert all(port.startswith("127.0.0.1:") for port in neo4j["ports"])
    assert "${NEO4J_PASSWORD" in neo4j["environment"]["NEO4J_AUTH"]  # a secret from .env
    assert "apoc" in neo4j["environment"]["NEO4J_PLUGINS"]
    assert {"/data", "/logs"} <= {v.split(":")[1] for v in neo4j["volumes"]}
    assert "wget" in " ".join(neo4j["healthcheck"]["test"])
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_grass_styles_every_label() -> None:
    from resolver.graph.store import KEYS

    assert set(KEYS) <= set(re.findall(r"node\.(\w+) \{", _grass()))
    grass = _grass()
    for label in (
        "Trader",
        "Account",
        "Order",
        "Phone",
        "Address",
        "BankAccount",
        "PaymentAccount",
        "IdNumber",
        "Name",
        "Disclosure",
    ):
        assert re.search(rf"node\.{label} \{{[^}}]*caption:", grass), label


def _grass() -> str:
    return (ROOT / "cypher" / "resolver.grass").read_text(encoding="utf-8")
