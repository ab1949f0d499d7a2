"""Turn a request's expressions (or their legacy equivalents) into compiled objects.

Everything a request names is compiled and checked here, before any item is read or written:
mixing rules, undefined/unused names and values, syntax. Parsing is cached by expression text
inside the expressions package; only binding happens per request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from cloudlet.services.dynamodb.engine import errors
from cloudlet.services.dynamodb.engine.tables import TableDef
from cloudlet.services.dynamodb.expressions import (
    Condition,
    Expressions,
    KeyCondition,
    Projection,
    Update,
    legacy,
    static,
)
from cloudlet.services.dynamodb.expressions.bind import check_values
from cloudlet.services.dynamodb.expressions.nodes import Const, ValueRef
from cloudlet.services.dynamodb.expressions.update import compile_value

# Request members that make a request need this module at all.
_EXPRESSION_PARAMS = frozenset((
    "ConditionExpression", "FilterExpression", "ProjectionExpression", "UpdateExpression",
    "KeyConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
    "Expected", "QueryFilter", "ScanFilter", "KeyConditions", "AttributeUpdates",
    "AttributesToGet", "ConditionalOperator",
))


@dataclass(slots=True)
class Plan:
    condition: Condition | None = None
    filter: Condition | None = None
    projection: Projection | None = None
    update: Update | None = None
    key_condition: KeyCondition | None = None


EMPTY = Plan()


class Wants(NamedTuple):
    """What an operation accepts (the keyword arguments of `build`)."""

    operation: str | None = None
    condition: bool = False
    filter_param: str | None = None
    projection: bool = False
    update: bool = False
    key_condition: bool = False
    index_keys: tuple[str, str | None] | None = None


# A Query carrying only a key condition (the commonest request) binds its values into a template
# made once per (expression, names, key schema, value types); see _key_only.
_KEY_ONLY = frozenset(("KeyConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues"))
_KEY_TEMPLATES: dict[tuple[Any, ...], tuple[str, str | None, tuple[str, ...]]] = {}
MAX_KEY_TEMPLATES = 4096  # of each kind; past it they are made afresh
# Likewise an UpdateItem carrying only an UpdateExpression whose values are plain `:refs`.
_UPDATE_ONLY = frozenset(("UpdateExpression", "ExpressionAttributeNames", "ExpressionAttributeValues"))
_UPDATE_TEMPLATES: dict[tuple[Any, ...], tuple[Update, tuple[str | None, ...]]] = {}


def needs_plan(params: dict[str, Any]) -> bool:
    return not _EXPRESSION_PARAMS.isdisjoint(params)


def build(
    params: dict[str, Any],
    table: TableDef | None = None,
    *,
    operation: str | None = None,
    condition: bool = False,
    filter_param: str | None = None,
    projection: bool = False,
    update: bool = False,
    key_condition: bool = False,
    index_keys: tuple[str, str | None] | None = None,
) -> Plan:
    """Compile what `params` carries of the parts this operation accepts."""
    if not needs_plan(params):
        return EMPTY
    wants = Wants(operation, condition, filter_param, projection, update, key_condition, index_keys)

    def general() -> Plan:
        return _general(params, table, wants)

    if (key_condition and "KeyConditionExpression" in params and type(params.get("ExpressionAttributeValues")) is dict
            and _EXPRESSION_PARAMS.intersection(params) <= _KEY_ONLY):
        assert table is not None
        hash_name, range_name = index_keys or (table.hash_name, table.range_name)
        return _key_only(params, hash_name, range_name, general)
    if (update and "UpdateExpression" in params and type(params.get("ExpressionAttributeValues")) in (dict, type(None))
            and _EXPRESSION_PARAMS.intersection(params) <= _UPDATE_ONLY):
        return _update_only(params, general)
    return general()


def _update_only(params: dict[str, Any], general: Callable[[], Plan]) -> Plan:
    """The plan of an UpdateItem with an UpdateExpression (SET/ADD/DELETE of plain `:values`,
    REMOVE) and nothing else to compile: as _key_only, a template made by the general path for
    one expression, names and value types; each request binds its own values into it."""
    text = params["UpdateExpression"]
    names = params.get("ExpressionAttributeNames")
    values: dict[str, Any] | None = params.get("ExpressionAttributeValues")
    key: tuple[Any, ...] | None
    template: tuple[Update, tuple[str | None, ...]] | None
    try:
        key = (text, tuple(names.items()) if names else names,
               tuple((k, *v) for k, v in values.items()) if values is not None else None)
        template = _UPDATE_TEMPLATES.get(key)
    except (TypeError, AttributeError):
        key = template = None
    if template is not None:
        upd, refs = template
        if values is not None:
            check_values(values)
        ops = [op if ref is None else
               op._replace(value=compile_value(Const(values[ref]))) if op.kind == "SET" else  # type: ignore[index]
               op._replace(operand=values[ref])  # type: ignore[index]
               for op, ref in zip(upd._ops, refs, strict=True)]
        return Plan(update=upd.with_ops(ops))
    plan = general()
    if key is not None and plan.update is not None:
        if len(_UPDATE_TEMPLATES) >= MAX_KEY_TEMPLATES:
            _UPDATE_TEMPLATES.clear()
        actions = static.parse(static.UPDATE, text).actions
        if all(a.value is None or isinstance(a.value, ValueRef) for a in actions) and \
                len(actions) == len(plan.update._ops):
            refs = tuple(None if a.value is None else a.value.name for a in actions)  # type: ignore[union-attr]
            _UPDATE_TEMPLATES[key] = (plan.update, refs)
    return plan


def _key_only(params: dict[str, Any], hash_name: str, range_name: str | None, general: Callable[[], Plan]) -> Plan:
    """The plan of a Query with a KeyConditionExpression and nothing else to compile.

    The template records which value names fill the partition and sort key conditions; it is made
    by the general path (so every check and error is the general path's) and used only for requests
    that would pass the same checks: same expression, names and value types (the checks depend on
    values only through their types, except BETWEEN's bound order: not templated). Value contents
    are checked per request, as the general path does first.
    """
    text = params["KeyConditionExpression"]
    names = params.get("ExpressionAttributeNames")
    values: dict[str, Any] = params["ExpressionAttributeValues"]
    key: tuple[Any, ...] | None
    template: tuple[str, str | None, tuple[str, ...]] | None
    try:
        key = (text, hash_name, range_name, tuple(names.items()) if names else names,
               tuple((k, *v) for k, v in values.items()))
        template = _KEY_TEMPLATES.get(key)
    except (TypeError, AttributeError):  # unhashable or malformed members: the general path says why
        key = template = None
    if template is not None:
        check_values(values)
        hash_ref, range_op, range_refs = template
        return Plan(key_condition=KeyCondition(
            hash_name, values[hash_ref], range_name, range_op, tuple(values[r] for r in range_refs)))
    plan = general()
    kc = plan.key_condition
    if key is not None and kc is not None and kc.range_op != "BETWEEN":
        if len(_KEY_TEMPLATES) >= MAX_KEY_TEMPLATES:
            _KEY_TEMPLATES.clear()
        by_id = {id(v): k for k, v in values.items()}
        found = [by_id.get(id(v)) for v in (kc.hash_value, *kc.range_values)]
        refs = [r for r in found if r is not None]
        if len(refs) == len(found):
            _KEY_TEMPLATES[key] = (refs[0], kc.range_op, tuple(refs[1:]))
    return plan


def _general(params: dict[str, Any], table: TableDef | None, wants: Wants) -> Plan:
    """The plan, compiled from the request's expressions (or legacy parameters) as they come."""
    operation, condition, filter_param, projection, update, key_condition, index_keys = wants
    legacy.check_mixing(params)
    legacy.check_expression_params(params, operation)
    ex = Expressions(params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues"))
    op = params.get("ConditionalOperator")
    plan = Plan()
    if condition:
        if "ConditionExpression" in params:
            plan.condition = ex.condition(params["ConditionExpression"], "ConditionExpression")
        elif params.get("Expected"):
            plan.condition = legacy.expected(params["Expected"], op)
    if filter_param is not None:
        if "FilterExpression" in params:
            plan.filter = ex.condition(params["FilterExpression"], "FilterExpression")
        elif params.get(filter_param):
            plan.filter = legacy.conditions(params[filter_param], op, filter_param)
    if projection:
        if "ProjectionExpression" in params:
            plan.projection = ex.projection(params["ProjectionExpression"])
        elif params.get("AttributesToGet"):
            plan.projection = legacy.attributes_to_get(params["AttributesToGet"])
    if update:
        if "UpdateExpression" in params:
            plan.update = ex.update(params["UpdateExpression"])
        elif params.get("AttributeUpdates"):
            plan.update = legacy.attribute_updates(params["AttributeUpdates"])
    if key_condition:
        assert table is not None
        hash_name, range_name = index_keys or (table.hash_name, table.range_name)
        if "KeyConditionExpression" in params:
            plan.key_condition = ex.key_condition(
                params["KeyConditionExpression"], hash_name, range_name
            )
        elif params.get("KeyConditions"):
            plan.key_condition = legacy.key_conditions(params["KeyConditions"], hash_name, range_name)
    ex.check_unused()
    return plan


def return_values(params: dict[str, Any], allowed: tuple[str, ...]) -> str:
    rv = params.get("ReturnValues") or "NONE"
    if rv not in allowed:
        raise errors.validation("Return values set to invalid value")
    return rv
