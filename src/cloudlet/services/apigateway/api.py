"""API Gateway's control plane (REST APIs, the `apigateway` rest-json API), wire dicts to engine calls.

https://docs.aws.amazon.com/apigateway/latest/api/API_Operations.html
Operations cloudlet does not implement (API keys, usage plans, domain names, ...) answer
UnknownOperationException; docs/apigateway.md lists them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from cloudlet.protocol.context import Context
from cloudlet.protocol.models import service_model
from cloudlet.protocol.rest_json import Operation, RestJsonService
from cloudlet.protocol.validate import ModelValidator, ValidationFlavour
from cloudlet.server.http import Request
from cloudlet.services.apigateway.engine import errors, exchange, methods, models, resources, restapis, stages
from cloudlet.services.apigateway.engine.apis import RestApi, RestApis
from cloudlet.services.apigateway.engine.definition import ApiDefinition

Params = dict[str, Any]
# TestInvokeMethod is run by the data plane: (draft definition, account, region, request) -> output.
TestInvoke = Callable[[ApiDefinition, str, str, Params], Awaitable[Params]]
# API Gateway answers BadRequestException for input its model rejects (missing member, bad enum value).
APIGATEWAY = ValidationFlavour(error_code="BadRequestException")


class ApiGatewayApi:
    def __init__(self, apis: RestApis, test_invoke: TestInvoke | None, endpoint: str) -> None:
        self.apis = apis
        self.test_invoke = test_invoke
        self.endpoint = endpoint  # cloudlet's own URL, for GetExport's server address

    def _api(self, p: Params, ctx: Context) -> RestApi:
        return self.apis.get(ctx.account, ctx.region, p["restApiId"])

    # -- REST APIs, tags, account
    async def create_rest_api(self, p: Params, ctx: Context) -> Params:
        return await restapis.create(self.apis, ctx.account, ctx.region, p)

    async def get_rest_api(self, p: Params, ctx: Context) -> Params:
        return self._api(p, ctx).draft.api

    async def get_rest_apis(self, p: Params, ctx: Context) -> Params:
        return restapis.list_apis(self.apis, ctx.account, ctx.region, p)

    async def update_rest_api(self, p: Params, ctx: Context) -> Params:
        return await restapis.update(self.apis, self._api(p, ctx), p)

    async def delete_rest_api(self, p: Params, ctx: Context) -> None:
        await self.apis.delete(self._api(p, ctx))

    async def import_rest_api(self, p: Params, ctx: Context) -> Params:
        return await exchange.import_rest_api(self.apis, ctx.account, ctx.region, p)

    async def put_rest_api(self, p: Params, ctx: Context) -> Params:
        return await exchange.put_rest_api(self.apis, self._api(p, ctx), p)

    async def get_export(self, p: Params, ctx: Context) -> Params:
        return exchange.get_export(self._api(p, ctx), p, self.endpoint)

    async def tag_resource(self, p: Params, ctx: Context) -> None:
        await restapis.tag(self.apis, ctx.account, ctx.region, p["resourceArn"], p["tags"])

    async def untag_resource(self, p: Params, ctx: Context) -> None:
        await restapis.untag(self.apis, ctx.account, ctx.region, p["resourceArn"], p["tagKeys"])

    async def get_tags(self, p: Params, ctx: Context) -> Params:
        return restapis.get_tags(self.apis, ctx.account, ctx.region, p["resourceArn"])

    async def get_account(self, p: Params, ctx: Context) -> Params:
        return self.apis.account_settings(ctx.account, ctx.region)

    async def update_account(self, p: Params, ctx: Context) -> Params:
        return await restapis.update_account(self.apis, ctx.account, ctx.region, p)

    # -- resources
    async def create_resource(self, p: Params, ctx: Context) -> Params:
        return await resources.create(self.apis, self._api(p, ctx), p)

    async def get_resource(self, p: Params, ctx: Context) -> Params:
        return resources.get(self._api(p, ctx), p)

    async def get_resources(self, p: Params, ctx: Context) -> Params:
        return resources.list_resources(self._api(p, ctx), p)

    async def update_resource(self, p: Params, ctx: Context) -> Params:
        return await resources.update(self.apis, self._api(p, ctx), p)

    async def delete_resource(self, p: Params, ctx: Context) -> None:
        await resources.delete(self.apis, self._api(p, ctx), p)

    # -- methods and method responses
    async def put_method(self, p: Params, ctx: Context) -> Params:
        return await methods.put_method(self.apis, self._api(p, ctx), p)

    async def get_method(self, p: Params, ctx: Context) -> Params:
        return methods.find(self._api(p, ctx).draft, p["resourceId"], p["httpMethod"])

    async def update_method(self, p: Params, ctx: Context) -> Params:
        return await methods.update_method(self.apis, self._api(p, ctx), p)

    async def delete_method(self, p: Params, ctx: Context) -> None:
        await methods.delete_method(self.apis, self._api(p, ctx), p)

    async def put_method_response(self, p: Params, ctx: Context) -> Params:
        return await methods.put_method_response(self.apis, self._api(p, ctx), p)

    async def get_method_response(self, p: Params, ctx: Context) -> Params:
        method = methods.find(self._api(p, ctx).draft, p["resourceId"], p["httpMethod"])
        return methods.find_method_response(method, p["statusCode"])

    async def update_method_response(self, p: Params, ctx: Context) -> Params:
        return await methods.update_method_response(self.apis, self._api(p, ctx), p)

    async def delete_method_response(self, p: Params, ctx: Context) -> None:
        await methods.delete_method_response(self.apis, self._api(p, ctx), p)

    async def test_invoke_method(self, p: Params, ctx: Context) -> Params:
        api = self._api(p, ctx)
        if self.test_invoke is None:
            raise errors.not_implemented("cloudlet cannot run TestInvokeMethod yet")
        return await self.test_invoke(api.draft, ctx.account, ctx.region, p)

    # -- integrations and integration responses
    async def put_integration(self, p: Params, ctx: Context) -> Params:
        return await methods.put_integration(self.apis, self._api(p, ctx), p)

    async def get_integration(self, p: Params, ctx: Context) -> Params:
        return methods.find_integration(self._api(p, ctx).draft, p)

    async def update_integration(self, p: Params, ctx: Context) -> Params:
        return await methods.update_integration(self.apis, self._api(p, ctx), p)

    async def delete_integration(self, p: Params, ctx: Context) -> None:
        await methods.delete_integration(self.apis, self._api(p, ctx), p)

    async def put_integration_response(self, p: Params, ctx: Context) -> Params:
        return await methods.put_integration_response(self.apis, self._api(p, ctx), p)

    async def get_integration_response(self, p: Params, ctx: Context) -> Params:
        integration = methods.find_integration(self._api(p, ctx).draft, p)
        return methods.find_integration_response(integration, p["statusCode"])

    async def update_integration_response(self, p: Params, ctx: Context) -> Params:
        return await methods.update_integration_response(self.apis, self._api(p, ctx), p)

    async def delete_integration_response(self, p: Params, ctx: Context) -> None:
        await methods.delete_integration_response(self.apis, self._api(p, ctx), p)

    # -- deployments and stages
    async def create_deployment(self, p: Params, ctx: Context) -> Params:
        return await stages.create_deployment(self.apis, self._api(p, ctx), p)

    async def get_deployment(self, p: Params, ctx: Context) -> Params:
        return stages.get_deployment(self._api(p, ctx), p)

    async def get_deployments(self, p: Params, ctx: Context) -> Params:
        return stages.list_deployments(self._api(p, ctx), p)

    async def update_deployment(self, p: Params, ctx: Context) -> Params:
        return await stages.update_deployment(self.apis, self._api(p, ctx), p)

    async def delete_deployment(self, p: Params, ctx: Context) -> None:
        await stages.delete_deployment(self.apis, self._api(p, ctx), p)

    async def create_stage(self, p: Params, ctx: Context) -> Params:
        return await stages.create_stage(self.apis, self._api(p, ctx), p)

    async def get_stage(self, p: Params, ctx: Context) -> Params:
        return self._api(p, ctx).stage(p["stageName"])

    async def get_stages(self, p: Params, ctx: Context) -> Params:
        return stages.list_stages(self._api(p, ctx), p)

    async def update_stage(self, p: Params, ctx: Context) -> Params:
        return await stages.update_stage(self.apis, self._api(p, ctx), p)

    async def delete_stage(self, p: Params, ctx: Context) -> None:
        await stages.delete_stage(self.apis, self._api(p, ctx), p)

    async def flush_stage_cache(self, p: Params, ctx: Context) -> None:
        self._api(p, ctx).stage(p["stageName"])  # nothing cached by the control plane: only the check

    # -- models, request validators, gateway responses, authorizers
    async def create_model(self, p: Params, ctx: Context) -> Params:
        return await models.create_model(self.apis, self._api(p, ctx), p)

    async def get_model(self, p: Params, ctx: Context) -> Params:
        return models.find_model(self._api(p, ctx), p["modelName"])

    async def get_models(self, p: Params, ctx: Context) -> Params:
        return models.list_models(self._api(p, ctx), p)

    async def update_model(self, p: Params, ctx: Context) -> Params:
        return await models.update_model(self.apis, self._api(p, ctx), p)

    async def delete_model(self, p: Params, ctx: Context) -> None:
        await models.delete_model(self.apis, self._api(p, ctx), p)

    async def get_model_template(self, p: Params, ctx: Context) -> Params:
        return models.model_template(self._api(p, ctx), p)

    async def create_request_validator(self, p: Params, ctx: Context) -> Params:
        return await models.create_validator(self.apis, self._api(p, ctx), p)

    async def get_request_validator(self, p: Params, ctx: Context) -> Params:
        return models.find_validator(self._api(p, ctx), p["requestValidatorId"])

    async def get_request_validators(self, p: Params, ctx: Context) -> Params:
        return models.list_validators(self._api(p, ctx), p)

    async def update_request_validator(self, p: Params, ctx: Context) -> Params:
        return await models.update_validator(self.apis, self._api(p, ctx), p)

    async def delete_request_validator(self, p: Params, ctx: Context) -> None:
        await models.delete_validator(self.apis, self._api(p, ctx), p)

    async def put_gateway_response(self, p: Params, ctx: Context) -> Params:
        return await models.put_gateway_response(self.apis, self._api(p, ctx), p)

    async def get_gateway_response(self, p: Params, ctx: Context) -> Params:
        return models.get_gateway_response(self._api(p, ctx), p["responseType"])

    async def get_gateway_responses(self, p: Params, ctx: Context) -> Params:
        return models.list_gateway_responses(self._api(p, ctx), p)

    async def update_gateway_response(self, p: Params, ctx: Context) -> Params:
        return await models.update_gateway_response(self.apis, self._api(p, ctx), p)

    async def delete_gateway_response(self, p: Params, ctx: Context) -> None:
        await models.delete_gateway_response(self.apis, self._api(p, ctx), p)

    async def create_authorizer(self, p: Params, ctx: Context) -> Params:
        return await models.create_authorizer(self.apis, self._api(p, ctx), p)

    async def get_authorizer(self, p: Params, ctx: Context) -> Params:
        return models.find_authorizer(self._api(p, ctx), p["authorizerId"])

    async def get_authorizers(self, p: Params, ctx: Context) -> Params:
        return models.list_authorizers(self._api(p, ctx), p)

    async def update_authorizer(self, p: Params, ctx: Context) -> Params:
        return await models.update_authorizer(self.apis, self._api(p, ctx), p)

    async def delete_authorizer(self, p: Params, ctx: Context) -> None:
        await models.delete_authorizer(self.apis, self._api(p, ctx), p)

    def operations(self) -> dict[str, Operation]:
        names = {
            "CreateRestApi", "GetRestApi", "GetRestApis", "UpdateRestApi", "DeleteRestApi", "ImportRestApi",
            "PutRestApi", "GetExport", "TagResource", "UntagResource", "GetTags", "GetAccount", "UpdateAccount",
            "CreateResource", "GetResource", "GetResources", "UpdateResource", "DeleteResource",
            "PutMethod", "GetMethod", "UpdateMethod", "DeleteMethod", "TestInvokeMethod",
            "PutMethodResponse", "GetMethodResponse", "UpdateMethodResponse", "DeleteMethodResponse",
            "PutIntegration", "GetIntegration", "UpdateIntegration", "DeleteIntegration",
            "PutIntegrationResponse", "GetIntegrationResponse", "UpdateIntegrationResponse",
            "DeleteIntegrationResponse",
            "CreateDeployment", "GetDeployment", "GetDeployments", "UpdateDeployment", "DeleteDeployment",
            "CreateStage", "GetStage", "GetStages", "UpdateStage", "DeleteStage",
            "CreateModel", "GetModel", "GetModels", "UpdateModel", "DeleteModel", "GetModelTemplate",
            "CreateRequestValidator", "GetRequestValidator", "GetRequestValidators", "UpdateRequestValidator",
            "DeleteRequestValidator",
            "PutGatewayResponse", "GetGatewayResponse", "GetGatewayResponses", "UpdateGatewayResponse",
            "DeleteGatewayResponse",
            "CreateAuthorizer", "GetAuthorizer", "GetAuthorizers", "UpdateAuthorizer", "DeleteAuthorizer",
        }
        ops: dict[str, Operation] = {name: getattr(self, _snake(name)) for name in names}
        ops["FlushStageCache"] = ops["FlushStageAuthorizersCache"] = self.flush_stage_cache
        return ops


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


_TAG_OPS = {"GET": "GetTags", "PUT": "TagResource", "DELETE": "UntagResource"}


class ApiGatewayService(RestJsonService):
    def match(self, request: Request) -> tuple[str, dict[str, str]] | None:
        # A tagged resource's ARN holds slashes (arn:aws:apigateway:us-east-1::/restapis/a1): clients
        # send them percent-encoded, but the path arrives decoded, so /tags/{resource_arn} takes the rest.
        if request.path.startswith("/tags/") and request.method in _TAG_OPS:
            return _TAG_OPS[request.method], {"resource_arn": request.path[len("/tags/"):]}
        return super().match(request)


def build_service(apis: RestApis, test_invoke: TestInvoke | None = None, *,
                  endpoint: str = "http://localhost:4566") -> RestJsonService:
    model = service_model("apigateway")
    return ApiGatewayService(
        "API Gateway", model, ApiGatewayApi(apis, test_invoke, endpoint).operations(),
        validator=ModelValidator(model, flavour=APIGATEWAY).validate,
    )
