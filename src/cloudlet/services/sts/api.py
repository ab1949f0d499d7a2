"""STS's operations over the query protocol."""

from __future__ import annotations

from typing import Any

from cloudlet.protocol.context import Context
from cloudlet.protocol.models import service_model
from cloudlet.protocol.query import QUERY_FLAVOUR, QueryService
from cloudlet.protocol.validate import ModelValidator
from cloudlet.services.sts.engine import Sts

# Real IAM and STS redirect a request without Action to the IAM home page.
MISSING_ACTION_LOCATION = "https://aws.amazon.com/iam"


def build_service(sts: Sts) -> QueryService:
    async def get_caller_identity(p: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return await sts.caller_identity(ctx.account, ctx.access_key)

    async def assume_role(p: dict[str, Any], ctx: Context) -> dict[str, Any]:
        caller = (await sts.caller_identity(ctx.account, ctx.access_key))["Arn"]
        return await sts.assume_role(ctx.account, caller, p)

    model = service_model("sts")
    return QueryService(
        "STS", model, {"GetCallerIdentity": get_caller_identity, "AssumeRole": assume_role},
        validator=ModelValidator(model, flavour=QUERY_FLAVOUR).validate,
        missing_action_location=MISSING_ACTION_LOCATION,
    )
