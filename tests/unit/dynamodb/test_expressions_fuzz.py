"""Random expressions: compiling, evaluating and applying them may fail only with AwsError."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.expressions import Expressions

NAMES = {"#a": "a", "#b": "b.c", "#n": "name", "#l": "l"}
VALUES: dict[str, dict[str, Any]] = {
    ":s": {"S": "he"}, ":n": {"N": "2"}, ":f": {"N": "-1.5"}, ":l": {"L": [{"N": "1"}]},
    ":ss": {"SS": ["x", "he"]}, ":ns": {"NS": ["2"]}, ":m": {"M": {"x": {"S": "y"}}},
    ":b": {"B": "aGk="}, ":t": {"BOOL": True}, ":z": {"NULL": True}, ":ty": {"S": "N"},
}  # fmt: skip
ITEMS: list[dict[str, Any]] = [
    {},
    {"a": {"N": "1"}, "s": {"S": "hello"}, "l": {"L": [{"N": "1"}, {"M": {"x": {"S": "y"}}}]}},
    {"a": {"S": "2"}, "b.c": {"SS": ["x"]}, "name": {"M": {"a": {"L": []}}}, "m": {"M": {"x": {"NS": ["2"]}}}},
    {"a": {"B": "aGk="}, "l": {"NS": ["1", "2"]}, "x": {"BOOL": False}, "y": {"NULL": True}},
]
TOKENS = [
    "a", "b", "x", "s", "l", "m", "name", "#a", "#b", "#n", "#l", "#q", ":s", ":n", ":f", ":l",
    ":ss", ":ns", ":m", ":b", ":t", ":z", ":ty", ":q", "=", "<>", "<", "<=", ">", ">=", "(", ")",
    "[", "]", "0", "1", "7", ",", ".", "+", "-", "AND", "OR", "NOT", "BETWEEN", "IN", "SET",
    "REMOVE", "ADD", "DELETE", "size", "contains", "begins_with", "attribute_exists",
    "attribute_not_exists", "attribute_type", "if_not_exists", "list_append", "foo", "_", "@",
    "'", "ü",
]  # fmt: skip
KINDS = ["condition", "projection", "update", "key"]

token_text = st.lists(st.sampled_from(TOKENS), max_size=14).map(lambda ts: " ".join(ts))
tight_text = st.lists(st.sampled_from(TOKENS), max_size=14).map("".join)
expression = st.one_of(token_text, tight_text, st.text(max_size=40))


def exercise(kind: str, text: str) -> None:
    ex = Expressions(NAMES, {k: dict(v) for k, v in VALUES.items()})
    try:
        if kind == "condition":
            cond = ex.condition(text, "FilterExpression")
            for item in ITEMS:
                assert cond.evaluate(item) in (True, False)
            assert cond.evaluate(None) in (True, False)
        elif kind == "projection":
            proj = ex.projection(text)
            for item in ITEMS:
                assert isinstance(proj.apply(item), dict)
        elif kind == "update":
            upd = ex.update(text)
            for item in ITEMS:
                try:
                    assert isinstance(upd.apply(item), dict)
                except AwsError:
                    pass
        else:
            ex.key_condition(text, "a", "s")
        ex.check_unused()
    except AwsError as e:
        assert e.message
        assert e.code in ("ValidationException", "SerializationException")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(KINDS), text=expression)
def test_random_expressions_only_raise_aws_errors(kind: str, text: str) -> None:
    exercise(kind, text)


@settings(max_examples=300, deadline=None)
@given(
    clauses=st.lists(
        st.tuples(
            st.sampled_from(["SET", "REMOVE", "ADD", "DELETE"]),
            st.sampled_from(["a", "l[0]", "l[5]", "#n.a", "m.x", "s", "#l[1].x", "z"]),
            st.sampled_from([":s", ":n", ":l", ":ss", ":ns", ":m", "a", "l[1]", "a + :n",
                             "list_append(l, :l)", "if_not_exists(z, :n)", ":n - #a"]),
        ),
        min_size=1,
        max_size=4,
    )
)  # fmt: skip
def test_random_well_formed_updates(clauses: list[tuple[str, str, str]]) -> None:
    parts = []
    for clause, path, value in clauses:
        if clause == "SET":
            parts.append(f"{clause} {path} = {value}")
        elif clause == "REMOVE":
            parts.append(f"{clause} {path}")
        else:
            parts.append(f"{clause} {path} {value if value.startswith(':') else ':n'}")
    exercise("update", " ".join(parts))


def test_unicode_and_control_characters() -> None:
    for text in ("\x00", "a = :s\x00", "\ud800", "a\u2028= :s", "#a = :s AND ☃", "a[99999999999999999999] = :n"):
        for kind in KINDS:
            exercise(kind, text)


operands = st.sampled_from(["a", "s", "l[1]", "#n.a", "#a", ":s", ":n", ":ss", ":l", ":ty", ":b", "x.y"])
operand = st.one_of(operands, operands.map(lambda o: f"size({o})"), operands.map(lambda o: f"({o})"))
comparison = st.one_of(
    st.tuples(operand, st.sampled_from(["=", "<>", "<", "<=", ">", ">="]), operand).map(" ".join),
    st.tuples(operand, operand, operand).map(lambda t: f"{t[0]} BETWEEN {t[1]} AND {t[2]}"),
    st.tuples(operand, st.lists(operand, min_size=1, max_size=3)).map(lambda t: f"{t[0]} IN ({', '.join(t[1])})"),
    st.tuples(
        st.sampled_from(["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"]),
        st.lists(operand, min_size=1, max_size=3),
    ).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
)
conditions = st.recursive(
    comparison,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(" ".join),
        inner.map(lambda c: f"NOT {c}"),
        inner.map(lambda c: f"({c})"),
    ),
    max_leaves=6,
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["condition", "key"]), text=conditions)
def test_random_well_formed_conditions(kind: str, text: str) -> None:
    exercise(kind, text)
