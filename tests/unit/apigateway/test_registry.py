"""The RestApis registry: what the data plane reads (deployed(), its caching), deployments as
frozen snapshots, persistence across a reload, pagination.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cloudlet.protocol.errors import AwsError
from cloudlet.services.apigateway.engine import methods, resources, restapis, stages
from cloudlet.services.apigateway.engine.apis import RestApis, paginate
from cloudlet.services.apigateway.engine.models import default_gateway_response
from cloudlet.store.sqlite import SqliteStore

ACCOUNT, REGION = "000000000000", "us-east-1"


async def _api_with_integration(apis: RestApis) -> tuple[str, str]:
    api = await restapis.create(apis, ACCOUNT, REGION, {"name": "a", "tags": {"_custom_id_": "abc"}})
    record = apis.get(ACCOUNT, REGION, "abc")
    rid = (await resources.create(apis, record, {"parentId": api["rootResourceId"], "pathPart": "x"}))["id"]
    await methods.put_method(apis, record, {"resourceId": rid, "httpMethod": "GET", "authorizationType": "NONE"})
    await methods.put_integration(apis, record, {"resourceId": rid, "httpMethod": "GET", "type": "HTTP",
                                                 "integrationHttpMethod": "GET", "uri": "https://v1.example"})
    return "abc", rid


def _uri(definition: Any, rid: str) -> str:
    return str(definition.resources[rid]["resourceMethods"]["GET"]["methodIntegration"]["uri"])


def test_deployed_is_a_snapshot_and_cached() -> None:
    async def main() -> None:
        store = SqliteStore(None)
        await store.open()
        apis = RestApis(store)
        api_id, rid = await _api_with_integration(apis)
        record = apis.get(ACCOUNT, REGION, api_id)
        assert apis.deployed(api_id, "dev") is None
        await stages.create_deployment(apis, record, {"stageName": "dev"})
        deployed = apis.deployed(api_id, "dev")
        assert deployed is not None and (deployed.account, deployed.region) == (ACCOUNT, REGION)
        assert deployed.stage["stageName"] == "dev" and _uri(deployed.definition, rid) == "https://v1.example"
        # Editing the draft leaves the deployment as it was; the cached object stays the same.
        await methods.update_integration(apis, record, {"resourceId": rid, "httpMethod": "GET", "patchOperations": [
            {"op": "replace", "path": "/uri", "value": "https://v2.example"}]})
        assert apis.deployed(api_id, "dev") is deployed and _uri(deployed.definition, rid) == "https://v1.example"
        deployed.compiled = "routes"
        # A stage change makes a new Deployed; a redeploy serves the new draft.
        await stages.update_stage(apis, record, {"stageName": "dev", "patchOperations": [
            {"op": "add", "path": "/variables/v", "value": "1"}]})
        changed = apis.deployed(api_id, "dev")
        assert changed is not deployed and changed is not None and changed.compiled is None
        assert changed.stage["variables"] == {"v": "1"} and changed.deployment_id == deployed.deployment_id
        await stages.create_deployment(apis, record, {"stageName": "dev"})
        redeployed = apis.deployed(api_id, "dev")
        assert redeployed is not None and _uri(redeployed.definition, rid) == "https://v2.example"
        # Everything comes back from the store.
        again = RestApis(store)
        await again.load()
        reloaded = again.deployed(api_id, "dev")
        assert reloaded is not None and _uri(reloaded.definition, rid) == "https://v2.example"
        old = again.get(ACCOUNT, REGION, api_id).deployments[deployed.deployment_id]
        assert _uri(old.definition, rid) == "https://v1.example"
        assert again.exists(api_id) and not again.exists("nope")
        # Deleting the API drops what it served.
        await again.delete(again.get(ACCOUNT, REGION, api_id))
        assert again.deployed(api_id, "dev") is None and not again.exists(api_id)
        await store.close()

    asyncio.run(main())


def test_ids_are_global_but_lookups_scoped() -> None:
    async def main() -> None:
        store = SqliteStore(None)
        await store.open()
        apis = RestApis(store)
        await restapis.create(apis, ACCOUNT, REGION, {"name": "a", "tags": {"_custom_id_": "one"}})
        with pytest.raises(AwsError) as exc:
            apis.get(ACCOUNT, "eu-west-1", "one")
        assert exc.value.code == "NotFoundException"
        with pytest.raises(AwsError) as exc:  # the id is taken in every account and region
            await restapis.create(apis, "111111111111", "eu-west-1", {"name": "b", "tags": {"_custom_id_": "one"}})
        assert exc.value.code == "ConflictException"
        await restapis.update_account(apis, ACCOUNT, REGION, {"patchOperations": [
            {"op": "replace", "path": "/cloudwatchRoleArn", "value": "arn:aws:iam::0:role/cw"}]})
        assert apis.account_settings(ACCOUNT, REGION)["cloudwatchRoleArn"] == "arn:aws:iam::0:role/cw"
        assert "cloudwatchRoleArn" not in apis.account_settings(ACCOUNT, "eu-west-1")
        apis.clear()
        assert not apis.exists("one")
        await apis.load()
        assert apis.exists("one") and apis.account_settings(ACCOUNT, REGION)["cloudwatchRoleArn"]
        await store.close()

    asyncio.run(main())


def test_paginate() -> None:
    items = [(k, k.upper()) for k in "dacbe"]
    page, position = paginate(items, {"limit": 2})
    assert page == ["A", "B"] and position
    page, position = paginate(items, {"limit": 2, "position": position})
    assert page == ["C", "D"]
    page, position = paginate(items, {"limit": 2, "position": position})
    assert page == ["E"] and position is None
    with pytest.raises(AwsError):
        paginate(items, {"limit": 501})
    with pytest.raises(AwsError):
        paginate(items, {"position": "!!!"})


def test_default_gateway_responses() -> None:
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    assert default_gateway_response("MISSING_AUTHENTICATION_TOKEN")["statusCode"] == "403"
    assert default_gateway_response("UNAUTHORIZED")["statusCode"] == "401"
    assert default_gateway_response("REQUEST_TOO_LARGE")["statusCode"] == "413"
    assert "statusCode" not in default_gateway_response("DEFAULT_5XX")
    assert default_gateway_response("THROTTLED") == {
        "responseType": "THROTTLED", "statusCode": "429", "responseParameters": {},
        "responseTemplates": {"application/json": '{"message":$context.error.messageString}'},
        "defaultResponse": True}
