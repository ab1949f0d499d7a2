"""Parsing and text-only checks of DynamoDB expressions (syntax, parentheses, functions,
reserved words, sections, limits).

Texts are DynamoDB's; syntax rules from
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.expressions import Expressions
from cloudlet.services.dynamodb.expressions.lexer import tokenize
from cloudlet.services.dynamodb.expressions.nodes import (
    And,
    Between,
    Call,
    Compare,
    In,
    Not,
    Or,
    Path,
    ValueRef,
    format_path,
)
from cloudlet.services.dynamodb.expressions.reserved import RESERVED_WORDS, is_reserved
from cloudlet.services.dynamodb.expressions.static import parse

COND = "ConditionExpression"
FILTER = "FilterExpression"
UPDATE = "UpdateExpression"
PROJ = "ProjectionExpression"
KEY = "KeyConditionExpression"
MISUSE = "The function is not allowed to be used this way in an expression; function: "
NOT_IN_CONDITION = "The function is not allowed in a condition expression; function: "
NOT_IN_UPDATE = "The function is not allowed in an update expression; function: "


def err(fn: Callable[[], Any]) -> str:
    with pytest.raises(AwsError) as info:
        fn()
    assert info.value.code == "ValidationException"
    return info.value.message


def parse_err(kind: str, text: str) -> str:
    return err(lambda: parse(kind, text))


# ---------------------------------------------------------------- lexer
def test_tokens() -> None:
    toks = tokenize("a.#b[12] <= :v_1 AND x<>y")
    assert [(t.kind, t.text) for t in toks] == [
        ("ident", "a"), ("punct", "."), ("name", "#b"), ("punct", "["), ("number", "12"),
        ("punct", "]"), ("punct", "<="), ("value", ":v_1"), ("ident", "AND"), ("ident", "x"),
        ("punct", "<>"), ("ident", "y"), ("eof", "<EOF>"),
    ]  # fmt: skip


def test_placeholder_tokens_may_start_with_digits_or_underscore() -> None:
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
    assert [t.kind for t in tokenize("#1a :_ #_")][:3] == ["name", "value", "name"]
    assert [t.text for t in tokenize("# :")][:2] == ["#", ":"]


# ---------------------------------------------------------------- syntax errors
@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        # EOF: near is the last token.
        (COND, "a =", 'Syntax error; token: "<EOF>", near: "="'),
        (COND, "foo", 'Syntax error; token: "<EOF>", near: "foo"'),
        (PROJ, "a,", 'Syntax error; token: "<EOF>", near: ","'),
        (UPDATE, "SET", 'Syntax error; token: "<EOF>", near: "SET"'),
        (UPDATE, "SET a = a +", 'Syntax error; token: "<EOF>", near: "+"'),
        # Otherwise near runs from the previous token to the next one.
        (UPDATE, "SET _123 = :v", 'Syntax error; token: "_", near: "SET _123"'),
        (KEY, "id = :v AND __typename = :t", 'Syntax error; token: "_", near: "AND __"'),
        (KEY, "[object Object]", 'Syntax error; token: "[", near: "[object"'),
        (FILTER, "a[-1] = :v", 'Syntax error; token: "-", near: "[-1"'),
        (UPDATE, "SET numx = numx / :v", 'Syntax error; token: "/", near: "numx / :v"'),
        (PROJ, "a b", 'Syntax error; token: "b", near: "a b"'),
        (FILTER, "things are not gonna be ok", 'Syntax error; token: "are", near: "things are not"'),
        (FILTER, "a in (b,c,)", 'Syntax error; token: ")", near: ",)"'),
        (FILTER, "(a) AND b = c", 'Syntax error; token: "AND", near: ") AND b"'),
        (FILTER, "(a = b) = c", 'Syntax error; token: "=", near: ") = c"'),
        (FILTER, "ü > a", 'Syntax error; token: "ü", near: "ü >"'),
        (UPDATE, "set a = b + c + d", 'Syntax error; token: "+", near: "c + d"'),
        (UPDATE, "SET c = if_not_exists(c, :a+:b)", 'Syntax error; token: "+", near: ":a+:b"'),
    ],
)
def test_syntax_error_texts(kind: str, text: str, message: str) -> None:
    # Real DynamoDB messages, e.g. `Invalid UpdateExpression: Syntax error; token: "_", near:
    # "SET _123"` (quoted from DynamoDB by ScyllaDB's Alternator tests).
    assert parse_err(kind, text) == f"Invalid {kind}: {message}"


@pytest.mark.parametrize(
    "text",
    [
        "a > 4", "attribute_exists(Pictures-RearView)", 'attribute_exists("Pictures.RearView")',
        "attribute_exists(Pictures..RearView)", "attribute_exists(asdf[a])", "a.:a < b.:b",
        "a in b, c", "a > between", "a in b", "(a)between(b.(c.d))and(c)",
        "(a)between(b.c.d)and((c)", "#$.b > a", "a > :things.stuff", "b[:a] > a", "b[#_] > a",
        "(a)between(b.c[4.5].#d)and(:a)", "size(a).b > a", "(size(a)).b > a", "size(a)[0] > a",
        "(size(a))[0] > a", "a = b = c", "NOT (a)", "a = :v OR", "attribute_exists()",
        "a BETWEEN :a", "a < :v AND", "_a = :v", "1a = :v", "a = :v)", "(a = :v", "a <",
    ],
)  # fmt: skip
def test_condition_syntax_errors(text: str) -> None:
    assert parse_err(FILTER, text).startswith("Invalid FilterExpression: Syntax error; token: ")


@pytest.mark.parametrize(
    "text",
    [
        "whatever", "set a", "add a", "delete a", "set a=set", "remove a = b", "add a = b",
        "delete a = b", "delete a b", "delete a if_not_exist(b)", "add abort b",
        "add a if_not_exist(b)", "remove a b", "set a b", "set :a = b", "add :a b",
        "delete :a b", "remove :a", "set a = b / c", "set a = b * c", 'set a[1] = "eight"',
        "set a[1] = 1", "SET a = if_not_exist(a, 100)", "SET if_not_exist(a, b) = a",
        "set (a = (b + c))", "set a = (b.c).d + e", "set a = (b.c)[0] + e", "set a = b + c + d",
        "SET a = :v,", "SET a = :v REMOVE", "SET # = :v", "SET a = :", "HELLO b = :v",
        "SET a[:x] = :v", "SET a[#x] = :v", "SET a = _f(b)",
    ],
)  # fmt: skip
def test_update_syntax_errors(text: str) -> None:
    # Cases recorded against DynamoDB by dynalite's test suite (updateItem.js).
    assert parse_err(UPDATE, text).startswith("Invalid UpdateExpression: Syntax error; ")


@pytest.mark.parametrize("text", [",a", "a,,b", "a.", "a[", "a[1", "a[x]", "a[]", "size(a)", "#"])
def test_projection_syntax_errors(text: str) -> None:
    assert parse_err(PROJ, text).startswith("Invalid ProjectionExpression: Syntax error; ")


@pytest.mark.parametrize("kind", [COND, FILTER, UPDATE, PROJ, KEY])
@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_expression(kind: str, text: str) -> None:
    assert parse_err(kind, text) == f"Invalid {kind}: The expression can not be empty;"


def test_expression_size_limit() -> None:
    # 4 KB limit: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
    ok = "a = :v AND " + "b" * (4096 - 11)
    parse_err_text = parse_err(FILTER, ok + "b")
    assert parse_err_text == (
        "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"
    )
    assert parse(FILTER, "a = :v AND " + "b" * 4080 + " = :w").condition is not None


def test_too_many_operators() -> None:
    # At most 300 operators or functions per expression (ServiceQuotas.html#limits-expression-parameters).
    parse(FILTER, " AND ".join(["a = :v"] * 150))
    assert parse_err(FILTER, " AND ".join(["a = :v"] * 151)) == (
        "Invalid FilterExpression: The expression contains too many operators; operator count: 301"
    )


def test_deep_nesting_does_not_crash() -> None:
    assert "Syntax error" in parse_err(FILTER, "(" * 4000 + "a")
    assert "redundant" in parse_err(FILTER, "(" * 2000 + "a = b" + ")" * 2000)
    parse(FILTER, "NOT " * 290 + "a = b")


# ---------------------------------------------------------------- trees
def test_condition_tree_and_precedence() -> None:
    # NOT binds tighter than AND, AND tighter than OR; comparisons tighter than NOT.
    root = parse(COND, "a = :x OR NOT b < :y AND c BETWEEN :l AND :h").condition
    assert isinstance(root, Or)
    assert isinstance(root.left, Compare) and root.left.op == "="
    assert isinstance(root.right, And)
    assert isinstance(root.right.left, Not) and isinstance(root.right.left.operand, Compare)
    assert isinstance(root.right.right, Between)


def test_keywords_are_case_insensitive_functions_are_not() -> None:
    root = parse(COND, "a = :x aNd b In (:y, :z) oR nOt attribute_exists(c)").condition
    assert isinstance(root, Or) and isinstance(root.left, And)
    assert isinstance(root.left.right, In) and len(root.left.right.items) == 2
    assert parse_err(COND, "ATTRIBUTE_EXISTS(a)") == (
        "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS"
    )


def test_paths() -> None:
    root = parse(COND, "a.#b[0][12].c = :v").condition
    assert isinstance(root, Compare) and isinstance(root.left, Path)
    assert root.left.elems == ("a", "#b", 0, 12, "c")
    assert isinstance(root.right, ValueRef) and root.right.name == ":v"
    assert format_path(("a", 0, "b")) == "[a, [0], b]"


def test_parenthesised_operands_and_conditions() -> None:
    root = parse(FILTER, "(a)between(b.c.d)and(c)").condition
    assert isinstance(root, Between)
    root = parse(FILTER, "((a=a) OR (a=a))").condition
    assert isinstance(root, Or)
    root = parse(FILTER, "(a) = (b)").condition
    assert isinstance(root, Compare)
    root = parse(FILTER, "attribute_exists (a) AND (NOT (b = :v))").condition
    assert isinstance(root, And) and isinstance(root.left, Call)


def test_update_actions() -> None:
    parsed = parse(UPDATE, "set a = :v, b = c + :w  REMOVE d[1], e ADD f :x DELETE g :y")
    assert [a.clause for a in parsed.actions] == ["SET", "SET", "REMOVE", "REMOVE", "ADD", "DELETE"]
    assert parse(UPDATE, "SET a = (b + c)").actions[0].value is not None
    assert parse(UPDATE, "set b.c=((c[1])+(b.a))").actions[0].path.elems == ("b", "c")


def test_projection_paths() -> None:
    parsed = parse(PROJ, " a  ,   b.c[2] ")
    assert [p.elems for p in parsed.paths] == [("a",), ("b", "c", 2)]


# ---------------------------------------------------------------- redundant parentheses
@pytest.mark.parametrize(
    "text",
    [
        "a=a and a > ((views))",
        "(a)between(((b.c)).d)and(c)",
        "a > whatever((:things), ((a)))",
        "a=a AND ((a=a AND a=a)) AND a=a",
        "a=a OR ((a=a OR a=a)) OR a=a",
        "a=a AND ((a=a AND (a=a AND a=a)))",
        "a=a OR ((a=a OR (a=a OR a=a)))",
    ],
)
def test_redundant_parentheses(text: str) -> None:
    # Recorded against DynamoDB by dynalite (scan.js): reported even where the rest would be a
    # syntax error or an invalid function.
    assert parse_err(FILTER, text) == "Invalid FilterExpression: The expression has redundant parentheses;"


def test_redundant_parentheses_in_update() -> None:
    assert parse_err(UPDATE, "SET a = ((b))") == ("Invalid UpdateExpression: The expression has redundant parentheses;")


# ---------------------------------------------------------------- functions
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a=a and whatever((:things)) > a", "Invalid function name; function: whatever"),
        ("attRIbute_exIsts((views), #a)", "Invalid function name; function: attRIbute_exIsts"),
        ("foo(a) = :v", "Invalid function name; function: foo"),
        ("if_not_exists(a, a) = :v", NOT_IN_CONDITION + "if_not_exists"),
        ("list_append(a, a) = :v", NOT_IN_CONDITION + "list_append"),
        ("a=a and attribute_exists((views), (#a)) > b", MISUSE + "attribute_exists"),
        ("attribute_not_exists(things) > b", MISUSE + "attribute_not_exists"),
        ("attribute_type(things, :a) > b", MISUSE + "attribute_type"),
        ("begins_with(things, a) > b", MISUSE + "begins_with"),
        ("contains(:things, c) > b", MISUSE + "contains"),
        ("size(contains(a, b)) > a", MISUSE + "contains"),
        ("size(things)", MISUSE + "size"),
        ("a between b and attribute_exists(things)", MISUSE + "attribute_exists"),
        ("a in (b, attribute_exists(things))", MISUSE + "attribute_exists"),
    ],
)  # fmt: skip
def test_condition_function_errors(text: str, message: str) -> None:
    # dynalite scan.js (recorded against DynamoDB); the function list:
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Functions
    assert parse_err(FILTER, text) == f"Invalid FilterExpression: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("set #c = if_not_exist(:c) set c = d", "Invalid function name; function: if_not_exist"),
        ("SET a = f(b,c,d)", "Invalid function name; function: f"),
        ("SET a = LIST_APPEND(:a, :b)", "Invalid function name; function: LIST_APPEND"),
        ("SET a = size(b)", NOT_IN_UPDATE + "size"),
        ("SET a = list_append(list_append(:a, :b), :c)", MISUSE + "list_append"),
    ],
)  # fmt: skip
def test_update_function_errors(text: str, message: str) -> None:
    assert parse_err(UPDATE, text) == f"Invalid UpdateExpression: {message}"


def test_nested_if_not_exists_is_allowed() -> None:
    parse(UPDATE, "SET a = list_append(if_not_exists(a, :v), :w), b = if_not_exists(b, if_not_exists(c, :v))")
    parse(UPDATE, "SET b = if_not_exists(b, :v) + :w")


# ---------------------------------------------------------------- reserved words
def test_reserved_word_list() -> None:
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
    assert len(RESERVED_WORDS) == 573
    for word in ("ABORT", "name", "Status", "size", "zone", "key", "count"):
        assert is_reserved(word)
    assert not is_reserved("attribute_exists")


@pytest.mark.parametrize(
    ("kind", "text", "word"),
    [
        (UPDATE, " set #c = :c set abOrt = true ", "abOrt"),
        (UPDATE, " remove Absolute ", "Absolute"),
        (UPDATE, "SET #a = status", "status"),
        (FILTER, "attribute_exists(views, #a)", "views"),
        (FILTER, ":a < abOrT", "abOrT"),
        (PROJ, "a, b.name", "name"),
        (KEY, "status = :s", "status"),
    ],
)
def test_reserved_words(kind: str, text: str, word: str) -> None:
    assert parse_err(kind, text) == (f"Invalid {kind}: Attribute name is a reserved keyword; reserved keyword: {word}")


def test_placeholders_avoid_reserved_words() -> None:
    ex = Expressions({"#s": "status"}, {":v": {"S": "x"}})
    assert ex.condition("#s = :v").evaluate({"status": {"S": "x"}})


# ---------------------------------------------------------------- sections
@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("set a = #c set c = :d", "SET"),
        ("remove #d set a = b remove e", "REMOVE"),
        ("add #d :e set a = b add e :f", "ADD"),
        ("delete #d :e set a = b delete #e :f", "DELETE"),
        ("SET a = :v REMOVE a SET b = :w", "SET"),
    ],
)
def test_section_used_once(text: str, clause: str) -> None:
    assert parse_err(UPDATE, text) == (
        f'Invalid UpdateExpression: The "{clause}" section can only be used once in an update expression;'
    )


# ---------------------------------------------------------------- error order
def test_text_errors_come_in_dynamodb_order() -> None:
    # Function names before function use before reserved words (dynalite scan.js).
    assert "Invalid function name" in parse_err(FILTER, "attRIbute_exIsts((views), #a)")
    assert "used this way" in parse_err(FILTER, "attribute_exists((views), (#a)) > b")
    # Reserved words and function names before repeated sections (dynalite updateItem.js).
    assert "reserved keyword" in parse_err(UPDATE, "set #c = :c set abOrt = true")
    # Syntax before everything else.
    assert "Syntax error" in parse_err(UPDATE, "set status = foo(a) set")


def test_parse_is_cached() -> None:
    assert parse(FILTER, "a = :v") is parse(FILTER, "a = :v")
    assert parse_err(FILTER, "a =") == parse_err(FILTER, "a =")
