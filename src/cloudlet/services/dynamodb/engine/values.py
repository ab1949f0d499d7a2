"""DynamoDB attribute values in their wire form: validation, numbers, ordering, sizes.

Items stay in the wire form (`{"S": "x"}`, `{"N": "1.5"}`, ...) everywhere in the engine; this
module checks them, canonicalises numbers in place, compares them and computes sizes.

Data types and limits:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from cloudlet.services.dynamodb.engine import errors

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

TYPES = frozenset(("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"))
SET_TYPES = {"SS": "S", "NS": "N", "BS": "B"}
_SET_NAMES = {"SS": "string set", "NS": "number set", "BS": "Binary set"}
MAX_DEPTH = 32
MAX_ITEM_SIZE = 400 * 1024
MAX_HASH_KEY = 2048
MAX_RANGE_KEY = 1024

# Wide enough that arithmetic on two 38-digit numbers is exact before the range check.
ARITH = Context(prec=100, Emax=999_999, Emin=-999_999)
_MAX_MAGNITUDE = Decimal("9.9999999999999999999999999999999999999E+125")
_MIN_MAGNITUDE = Decimal("1E-130")

_NOT_A_NUMBER = "A value provided cannot be converted into a number"
# Plain integers already in canonical form (most numbers): no Decimal round trip needed.
_CANONICAL_INT = re.compile(r"-?[1-9][0-9]{0,37}|0")


# ---------------------------------------------------------------- numbers
def number_from_text(text: Any) -> Decimal:
    """Parse a wire number, enforcing DynamoDB's precision and range."""
    if not isinstance(text, str):
        raise errors.serialization("NUMBER_VALUE cannot be converted to String")
    s = text.strip()
    if not s or s[0] in "+" or not _looks_numeric(s):
        raise errors.validation(_NOT_A_NUMBER)
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise errors.validation(_NOT_A_NUMBER) from None
    if not d.is_finite():
        raise errors.validation(_NOT_A_NUMBER)
    return check_number(d)


def _looks_numeric(s: str) -> bool:
    # Decimal() also accepts 'NaN', 'Infinity', '1_000' and surrounding spaces: DynamoDB does not.
    return all(ch in "0123456789.-+eE" for ch in s)


def check_number(d: Decimal) -> Decimal:
    """Range and precision check of a computed or parsed number; returns it normalised."""
    if not d:
        return Decimal(0)
    d = d.normalize(ARITH)
    if len(d.as_tuple().digits) > 38:
        raise errors.validation("Attempting to store more than 38 significant digits in a Number")
    mag = abs(d)
    if mag > _MAX_MAGNITUDE:
        raise errors.validation(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    if mag < _MIN_MAGNITUDE:
        raise errors.validation(
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        )
    return d


def number_text(d: Decimal) -> str:
    """DynamoDB's canonical text of a number: plain notation, no redundant zeros."""
    if not d:
        return "0"
    sign, digits, exp = d.as_tuple()
    ds = "".join(map(str, digits))
    assert isinstance(exp, int)
    if exp >= 0:
        body = ds + "0" * exp
    elif -exp >= len(ds):
        body = "0." + "0" * (-exp - len(ds)) + ds
    else:
        body = ds[:exp] + "." + ds[exp:]
    return "-" + body if sign else body


def canonical_number(text: Any) -> str:
    if type(text) is str and _CANONICAL_INT.fullmatch(text):
        return text
    return number_text(number_from_text(text))


# ---------------------------------------------------------------- binary
def binary_bytes(value: Any) -> bytes:
    if not isinstance(value, str):
        raise errors.serialization("Base64 encoded value expected")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise errors.serialization(
            "Base64 encoded length is expected a multiple of 4 bytes but found: " + str(len(value))
        ) from None


# ---------------------------------------------------------------- validation
def validate_value(av: Any, depth: int = 0) -> AttributeValue:
    """Check one attribute value; canonicalise numbers in place. Returns the value."""
    if not isinstance(av, dict):
        raise errors.serialization("Unexpected value type in payload")
    if len(av) != 1:
        if not av:
            raise errors.validation(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
            )
        _check_type_keys(av)
        raise errors.validation(
            "Supplied AttributeValue has more than one datatypes set, "
            "must contain exactly one of the supported datatypes"
        )
    ((t, v),) = av.items()
    if t == "S":
        if not isinstance(v, str):
            raise errors.serialization("STRING_VALUE can not be converted to String")
    elif t == "N":
        av["N"] = canonical_number(v)
    elif t == "M":
        if depth >= MAX_DEPTH:
            raise errors.validation("Nesting Levels have exceeded supported limits")
        if not isinstance(v, dict):
            raise errors.serialization("Unexpected value type in payload")
        for sub in v.values():
            validate_value(sub, depth + 1)
    elif t == "L":
        if depth >= MAX_DEPTH:
            raise errors.validation("Nesting Levels have exceeded supported limits")
        if not isinstance(v, list):
            raise errors.serialization("Unexpected value type in payload")
        for sub in v:
            validate_value(sub, depth + 1)
    elif t == "BOOL":
        if not isinstance(v, bool):
            raise errors.serialization("Unexpected value type in payload")
    elif t == "NULL":
        if not isinstance(v, bool):
            raise errors.serialization("Unexpected value type in payload")
        if v is not True:
            raise errors.invalid_params("Null attribute value types must have the value of true")
    elif t == "B":
        binary_bytes(v)
    elif t in SET_TYPES:
        _validate_set(av, t, v)
    else:
        _check_type_keys(av)
    return av


def _check_type_keys(av: dict[str, Any]) -> None:
    for k in av:
        if k not in TYPES:
            raise errors.serialization(f"Unrecognized field name {k!r}")


def _validate_set(av: AttributeValue, t: str, v: Any) -> None:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise errors.serialization("Unexpected value type in payload")
    if not v:
        raise errors.invalid_params(f"An {_SET_NAMES[t]}  may not be empty")
    if t == "NS":
        parsed = [number_from_text(x) for x in v]
        if len(set(parsed)) != len(parsed):
            raise errors.invalid_params(f"Input collection {_java_list(v)} contains duplicates.")
        av["NS"] = [number_text(d) for d in parsed]
        return
    keys = [binary_bytes(x) for x in v] if t == "BS" else v
    if len(set(keys)) != len(keys):
        raise errors.invalid_params(f"Input collection {_java_list(v)} contains duplicates.")


def _java_list(v: list[str]) -> str:
    return "[" + ", ".join(v) + "]"


def validate_item(item: Any) -> Item:
    if not isinstance(item, dict):
        raise errors.serialization("Unexpected value type in payload")
    for av in item.values():
        validate_value(av)
    return item


# ---------------------------------------------------------------- ordering and equality
def sort_value(av: AttributeValue) -> Any:
    """A Python value ordered as DynamoDB orders scalars of one type (S, N, B)."""
    ((t, v),) = av.items()
    if t == "S":
        return v  # str order == code-point order == UTF-8 byte order
    if t == "N":
        return Decimal(v)
    if t == "B":
        return base64.b64decode(v)
    return None


def values_equal(a: AttributeValue, b: AttributeValue) -> bool:
    """Equality as DynamoDB defines it: same type and value; sets compare unordered."""
    ((ta, va),) = a.items()
    ((tb, vb),) = b.items()
    if ta != tb:
        return False
    if ta == "N":
        return Decimal(va) == Decimal(vb)
    if ta == "NS":
        return {Decimal(x) for x in va} == {Decimal(x) for x in vb}
    if ta in ("SS", "BS"):
        return set(va) == set(vb) if ta == "SS" else {base64.b64decode(x) for x in va} == {
            base64.b64decode(x) for x in vb
        }
    if ta == "B":
        return base64.b64decode(va) == base64.b64decode(vb)
    if ta == "M":
        return va.keys() == vb.keys() and all(values_equal(va[k], vb[k]) for k in va)
    if ta == "L":
        return len(va) == len(vb) and all(values_equal(x, y) for x, y in zip(va, vb, strict=True))
    return bool(va == vb)


# ---------------------------------------------------------------- sizes
def number_size(text: str) -> int:
    """1 byte per two significant digits, plus 1 (DynamoDB's documented approximation)."""
    digits = text.lstrip("-").replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1


def value_size(av: AttributeValue) -> int:
    ((t, v),) = av.items()
    if t == "S":
        return len(v.encode())
    if t == "N":
        return number_size(v)
    if t == "B":
        return len(v) * 3 // 4 - v.count("=", -2)
    if t in ("BOOL", "NULL"):
        return 1
    if t == "SS":
        return sum(len(x.encode()) for x in v)
    if t == "NS":
        return sum(number_size(x) for x in v)
    if t == "BS":
        return sum(len(x) * 3 // 4 - x.count("=", -2) for x in v)
    if t == "M":
        return 3 + sum(len(k.encode()) + value_size(x) + 1 for k, x in v.items())
    # L
    return 3 + sum(value_size(x) + 1 for x in v)


def item_size(item: Item) -> int:
    return sum(len(name.encode()) + value_size(av) for name, av in item.items())
