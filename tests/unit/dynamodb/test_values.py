"""Attribute value rules: numbers, sets, sizes.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
"""

from __future__ import annotations

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.engine import values


@pytest.mark.parametrize(
    ("given", "want"),
    [("1", "1"), ("1.0", "1"), ("-0.0", "0"), ("1e2", "100"), ("1.5E-3", "0.0015"),
     ("  7", "7"), ("0012.3400", "12.34"), ("-5e-1", "-0.5"), ("1E+125", "1" + "0" * 125)],
)
def test_canonical_numbers(given: str, want: str) -> None:
    assert values.canonical_number(given) == want


@pytest.mark.parametrize("bad", ["", "abc", "NaN", "Infinity", "1_000", "+1", "1..2", "--1", "0x10"])
def test_not_numbers(bad: str) -> None:
    with pytest.raises(AwsError) as e:
        values.canonical_number(bad)
    assert e.value.message == "A value provided cannot be converted into a number"


def test_empty_and_multi_type_values() -> None:
    with pytest.raises(AwsError, match="Supplied AttributeValue is empty"):
        values.validate_value({})
    with pytest.raises(AwsError, match="more than one datatypes set"):
        values.validate_value({"S": "a", "N": "1"})
    with pytest.raises(AwsError, match="Null attribute value types must have the value of true"):
        values.validate_value({"NULL": False})


def test_nesting_limit() -> None:
    av: dict = {"S": "leaf"}  # type: ignore[type-arg]
    for _ in range(32):
        av = {"L": [av]}
    values.validate_value(av)
    with pytest.raises(AwsError, match="Nesting Levels have exceeded supported limits"):
        values.validate_value({"M": {"x": av}})


def test_number_set_duplicates_by_value() -> None:
    with pytest.raises(AwsError, match="contains duplicates"):
        values.validate_value({"NS": ["1", "1.0"]})


def test_sizes() -> None:
    # name bytes + value bytes; numbers ~1 byte per 2 significant digits + 1
    assert values.item_size({"ab": {"S": "héllo"}}) == 2 + 6
    assert values.item_size({"n": {"N": "12345"}}) == 1 + 4
    assert values.item_size({"b": {"BOOL": True}}) == 2
    assert values.item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)
