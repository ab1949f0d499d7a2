"""The key encoding must order bytes exactly as DynamoDB orders values."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cloudlet.services.dynamodb.engine.values import number_text
from cloudlet.store import keycodec

numbers = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: d == 0 or Decimal("1E-130") <= abs(d) < Decimal("1E+125")
).map(lambda d: number_text(d.normalize()) if d else "0")


@given(numbers, numbers)
def test_number_order_is_value_order(a: str, b: str) -> None:
    ea, eb = keycodec.encode_number(a), keycodec.encode_number(b)
    assert (ea < eb) == (Decimal(a) < Decimal(b))
    assert (ea == eb) == (Decimal(a) == Decimal(b))


def test_number_edge_order() -> None:
    ordered = ["-1E+125", "-100", "-10", "-9.5", "-1", "-0.123", "-0.12", "-1E-130", "0",
               "1E-130", "0.12", "0.123", "1", "9.5", "10", "100", "9.9999E+125"]
    enc = [keycodec.encode_number(number_text(Decimal(x))) for x in ordered]
    assert enc == sorted(enc)


@given(st.text(min_size=1), st.text(min_size=1))
def test_string_order_is_utf8_byte_order(a: str, b: str) -> None:
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
    # "DynamoDB collates and compares strings using the bytes of the underlying UTF-8 string encoding"
    assert (keycodec.encode("S", a) < keycodec.encode("S", b)) == (a.encode() < b.encode())


def test_segments_cover_the_hash_space() -> None:
    for total in (1, 3, 7, 1000):
        ranges = [keycodec.segment_range(s, total) for s in range(total)]
        assert ranges[0][0] == 0 and ranges[-1][1] == 1 << 32
        assert all(ranges[i][1] == ranges[i + 1][0] for i in range(total - 1))
