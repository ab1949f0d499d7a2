"""Update expressions: validation and application.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.expressions import Expressions, Update

AV = dict[str, Any]
Item = dict[str, AV]


def err(fn: Callable[[], Any]) -> str:
    with pytest.raises(AwsError) as info:
        fn()
    assert info.value.code == "ValidationException"
    return info.value.message


def N(x: object) -> AV:
    return {"N": str(x)}


def S(x: str) -> AV:
    return {"S": x}


def L(*xs: AV) -> AV:
    return {"L": list(xs)}


def compile_update(text: str, names: dict[str, str] | None = None, **vals: AV) -> Update:
    ex = Expressions(names, {":" + k: v for k, v in vals.items()} or None)
    upd = ex.update(text)
    ex.check_unused()
    return upd


def run(item: Item, text: str, names: dict[str, str] | None = None, **vals: AV) -> Item:
    before = copy.deepcopy(item)
    out = compile_update(text, names, **vals).apply(item)
    assert item == before, "apply must not modify its argument"
    return out


def run_err(item: Item, text: str, names: dict[str, str] | None = None, **vals: AV) -> str:
    before = copy.deepcopy(item)
    message = err(lambda: compile_update(text, names, **vals).apply(item))
    assert item == before
    return message


INVALID_PATH = "The document path provided in the update expression is invalid for update"
MISSING = "The provided expression refers to an attribute that does not exist in the item"
BAD_TYPE = "An operand in the update expression has an incorrect data type"


# ---------------------------------------------------------------- SET
def test_set_top_level_and_copy() -> None:
    item = {"k": S("key"), "a": S("hello")}
    assert run(item, "SET b = :v", v=N(4)) == {"k": S("key"), "a": S("hello"), "b": N(4)}
    assert run(item, "SET b = a, a = :v", v=S("x")) == {"k": S("key"), "a": S("x"), "b": S("hello")}
    assert run(item, "SET #one = #two", {"#one": "c", "#two": "a"})["c"] == S("hello")
    assert run(item, "sEt a = a") == item


def test_set_reads_the_old_item() -> None:
    # "SET x = :val1, y = x" fails when x did not exist: values are computed first.
    assert run_err({}, "SET x = :v, y = x", v=N(4)) == MISSING
    assert run({"a": S("hello")}, "REMOVE a SET b = a") == {"b": S("hello")}
    assert run({"b": S("v")}, "SET c = b REMOVE b") == {"c": S("v")}


def test_set_missing_attribute() -> None:
    assert run_err({}, "SET c = z") == MISSING
    assert run_err({"a": S("x")}, "SET z = z") == MISSING


def test_arithmetic() -> None:
    item = {"a": N(2), "s": S("x")}
    assert run(item, "SET a = a + :v", v=N(3))["a"] == N(5)
    assert run(item, "SET a = :v - a", v=N(7))["a"] == N(5)
    assert run(item, "SET b = :v + a", v=N("0.5"))["b"] == N("2.5")
    assert run(item, "SET b = :x - :y", x=N("1.1"), y=N("0.1"))["b"] == N(1)
    assert run(item, "SET b = (a + :v)", v=N(1))["b"] == N(3)
    assert run({}, "SET b = if_not_exists(b, :z) + :one", z=N(0), one=N(1))["b"] == N(1)
    assert run_err(item, "SET a = s + :v", v=N(1)) == BAD_TYPE
    assert run_err(item, "SET a = gone + :v", v=N(1)) == MISSING


def test_arithmetic_exactness_and_limits() -> None:
    big = "9" * 38
    assert run({"a": N(big)}, "SET a = a - :v", v=N(big))["a"] == N(0)
    assert run({"a": N("12345678901234567890123456789")}, "SET a = a + :v", v=N(1))["a"] == N(
        "12345678901234567890123456790"
    )
    assert run({"a": N("0.1")}, "SET a = a + :v", v=N("0.2"))["a"] == N("0.3")
    # 38 significant digits at most; magnitude below 1E126.
    assert run_err({"a": N(big)}, "SET a = a + :v", v=N("0.1")) == (
        "Attempting to store more than 38 significant digits in a Number"
    )
    assert run_err({"a": N("9E+125")}, "SET a = a + :v", v=N("9E+125")) == (
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )


def test_list_append() -> None:
    item = {"a": L(S("hi"), N(2))}
    assert run(item, "SET a = list_append(a, :v)", v=L(N(4)))["a"] == L(S("hi"), N(2), N(4))
    assert run(item, "SET a = list_append(:v, a)", v=L(S("dog")))["a"] == L(S("dog"), S("hi"), N(2))
    assert run(item, "SET b = list_append(a, a)")["b"] == L(S("hi"), N(2), S("hi"), N(2))
    assert run({}, "SET a = list_append(if_not_exists(a, :e), :v)", e=L(), v=L(N(1)))["a"] == L(N(1))
    assert run_err({"b": S("x")}, "SET a = list_append(b, :v)", v=L()) == BAD_TYPE
    assert run_err({}, "SET a = list_append(b, :v)", v=L()) == MISSING


def test_if_not_exists() -> None:
    assert run({}, "SET a = if_not_exists(a, :v)", v=N(2))["a"] == N(2)
    assert run({"a": N(1)}, "SET a = if_not_exists(a, :v)", v=N(2))["a"] == N(1)
    assert run({"a": N(1)}, "SET b = if_not_exists(a, :v)", v=N(2))["b"] == N(1)
    assert run({}, "SET x = if_not_exists(b, if_not_exists(c, :v))", v=N(3))["x"] == N(3)


def test_set_nested() -> None:
    item = {"a": {"M": {"b": N(3), "c": {"M": {"one": N(1)}}}}, "l": L(S("one"), S("two"))}
    out = run(item, "SET a.c = :v, a.d = :w, l[1] = :x", v=N(7), w=N(8), x=S("hello"))
    assert out == {"a": {"M": {"b": N(3), "c": N(7), "d": N(8)}}, "l": L(S("one"), S("hello"))}
    deep = {"a": {"M": {"c": L(S("hi"), {"M": {"x": {"M": {"y": L(N(3), N(5), N(7))}}}})}}}
    out = run(deep, "SET a.c[1].#n.y[1] = :v", {"#n": "x"}, v=N(9))
    assert out["a"]["M"]["c"]["L"][1]["M"]["x"]["M"]["y"] == L(N(3), N(9), N(7))


def test_set_past_the_end_appends_in_index_order() -> None:
    # "If you add multiple elements in a single SET operation, the elements are sorted in
    # order by element number." (UpdateExpressions.html#Expressions.UpdateExpressions.SET.AddingListElements)
    item = {"a": L(S("one"), S("two"), S("three"))}
    assert run(item, "SET a[7] = :v", v=S("hello"))["a"] == L(S("one"), S("two"), S("three"), S("hello"))
    out = run(item, "SET a[84] = :a, a[37] = :b, a[17] = :c, a[50] = :d", a=S("a1"), b=S("a2"), c=S("a3"), d=S("a4"))
    assert out["a"] == L(S("one"), S("two"), S("three"), S("a3"), S("a2"), S("a4"), S("a1"))


def test_nested_set_needs_existing_parents() -> None:
    item = {"a": S("hello"), "b": L(S("hi")), "m": {"M": {"1": S("x")}}}
    for text in (
        "SET a.c = :v",
        "SET b.c = :v",
        "SET c.c = :v",
        "SET a[0] = :v",
        "SET z[0] = :v",
        "SET m[0] = :v",
        "SET b[3].x = :v",
        "SET m.q.r = :v",
    ):
        assert run_err(item, text, v=N(1)) == INVALID_PATH, text
    assert run_err({}, "SET c.c = :v", v=N(1)) == INVALID_PATH


# ---------------------------------------------------------------- REMOVE
def test_remove() -> None:
    item = {"a": {"M": {"b": N(3), "c": L(S("hi"), {"M": {"x": {"M": {"y": L(N(3), N(5), N(7))}}, "q": N(2)}})}}}
    out = run(item, "REMOVE a.c[1].x.y[1], a.c[1].q")
    assert out == {"a": {"M": {"b": N(3), "c": L(S("hi"), {"M": {"x": {"M": {"y": L(N(3), N(7))}}}})}}}
    assert run({"a": S("x"), "b": S("y")}, "REMOVE a") == {"b": S("y")}
    assert run({"a": {"M": {"b": N(1)}}}, "REMOVE a.b") == {"a": {"M": {}}}
    assert run({"a": L(N(1))}, "REMOVE a[0]") == {"a": L()}


def test_remove_list_elements_highest_first() -> None:
    item = {"a": L(*(N(i) for i in range(6)))}
    assert run(item, "REMOVE a[1], a[3], a[4]")["a"] == L(N(0), N(2), N(5))
    assert run(item, "REMOVE a[4], a[1]")["a"] == L(N(0), N(2), N(3), N(5))


def test_list_indexes_refer_to_the_original_list() -> None:
    item = {"a": L(*(N(i) for i in (2, 3, 4, 5, 6, 7)))}
    expected = L(N(2), N(4), N(17), N(6), N(7))
    assert run(item, "REMOVE a[1] SET a[3] = :v", v=N(17))["a"] == expected
    assert run(item, "SET a[3] = :v REMOVE a[1]", v=N(17))["a"] == expected


def test_remove_what_is_not_there() -> None:
    item = {"a": {"M": {"x": N(3)}}, "b": L(S("hi"))}
    assert run(item, "REMOVE a.y, b[7], c") == item
    for text in ("REMOVE a.x.y", "REMOVE b.c", "REMOVE c.c", "REMOVE c[0]", "REMOVE a[0]", "REMOVE b[0].x"):
        assert run_err(item, text) == INVALID_PATH, text


def test_remove_nested_from_missing_item_is_ignored() -> None:
    # DynamoDB ignores REMOVE x.y on an item that does not exist (found by ScyllaDB's tests).
    upd = compile_update("REMOVE x.y, w[0].z")
    assert upd.apply({"k": S("key")}, existed=False) == {"k": S("key")}
    assert err(lambda: upd.apply({"k": S("key")})) == INVALID_PATH
    upd = compile_update("SET x.y = :v", v=N(1))
    assert err(lambda: upd.apply({}, existed=False)) == INVALID_PATH


# ---------------------------------------------------------------- ADD / DELETE
def test_add_numbers() -> None:
    assert run({"a": N(3)}, "ADD a :v", v=N(4))["a"] == N(7)
    assert run({"a": N("1.5")}, "ADD a :v", v=N("-2"))["a"] == N("-0.5")
    assert run({}, "ADD b :v", v=N(8)) == {"b": N(8)}
    assert run({"c": N(41)}, "ADD #c :one", {"#c": "c"}, one=N(1)) == {"c": N(42)}
    assert run_err({"b": S("hi")}, "ADD b :v", v=N(1)) == BAD_TYPE


def test_add_sets() -> None:
    out = run({"a": {"SS": ["beaver", "lynx", "coati"]}}, "ADD a :v", v={"SS": ["coati", "beaver", "badger"]})
    assert out["a"] == {"SS": ["beaver", "lynx", "coati", "badger"]}
    assert run({"a": {"NS": ["1", "2"]}}, "ADD a :v", v={"NS": ["2.0", "3"]})["a"] == {"NS": ["1", "2", "3"]}
    assert run({"a": {"BS": ["AQI=", "Ag=="]}}, "ADD a :v", v={"BS": ["Ag==", "AQ=="]})["a"] == {
        "BS": ["AQI=", "Ag==", "AQ=="]
    }
    assert run({}, "ADD b :v", v={"SS": ["dog"]}) == {"b": {"SS": ["dog"]}}
    assert run_err({"a": {"SS": ["x"]}}, "ADD a :v", v={"NS": ["1"]}) == BAD_TYPE
    assert run_err({"a": L(N(1))}, "ADD a :v", v={"NS": ["1"]}) == BAD_TYPE


def test_delete_from_sets() -> None:
    item = {"a": {"SS": ["dog", "cat", "mouse"]}, "b": S("hi")}
    assert run(item, "DELETE a :v", v={"SS": ["cat", "mouse"]})["a"] == {"SS": ["dog"]}
    assert run(item, "DELETE a :v", v={"SS": ["pig"]})["a"] == item["a"]
    # Removing the last elements removes the attribute.
    assert run(item, "DELETE a :v", v={"SS": ["dog", "cat", "mouse"]}) == {"b": S("hi")}
    assert run({"b": S("hi")}, "DELETE a :v", v={"SS": ["dog"]}) == {"b": S("hi")}
    assert run({"n": {"NS": ["1", "2"]}}, "DELETE n :v", v={"NS": ["1.0"]})["n"] == {"NS": ["2"]}
    assert run_err(item, "DELETE b :v", v={"SS": ["x"]}) == BAD_TYPE
    assert run_err(item, "DELETE a :v", v={"NS": ["1"]}) == BAD_TYPE


def test_add_and_delete_nested() -> None:
    item = {"a": {"M": {"d": L(S("e"), {"SS": ["g"]})}}}
    out = run(item, "ADD a.d[1] :v, a.n :one", v={"SS": ["l"]}, one=N(1))
    assert out == {"a": {"M": {"d": L(S("e"), {"SS": ["g", "l"]}), "n": N(1)}}}
    assert run(item, "DELETE a.d[1] :v", v={"SS": ["g"]}) == {"a": {"M": {"d": L(S("e"))}}}
    for text in ("ADD y.a :v", "DELETE y.a :v", "ADD a.d.x :v", "DELETE a[0] :v"):
        assert run_err(item, text, v={"SS": ["x"]}) == INVALID_PATH, text


@pytest.mark.parametrize(
    ("text", "value", "op", "type_name"),
    [
        ("add a.b :a", S("a"), "ADD", "STRING"),
        ("delete a.b :a", S("a"), "DELETE", "STRING"),
        ("add a.b :a", {"NULL": True}, "ADD", "NULL"),
        ("delete a.b :a", {"NULL": True}, "DELETE", "NULL"),
        ("add a.b :a", {"BOOL": False}, "ADD", "BOOLEAN"),
        ("delete a.b :a", {"BOOL": False}, "DELETE", "BOOLEAN"),
        ("add a.b :a", {"B": "YQ=="}, "ADD", "BINARY"),
        ("delete a.b :a", {"B": "YQ=="}, "DELETE", "BINARY"),
        ("add a.b :a", {"M": {"a": L(N(1))}}, "ADD", "MAP"),
        ("delete a.b :a", {"M": {}}, "DELETE", "MAP"),
        ("add a.b :a", L(N(1)), "ADD", "LIST"),
        ("delete a.b :a", L(N(1)), "DELETE", "LIST"),
        ("delete a.b :a", N(1), "DELETE", "NUMBER"),
    ],
)
def test_add_delete_operand_types(text: str, value: AV, op: str, type_name: str) -> None:
    # dynalite updateItem.js, recorded against DynamoDB ("operator: ADD, operand type: STRING").
    assert err(lambda: compile_update(text, a=value)) == (
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        f"operator: {op}, operand type: {type_name}"
    )


# ---------------------------------------------------------------- function and operator checks
VALUES = {
    "a": S("a"),
    "b": N(1),
    "c": {"B": "YQ=="},
    "d": {"BOOL": False},
    "e": {"NULL": True},
    "f": {"SS": ["a"]},
    "g": {"NS": ["1"]},
    "h": {"BS": ["YQ=="]},
    "i": {"M": {}},
    "j": L(),
}


@pytest.mark.parametrize(
    ("text", "op", "type_name"),
    [
        ("set a = list_append(:a, a)", "list_append", "S"),
        ("set a = list_append(a, :b)", "list_append", "N"),
        ("set a = list_append(:c, a)", "list_append", "B"),
        ("set a = list_append(:d, a)", "list_append", "BOOL"),
        ("set a = list_append(:e, a)", "list_append", "NULL"),
        ("set a = list_append(:f, a)", "list_append", "SS"),
        ("set a = list_append(:i, a)", "list_append", "M"),
        ("set a = a + :a", "+", "S"),
        ("set a = :a + :c", "+", "S"),
        ("set a = :c + a", "+", "B"),
        ("set a = a + :d", "+", "BOOL"),
        ("set a = a + :g", "+", "NS"),
        ("set a = a + :j", "+", "L"),
        ("set a = a - :e", "-", "NULL"),
        ("set a = a - :h", "-", "BS"),
        ("set a = a - :i", "-", "M"),
        ("set a = list_append(a, b) + :b", "+", "L"),
    ],
)
def test_operand_types(text: str, op: str, type_name: str) -> None:
    used = {k: v for k, v in VALUES.items() if f":{k}" in text}
    ex = Expressions(None, {":" + k: v for k, v in used.items()})
    assert err(lambda: ex.update(text)) == (
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        f"operator or function: {op}, operand type: {type_name}"
    )


def test_function_operand_counts_and_paths() -> None:
    ex = Expressions(None, {":a": S("a")})
    assert err(lambda: ex.update("set a = if_not_exists(c)")) == (
        "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
        "operator or function: if_not_exists, number of operands: 1"
    )
    assert err(lambda: ex.update("set a = list_append(:a, c, d)")).endswith("list_append, number of operands: 3")
    assert err(lambda: ex.update("set a = if_not_exists(:a, c)")) == (
        "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"
    )
    assert err(lambda: ex.update("set a = if_not_exists(if_not_exists(a, b), c)")).endswith(
        "operator or function: if_not_exists"
    )


def test_undefined_names_and_values() -> None:
    ex = Expressions({"#a": "a", "#b": "b"}, {":a": S("a"), ":b": S("a")})
    assert err(lambda: ex.update("SET #c = if_not_exists(:c)")) == (
        "Invalid UpdateExpression: An expression attribute name used in the document path is not "
        "defined; attribute name: #c"
    )
    assert err(lambda: ex.update("SET #a = if_not_exists(:c)")) == (
        "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :c"
    )


# ---------------------------------------------------------------- overlapping paths
@pytest.mark.parametrize(
    ("text", "one", "two"),
    [
        ("set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", "[c, [1], a]", "[c]"),
        ("set c.b.#c = a, c = a, #d = a", "[c, b, c]", "[c]"),
        ("set a = b remove a, #c, #d", "[a]", "[a]"),
        ("set #c[3].#d = a, #c[3] = a", "[c, [3], [3]]", "[c, [3]]"),
        ("remove c, #c.a, #d", "[c]", "[c, a]"),
        ("remove a, #c, a, #d", "[a]", "[a]"),
        ("SET a[1][1] = :v, a[1] = :v", "[a, [1], [1]]", "[a, [1]]"),
    ],
)
def test_overlapping_paths(text: str, one: str, two: str) -> None:
    # dynalite updateItem.js (recorded against DynamoDB); overlaps are found before conflicts.
    names = {k: v for k, v in {"#c": "c", "#d": "[3]"}.items() if k in text}
    ex = Expressions(names or None, {":v": N(1)} if ":v" in text else None)
    assert err(lambda: ex.update(text)) == (
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
        f"rewrite one of these paths; path one: {one}, path two: {two}"
    )


@pytest.mark.parametrize(
    ("text", "one", "two"),
    [
        ("set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", "[c, [3], [3]]", "[c, [3], [3]]"),
        ("remove a.#c set a[1] = #d", "[a, c]", "[a, [1]]"),
        ("SET a.b.c = :v, a.b[2] = :v", "[a, b, c]", "[a, b, [2]]"),
    ],
)
def test_conflicting_paths(text: str, one: str, two: str) -> None:
    names = {k: v for k, v in {"#c": "c", "#d": "[3]"}.items() if k in text}
    ex = Expressions(names or None, {":v": N(1)} if ":v" in text else None)
    assert err(lambda: ex.update(text)) == (
        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or "
        f"rewrite one of these paths; path one: {one}, path two: {two}"
    )


def test_non_overlapping_paths_are_fine() -> None:
    item = {"a": {"M": {"x": N(3), "y": N(4), "c": {"M": {"y": N(3)}}}}, "b": {"M": {"x": N(1), "y": N(2)}}}
    out = run(item, "SET a.b = :v1, a.c.d = :v2, b.x = :v3 REMOVE a.x, b.y", v1=N(10), v2=S("dog"), v3=N(17))
    assert out == {
        "a": {"M": {"y": N(4), "c": {"M": {"y": N(3), "d": S("dog")}}, "b": N(10)}},
        "b": {"M": {"x": N(17)}},
    }


def test_overlap_uses_substituted_names() -> None:
    ex = Expressions({"#a1": "a", "#a2": "a"}, {":v": N(1)})
    assert "overlap" in err(lambda: ex.update("SET #a1 = :v, #a2 = :v"))


# ---------------------------------------------------------------- everything together
def test_the_documented_mix() -> None:
    # dynalite updateItem.js "should update nested attributes", recorded against DynamoDB.
    item = {"k": S("key"), "b": {"M": {"a": N(1), "b": N(2), "c": N(3)}}, "c": L(N(1), N(3))}
    upd = compile_update(
        "set b.c=((c[1])+(b.a)),b.a = k,c[1] = k, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a",
        a=N(2),
        b={"SS": ["a"]},
    )
    new = upd.apply(item)
    assert new == {
        "k": S("key"),
        "b": {"M": {"a": S("key"), "b": N(2), "c": N(4)}},
        "c": L(N(1), S("key"), N(3), N(-1), N(2), {"SS": ["a"]}),
    }
    # ReturnValues UPDATED_NEW as DynamoDB returned it: the updated paths of the new item.
    assert upd.updated_attributes(new) == {
        "b": {"M": {"c": N(4), "a": S("key")}},
        "c": L(S("key"), N(3), N(2)),
    }
    assert upd.changed_top_names == {"b", "c"}
    assert upd.paths[0] == ("b", "c")


def test_apply_shares_nothing_it_changed() -> None:
    value = {"M": {"x": N(1)}}
    upd = compile_update("SET a = :v, b = :v", v=value)
    out = upd.apply({})
    assert out["a"] == value and out["a"] is not value and out["a"] is not out["b"]


def test_nothing_changes_when_a_later_action_fails() -> None:
    item = {"a": N(1), "s": S("x")}
    assert run_err(item, "SET a = :v ADD s :one", v=N(5), one=N(1)) == BAD_TYPE


def test_error_order() -> None:
    # dynalite updateItem.js, recorded against DynamoDB: ADD/DELETE operand types come before
    # function operand counts and types; path overlaps before both.
    ex = Expressions(None, {":a": S("a")})
    assert err(lambda: ex.update("set b = list_append(:a, a), c = if_not_exists(a) add a.b :a")).endswith(
        "operator: ADD, operand type: STRING"
    )
    ex = Expressions({"#c": "c", "#d": "[3]"}, None)
    assert "overlap" in err(lambda: ex.update("set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)"))
    # Repeated sections are found in the text, before undefined placeholders.
    ex = Expressions({"#a": "a"}, {":a": S("a")})
    assert "section can only be used once" in err(lambda: ex.update("set a = #c set c = :d"))
