"""How long work tells its caller how far it has come: one callback for every stage, called
with what it is doing and, where it can count, how much of how much is done. The CLI draws it
(a bar per step); Python callers may print it, log it or pass nothing."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        """`step` in words (with its counts where known); `done` of `total` items so far."""


def silent(step: str, done: int | None = None, total: int | None = None) -> None:
    """Progress nobody listens to."""
