"""The trained match model, kept inside the case database with the rules it was trained with:
a run that rolls back also rolls back the model it trained, a copied case carries its model,
and explanations and reports read the rules that scored the links, not today's file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from resolver.config.matching import MatchingConfig
from resolver.errors import NotLinked

if TYPE_CHECKING:
    from resolver.case import Case


@dataclass(frozen=True)
class SavedModel:
    settings: dict[str, Any]  # Splink's settings and parameters
    rules_sha256: str  # of the matching rules it was trained with
    rules: MatchingConfig | None  # those rules (None in a case upgraded from version 0)


class ModelStore:
    def __init__(self, case: Case) -> None:
        self.case = case

    def load(self) -> SavedModel | None:
        rows = self.case.db.execute("SELECT settings, rules_sha256, rules FROM model").fetchall()
        if not rows:
            return None
        settings, sha, rules = rows[0]
        parsed = MatchingConfig.model_validate_json(rules) if rules else None
        return SavedModel(json.loads(settings), sha, parsed)

    def save(self, settings: dict[str, Any], rules: MatchingConfig) -> None:
        db = self.case.db
        db.execute("DELETE FROM model")
        db.execute(
            "INSERT INTO model VALUES (now(), ?, ?, ?)",
            [rules.sha256, rules.model_dump_json(exclude={"source"}), json.dumps(settings)],
        )

    def rules(self, current: MatchingConfig) -> MatchingConfig:
        """The rules the links were scored with: as saved with the model, or `current` when
        they are the same rules (a case upgraded from version 0 kept only their hash)."""
        saved = self.load()
        if saved is None:
            raise NotLinked(f"{self.case.folder}: no trained model yet; run `resolver match` first")
        if saved.rules is not None:
            return saved.rules
        if saved.rules_sha256 == current.sha256:
            return current
        raise NotLinked(
            f"{self.case.folder}: the links were scored with matching rules this case no longer "
            "holds; run `resolver train` to score them again"
        )
