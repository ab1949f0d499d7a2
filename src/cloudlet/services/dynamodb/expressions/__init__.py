"""DynamoDB's expression language: KeyCondition, Condition, Filter, Projection and Update
expressions, and the legacy parameters they replaced (see `legacy`).

    ex = Expressions(request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues"))
    cond = ex.condition(text, "ConditionExpression")   # cond.evaluate(item_or_None) -> bool
    proj = ex.projection(text)                          # proj.apply(item) -> new item
    upd = ex.update(text)                               # upd.apply(item) -> new item
    kc = ex.key_condition(text, hash_name, range_name)  # kc.hash_value, kc.range_op, ...
    ex.check_unused()

Parsing is cached by expression text; binding names and values happens per request.
"""

from cloudlet.services.dynamodb.expressions import legacy
from cloudlet.services.dynamodb.expressions.bind import Expressions
from cloudlet.services.dynamodb.expressions.evaluate import Condition
from cloudlet.services.dynamodb.expressions.keycond import KeyCondition
from cloudlet.services.dynamodb.expressions.paths import Projection
from cloudlet.services.dynamodb.expressions.update import Update

__all__ = ["Condition", "Expressions", "KeyCondition", "Projection", "Update", "legacy"]
