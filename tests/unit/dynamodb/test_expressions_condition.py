"""Condition and filter expressions: operand checks and evaluation.

Semantics: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.expressions import Expressions

AV = dict[str, Any]


def err(fn: Callable[[], Any]) -> str:
    with pytest.raises(AwsError) as info:
        fn()
    assert info.value.code == "ValidationException"
    return info.value.message


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def check(text: str, item: dict[str, AV] | None, names: dict[str, str] | None = None, **vals: AV) -> bool:
    values = {":" + k: v for k, v in vals.items()} or None
    return Expressions(names, values).condition(text, "ConditionExpression").evaluate(item)


def filter_err(text: str, values: dict[str, AV] | None = None, names: dict[str, str] | None = None) -> str:
    return err(lambda: Expressions(names, values).condition(text, "FilterExpression"))


ITEM: dict[str, AV] = {
    "s": {"S": "hello"},
    "n": {"N": "5"},
    "f": {"N": "2.5"},
    "b": {"B": b64(b"hi there")},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "ss": {"SS": ["dog", "cat"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b64(b"x"), b64(b"yz")]},
    "l": {"L": [{"S": "a"}, {"N": "1"}, {"SS": ["q"]}]},
    "m": {"M": {"x": {"N": "1"}, "y": {"M": {"z": {"S": "deep"}}}, "l": {"L": [{"N": "7"}]}}},
    "u": {"S": "é𝄞"},
}


# ---------------------------------------------------------------- comparisons
@pytest.mark.parametrize(
    ("text", "vals", "expected"),
    [
        ("s = :v", {"v": {"S": "hello"}}, True),
        ("s = :v", {"v": {"S": "hell"}}, False),
        ("n = :v", {"v": {"N": "5.0"}}, True),
        ("n = :v", {"v": {"S": "5"}}, False),  # different types are never equal
        ("f = :v", {"v": {"N": "2.50"}}, True),
        ("b = :v", {"v": {"B": b64(b"hi there")}}, True),
        ("t = :v", {"v": {"BOOL": True}}, True),
        ("t = :v", {"v": {"BOOL": False}}, False),
        ("t = :v", {"v": {"N": "1"}}, False),
        ("z = :v", {"v": {"NULL": True}}, True),
        ("ss = :v", {"v": {"SS": ["cat", "dog"]}}, True),  # sets are unordered
        ("ns = :v", {"v": {"NS": ["2.50", "1"]}}, True),
        ("l = :v", {"v": {"L": [{"S": "a"}, {"N": "1"}, {"SS": ["q"]}]}}, True),
        ("m.y = :v", {"v": {"M": {"z": {"S": "deep"}}}}, True),
        ("gone = :v", {"v": {"S": "x"}}, False),  # a gone attribute equals nothing
        ("s <> :v", {"v": {"S": "x"}}, True),
        ("s <> :v", {"v": {"S": "hello"}}, False),
        ("n <> :v", {"v": {"S": "5"}}, True),  # different types are unequal
        ("gone <> :v", {"v": {"S": "x"}}, True),
        ("s < :v", {"v": {"S": "help"}}, True),
        ("s <= :v", {"v": {"S": "hello"}}, True),
        ("s > :v", {"v": {"S": "hello"}}, False),
        ("s >= :v", {"v": {"S": "Hello"}}, True),  # code-point order: 'h' > 'H'
        ("n < :v", {"v": {"N": "10"}}, True),  # numeric, not lexical
        ("n > :v", {"v": {"N": "-5"}}, True),
        ("f <= :v", {"v": {"N": "2.5"}}, True),
        ("b < :v", {"v": {"B": b64(b"hi therf")}}, True),  # unsigned bytes
        ("n < :v", {"v": {"S": "9"}}, False),  # different types are unordered
        ("t < :v", {"v": {"BOOL": True}}, False),  # only S, N and B are ordered
        ("ss < :v", {"v": {"SS": ["z"]}}, False),
        ("gone < :v", {"v": {"N": "1"}}, False),
        (":v > n", {"v": {"N": "6"}}, True),  # constant first
        (":v = s", {"v": {"S": "hello"}}, True),
    ],
)
def test_comparisons(text: str, vals: dict[str, AV], expected: bool) -> None:
    assert check(text, ITEM, **vals) is expected


def test_comparing_two_paths() -> None:
    item = {"a": {"N": "1"}, "b": {"N": "2"}, "c": {"N": "1"}, "d": {"S": "1"}}
    assert check("a < b", item)
    assert check("a = c", item)
    assert not check("a = d", item)
    assert not check("q = z", item)  # two gone attributes are not equal
    assert check("q <> z", item)
    assert not check("q < z", item)


def test_byte_and_unicode_order() -> None:
    # Strings compare by UTF-8 bytes (= code points); binary values as unsigned bytes.
    # https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
    assert check("a > :v", {"a": {"S": "é"}}, v={"S": "z"})
    assert check("a > :v", {"a": {"B": b64(b"\xff")}}, v={"B": b64(b"\x01")})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("n BETWEEN :lo AND :hi", True),
        ("n BETWEEN :hi AND :hi2", False),
        ("s BETWEEN :slo AND :shi", True),
        ("n BETWEEN :slo AND :shi", False),  # type mismatch: false, not an error
        ("gone BETWEEN :lo AND :hi", False),
        ("n BETWEEN f AND :hi", True),
    ],
)
def test_between(text: str, expected: bool) -> None:
    vals = {
        "lo": {"N": "5"}, "hi": {"N": "6"}, "hi2": {"N": "7"},
        "slo": {"S": "a"}, "shi": {"S": "i"},
    }  # fmt: skip
    used = {k: v for k, v in vals.items() if ":" + k in text}
    assert check(text, ITEM, **used) is expected


def test_in() -> None:
    assert check("s IN (:a, :b)", ITEM, a={"S": "x"}, b={"S": "hello"})
    assert not check("s IN (:a, :b)", ITEM, a={"S": "x"}, b={"N": "5"})
    assert check("n IN (:a, :b)", ITEM, a={"S": "x"}, b={"N": "5.00"})
    assert check("ss IN (:a)", ITEM, a={"SS": ["cat", "dog"]})
    assert not check("gone IN (:a)", ITEM, a={"S": "x"})
    assert not check("f IN (s, n)", ITEM)
    assert check("n IN (s, :a)", ITEM, a={"N": "5"})


def test_in_operand_limit() -> None:
    # "The list can contain up to 100 values".
    names = ", ".join(f":v{i}" for i in range(100))
    vals = {f":v{i}": {"N": str(i)} for i in range(101)}
    Expressions(None, {k: v for k, v in vals.items() if k != ":v100"}).condition(f"a IN ({names})")
    assert filter_err(f"a IN ({names}, :v100)", vals) == (
        "Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101"
    )


# ---------------------------------------------------------------- logic
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a < b AND b < c", True),
        ("a < b AND c < b", False),
        ("a < b OR c < b", True),
        ("b < a OR c < b", False),
        ("NOT b < a", True),
        ("NOT NOT NOT NOT a < b", True),
        ("a < b OR c < b AND b < c", True),  # AND before OR
        ("(a < b OR c < b) AND c < b", False),
        ("NOT a < b AND c < b", False),  # NOT before AND
        ("b BETWEEN a AND c AND a < b", True),  # BETWEEN's AND is not the logical AND
        ("(a < b OR b < a) AND (b < c AND (a < b OR b < c))", True),
    ],
)
def test_logic(text: str, expected: bool) -> None:
    # Precedence as documented (and as ScyllaDB's tests found on DynamoDB):
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Precedence
    item = {"a": {"N": "1"}, "b": {"N": "2"}, "c": {"N": "3"}}
    assert check(text, item) is expected


def test_no_item() -> None:
    assert check("attribute_not_exists(a)", None)
    assert not check("attribute_exists(a)", None)
    assert not check("a = :v", None, v={"S": "x"})
    assert check("a <> :v", None, v={"S": "x"})


# ---------------------------------------------------------------- functions
def test_attribute_exists() -> None:
    assert check("attribute_exists(s)", ITEM)
    assert check("attribute_exists(z)", ITEM)  # a NULL value exists
    assert check("attribute_exists(m.y.z)", ITEM)
    assert check("attribute_exists(m.l[0])", ITEM)
    assert not check("attribute_exists(m.l[1])", ITEM)
    assert not check("attribute_exists(s.x)", ITEM)
    assert check("attribute_not_exists(nope)", ITEM)
    assert check("attribute_exists(#a)", ITEM, names={"#a": "s"})


@pytest.mark.parametrize(
    ("path", "type_name"),
    [("s", "S"), ("n", "N"), ("b", "B"), ("t", "BOOL"), ("z", "NULL"), ("ss", "SS"),
     ("ns", "NS"), ("bs", "BS"), ("l", "L"), ("m", "M")],
)  # fmt: skip
def test_attribute_type(path: str, type_name: str) -> None:
    assert check(f"attribute_type({path}, :t)", ITEM, t={"S": type_name})
    other = "S" if type_name != "S" else "N"
    assert not check(f"attribute_type({path}, :t)", ITEM, t={"S": other})
    assert not check("attribute_type(nope, :t)", ITEM, t={"S": type_name})


def test_begins_with() -> None:
    assert check("begins_with(s, :p)", ITEM, p={"S": "he"})
    assert not check("begins_with(s, :p)", ITEM, p={"S": "lo"})
    assert check("begins_with(b, :p)", ITEM, p={"B": b64(b"hi")})
    assert not check("begins_with(b, :p)", ITEM, p={"S": "hi"})
    assert not check("begins_with(n, :p)", ITEM, p={"S": "5"})  # item values: just false
    assert not check("begins_with(nope, :p)", ITEM, p={"S": "x"})
    # Either operand may be a path (found on DynamoDB by ScyllaDB's tests).
    assert check("begins_with(:p, s)", ITEM, p={"S": "hello world"})
    assert check("begins_with(s, u)", {"s": {"S": "abc"}, "u": {"S": "ab"}})


def test_contains() -> None:
    assert check("contains(s, :v)", ITEM, v={"S": "ell"})
    assert not check("contains(s, :v)", ITEM, v={"S": "xyz"})
    assert check("contains(b, :v)", ITEM, v={"B": b64(b"there")})
    assert check("contains(ss, :v)", ITEM, v={"S": "cat"})
    assert not check("contains(ss, :v)", ITEM, v={"S": "ca"})
    assert check("contains(ns, :v)", ITEM, v={"N": "2.50"})
    assert not check("contains(ns, :v)", ITEM, v={"S": "1"})
    assert check("contains(bs, :v)", ITEM, v={"B": b64(b"yz")})
    assert check("contains(l, :v)", ITEM, v={"N": "1.0"})
    assert check("contains(l, :v)", ITEM, v={"SS": ["q"]})
    assert not check("contains(l, :v)", ITEM, v={"S": "b"})
    assert not check("contains(m, :v)", ITEM, v={"S": "x"})
    assert not check("contains(n, :v)", ITEM, v={"N": "5"})
    assert not check("contains(nope, :v)", ITEM, v={"S": "x"})


@pytest.mark.parametrize(
    ("path", "size"),
    [("s", 5), ("u", 3), ("b", 8), ("ss", 2), ("ns", 2), ("bs", 2), ("l", 3), ("m", 3)],
)
def test_size(path: str, size: int) -> None:
    # size of a string counts UTF-16 code units ("é𝄞" is 3), verified against DynamoDB:
    # https://github.com/ExtendDB/extenddb/pull/67
    assert check(f"size({path}) = :n", ITEM, n={"N": str(size)})
    assert check(f"size({path}) > :n", ITEM, n={"N": str(size - 1)})


def test_size_of_other_types_is_no_value() -> None:
    for path in ("n", "t", "z", "nope"):
        assert not check(f"size({path}) >= :n", ITEM, n={"N": "0"})
        assert check(f"size({path}) <> :n", ITEM, n={"N": "0"})
    assert not check("size(s) = :v", ITEM, v={"S": "dog"})
    assert check("size(s) = n", ITEM)
    assert check("size(:v) = :n", ITEM, v={"S": "abc"}, n={"N": "3"})


# ---------------------------------------------------------------- operand errors
@pytest.mark.parametrize(
    ("text", "name", "count"),
    [
        ("attribute_exists(things, a) and a=a", "attribute_exists", 2),
        ("attribute_not_exists(things, b)", "attribute_not_exists", 2),
        ("attribute_type(things)", "attribute_type", 1),
        ("begins_with(things)", "begins_with", 1),
        ("begins_with(things, size(a), b)", "begins_with", 3),
        ("contains(things)", "contains", 1),
        ("size(things, a) > b", "size", 2),
    ],
)
def test_operand_counts(text: str, name: str, count: int) -> None:
    assert filter_err(text) == (
        "Invalid FilterExpression: Incorrect number of operands for operator or function; "
        f"operator or function: {name}, number of operands: {count}"
    )


@pytest.mark.parametrize(
    ("text", "name", "value"),
    [
        ("attribute_type(a, size(a)) and a=a and a=:a", "attribute_type", {"N": "1"}),
        ("attribute_type(a, :a)", "attribute_type", {"N": "1"}),
        ("attribute_type(a, :a)", "attribute_type", {"B": "YQ=="}),
        ("attribute_type(a, :a)", "attribute_type", {"BOOL": True}),
        ("attribute_type(a, :a)", "attribute_type", {"NULL": True}),
        ("attribute_type(a, :a)", "attribute_type", {"L": []}),
        ("attribute_type(a, :a)", "attribute_type", {"M": {}}),
        ("attribute_type(a, :a)", "attribute_type", {"SS": ["1"]}),
        ("begins_with(a, size(a)) and a=:a", "begins_with", {"N": "1"}),
        ("begins_with(a, :a)", "begins_with", {"N": "1"}),
        ("begins_with(a, :a)", "begins_with", {"BOOL": True}),
        ("begins_with(a, :a)", "begins_with", {"L": []}),
        ("begins_with(a, :a)", "begins_with", {"NS": ["1"]}),
        ("begins_with(:a, a)", "begins_with", {"N": "1"}),
        ("begins_with(:a, a)", "begins_with", {"M": {}}),
        ("size(size(a)) > :a", "size", {"N": "1"}),
        ("attribute_not_exists(size(:a))", "size", {"N": "1"}),
        ("size(:a) > a", "size", {"BOOL": True}),
        ("size(:a) > a", "size", {"NULL": True}),
    ],
)
def test_operand_types(text: str, name: str, value: AV) -> None:
    # dynalite scan.js, recorded against DynamoDB: the type is the short name (N, BOOL, ...).
    t = next(iter(value))
    assert filter_err(text, {":a": value}) == (
        "Invalid FilterExpression: Incorrect operand type for operator or function; "
        f"operator or function: {name}, operand type: {t}"
    )


def test_attribute_type_needs_a_valid_type_name() -> None:
    assert filter_err("attribute_type(a, :a)", {":a": {"S": "X"}}) == (
        "Invalid FilterExpression: Invalid attribute type name found; type: X, "
        "valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}"
    )
    assert filter_err("attribute_type(a, b)").startswith(
        "Invalid FilterExpression: Incorrect operand type for operator or function; "
        "operator or function: attribute_type, operand type: {S,SS,N,NS,"
    )


@pytest.mark.parametrize(
    ("text", "name"),
    [("attribute_exists(:a) and a=a", "attribute_exists"), ("attribute_not_exists(size(:a))", "attribute_not_exists")],
)  # fmt: skip
def test_functions_needing_a_path(text: str, name: str) -> None:
    assert filter_err(text, {":a": {"S": "1"}}) == (
        f"Invalid FilterExpression: Operator or function requires a document path; operator or function: {name}"
    )


@pytest.mark.parametrize(
    ("text", "op", "path"),
    [
        ("a = a AND #a = b AND :views > a", "=", "[a]"),
        ("#a <> a", "<>", "[a]"),
        ("a > #a", ">", "[a]"),
        ("((a=a) OR (a=a))", "=", "[a]"),
        ("contains(ab.bc[1].a, ab.bc[1].#a)", "contains", "[ab, bc, [1], a]"),
        ("attribute_type(ab.bc[1].#a, ab.bc[1].a)", "attribute_type", "[ab, bc, [1], a]"),
        ("begins_with(ab.bc[1].a, ab.bc[1].#a)", "begins_with", "[ab, bc, [1], a]"),
        ("a BETWEEN b AND a", "BETWEEN", "[a]"),
        ("a IN (b, a)", "IN", "[a]"),
    ],
)
def test_distinct_operands(text: str, op: str, path: str) -> None:
    # "contains (a, a) will return an error" - OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Functions
    names = {"#a": "a"} if "#a" in text else None
    values = {":views": {"N": "1"}} if ":views" in text else None
    assert filter_err(text, values, names) == (
        "Invalid FilterExpression: The first operand must be distinct from the remaining "
        f"operands for this operator or function; operator: {op}, first operand: {path}"
    )


def test_constants_may_repeat() -> None:
    assert check(":a > :a", {}, a={"N": "1"}) is False
    assert check(":a = :a", {}, a={"N": "1"}) is True


def test_between_bounds() -> None:
    assert filter_err("a between :b and :a", {":a": {"S": "a"}, ":b": {"N": "1"}}) == (
        "Invalid FilterExpression: The BETWEEN operator requires same data type for lower and "
        "upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
        "AttributeValue: {S:a}"
    )
    assert filter_err("a between :b and :a", {":a": {"S": "a"}, ":b": {"S": "b"}}) == (
        "Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than "
        "or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound "
        "operand: AttributeValue: {S:a}"
    )
    assert filter_err("a between :b and :a", {":a": {"N": "5"}, ":b": {"N": "10"}}).startswith(
        "Invalid FilterExpression: The BETWEEN operator requires upper bound"
    )
    assert check("a between :b and :a", {"a": {"N": "3"}}, a={"N": "3"}, b={"N": "3"})


def test_undefined_names_and_values() -> None:
    assert filter_err("#P = :v", {":v": {"S": "x"}}) == (
        "Invalid FilterExpression: An expression attribute name used in the document path is "
        "not defined; attribute name: #P"
    )
    # The first undefined placeholder in the text is reported, name or value.
    assert filter_err("begins_with(:hello, #a, #b)") == (
        "Invalid FilterExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :hello"
    )
    assert filter_err("attribute_exists(#Pictures.RearView, :a) and a=a").endswith("attribute name: #Pictures")
    assert filter_err("(a)between(b.c[45].#d)and(:a)").endswith("attribute name: #d")
    # Undefined names come before operand counts (dynalite scan.js).
    assert filter_err("attribute_exists(#x, a)").endswith("attribute name: #x")


def test_error_order_within_a_condition() -> None:
    # Counts and types of a function come before a later a=a (dynalite scan.js).
    assert "number of operands" in filter_err("attribute_exists(things, a) and a=a")
    assert "operand type: N" in filter_err("attribute_type(a, size(a)) and a=a and a=:a", {":a": {"N": "1"}})
    assert "requires a document path" in filter_err("attribute_exists(:a) and a=a", {":a": {"S": "1"}})


def test_placeholder_names_are_single_elements() -> None:
    item = {"a.b": {"S": "flat"}, "a": {"M": {"b": {"S": "nested"}}}}
    assert check("#n = :v", item, names={"#n": "a.b"}, v={"S": "flat"})
    assert check("a.b = :v", item, v={"S": "nested"})
    assert check("#a.#b = :v", item, names={"#a": "a", "#b": "b"}, v={"S": "nested"})


def test_top_names() -> None:
    ex = Expressions({"#k": "key"}, {":v": {"S": "x"}})
    cond = ex.condition("#k = :v AND (a.b[1] > c OR size(d) > :v)", "FilterExpression")
    assert cond.top_names == {"key", "a", "c", "d"}
