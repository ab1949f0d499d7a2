"""Plans made from templates (engine/plans.py `_key_only`, `_update_only`) answer exactly as the
general path: each request's own values, and the same errors in the same order."""

from __future__ import annotations

from typing import Any

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.dynamodb.engine import plans


class _Table:
    hash_name = "pk"
    range_name = "sk"


def build(params: dict[str, Any]) -> plans.Plan:
    return plans.build(params, _Table(), operation="Query", key_condition=True, filter_param="QueryFilter",
                       projection=True)  # type: ignore[arg-type]


def general(params: dict[str, Any]) -> plans.Plan:
    wants = plans.Wants("Query", key_condition=True, filter_param="QueryFilter", projection=True)
    return plans._general(params, _Table(), wants)  # type: ignore[arg-type]


def error(fn: Any, params: dict[str, Any]) -> str:
    with pytest.raises(AwsError) as info:
        fn(params)
    return f"{info.value.code}: {info.value.message}"


def query(text: str, values: dict[str, Any], names: dict[str, str] | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {"TableName": "t", "KeyConditionExpression": text, "ExpressionAttributeValues": values}
    if names is not None:
        p["ExpressionAttributeNames"] = names
    return p


def test_each_request_gets_its_own_values() -> None:
    plans._KEY_TEMPLATES.clear()
    for i in range(3):
        p = query("#p = :p AND sk > :s", {":p": {"S": f"q{i}"}, ":s": {"S": f"s{i}"}}, {"#p": "pk"})
        kc = build(p).key_condition
        assert kc is not None
        assert (kc.hash_value, kc.range_op, kc.range_values) == ({"S": f"q{i}"}, "GT", ({"S": f"s{i}"},))
    assert len(plans._KEY_TEMPLATES) == 1  # made once, then used


def test_value_contents_are_still_checked_per_request() -> None:
    plans._KEY_TEMPLATES.clear()
    build(query("pk = :p", {":p": {"N": "1"}}))
    bad = query("pk = :p", {":p": {"N": "1e999"}})  # same shape, a number out of range
    assert error(build, bad) == error(general, bad)
    assert "ExpressionAttributeValues contains invalid value" in error(build, bad)


def test_other_value_types_get_their_own_checks() -> None:
    plans._KEY_TEMPLATES.clear()
    build(query("pk = :p AND begins_with(sk, :s)", {":p": {"S": "a"}, ":s": {"S": "b"}}))
    bad = query("pk = :p AND begins_with(sk, :s)", {":p": {"S": "a"}, ":s": {"N": "1"}})
    assert error(build, bad) == error(general, bad)
    assert "operand type: N" in error(build, bad)


def test_between_bounds_are_checked_every_time() -> None:
    plans._KEY_TEMPLATES.clear()
    build(query("pk = :p AND sk BETWEEN :a AND :b", {":p": {"S": "x"}, ":a": {"S": "a"}, ":b": {"S": "b"}}))
    bad = query("pk = :p AND sk BETWEEN :a AND :b", {":p": {"S": "x"}, ":a": {"S": "b"}, ":b": {"S": "a"}})
    assert "upper bound to be greater than or equal to lower bound" in error(build, bad)


def test_requests_the_general_path_refuses_are_refused_alike() -> None:
    plans._KEY_TEMPLATES.clear()
    cases = [
        query("pk = :p", {":p": {"S": "a"}, ":unused": {"S": "b"}}),
        query("pk = :p", {":p": {"S": "a"}}, {"#unused": "x"}),
        query("pk = :missing", {":p": {"S": "a"}}),
        query("sk = :p", {":p": {"S": "a"}}),
        query("pk = :p OR sk = :p", {":p": {"S": "a"}}),
        query("pk = :p", {":p": {"S": "a", "N": "1"}}),
        query("pk = :p", {":p": ["not", "a", "map"]}),
    ]
    for p in cases:
        assert error(build, p) == error(general, p)
        assert error(build, p) == error(build, p)  # and again, in case anything was remembered
    assert plans._KEY_TEMPLATES == {}


# ---------------------------------------------------------------- UpdateItem
def build_update(params: dict[str, Any]) -> plans.Plan:
    return plans.build(params, _Table(), operation="UpdateItem", condition=True, update=True)  # type: ignore[arg-type]


def general_update(params: dict[str, Any]) -> plans.Plan:
    wants = plans.Wants("UpdateItem", condition=True, update=True)
    return plans._general(params, _Table(), wants)  # type: ignore[arg-type]


def update(text: str, values: dict[str, Any] | None, names: dict[str, str] | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {"TableName": "t", "Key": {"pk": {"S": "k"}}, "UpdateExpression": text}
    if values is not None:
        p["ExpressionAttributeValues"] = values
    if names is not None:
        p["ExpressionAttributeNames"] = names
    return p


def test_updates_apply_each_requests_own_values() -> None:
    plans._UPDATE_TEMPLATES.clear()
    item = {"pk": {"S": "k"}, "c": {"N": "10"}, "tags": {"SS": ["a", "b"]}, "gone": {"S": "x"}}
    text = "SET #n = :n, price = :p ADD c :one DELETE tags :t REMOVE gone"
    for i in range(3):
        vals = {":n": {"S": f"name{i}"}, ":p": {"N": str(i)}, ":one": {"N": str(i + 1)}, ":t": {"SS": ["a"]}}
        p = update(text, vals, {"#n": "name"})
        got = build_update(p).update
        want = general_update(p).update
        assert got is not None and want is not None
        assert got.apply(item) == want.apply(item) == {
            "pk": {"S": "k"}, "name": {"S": f"name{i}"}, "price": {"N": str(i)}, "c": {"N": str(11 + i)},
            "tags": {"SS": ["b"]}}
        assert got.changed_top_names == want.changed_top_names
    assert len(plans._UPDATE_TEMPLATES) == 1


def test_remove_only_updates_need_no_values() -> None:
    plans._UPDATE_TEMPLATES.clear()
    for _ in range(2):
        upd = build_update(update("REMOVE a, b", None)).update
        assert upd is not None and upd.apply({"pk": {"S": "k"}, "a": {"S": "1"}, "c": {"S": "2"}}) == {
            "pk": {"S": "k"}, "c": {"S": "2"}}


def test_computed_values_are_compiled_per_request() -> None:
    plans._UPDATE_TEMPLATES.clear()
    p = update("SET c = if_not_exists(c, :z) + :one", {":z": {"N": "0"}, ":one": {"N": "1"}})
    for _ in range(2):
        upd = build_update(p).update
        assert upd is not None and upd.apply({"pk": {"S": "k"}}) == {"pk": {"S": "k"}, "c": {"N": "1"}}
    assert plans._UPDATE_TEMPLATES == {}  # only plain :values are templated


def test_update_errors_match_the_general_path() -> None:
    plans._UPDATE_TEMPLATES.clear()
    build_update(update("ADD c :one", {":one": {"N": "1"}}))
    cases = [
        update("ADD c :one", {":one": {"S": "1"}}),  # other type: its own check
        update("ADD c :one", {":one": {"N": "not a number"}}),  # same type, bad content
        update("ADD c :one", {":one": {"N": "1"}, ":x": {"N": "2"}}),  # unused value
        update("ADD c :two", {":one": {"N": "1"}}),  # undefined value
        update("SET a = :v, a = :v", {":v": {"S": "1"}}),  # overlapping paths
    ]
    for p in cases:
        assert error(build_update, p) == error(general_update, p)
        assert error(build_update, p) == error(build_update, p)
