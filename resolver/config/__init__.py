"""Configuration as data: the defaults shipped in the package, overlaid by a user's folder.

A user's `--config` folder holds only what it changes: `matching.yaml`, `keywords.yaml`,
`damages.yaml`, `report.yaml`, and mappings in `platforms/` (a file of the same name replaces
the shipped one, others are added). Everything else falls back to the defaults. One `Config` is
made per run and passed down; each part is read and validated on first use, so a command reads
only what it needs.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path
from typing import Literal

from resolver.config.base import Strict, load_yaml_model
from resolver.config.damages import DamagesConfig
from resolver.config.matching import MatchingConfig
from resolver.config.platforms import PlatformConfig
from resolver.errors import ConfigError

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults" / "config"

__all__ = [
    "DEFAULTS",
    "Config",
    "DamagesConfig",
    "MatchingConfig",
    "PlatformConfig",
    "ReportConfig",
]


class Keywords(Strict):
    """`keywords.yaml`: the words that mark a product title as infringing."""

    infringing_keywords: list[str] = []
    source: Path = Path("<memory>")


class ReportConfig(Strict):
    """`report.yaml`: how reports and explanations are written."""

    lang: Literal["zh", "en"] = "zh"
    source: Path = Path("<memory>")


class Config:
    """The configuration of one run: `Config()` is the shipped defaults, `Config(folder)` the
    defaults overlaid by that folder."""

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        if self.folder is not None and not self.folder.is_dir():
            raise ConfigError(self.folder, "", "no such configuration folder")

    @classmethod
    def of(cls, config: Config | Path | str | None) -> Config:
        """A `Config` as given, or made from a folder (None: the defaults)."""
        return config if isinstance(config, Config) else cls(config)

    def __repr__(self) -> str:
        return f"Config({str(self.folder) if self.folder else 'defaults'})"

    def path(self, name: str) -> Path:
        """The file in force for `name` (e.g. `matching.yaml`): the user's, else the default."""
        if self.folder is not None and (self.folder / name).is_file():
            return self.folder / name
        return DEFAULTS / name

    @cached_property
    def files(self) -> dict[str, Path]:
        """Every YAML file in force, by its name relative to a config folder."""
        found = {p.relative_to(DEFAULTS).as_posix(): p for p in DEFAULTS.rglob("*.yaml")}
        if self.folder is not None:
            found |= {p.relative_to(self.folder).as_posix(): p for p in self.folder.rglob("*.yaml")}
        return dict(sorted(found.items()))

    @cached_property
    def platforms(self) -> dict[str, PlatformConfig]:
        """Every platform mapping, by platform name; names must be unique."""
        configs: dict[str, PlatformConfig] = {}
        for name, path in self.files.items():
            if not name.startswith("platforms/"):
                continue
            config = load_yaml_model(path, PlatformConfig)
            if config.platform in configs:
                raise ConfigError(
                    path, "platform", f"{config.platform!r} is also defined elsewhere"
                )
            configs[config.platform] = config
        if not configs:
            raise ConfigError(self.path("platforms"), "", "no platform mappings (*.yaml) found")
        return configs

    @cached_property
    def matching(self) -> MatchingConfig:
        return load_yaml_model(self.path("matching.yaml"), MatchingConfig)

    def running_on(self, engine: str | None = None, spark_master: str | None = None) -> Config:
        """This configuration with the engine (and Spark master) a command asked for."""
        if engine is None and spark_master is None:
            return self
        changed = Config(self.folder)
        changed.__dict__["matching"] = self.matching.on(engine, spark_master)
        return changed

    @cached_property
    def keywords(self) -> list[str]:
        return load_yaml_model(self.path("keywords.yaml"), Keywords).infringing_keywords

    @cached_property
    def damages(self) -> DamagesConfig:
        return load_yaml_model(self.path("damages.yaml"), DamagesConfig)

    @cached_property
    def report(self) -> ReportConfig:
        return load_yaml_model(self.path("report.yaml"), ReportConfig)

    def lang(self, asked: str | None = None) -> str:
        """The language of a report or explanation: the one asked for, else `report.yaml`'s."""
        return asked or self.report.lang

    @cached_property
    def sha256(self) -> str:
        """One hash of every file in force (names and bytes): a report states it, so that its
        figures can be tied to the rules that produced them."""
        digest = hashlib.sha256()
        for name, path in self.files.items():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()
