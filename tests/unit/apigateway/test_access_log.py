"""Access logs: the console's four formats, `$context` substitution, missing values, and the writer.

Sources:
- [FMT] https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-access-logging.html
        ("Access log formats": the CLF, JSON, XML and CSV examples the console offers)
- [VAR] https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
- [PUB] access log lines AWS wrote, as published: with the console's JSON format of 2021,
        `{ "requestId":"f56dfc01-5f1b-4509-b2f6-124bb3fa0feb", "ip": "52.68.xxx.xxx", "caller":"-", "user":"-",
        "requestTime":"13/Feb/2021:07:54:52 +0000", "httpMethod":"GET","resourcePath":"/hello", "status":"200",
        "protocol":"HTTP/1.1", "responseLength":"26" }`;
        and an API key logged as `**********************************iFNdgS`
"""

from __future__ import annotations

import asyncio
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from cloudlet.services.apigateway.execute.access_log import (
    ACCESS_LOG_FORMATS,
    access_log_stream_name,
    mask_secret,
    parse_log_group_arn,
    render_access_log,
    request_time,
)
from cloudlet.services.apigateway.execute.logging import execution_log_stream_name, write_events
from cloudlet.services.logs.engine import events as log_events
from cloudlet.services.logs.engine.catalog import LogCatalog
from cloudlet.store.sqlite import SqliteStore

EPOCH = 1795262400000  # 21/Nov/2026:12:00:00 +0000

FULL: dict[str, Any] = {
    "requestId": "7a8b3c2d-0000-4000-8000-000000000001",
    "extendedRequestId": "QBkk2FGJvHcFt3g=",
    "apiId": "abc123",
    "accountId": "111122223333",
    "resourceId": "r1s2t3",
    "resourcePath": "/pets/{id}",
    "httpMethod": "GET",
    "path": "/Test/pets/1",
    "protocol": "HTTP/1.1",
    "stage": "Test",
    "requestTimeEpoch": EPOCH,
    "status": 200,
    "responseLength": 26,
    "responseLatency": 45,
    "integrationLatency": 40,
    "integrationStatus": 200,
    "integration": {"status": 201},
    "identity": {"sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0", "caller": "AIDAEXAMPLE", "user": "AIDAEXAMPLE",
                 "apiKey": "abcdefghijklmnopqrstuvwxyz0123456789WXYZ"},
    "authorizer": {"principalId": "user-1", "claims": {"sub": "s-1"}, "tenant_id": "t-9"},
    "error": {"message": "Internal server error", "responseType": "DEFAULT_5XX"},
}


# ---------------------------------------------------------------- the four formats
def test_the_console_offers_four_formats() -> None:
    assert list(ACCESS_LOG_FORMATS) == ["CLF", "JSON", "XML", "CSV"]  # [FMT]
    for fmt in ACCESS_LOG_FORMATS.values():
        assert "\n" not in fmt  # "The log format must be a single line"
        assert "$context.requestId" in fmt and "$context.extendedRequestId" in fmt
    # verbatim, including the missing space before the quote [FMT]
    assert ACCESS_LOG_FORMATS["CLF"] == (
        '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]'
        '"$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength '
        '$context.requestId $context.extendedRequestId')


def test_clf_with_a_full_context() -> None:
    assert render_access_log(ACCESS_LOG_FORMATS["CLF"], FULL) == (
        '203.0.113.7 AIDAEXAMPLE AIDAEXAMPLE [21/Nov/2026:12:00:00 +0000]"GET /pets/{id} HTTP/1.1" 200 26 '
        "7a8b3c2d-0000-4000-8000-000000000001 QBkk2FGJvHcFt3g=")


def test_json_with_a_full_context() -> None:
    line = render_access_log(ACCESS_LOG_FORMATS["JSON"], FULL)
    assert json.loads(line) == {
        "requestId": "7a8b3c2d-0000-4000-8000-000000000001", "extendedRequestId": "QBkk2FGJvHcFt3g=",
        "ip": "203.0.113.7", "caller": "AIDAEXAMPLE", "user": "AIDAEXAMPLE",
        "requestTime": "21/Nov/2026:12:00:00 +0000", "httpMethod": "GET", "resourcePath": "/pets/{id}",
        "status": "200", "protocol": "HTTP/1.1", "responseLength": "26",
    }


def test_xml_with_a_full_context() -> None:
    root = ET.fromstring(render_access_log(ACCESS_LOG_FORMATS["XML"], FULL))
    assert root.tag == "request" and root.get("id") == "7a8b3c2d-0000-4000-8000-000000000001"
    assert {child.tag: child.text for child in root} == {
        "extendedRequestId": "QBkk2FGJvHcFt3g=", "ip": "203.0.113.7", "caller": "AIDAEXAMPLE", "user": "AIDAEXAMPLE",
        "requestTime": "21/Nov/2026:12:00:00 +0000", "httpMethod": "GET", "resourcePath": "/pets/{id}",
        "status": "200", "protocol": "HTTP/1.1", "responseLength": "26",
    }


def test_csv_with_a_full_context() -> None:
    assert render_access_log(ACCESS_LOG_FORMATS["CSV"], FULL).split(",") == [
        "203.0.113.7", "AIDAEXAMPLE", "AIDAEXAMPLE", "21/Nov/2026:12:00:00 +0000", "GET", "/pets/{id}", "HTTP/1.1",
        "200", "26", "7a8b3c2d-0000-4000-8000-000000000001", "QBkk2FGJvHcFt3g=",
    ]


def test_missing_values_render_a_dash_in_every_format() -> None:
    assert render_access_log(ACCESS_LOG_FORMATS["CLF"], {}) == '- - - [-]"- - -" - - - -'
    assert set(json.loads(render_access_log(ACCESS_LOG_FORMATS["JSON"], {})).values()) == {"-"}
    assert {c.text for c in ET.fromstring(render_access_log(ACCESS_LOG_FORMATS["XML"], {}))} == {"-"}
    assert render_access_log(ACCESS_LOG_FORMATS["CSV"], {}) == ",".join(["-"] * 11)


def test_an_unsigned_caller_renders_like_the_published_line() -> None:
    # the console's JSON format as it was in 2021 (before extendedRequestId was added to it) [PUB]
    fmt = ('{ "requestId":"$context.requestId", "ip": "$context.identity.sourceIp", '
           '"caller":"$context.identity.caller", "user":"$context.identity.user",'
           '"requestTime":"$context.requestTime", "httpMethod":"$context.httpMethod",'
           '"resourcePath":"$context.resourcePath", "status":"$context.status","protocol":"$context.protocol", '
           '"responseLength":"$context.responseLength" }')
    context = {"requestId": "f56dfc01-5f1b-4509-b2f6-124bb3fa0feb", "identity": {"sourceIp": "52.68.xxx.xxx",
               "caller": None, "user": None}, "requestTimeEpoch": 1613202892000, "httpMethod": "GET",
               "resourcePath": "/hello", "status": 200, "protocol": "HTTP/1.1", "responseLength": 26}
    assert render_access_log(fmt, context) == (
        '{ "requestId":"f56dfc01-5f1b-4509-b2f6-124bb3fa0feb", "ip": "52.68.xxx.xxx", "caller":"-", "user":"-",'
        '"requestTime":"13/Feb/2021:07:54:52 +0000", "httpMethod":"GET","resourcePath":"/hello", "status":"200",'
        '"protocol":"HTTP/1.1", "responseLength":"26" }')


# ---------------------------------------------------------------- variables
def test_request_time_is_clf_formatted() -> None:
    assert request_time(EPOCH) == "21/Nov/2026:12:00:00 +0000"  # [VAR] dd/MMM/yyyy:HH:mm:ss +-hhmm
    assert request_time(1612137605999) == "01/Feb/2021:00:00:05 +0000"
    assert render_access_log("$context.requestTime", {"requestTime": "given"}) == "given"
    assert render_access_log("$context.requestTimeEpoch", FULL) == str(EPOCH)


def test_documented_equivalents() -> None:  # [VAR]
    assert render_access_log("$context.integration.latency", {"integrationLatency": 40}) == "40"
    assert render_access_log("$context.integrationLatency", {"integration": {"latency": 41}}) == "41"
    assert render_access_log("$context.integration.requestId", {"awsEndpointRequestId": "aws-1"}) == "aws-1"
    assert render_access_log("$context.integration.integrationStatus", {"integrationStatus": 200}) == "200"
    # integration.status is the function's own statusCode for Lambda proxy: not integrationStatus
    assert render_access_log("$context.integrationStatus $context.integration.status", FULL) == "200 201"
    assert render_access_log("$context.error.message|$context.error.messageString|$context.error.responseType",
                             FULL) == 'Internal server error|"Internal server error"|DEFAULT_5XX'
    assert render_access_log("$context.error.messageString", {}) == "-"


def test_nested_flat_and_authorizer_values() -> None:
    assert render_access_log("$context.authorizer.principalId $context.authorizer.tenant_id", FULL) == "user-1 t-9"
    assert render_access_log("$context.authorizer.claims.sub", FULL) == "s-1"
    assert render_access_log("$context.authorizer.claims", FULL) == "-"  # [VAR]: "returns null"
    assert render_access_log("$context.identity.sourceIp", {"identity.sourceIp": "10.0.0.1"}) == "10.0.0.1"
    assert render_access_log("$context.wafResponseCode $context.identity.userArn", FULL) == "- -"


def test_value_rendering() -> None:
    ctx = {"a": True, "b": False, "c": 0, "d": 1.0, "e": 2.5, "f": "", "g": [1]}
    assert render_access_log("$context.a $context.b $context.c $context.d $context.e $context.f $context.g", ctx) == (
        "true false 0 1 2.5 - -")


def test_the_api_key_is_masked() -> None:
    assert render_access_log("$context.identity.apiKey", FULL) == "*" * 34 + "89WXYZ"  # [PUB]
    assert mask_secret("abc") == "***"


def test_text_around_variables_is_kept() -> None:
    ctx = {"status": 404, "stage": "Test"}
    assert render_access_log("status=$context.status.", ctx) == "status=404."
    assert render_access_log("$context.status$context.stage", ctx) == "404Test"
    assert render_access_log("$contextual $context $input.body $stageVariables.x 100$", ctx) == (
        "$contextual $context $input.body $stageVariables.x 100$")
    assert render_access_log("", ctx) == ""
    assert render_access_log("$context.status\n", ctx) == "404\n"  # a newline the format ends with stays


# ---------------------------------------------------------------- destination and stream
def test_log_group_arns() -> None:
    assert parse_log_group_arn("arn:aws:logs:us-east-1:111122223333:log-group:api-access") == (
        "us-east-1", "111122223333", "api-access")
    assert parse_log_group_arn("arn:aws:logs:eu-west-1:111122223333:log-group:/aws/apigw/x:*") == (
        "eu-west-1", "111122223333", "/aws/apigw/x")
    with pytest.raises(ValueError):
        parse_log_group_arn("arn:aws:s3:::bucket")


def test_access_log_streams() -> None:
    name = access_log_stream_name("abc123", "Test")
    assert re.fullmatch(r"[0-9a-f]{32}", name)
    assert name == access_log_stream_name("abc123", "Test")
    assert name != execution_log_stream_name("abc123", "Test")


def test_access_log_lines_reach_an_existing_group() -> None:
    async def main() -> None:
        store = SqliteStore(None)
        await store.open()
        cat = LogCatalog(store)
        region, account, name = parse_log_group_arn("arn:aws:logs:us-east-1:111122223333:log-group:access:*")
        await cat.create_group(account, region, {"logGroupName": name})
        stream = access_log_stream_name("abc123", "Test")
        line = render_access_log(ACCESS_LOG_FORMATS["JSON"], FULL)
        now = log_events.now_ms()
        await write_events(cat, account, region, name, stream, [(now, line)], create_group=False)
        g = cat.group(account, region, name)
        got = await log_events.get(cat, g, cat.stream(g, stream), {"startFromHead": True})
        assert [(e["timestamp"], e["message"]) for e in got["events"]] == [(now, line)]
        await store.close()

    asyncio.run(main())
