"""Money is integer fen everywhere; yuan appear only as text, formatted here without floats."""

from __future__ import annotations


def yuan(fen: int, symbol: str = "¥") -> str:
    """`123456` -> `¥1,234.56`: exact, whatever the size (no float passes through)."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{symbol}{whole:,}.{cents:02d}"
