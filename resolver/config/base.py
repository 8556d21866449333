"""What every configuration file shares: strict models and one loader whose errors name the
file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from resolver.errors import ConfigError


class Strict(BaseModel):
    """A frozen model that refuses unknown keys: a typo in YAML is an error, not a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


ModelT = TypeVar("ModelT", bound=BaseModel)


def load_yaml_model(path: Path, model: type[ModelT]) -> ModelT:
    """Read a YAML file into a validated model; any error names the file and the key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(path, "", f"cannot read YAML: {err}") from err
    if not isinstance(data, dict):
        raise ConfigError(path, "", "expected a mapping at the top level")
    try:
        return model.model_validate({**data, "source": path})
    except ValidationError as err:
        # An unknown key (a typo) explains the rest: report it before the missing ones.
        first = min(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
        key = ".".join(str(p) for p in first["loc"] if not str(p).startswith("function-"))
        message = first["msg"].removeprefix("Value error, ")
        if not key and ": " in message:  # a whole-model check names its key in the message
            key, message = message.split(": ", 1)
        raise ConfigError(path, key or "(top level)", message) from None
