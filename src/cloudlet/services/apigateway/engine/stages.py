"""Deployments (frozen snapshots of the draft) and stages (named pointers to a deployment, with
variables and per-method settings).

https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html
https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html
https://docs.aws.amazon.com/apigateway/latest/api/API_MethodSetting.html
"""

from __future__ import annotations

import re
from typing import Any

from cloudlet.services.apigateway.engine import errors
from cloudlet.services.apigateway.engine.apis import Deployment, RestApi, RestApis, paginate
from cloudlet.services.apigateway.engine.definition import ApiDefinition
from cloudlet.services.apigateway.engine.ids import unique_id
from cloudlet.services.apigateway.engine.methods import HTTP_METHODS
from cloudlet.services.apigateway.engine.patch import (
    Convert,
    Entry,
    Field,
    PatchTable,
    Rule,
    one_of,
    to_bool,
    to_float,
    to_int,
)
from cloudlet.services.apigateway.engine.restapis import now

Doc = dict[str, Any]
_STAGE_NAME = re.compile(r"[A-Za-z0-9_]+")
_VARIABLE_NAME = re.compile(r"[A-Za-z0-9_]+")
CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")

# `/{resource path}/{method}/{area}/{setting}` -> MethodSetting member. The key of Stage.methodSettings is
# the path's text before the setting, as sent: "*/*", "~1pets/GET" (or Terraform's "pets/GET").
SETTINGS: dict[str, tuple[str, Convert]] = {
    "logging/loglevel": ("loggingLevel", one_of("OFF", "ERROR", "INFO")),
    "logging/dataTrace": ("dataTraceEnabled", to_bool),
    "metrics/enabled": ("metricsEnabled", to_bool),
    "throttling/burstLimit": ("throttlingBurstLimit", to_int),
    "throttling/rateLimit": ("throttlingRateLimit", to_float),
    "caching/enabled": ("cachingEnabled", to_bool),
    "caching/ttlInSeconds": ("cacheTtlInSeconds", to_int),
    "caching/dataEncrypted": ("cacheDataEncrypted", to_bool),
    "caching/requireAuthorizationForCacheControl": ("requireAuthorizationForCacheControl", to_bool),
    "caching/unauthorizedCacheControlHeaderStrategy": (
        "unauthorizedCacheControlHeaderStrategy",
        one_of("FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER")),
}
# A new entry of methodSettings starts from these (the account's default throttle, caching off).
METHOD_SETTING_DEFAULTS: Doc = {
    "metricsEnabled": False, "loggingLevel": "OFF", "dataTraceEnabled": False, "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0, "cachingEnabled": False, "cacheTtlInSeconds": 300, "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}


def _is_method(segment: str) -> bool:
    return segment == "*" or segment in HTTP_METHODS


class MethodSettingRule(Rule):
    def __init__(self) -> None:
        super().__init__("/{resourcePath}/{httpMethod}/{area}/{setting}")

    def match(self, segments: list[str]) -> tuple[str, ...] | None:
        setting = "/".join(segments[-2:])
        if len(segments) >= 4 and setting in SETTINGS and _is_method(segments[-3]):
            return "/".join(segments[:-2]), setting
        return None

    def apply(self, doc: Doc, captured: tuple[str, ...], op: str, value: str | None, path: str) -> None:
        key, setting = captured
        member, convert = SETTINGS[setting]
        settings = doc.setdefault("methodSettings", {})
        entry = dict(settings.get(key) or METHOD_SETTING_DEFAULTS)
        entry[member] = convert(value or "", path)
        settings[key] = entry


class MethodSettingRemoval(Rule):
    """`remove /{resourcePath}/{httpMethod}` drops that method's override (as Terraform's
    aws_api_gateway_method_settings does on destroy)."""

    def __init__(self) -> None:
        super().__init__("/{resourcePath}/{httpMethod}", ops=("remove",))

    def match(self, segments: list[str]) -> tuple[str, ...] | None:
        return ("/".join(segments),) if len(segments) >= 2 and _is_method(segments[-1]) else None

    def apply(self, doc: Doc, captured: tuple[str, ...], op: str, value: str | None, path: str) -> None:
        doc.get("methodSettings", {}).pop(captured[0], None)


STAGE_PATCH = PatchTable(
    Field("/description"), Field("/deploymentId", ops=("replace", "copy")), Field("/clientCertificateId"),
    Field("/documentationVersion"), Field("/tracingEnabled", to_bool), Field("/cacheClusterEnabled", to_bool),
    Field("/cacheClusterSize", one_of(*CACHE_SIZES)), Field("/webAclArn"), Entry("/variables/{variableName}"),
    Field("/accessLogSettings/destinationArn"), Field("/accessLogSettings/format"),
    Field("/accessLogSettings", ops=("remove",)),
    Field("/canarySettings/percentTraffic", to_float), Field("/canarySettings/deploymentId", ops=("replace", "copy")),
    Field("/canarySettings/useStageCache", to_bool), Entry("/canarySettings/stageVariableOverrides/{variableName}"),
    Field("/canarySettings", ops=("remove",)),
    MethodSettingRule(), MethodSettingRemoval(),
)
DEPLOYMENT_PATCH = PatchTable(Field("/description"))


# -- deployments ------------------------------------------------------------------------------------


def check_deployable(definition: ApiDefinition) -> None:
    methods = [m for r in definition.resources.values() for m in (r.get("resourceMethods") or {}).values()]
    if not methods:
        raise errors.bad_request("The REST API doesn't contain any methods")
    if any("methodIntegration" not in m for m in methods):
        raise errors.bad_request("No integration defined for method")


def api_summary(definition: ApiDefinition) -> Doc:
    """GetDeployment(embed=apisummary): path -> method -> {authorizationType, apiKeyRequired}."""
    out: Doc = {}
    for r in definition.resources.values():
        for verb, m in (r.get("resourceMethods") or {}).items():
            out.setdefault(r["path"], {})[verb] = {"authorizationType": m.get("authorizationType", "NONE"),
                                                   "apiKeyRequired": bool(m.get("apiKeyRequired"))}
    return out


async def create_deployment(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    check_deployable(api.draft)
    name = p.get("stageName")
    if name:
        check_stage_name(name)
    check_variables(p.get("variables") or {})
    deployment = Deployment(unique_id(api.deployments), now(), p.get("description"), api.draft.frozen())
    api.deployments[deployment.id] = deployment
    if name:
        existing = api.stages.get(name)
        if existing is None:
            settings = {k: p.get(k) for k in ("variables", "cacheClusterEnabled", "cacheClusterSize", "tracingEnabled")}
            api.stages[name] = new_stage(name, deployment.id, {**settings, "description": p.get("stageDescription")})
        else:
            stage = {**existing, "deploymentId": deployment.id, "lastUpdatedDate": now()}
            if p.get("stageDescription") is not None:
                stage["description"] = p["stageDescription"]
            if p.get("variables"):
                stage["variables"] = {**existing.get("variables", {}), **p["variables"]}
            api.stages[name] = stage
    await apis.save(api, deployment=deployment)
    return deployment.summary()


def get_deployment(api: RestApi, p: Doc) -> Doc:
    deployment = api.deployment(p["deploymentId"])
    out = deployment.summary()
    if "apisummary" in (p.get("embed") or []):
        out["apiSummary"] = api_summary(deployment.definition)
    return out


def list_deployments(api: RestApi, p: Doc) -> Doc:
    items, position = paginate(((f"{d.created:012d}{d.id}", d.summary()) for d in api.deployments.values()), p)
    return {"items": items, "position": position}


async def update_deployment(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    deployment = api.deployment(p["deploymentId"])
    changed = DEPLOYMENT_PATCH.apply(deployment.summary(), p.get("patchOperations") or [])
    deployment.description = changed.get("description")
    await apis.save(api)
    return deployment.summary()


async def delete_deployment(apis: RestApis, api: RestApi, p: Doc) -> None:
    deployment = api.deployment(p["deploymentId"])
    for stage in api.stages.values():
        if deployment.id in (stage.get("deploymentId"), (stage.get("canarySettings") or {}).get("deploymentId")):
            raise errors.bad_request("Active stages pointing to this deployment must be moved or deleted")
    del api.deployments[deployment.id]
    await apis.save(api, dropped=(deployment.id,))


# -- stages -----------------------------------------------------------------------------------------


def check_stage_name(name: str) -> None:
    if not _STAGE_NAME.fullmatch(name):
        raise errors.bad_request("Stage name only allows a-zA-Z0-9_")


def check_variables(variables: dict[str, str]) -> None:
    for name in variables:
        if not _VARIABLE_NAME.fullmatch(name):
            raise errors.bad_request(  # (unconfirmed)
                f"Stage variable name {name} must match the pattern [A-Za-z0-9_]+")


def new_stage(name: str, deployment_id: str, p: Doc) -> Doc:
    t = now()
    enabled = bool(p.get("cacheClusterEnabled"))
    stage: Doc = {"stageName": name, "deploymentId": deployment_id, "cacheClusterEnabled": enabled,
                  "cacheClusterStatus": "AVAILABLE" if enabled else "NOT_AVAILABLE", "methodSettings": {},
                  "tracingEnabled": bool(p.get("tracingEnabled")), "createdDate": t, "lastUpdatedDate": t}
    for key in ("description", "variables", "cacheClusterSize", "documentationVersion", "canarySettings", "tags"):
        if p.get(key) is not None:
            stage[key] = p[key]
    if enabled:
        stage.setdefault("cacheClusterSize", "0.5")
    return stage


async def create_stage(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    name = p["stageName"]
    check_stage_name(name)
    check_variables(p.get("variables") or {})
    if name in api.stages:
        raise errors.conflict("Stage already exists")
    api.deployment(p["deploymentId"])
    stage = new_stage(name, p["deploymentId"], p)
    api.stages[name] = stage
    await apis.save(api)
    return stage


def list_stages(api: RestApi, p: Doc) -> Doc:
    wanted = p.get("deploymentId")
    return {"item": [s for _, s in sorted(api.stages.items()) if not wanted or s.get("deploymentId") == wanted]}


async def update_stage(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    current = api.stage(p["stageName"])
    changed = STAGE_PATCH.apply(current, p.get("patchOperations") or [])
    api.deployment(changed.get("deploymentId", ""))
    canary = changed.get("canarySettings") or {}
    if canary.get("deploymentId"):
        api.deployment(canary["deploymentId"])
    check_variables(changed.get("variables") or {})
    logging_on = any((m.get("loggingLevel") or "OFF") != "OFF" for m in (changed.get("methodSettings") or {}).values())
    if logging_on and not apis.account_settings(api.account, api.region).get("cloudwatchRoleArn"):
        # Execution logs need the account's CloudWatch role (UpdateAccount /cloudwatchRoleArn) first.
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
        raise errors.bad_request("CloudWatch Logs role ARN must be set in account settings to enable logging")
    enabled = bool(changed.get("cacheClusterEnabled"))
    changed["cacheClusterStatus"] = "AVAILABLE" if enabled else "NOT_AVAILABLE"
    if enabled:
        changed.setdefault("cacheClusterSize", "0.5")
    if not changed.get("variables"):
        changed.pop("variables", None)
    changed["lastUpdatedDate"] = now()
    api.stages[p["stageName"]] = changed  # a new dict: RestApis.deployed() sees the change
    await apis.save(api)
    return changed


async def delete_stage(apis: RestApis, api: RestApi, p: Doc) -> None:
    api.stage(p["stageName"])
    del api.stages[p["stageName"]]
    await apis.save(api)
