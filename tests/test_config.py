"""Platform mappings: the shipped ones load; bad ones fail naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from resolver.config import DEFAULTS, Config, PlatformConfig
from resolver.config.base import load_yaml_model
from resolver.errors import ConfigError

TAOBAO = DEFAULTS / "platforms" / "taobao.yaml"


def test_shipped_mappings_load() -> None:
    configs = Config().platforms
    assert {"taobao", "jd", "douyin"} <= set(configs)
    assert {c.file.kind for c in configs.values()} == {"csv", "xlsx", "jsonl"}


def edited(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(TAOBAO.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _unknown_field(d):
    d["sellers"]["fields"]["phonez"] = "联系电话"


def _missing_required(d):
    del d["orders"]["fields"]["amount"]


def _bad_parser(d):
    d["orders"]["fields"]["amount"] = {"column": "实付金额", "parser": "epoch_ms"}


def _bad_kind_value(d):
    d["sellers"]["fields"]["registrant_kind"]["values"]["个人"] = "human"


def _bad_zone(d):
    d["timezone"] = "Mars/Olympus"


def _bad_kind(d):
    d["file"]["kind"] = "xls"


def _sheet_in_csv(d):
    d["orders"]["sheet"] = "订单"


def _typo_key(d):
    d["orders"]["fields"]["amount"] = {"colum": "实付金额"}


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (_unknown_field, "sellers.fields.phonez", "unknown field"),
        (_missing_required, "orders.fields.amount", "required field is not mapped"),
        (_bad_parser, "orders.fields.amount.parser", "cannot read money"),
        (_bad_kind_value, "sellers.fields.registrant_kind.values", "human"),
        (_bad_zone, "timezone", "unknown time zone"),
        (_bad_kind, "file.kind", "csv"),
        (_sheet_in_csv, "orders.sheet", "only xlsx files have sheets"),
        (_typo_key, "orders.fields.amount.colum", "Extra inputs are not permitted"),
    ],
)
def test_invalid_mapping_names_file_and_key(tmp_path: Path, change, key: str, message: str):
    path = edited(tmp_path, change)
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, PlatformConfig)
    text = str(caught.value)
    assert text.startswith(f"{path}: {key}: "), text
    assert message in text


def test_yaml_syntax_error_names_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("platform: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.yaml: cannot read YAML"):
        load_yaml_model(path, PlatformConfig)


def test_duplicate_platform_names_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "platforms"
    folder.mkdir()
    for name in ("a.yaml", "b.yaml"):
        (folder / name).write_text(TAOBAO.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="'taobao' is also defined elsewhere"):
        Config(tmp_path).platforms  # noqa: B018


def test_config_hash_changes_with_content(tmp_path: Path) -> None:
    original = load_yaml_model(TAOBAO, PlatformConfig)
    changed = load_yaml_model(edited(tmp_path, lambda d: d.update(timezone="UTC")), PlatformConfig)
    assert original.sha256 != changed.sha256
    assert original.sha256 == load_yaml_model(TAOBAO, PlatformConfig).sha256
