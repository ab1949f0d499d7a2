"""IAM's operations (the roles-and-policies part the tutorials use), over the query protocol.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from cloudlet.protocol.context import Context
from cloudlet.protocol.json_rpc import Operation
from cloudlet.protocol.models import service_model
from cloudlet.protocol.query import QUERY_FLAVOUR, QueryService
from cloudlet.protocol.validate import ModelValidator
from cloudlet.services.iam.engine import policies, roles
from cloudlet.services.iam.engine.state import IamState

# Real IAM and STS redirect a request without Action to the IAM home page.
MISSING_ACTION_LOCATION = "https://aws.amazon.com/iam"

EngineOp = Callable[[IamState, str, dict[str, Any]], Awaitable[dict[str, Any]]]

_OPERATIONS: dict[str, EngineOp] = {
    "CreateRole": roles.create,
    "GetRole": roles.get,
    "ListRoles": roles.list_roles,
    "UpdateRole": roles.update,
    "UpdateAssumeRolePolicy": roles.update_trust,
    "DeleteRole": roles.delete,
    "PutRolePolicy": roles.put_policy,
    "GetRolePolicy": roles.get_policy,
    "ListRolePolicies": roles.list_policies,
    "DeleteRolePolicy": roles.delete_policy,
    "AttachRolePolicy": roles.attach,
    "DetachRolePolicy": roles.detach,
    "ListAttachedRolePolicies": roles.list_attached,
    "TagRole": roles.tag,
    "UntagRole": roles.untag,
    "ListRoleTags": roles.list_tags,
    "CreatePolicy": policies.create,
    "GetPolicy": policies.get,
    "GetPolicyVersion": policies.get_version,
    "ListPolicyVersions": policies.list_versions,
    "CreatePolicyVersion": policies.create_version,
    "DeletePolicyVersion": policies.delete_version,
    "ListPolicies": policies.list_policies,
    "DeletePolicy": policies.delete,
}


def _bind(state: IamState, op: EngineOp) -> Operation:
    async def call(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return await op(state, ctx.account, params)

    return call


def build_service(state: IamState) -> QueryService:
    model = service_model("iam")
    validator = ModelValidator(model, flavour=QUERY_FLAVOUR)
    return QueryService(
        "IAM", model, {name: _bind(state, op) for name, op in _OPERATIONS.items()},
        validator=validator.validate,
        missing_action_location=MISSING_ACTION_LOCATION,
    )
