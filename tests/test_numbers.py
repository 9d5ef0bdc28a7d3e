"""What clerks type is normalised or refused with a reason (SPEC §3)."""

from decimal import Decimal

import pytest

from reports.spec.numbers import NumberError, format_fee, parse_count, parse_fee


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("52", 52),
        ("０", 0),
        ("５２", 52),
        (" 52 ", 52),
        ("\u300052\u3000", 52),
        ("1,234", 1234),
        ("1，234", 1234),
        ("１，２３４", 1234),
        ("1 234", 1234),
        ("2,147,483,647", 2147483647),
        ("", None),
        ("   ", None),
        (None, None),
        (7, 7),
    ],
)
def test_counts_are_normalised(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("-1", "不能为负数"),
        ("－3", "不能为负数"),
        (-1, "不能为负数"),
        ("1.5", "不能有小数"),
        ("3.0", "不能有小数"),
        (2.5, "不能有小数"),
        ("2147483648", "超过上限"),
        (2147483648, "超过上限"),
        ("abc", "不能含有文字"),
        ("12件", "不能含有文字"),
        ("=SUM(A1:A3)", "不接受公式"),
        ("1,23", "千位分隔符"),
        (True, "非负整数"),
    ],
)
def test_bad_counts_are_refused_with_a_chinese_reason(raw, reason):
    with pytest.raises(NumberError, match=reason):
        parse_count(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", Decimal("0")),
        ("0.5", Decimal("0.5")),
        ("１２.３４５６７８", Decimal("12.345678")),
        ("1,000.01", Decimal("1000.01")),
        ("3万元", Decimal("3")),
        (2, Decimal("2")),
        ("", None),
    ],
)
def test_fees_are_read_as_exact_decimals(raw, expected):
    assert parse_fee(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("-0.1", "不能为负数"),
        ("0.1234567", "最多保留6位小数"),
        (0.1, "字符串"),
        ("一万", "不能含有文字"),
        ("=1+1", "不接受公式"),
        ("1e5", "不能含有文字"),
    ],
)
def test_bad_fees_are_refused(raw, reason):
    with pytest.raises(NumberError, match=reason):
        parse_fee(raw)


def test_fees_are_written_without_padding_or_exponent():
    assert format_fee(Decimal("0.000000")) == "0"
    assert format_fee(Decimal("12.340000")) == "12.34"
    assert format_fee(Decimal("100")) == "100"
    assert format_fee(None) is None
