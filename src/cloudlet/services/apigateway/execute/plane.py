"""The execute-api plane: which deployed API and stage a URL names, the pipeline over it, the logs.

URL forms (LocalStack's conventions, which tools and docs already use):
- `http://localhost:4566/restapis/{apiId}/{stage}/_user_request_/{path}`
- `http://{apiId}.execute-api.localhost.localstack.cloud:4566/{stage}/{path}` (by Host header; also
  `{apiId}.execute-api.localhost`)
A request is served by the deployment its stage points to, never the draft.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson

from cloudlet.server.http import Request, Response
from cloudlet.services.apigateway.engine.apis import RestApis
from cloudlet.services.apigateway.engine.definition import ApiDefinition, Deployed
from cloudlet.services.apigateway.execute.invocation import Invocation
from cloudlet.services.apigateway.execute.logging import (
    TEST_INVOKE,
    ExecutionLog,
    access_log_stream_name,
    execution_log_group,
    execution_log_stream_name,
    parse_log_group_arn,
    render_access_log,
    settings_for,
    write_events,
)
from cloudlet.services.apigateway.execute.pipeline import Pipeline
from cloudlet.services.logs.engine.catalog import LogCatalog

Doc = dict[str, Any]
class ExecuteApi:
    def __init__(self, apis: RestApis, pipeline: Pipeline, logs: LogCatalog) -> None:
        self.apis = apis
        self.pipeline = pipeline
        self.logs = logs

    async def handle(self, request: Request, target: tuple[str, str, str, str]) -> Response:
        api_id, stage, path, domain = target
        deployed = self.apis.deployed(api_id, stage)
        if deployed is None:
            return _plain(403 if self.apis.exists(api_id) else 404,
                          "Forbidden" if self.apis.exists(api_id) else "Not Found")
        inv = Invocation(request, deployed, stage, path, domain)
        inv.log_factory = self._stage_log
        response = await self.pipeline.run(inv)
        response.headers.append((b"x-amzn-requestid", inv.request_id.encode()))
        response.headers.append((b"x-amz-apigw-id", inv.extended_id.encode()))
        if inv.log is not None or deployed.stage.get("accessLogSettings"):
            await self._write_logs(inv, response)
        return response

    @staticmethod
    def _stage_log(inv: Invocation) -> ExecutionLog | None:
        route = inv.route
        assert route is not None
        method_settings = inv.deployed.stage.get("methodSettings")
        if not method_settings:
            return None
        settings = settings_for(method_settings, route.resource["path"], inv.request.method)
        log = ExecutionLog(settings, inv.request_id)
        return log if log.enabled else None

    async def _write_logs(self, inv: Invocation, response: Response) -> None:
        d = inv.deployed
        if inv.log is not None:
            await write_events(self.logs, d.account, d.region, execution_log_group(d.api_id, inv.stage),
                               execution_log_stream_name(d.api_id, inv.stage), inv.log.events())
        access = d.stage.get("accessLogSettings") or {}
        arn, fmt = access.get("destinationArn"), access.get("format")
        if arn and fmt:
            ctx = inv.context
            latency = int((time.time() - inv.started) * 1000)
            ctx.update({
                "status": response.status, "responseLength": len(response.body), "responseLatency": latency,
                "integrationLatency": inv.integration_latency_ms, "integrationStatus": inv.integration_status,
                "integration": {"status": inv.integration_status, "latency": inv.integration_latency_ms,
                                "error": inv.integration_error, "requestId": None,
                                "integrationStatus": inv.integration_status},
            })
            line = render_access_log(fmt, ctx)
            try:
                region, account, group = parse_log_group_arn(arn)
            except ValueError:
                return
            await write_events(self.logs, account or d.account, region or d.region, group,
                               access_log_stream_name(d.api_id, inv.stage), [(int(time.time() * 1000), line)],
                               create_group=False)

    # -- the console's Test button
    async def test_invoke(self, definition: ApiDefinition, account: str, region: str, p: Doc) -> Doc:
        api_id = definition.api["id"]
        resource = definition.resources.get(p["resourceId"])
        path_q = p.get("pathWithQueryString") or (resource or {}).get("path") or "/"
        path, _, query = path_q.partition("?")
        headers = dict(p.get("headers") or {})
        raw = list(headers.items())
        for k, vs in (p.get("multiValueHeaders") or {}).items():
            raw.extend((k, v) for v in vs)
        body = (p.get("body") or "").encode()
        request = Request(p["httpMethod"], path, urlencode(parse_qsl(query, keep_blank_values=True)).encode(),
                          {k.lower(): v for k, v in raw}, body, "test-invoke-source-ip", raw)
        stage = {"stageName": "test-invoke-stage", "variables": p.get("stageVariables") or {}}
        deployed = Deployed(api_id, account, region, stage, "test-invoke-deployment-id", definition)
        inv = Invocation(request, deployed, "test-invoke-stage", path, "testPrefix.testDomainName")
        inv.test_invoke = True
        inv.log_factory = lambda i: ExecutionLog(TEST_INVOKE, i.request_id)
        t0 = time.perf_counter()
        response = await self.pipeline.run(inv)
        latency = int((time.perf_counter() - t0) * 1000)
        multi: dict[str, list[str]] = {}
        for k, v in response.headers:
            multi.setdefault(k.decode("latin-1"), []).append(v.decode("latin-1"))
        return {
            "status": response.status,
            "body": response.body.decode("utf-8", "replace"),
            "headers": {k: vs[-1] for k, vs in multi.items()},
            "multiValueHeaders": multi,
            "log": inv.log.text() if inv.log is not None else "",
            "latency": latency,
        }


def _plain(status: int, message: str) -> Response:
    return Response(status, orjson.dumps({"message": message}), [(b"content-type", b"application/json")])
