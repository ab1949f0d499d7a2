"""Lambda's operations (control plane), over the rest-json protocol.

https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
"""

from __future__ import annotations

from typing import Any

from cloudlet.protocol.context import Context
from cloudlet.protocol.models import service_model
from cloudlet.protocol.rest_json import Operation, RestJsonService
from cloudlet.protocol.validate import LAMBDA, ModelValidator
from cloudlet.services.lambda_.engine import access, control, errors
from cloudlet.services.lambda_.engine.functions import Function, Functions
from cloudlet.services.lambda_.engine.invoke import Invoker

Params = dict[str, Any]


class LambdaApi:
    def __init__(self, functions: Functions, invoker: Invoker, endpoint: str) -> None:
        self.fns = functions
        self.invoker = invoker
        self.endpoint = endpoint  # cloudlet's own URL, for GetFunction's Code.Location

    def _fn(self, p: Params, ctx: Context) -> Function:
        return self.fns.get(ctx.account, ctx.region, p["FunctionName"])

    def _by_arn(self, arn: str, ctx: Context) -> Function:
        if not arn.startswith("arn:aws:lambda:") or ":function:" not in arn:
            raise errors.invalid(f"Invalid resource ARN: {arn}")
        return self.fns.get(ctx.account, ctx.region, arn)

    async def create_function(self, p: Params, ctx: Context) -> Params:
        fn = await self.fns.create(ctx.account, ctx.region, p)
        if fn.config.get("Runtime"):
            self.invoker.prepare(fn.config["Runtime"])
        return fn.describe(str(fn.next_version - 1) if p.get("Publish") else "$LATEST")

    async def invoke(self, p: Params, ctx: Context) -> Params:
        return await self.invoker.invoke(self._fn(p, ctx), p)

    async def get_function(self, p: Params, ctx: Context) -> Params:
        return await control.get_function(self.fns, self._fn(p, ctx), p, self.endpoint)

    async def get_function_configuration(self, p: Params, ctx: Context) -> Params:
        return control.get_configuration(self._fn(p, ctx), p)

    async def list_functions(self, p: Params, ctx: Context) -> Params:
        return control.list_functions(self.fns, ctx.account, ctx.region, p)

    async def update_function_code(self, p: Params, ctx: Context) -> Params:
        return await control.update_code(self.fns, self._fn(p, ctx), p)

    async def update_function_configuration(self, p: Params, ctx: Context) -> Params:
        return await control.update_configuration(self.fns, self._fn(p, ctx), p)

    async def delete_function(self, p: Params, ctx: Context) -> None:
        fn = self._fn(p, ctx)
        await control.delete_function(self.fns, fn, p)
        await self.invoker.retire(fn)

    async def publish_version(self, p: Params, ctx: Context) -> Params:
        return await control.publish_version(self.fns, self._fn(p, ctx), p)

    async def list_versions_by_function(self, p: Params, ctx: Context) -> Params:
        return control.list_versions(self._fn(p, ctx), p)

    async def tag_resource(self, p: Params, ctx: Context) -> None:
        await control.tag(self.fns, self._by_arn(p["Resource"], ctx), p["Tags"])

    async def untag_resource(self, p: Params, ctx: Context) -> None:
        await control.untag(self.fns, self._by_arn(p["Resource"], ctx), p["TagKeys"])

    async def list_tags(self, p: Params, ctx: Context) -> Params:
        return {"Tags": dict(self._by_arn(p["Resource"], ctx).tags)}

    async def put_function_concurrency(self, p: Params, ctx: Context) -> Params:
        return await control.put_concurrency(self.fns, self._fn(p, ctx), p["ReservedConcurrentExecutions"])

    async def get_function_concurrency(self, p: Params, ctx: Context) -> Params:
        n = self._fn(p, ctx).reserved_concurrency
        return {} if n is None else {"ReservedConcurrentExecutions": n}

    async def delete_function_concurrency(self, p: Params, ctx: Context) -> None:
        await control.delete_concurrency(self.fns, self._fn(p, ctx))

    # -- permissions and aliases
    async def add_permission(self, p: Params, ctx: Context) -> Params:
        return await access.add_permission(self.fns, self._fn(p, ctx), p)

    async def remove_permission(self, p: Params, ctx: Context) -> None:
        await access.remove_permission(self.fns, self._fn(p, ctx), p)

    async def get_policy(self, p: Params, ctx: Context) -> Params:
        return access.get_policy(self._fn(p, ctx), p)

    async def create_alias(self, p: Params, ctx: Context) -> Params:
        return await access.create_alias(self.fns, self._fn(p, ctx), p)

    async def get_alias(self, p: Params, ctx: Context) -> Params:
        return access.get_alias(self._fn(p, ctx), p)

    async def update_alias(self, p: Params, ctx: Context) -> Params:
        return await access.update_alias(self.fns, self._fn(p, ctx), p)

    async def delete_alias(self, p: Params, ctx: Context) -> None:
        await access.delete_alias(self.fns, self._fn(p, ctx), p)

    async def list_aliases(self, p: Params, ctx: Context) -> Params:
        return access.list_aliases(self._fn(p, ctx), p)

    def operations(self) -> dict[str, Operation]:
        return {
            "CreateFunction": self.create_function,
            "Invoke": self.invoke,
            "GetFunction": self.get_function,
            "GetFunctionConfiguration": self.get_function_configuration,
            "ListFunctions": self.list_functions,
            "UpdateFunctionCode": self.update_function_code,
            "UpdateFunctionConfiguration": self.update_function_configuration,
            "DeleteFunction": self.delete_function,
            "PublishVersion": self.publish_version,
            "ListVersionsByFunction": self.list_versions_by_function,
            "TagResource": self.tag_resource,
            "UntagResource": self.untag_resource,
            "ListTags": self.list_tags,
            "PutFunctionConcurrency": self.put_function_concurrency,
            "GetFunctionConcurrency": self.get_function_concurrency,
            "DeleteFunctionConcurrency": self.delete_function_concurrency,
            "AddPermission": self.add_permission,
            "RemovePermission": self.remove_permission,
            "GetPolicy": self.get_policy,
            "CreateAlias": self.create_alias,
            "GetAlias": self.get_alias,
            "UpdateAlias": self.update_alias,
            "DeleteAlias": self.delete_alias,
            "ListAliases": self.list_aliases,
        }


def build_service(functions: Functions, invoker: Invoker, endpoint: str) -> RestJsonService:
    model = service_model("lambda")
    return RestJsonService(
        "Lambda", model, LambdaApi(functions, invoker, endpoint).operations(),
        validator=ModelValidator(model, flavour=LAMBDA).validate,
    )
