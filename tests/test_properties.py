"""Properties of the readers, parsers and normalisers over any input (Hypothesis): any bytes or
text in, either a stored value, a quarantined one with its reason, or one clear error out —
never a traceback, and never an identifier with a digit changed."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
from conftest import TAOBAO_COLUMNS, write_taobao
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolver.config import Config
from resolver.errors import InputError
from resolver.ingestion.ingest import read_file
from resolver.ingestion.mapping import map_disclosure
from resolver.ingestion.parsers import parse_datetime, parse_integer, parse_money
from resolver.normalize import (
    company_stem,
    normalize_address,
    normalize_bank_account,
    normalize_id_number,
    normalize_name,
    normalize_payment_account,
    normalize_phone,
)
from resolver.normalize.text import compact

ANY_TEXT = st.text(max_size=40)
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=30)
CHECKED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def parsed(parser, texts: list[str], *args):
    values, errors = parser(pd.Series(texts, dtype="str"), *args)
    assert len(values) == len(errors) == len(texts)
    return list(zip(values, errors, strict=True))


CHINESE_DIGITS = "〇一二三四五六七八九"


def _chinese(number: int, by_tens: bool) -> str:
    """`number` in Chinese numerals: digit by digit (`二二四`), or (below 100) by tens (`二十四`)."""
    if not by_tens or number >= 100:
        return "".join(CHINESE_DIGITS[int(d)] for d in str(number))
    tens, ones = divmod(number, 10)
    return (
        (CHINESE_DIGITS[tens] if tens > 1 else "") * (tens > 0)
        + "十" * (tens > 0)
        + (CHINESE_DIGITS[ones] if ones or not tens else "")
    )


HOUSE_NUMBER = st.tuples(
    st.integers(1, 9999), st.integers(1, 40), st.integers(1, 2999)
)  # street number, building, room


def _written(number: int, building: int, room: int, way: int, by_tens: bool) -> str:
    """One house number in one of the ways disclosures write it."""
    road, at = f"{number}号", str(building)
    if way == 0:
        return f"{road}{at}栋{room}室"
    if way == 1:
        return f"{road}{at}号楼{room}"
    if way == 2:
        return f"{number}-{building}-{room}"
    if way == 3:
        return f"{road}第{_chinese(building, by_tens)}幢{_chinese(room, False)}室"
    if way == 4:
        return f"{road}{at}单元{room}房（放门口）"
    return f"{_chinese(number, False)}号{_chinese(building, by_tens)}栋{room}"


@CHECKED
@given(HOUSE_NUMBER, st.lists(st.integers(0, 5), min_size=2, max_size=6), st.booleans())
def test_a_house_number_written_any_way_reads_the_same(
    numbers: tuple[int, int, int], ways: list[int], by_tens: bool
) -> None:
    streets = {normalize_address(f"浙江省义乌市人民路{_written(*numbers, way, by_tens)}").street
               for way in ways}  # fmt: skip
    assert streets == {"人民路{}-{}-{}".format(*numbers)}


@CHECKED
@given(HOUSE_NUMBER, HOUSE_NUMBER, st.integers(0, 5), st.integers(0, 5), st.booleans())
def test_different_house_numbers_never_read_the_same(
    one: tuple[int, int, int], other: tuple[int, int, int], way: int, other_way: int,
    by_tens: bool,
) -> None:  # fmt: skip
    if one != other:
        a, b = (normalize_address(f"义乌市人民路{_written(*n, w, by_tens)}").street
                for n, w in ((one, way), (other, other_way)))  # fmt: skip
        assert a != b


@CHECKED
@given(st.lists(ANY_TEXT, max_size=8), st.sampled_from(["yuan", "fen"]))
def test_money_is_a_whole_number_of_fen_or_a_reason(texts: list[str], unit: str) -> None:
    for text, (value, error) in zip(texts, parsed(parse_money, texts, unit), strict=True):
        if pd.isna(error):
            assert pd.isna(value) if not text.strip() else 0 <= int(value) < 10**12
        else:
            assert pd.isna(value) and isinstance(error, str) and error


@CHECKED
@given(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2))
def test_yuan_amounts_are_exact_to_the_fen(amount: Decimal) -> None:
    [(fen, error)] = parsed(parse_money, [f"¥{amount:,.2f}"], "yuan")
    assert pd.isna(error) and int(fen) == int(amount * 100)


@CHECKED
@given(st.lists(ANY_TEXT, max_size=8))
def test_integers_are_whole_numbers_or_a_reason(texts: list[str]) -> None:
    for value, error in parsed(parse_integer, texts):
        assert pd.isna(value) or pd.isna(error)
        assert pd.isna(error) or isinstance(error, str)


@CHECKED
@given(
    st.lists(st.one_of(ANY_TEXT, DIGITS, st.datetimes().map(str)), max_size=6),
    st.sampled_from(["datetime", "excel_datetime", "epoch_ms", "epoch_s"]),
)
def test_dates_are_moments_or_a_reason(texts: list[str], parser: str) -> None:
    for value, error in parsed(parse_datetime, texts, parser, [], "Asia/Shanghai"):
        assert pd.isna(value) or (pd.isna(error) and re.fullmatch(r"\d{4}-.+", str(value)))
        assert pd.isna(error) or str(error).startswith("unparseable date")


@CHECKED
@given(st.one_of(ANY_TEXT, DIGITS, DIGITS.map(lambda d: f"中信银行 {d}")))
def test_bank_accounts_keep_every_digit(text: str) -> None:
    value = normalize_bank_account(text)
    if value.norm is not None:
        assert value.norm == re.sub(r"\D", "", _ascii_digits(text))


@CHECKED
@given(st.one_of(ANY_TEXT, DIGITS))
def test_id_numbers_keep_every_digit(text: str) -> None:
    value = normalize_id_number(text)
    if value.norm is not None and len(re.sub(r"\W", "", text)) == 18:
        assert value.norm == re.sub(r"[\s\-]", "", _ascii_digits(text)).upper()


@CHECKED
@given(st.one_of(ANY_TEXT, DIGITS, DIGITS.map(lambda d: "+86 " + d)))
def test_phones_keep_their_national_digits(text: str) -> None:
    value = normalize_phone(text)
    if value.e164 is not None:
        assert value.e164.startswith("+")
        assert value.e164.removeprefix("+86")[-7:] in re.sub(r"\D", "", _ascii_digits(text))


@CHECKED
@given(ANY_TEXT)
def test_names_addresses_and_payment_accounts_never_raise(text: str) -> None:
    normalize_name(text)
    normalize_address(text)
    normalize_payment_account(text)


STORE_WORDS = st.sampled_from(["汕头", "义乌市", "美嘉", "百货", "商贸", "有限公司", "旗舰店", "2", "二",
                               "号", "分", "店", "科技", "阿里", "巴巴", "（个体工商户）", "store"])  # fmt: skip


@CHECKED
@given(st.one_of(ANY_TEXT, st.lists(STORE_WORDS, max_size=7).map("".join)))
def test_a_stem_is_never_empty_and_part_of_the_name(text: str) -> None:
    """However a name is made, its stem is something the name says: never a word it does not
    hold, and nothing only when it holds nothing but a legal form in brackets."""
    bare = compact(re.sub(r"[(（](?:个体工商户|个体|普通合伙|有限合伙)[)）]", "", text))
    stem = company_stem(text)
    assert (stem != "") == (bare != "")
    assert stem in bare


def _ascii_digits(text: str) -> str:
    """Full-width digits as the normalisers read them."""
    return text.translate({0xFF10 + i: str(i) for i in range(10)})


TAOBAO = Config().platforms["taobao"]


@FILES
@given(st.binary(max_size=600))
def test_any_bytes_as_a_csv_disclosure_are_rows_or_one_clear_error(
    tmp_path: Path, data: bytes
) -> None:
    header = ",".join(header for header, _ in TAOBAO_COLUMNS.values()).encode("gbk")
    path = tmp_path / "t.csv"
    path.write_bytes(header + b"\r\n" + data)
    _rows_or_one_error(path)


@FILES
@given(st.binary(max_size=600))
def test_any_bytes_as_json_lines_are_rows_or_one_clear_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"order_id": "1", "create_time": 1, "shop": {"shop_id": "S"}, '
                     b'"pay_amount_fen": 1}\n' + data)  # fmt: skip
    _rows_or_one_error(path, "douyin")


def _rows_or_one_error(path: Path, platform: str = "taobao") -> None:
    config = Config().platforms[platform]
    try:
        mapped = map_disclosure(read_file(path, config), config, path)
    except InputError as err:
        assert str(err).startswith(str(path)) and "\n" not in str(err)
        return
    used = len(mapped.orders) + mapped.quarantine.query("level == 'row'").source_row.nunique()
    assert used <= mapped.source_rows
    assert mapped.orders["order_id"].map(lambda v: "\x00" not in v).all()


@FILES
@given(st.lists(st.tuples(DIGITS, DIGITS, DIGITS), min_size=1, max_size=6))
def test_identifiers_pass_through_a_disclosure_digit_for_digit(
    tmp_path: Path, rows: list[tuple[str, str, str]]
) -> None:
    path = write_taobao(tmp_path / "t.csv", [
        {"order_id": f"O{n}-{order}", "account_key": store, "bank": bank}
        for n, (order, store, bank) in enumerate(rows)
    ])  # fmt: skip
    mapped = map_disclosure(read_file(path, TAOBAO), TAOBAO, path)
    assert sorted(mapped.orders["order_id"]) == sorted(f"O{n}-{o}" for n, (o, _, _) in
                                                       enumerate(rows))  # fmt: skip
    assert set(mapped.sellers["account_key"]) == {s for _, s, _ in rows}
    banks = mapped.identifiers.query("kind in ('bank_account', 'payment_account')")["raw"]
    assert set(banks) == {b for _, _, b in rows}
