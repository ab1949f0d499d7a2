"""Turn a request's expressions (or their legacy equivalents) into compiled objects.

Everything a request names is compiled and checked here, before any item is read or written:
mixing rules, undefined/unused names and values, syntax. Parsing is cached by expression text
inside the expressions package; only binding happens per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloudlet.services.dynamodb.engine import errors
from cloudlet.services.dynamodb.engine.tables import TableDef
from cloudlet.services.dynamodb.expressions import (
    Condition,
    Expressions,
    KeyCondition,
    Projection,
    Update,
    legacy,
)

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
