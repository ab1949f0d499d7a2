"""Execution logs: levels, data trace, line formats, TestInvokeMethod's text, and the CloudWatch writer.

Line formats are checked against AWS's own output as published:
- [UP]  AWS knowledge center "How can I use API Gateway logs for troubleshooting?" (usage plan lines)
        https://repost.aws/knowledge-center/api-gateway-logs
- [EX]  CloudWatch execution log events of a Lambda-proxy POST with data trace, 2019, as delivered to a
        subscription (group API-Gateway-Execution-Logs_h733q2j6gb/Prod, stream 37a749d808e46495a8da1e5352d03cae)
- [INFO] the same at INFO without data trace, 2018 (API-Gateway-Execution-Logs_abc123def45/dev, stream
        2a38a4a9316c49e5a833517c45d31070): usage plan lines, Starting execution, HTTP Method, Successfully
        completed execution, Method completed with status, nothing else
- [TI]  TestInvokeMethod `log` members AWS returned (2016-2022): "Execution log for request {id}\\n" then
        "Sat Mar 05 15:47:32 UTC 2022 : {line}\\n"; lines cut at 1,024 characters + " [TRUNCATED]"
- [502] AWS knowledge center "How do I resolve HTTP 502 errors from API Gateway REST APIs with Lambda
        proxy integration?" https://repost.aws/knowledge-center/malformed-502-api-gateway
- [LOG] https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html (group name)
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
from typing import Any

import pytest

from cloudlet.services.apigateway.execute.logging import (
    INVALID_LAMBDA_PERMISSIONS,
    MALFORMED_PROXY_RESPONSE,
    OFF,
    TEST_INVOKE,
    TIMEOUT_ERROR,
    ExecutionLog,
    LogSettings,
    body_does_not_match_model,
    customer_function_error,
    execution_log_group,
    execution_log_stream_name,
    invalid_method_response,
    method_setting_key,
    missing_parameters,
    settings_for,
    write_events,
)
from cloudlet.services.logs.engine import events as log_events
from cloudlet.services.logs.engine.catalog import LogCatalog
from cloudlet.store.sqlite import SqliteStore

RID = "515f1e99-39db-11e9-9e96-01e5c04505b9"
T0 = 1646495252000  # Sat Mar 05 15:47:32 UTC 2022
KEY = "abcdefghijklmnopqrstuvwxyz0123456789WXYZ"  # 40 characters, like AWS's API keys
MASKED_KEY = "*" * 34 + "89WXYZ"
SIGV4 = "AWS4-HMAC-SHA256 Credential=x, Signature=0123456789abcdef"


def clock(start: int = T0, step: int = 1):  # type: ignore[no-untyped-def]
    counter = itertools.count(start, step)
    return lambda: next(counter)


def run_lambda_proxy(log: ExecutionLog, *, key: str | None = None, requires_key: bool = False) -> None:
    """The calls the pipeline makes for one Lambda-proxy request that succeeds."""
    uri = "https://lambda.eu-west-2.amazonaws.com/2015-03-31/functions/arn:aws:lambda:eu-west-2:111:function:f/invocations"
    log.start(extended_request_id="Vts2pH6ArPEFcuQ=", http_method="POST", resource_path="/verifyReceipt",
              api_id="h733q2j6gb", stage="Prod", api_key=key, method_requires_key=requires_key)
    log.method_request(path={}, query={},
                       headers={"Accept": "application/json", "User-Agent": "python-requests/2.20.0"},
                       body='{"receiptData":"82ca"}')
    log.endpoint_request(uri=uri, headers={"Authorization": SIGV4, "X-Amz-Date": "20190226T152933Z"},
                         body='{"resource":"/verifyReceipt"}')
    log.endpoint_response(status=200, latency_ms=40, headers={"Content-Type": "application/json"},
                          body='{"statusCode": 200, "body": "ok"}')
    log.method_response(body="ok", headers={"Content-Type": "application/json"}, status=200)
    log.completed(200, ok=True)


def lines(log: ExecutionLog) -> list[str]:
    prefix = f"({RID}) "
    out = []
    for _, message in log.events():
        assert message.startswith(prefix)  # [EX]: every message starts with "(requestId) "
        out.append(message[len(prefix):])
    return out


# ---------------------------------------------------------------- settings
def test_group_name_is_the_documented_one() -> None:
    assert execution_log_group("abc123", "Test") == "API-Gateway-Execution-Logs_abc123/Test"  # [LOG]


def test_stream_names_are_32_hex_digits_stable_per_stage() -> None:
    name = execution_log_stream_name("abc123", "Test")
    assert re.fullmatch(r"[0-9a-f]{32}", name)  # [EX]/[INFO] stream names
    assert execution_log_stream_name("abc123", "Test") == name
    assert execution_log_stream_name("abc123", "Prod") != name


def test_method_setting_keys_escape_the_path() -> None:
    assert method_setting_key("/pets", "GET") == "~1pets/GET"
    assert method_setting_key("/", "GET") == "~1/GET"
    assert method_setting_key("/pets/{id}", "DELETE") == "~1pets~1{id}/DELETE"


def test_settings_default_to_off() -> None:
    assert settings_for({}, "/pets", "GET") == OFF
    assert settings_for(None, "/pets", "GET") == OFF
    assert settings_for({"*/*": {"metricsEnabled": True}}, "/pets", "GET") == LogSettings(None, False)
    assert settings_for({"*/*": {"loggingLevel": "OFF", "dataTraceEnabled": True}}, "/", "GET").level is None


def test_stage_wide_settings_apply_to_every_method() -> None:
    ms = {"*/*": {"loggingLevel": "INFO", "dataTraceEnabled": True, "metricsEnabled": False}}
    assert settings_for(ms, "/pets", "GET") == LogSettings("INFO", True)
    assert settings_for(ms, "/", "POST") == LogSettings("INFO", True)


def test_a_methods_own_entry_overrides_the_stage_wide_one() -> None:
    ms = {
        "*/*": {"loggingLevel": "INFO", "dataTraceEnabled": True},
        "~1pets/GET": {"loggingLevel": "ERROR", "dataTraceEnabled": False},
        "~1pets~1{id}/GET": {"loggingLevel": "OFF"},
        "~1orders/*": {"loggingLevel": "error"},
    }
    assert settings_for(ms, "/pets", "GET") == LogSettings("ERROR", False)
    assert settings_for(ms, "/pets", "POST") == LogSettings("INFO", True)  # no entry of its own
    assert settings_for(ms, "/pets/{id}", "GET") == LogSettings(None, True)  # dataTrace falls back to */*
    assert settings_for(ms, "/orders", "PUT") == LogSettings("ERROR", True)  # the resource's * entry
    assert settings_for({"~1pets/GET": {"loggingLevel": "INFO"}}, "/pets", "GET") == LogSettings("INFO", False)


# ---------------------------------------------------------------- logging off
class Explodes:
    """Any formatting of it fails: proves that logging off formats nothing."""

    def __str__(self) -> str:
        raise AssertionError("formatted")

    __format__ = __repr__ = __str__  # type: ignore[assignment]

    def items(self) -> Any:
        raise AssertionError("formatted")


def test_logging_off_is_a_no_op() -> None:
    def no_clock() -> int:
        raise AssertionError("clock read")

    log = ExecutionLog(OFF, RID, now_ms=no_clock)
    assert log.enabled is False
    x: Any = Explodes()
    log.start(extended_request_id=x, http_method=x, resource_path=x, api_id=x, stage=x, api_key=x,
              method_requires_key=False)
    log.method_request(path=x, query=x, headers=x, body=x)
    log.endpoint_request(uri=x, headers=x, body=x)
    log.endpoint_response(status=x, latency_ms=x, headers=x, body=x)
    log.method_response(body=x, headers=x, status=x)
    log.error(x)
    log.info(x)
    log.completed(x, ok=False)
    assert log.events() == []
    assert log.text() == ""


def test_logging_off_costs_little() -> None:
    import time

    n = 20_000
    started = time.perf_counter()
    for _ in range(n):
        log = ExecutionLog(OFF, RID)
        log.start(extended_request_id="e", http_method="GET", resource_path="/", api_id="a", stage="s",
                  api_key=None, method_requires_key=False)
        log.method_request(path={}, query={}, headers={}, body="")
        log.endpoint_request(uri="u", headers={}, body="")
        log.endpoint_response(status=200, latency_ms=1, headers={}, body="")
        log.method_response(body="", headers={}, status=200)
        log.completed(200, ok=True)
    per_request = (time.perf_counter() - started) / n
    assert per_request < 50e-6  # a few µs in practice; generous for slow CI machines


# ---------------------------------------------------------------- INFO with data trace
def test_info_with_data_trace_writes_every_line_in_order() -> None:
    log = ExecutionLog(LogSettings("INFO", True), RID, now_ms=clock())
    run_lambda_proxy(log)
    assert lines(log) == [
        "Extended Request Id: Vts2pH6ArPEFcuQ=",  # [EX]
        f"Verifying Usage Plan for request: {RID}. API Key:  API Stage: h733q2j6gb/Prod",  # [UP] [INFO]
        "API Key  authorized because method 'POST /verifyReceipt' does not require API Key. "
        "Request will not contribute to throttle or quota limits",  # [UP] [INFO]
        "Usage Plan check succeeded for API Key  and API Stage h733q2j6gb/Prod",  # [UP] [INFO]
        f"Starting execution for request: {RID}",  # [EX] [TI]
        "HTTP Method: POST, Resource Path: /verifyReceipt",  # [EX] [TI]
        "Method request path: {}",  # [EX] [TI]
        "Method request query string: {}",  # [EX] [TI]
        "Method request headers: {Accept=application/json, User-Agent=python-requests/2.20.0}",  # [EX]
        'Method request body before transformations: {"receiptData":"82ca"}',  # [EX]
        "Endpoint request URI: https://lambda.eu-west-2.amazonaws.com/2015-03-31/functions/"
        "arn:aws:lambda:eu-west-2:111:function:f/invocations",  # [EX] [TI]
        # [EX] [TI]: the integration's Authorization shows as * but for its last 6 characters
        "Endpoint request headers: {Authorization=" + "*" * (len(SIGV4) - 6) + "abcdef, X-Amz-Date=20190226T152933Z}",
        'Endpoint request body after transformations: {"resource":"/verifyReceipt"}',  # [EX] [TI]
        "Sending request to https://lambda.eu-west-2.amazonaws.com/2015-03-31/functions/"
        "arn:aws:lambda:eu-west-2:111:function:f/invocations",  # [EX] [TI]
        "Received response. Status: 200, Integration latency: 40 ms",  # [TI]
        "Endpoint response headers: {Content-Type=application/json}",  # [TI]
        'Endpoint response body before transformations: {"statusCode": 200, "body": "ok"}',  # [TI]
        "Method response body after transformations: ok",  # [EX] [TI]
        "Method response headers: {Content-Type=application/json}",  # [EX] [TI]
        "Successfully completed execution",  # [EX] [TI]
        "Method completed with status: 200",  # [EX] [TI]
    ]


def test_event_times_come_from_the_clock_and_never_go_back() -> None:
    stamps = iter([T0, T0 + 5, T0 + 3, T0 + 9])
    log = ExecutionLog(LogSettings("INFO", False), RID, now_ms=lambda: next(stamps))
    log.info("a")
    log.info("b")
    log.info("c")
    log.info("d")
    assert [t for t, _ in log.events()] == [T0, T0 + 5, T0 + 5, T0 + 9]


def test_an_empty_body_leaves_the_line_ending_in_a_space() -> None:
    log = ExecutionLog(TEST_INVOKE, RID, now_ms=clock())
    log.method_request(path={"id": "7"}, query={"q": "cat"}, headers={}, body="")
    assert lines(log) == ["Method request path: {id=7}", "Method request query string: {q=cat}",  # [TI] 2016 sample
                          "Method request headers: {}", "Method request body before transformations: "]


def test_method_request_headers_hide_authorization_and_api_key() -> None:
    log = ExecutionLog(TEST_INVOKE, RID, now_ms=clock())
    log.method_request(path={}, query={}, headers={"x-api-key": KEY, "authorization": "Bearer 1234567890"}, body=None)
    # 2016 published CloudWatch events: x-api-key=**********************************bMZHBg (34 * + 6)
    assert lines(log)[2] == ("Method request headers: {x-api-key=" + MASKED_KEY + ", authorization="
                             + "*" * 11 + "567890}")


def test_long_lines_are_cut_at_1024_characters() -> None:
    log = ExecutionLog(TEST_INVOKE, RID, now_ms=clock())
    body = "x" * 5000
    log.endpoint_response(status=200, latency_ms=3, headers={f"H{i}": "v" * 30 for i in range(50)}, body=body)
    received, headers, response = lines(log)
    assert received == "Received response. Status: 200, Integration latency: 3 ms"
    for line in (headers, response):  # [TI] [EX]: 1,024 characters, then the marker
        assert line.endswith(" [TRUNCATED]")
        assert len(line) == 1024 + len(" [TRUNCATED]")
    assert response.startswith("Endpoint response body before transformations: xxx")
    short = ExecutionLog(TEST_INVOKE, RID, now_ms=clock())
    short.info("y" * 1024)
    assert lines(short) == ["y" * 1024]


def test_binary_bodies_are_decoded_leniently() -> None:
    log = ExecutionLog(TEST_INVOKE, RID, now_ms=clock())
    log.method_response(body=b"\xff\xfeok", headers={}, status=200)
    assert lines(log)[0] == "Method response body after transformations: \ufffd\ufffdok"


def test_a_required_api_key_is_masked_and_logged() -> None:
    log = ExecutionLog(LogSettings("INFO", False), RID, now_ms=clock())
    log.start(extended_request_id="e=", http_method="GET", resource_path="/pets/{id}", request_path="/pets/1",
              api_id="abc123", stage="Test", api_key=KEY, method_requires_key=True)
    assert lines(log) == [
        "Extended Request Id: e=",
        f"Verifying Usage Plan for request: {RID}. API Key: {MASKED_KEY} API Stage: abc123/Test",
        f"Usage Plan check succeeded for API Key {MASKED_KEY} and API Stage abc123/Test",
        f"Starting execution for request: {RID}",
        "HTTP Method: GET, Resource Path: /pets/1",
        f"API Key: {MASKED_KEY}",
    ]


# ---------------------------------------------------------------- INFO without data trace
def test_info_without_data_trace_writes_no_requests_or_responses() -> None:
    log = ExecutionLog(LogSettings("INFO", False), RID, now_ms=clock())
    run_lambda_proxy(log)
    assert lines(log) == [  # [INFO]
        "Extended Request Id: Vts2pH6ArPEFcuQ=",
        f"Verifying Usage Plan for request: {RID}. API Key:  API Stage: h733q2j6gb/Prod",
        "API Key  authorized because method 'POST /verifyReceipt' does not require API Key. "
        "Request will not contribute to throttle or quota limits",
        "Usage Plan check succeeded for API Key  and API Stage h733q2j6gb/Prod",
        f"Starting execution for request: {RID}",
        "HTTP Method: POST, Resource Path: /verifyReceipt",
        "Successfully completed execution",
        "Method completed with status: 200",
    ]


def test_info_writes_errors_and_other_info_lines() -> None:
    log = ExecutionLog(LogSettings("INFO", False), RID, now_ms=clock())
    log.info(f"Starting authorizer: 62mgrc for request: {RID}")  # [UP]
    log.error(MALFORMED_PROXY_RESPONSE)
    log.completed(502, ok=False)
    assert lines(log) == [f"Starting authorizer: 62mgrc for request: {RID}", MALFORMED_PROXY_RESPONSE,
                          "Method completed with status: 502"]


# ---------------------------------------------------------------- ERROR
def test_error_level_writes_only_errors_and_the_failed_status() -> None:
    log = ExecutionLog(LogSettings("ERROR", True), RID, now_ms=clock())  # data trace needs INFO
    log.start(extended_request_id="e", http_method="GET", resource_path="/", api_id="a", stage="s",
              api_key=None, method_requires_key=False)
    log.method_request(path={}, query={}, headers={}, body="b")
    log.info("Starting authorizer: x for request: y")
    log.error(MALFORMED_PROXY_RESPONSE)
    log.completed(502, ok=False)
    assert lines(log) == [MALFORMED_PROXY_RESPONSE, "Method completed with status: 502"]
    assert log.text().splitlines()[1:] == [
        "Sat Mar 05 15:47:32 UTC 2022 : " + MALFORMED_PROXY_RESPONSE,
        "Sat Mar 05 15:47:32 UTC 2022 : Method completed with status: 502",
    ]


def test_error_level_writes_nothing_for_a_request_that_succeeds() -> None:
    log = ExecutionLog(LogSettings("ERROR", False), RID, now_ms=clock())
    run_lambda_proxy(log)
    assert log.enabled and log.events() == []


# ---------------------------------------------------------------- error texts
def test_error_texts() -> None:
    assert MALFORMED_PROXY_RESPONSE == "Execution failed due to configuration error: Malformed Lambda proxy response"
    assert INVALID_LAMBDA_PERMISSIONS == ("Execution failed due to configuration error: "
                                          "Invalid permissions on Lambda function")  # [TI] 2018 sample
    assert TIMEOUT_ERROR == "Execution failed due to a timeout error"
    assert customer_function_error(200, "[Errno 13] Permission denied: '/var/task/'", "abc-1") == (  # [502]
        "Lambda execution failed with status 200 due to customer function error: "
        "[Errno 13] Permission denied: '/var/task/'. Lambda request id: abc-1")
    assert invalid_method_response("2xx/4xx/5xx") == (  # AWS knowledge center api-gateway-internal-server-error
        "Execution failed due to configuration error: Output mapping refers to an invalid method response: 2xx/4xx/5xx")
    assert body_does_not_match_model("application/json", ['object has missing required properties (["name"])']) == (
        'Request body does not match model schema for content type application/json: '
        '[object has missing required properties (["name"])]')
    assert missing_parameters(["q1"]) == "Missing required request parameters: [q1]"


# ---------------------------------------------------------------- TestInvokeMethod's text
def test_text_is_what_test_invoke_method_returns() -> None:
    log = ExecutionLog(TEST_INVOKE, "41fc2a48-605e-4df7-99b9-43456c10fe95", now_ms=clock(T0, 0))
    log.start(extended_request_id="OhHjPFP9oAMFkpg=", http_method="GET", resource_path="/test1", api_id="8a1b7vlz9f",
              stage="test-invoke-stage", api_key=None, method_requires_key=False)
    log.method_request(path={}, query={}, headers={}, body="")
    log.error(MALFORMED_PROXY_RESPONSE)
    log.completed(502, ok=False)
    assert log.text() == (  # [TI]: no Extended Request Id or usage plan lines; every line ends in \n
        "Execution log for request 41fc2a48-605e-4df7-99b9-43456c10fe95\n"
        "Sat Mar 05 15:47:32 UTC 2022 : Starting execution for request: 41fc2a48-605e-4df7-99b9-43456c10fe95\n"
        "Sat Mar 05 15:47:32 UTC 2022 : HTTP Method: GET, Resource Path: /test1\n"
        "Sat Mar 05 15:47:32 UTC 2022 : Method request path: {}\n"
        "Sat Mar 05 15:47:32 UTC 2022 : Method request query string: {}\n"
        "Sat Mar 05 15:47:32 UTC 2022 : Method request headers: {}\n"
        "Sat Mar 05 15:47:32 UTC 2022 : Method request body before transformations: \n"
        "Sat Mar 05 15:47:32 UTC 2022 : Execution failed due to configuration error: Malformed Lambda proxy response\n"
        "Sat Mar 05 15:47:32 UTC 2022 : Method completed with status: 502\n"
    )


def test_text_pads_the_day_and_uses_english_names() -> None:
    log = ExecutionLog(TEST_INVOKE, "r", now_ms=lambda: 1480729177000)  # [TI] 2016 sample: Sat Dec 03 01:39:37
    log.info("x")
    assert log.text() == "Execution log for request r\nSat Dec 03 01:39:37 UTC 2016 : x\n"


# ---------------------------------------------------------------- writing to CloudWatch Logs
async def _read(cat: LogCatalog, group: str, stream: str) -> list[tuple[int, str]]:
    g = cat.group("111122223333", "us-east-1", group)
    out = await log_events.get(cat, g, cat.stream(g, stream), {"startFromHead": True})
    return [(e["timestamp"], e["message"]) for e in out["events"]]


def test_write_events_creates_the_group_and_stream_and_persists(tmp_path: Any) -> None:
    path = os.path.join(tmp_path, "db.sqlite")
    group, stream = execution_log_group("abc123", "Test"), execution_log_stream_name("abc123", "Test")
    now = log_events.now_ms()

    async def main() -> None:
        store = SqliteStore(path)
        await store.open()
        cat = LogCatalog(store)
        await cat.load()
        log = ExecutionLog(LogSettings("INFO", False), RID, now_ms=clock(now))
        run_lambda_proxy(log)
        await write_events(cat, "111122223333", "us-east-1", group, stream, log.events())
        later = ExecutionLog(LogSettings("ERROR", False), "r2", now_ms=clock(now + 100))
        later.error(TIMEOUT_ERROR)
        later.completed(504, ok=False)
        # out of order on purpose: the writer sorts
        await write_events(cat, "111122223333", "us-east-1", group, stream, later.events()[::-1])
        await write_events(cat, "111122223333", "us-east-1", group, stream, [])
        got = await _read(cat, group, stream)
        assert got == [*log.events(), *later.events()]
        assert [s for s in cat.streams(cat.group("111122223333", "us-east-1", group))] == [stream]
        await store.close()

        again = SqliteStore(path)
        await again.open()
        cat2 = LogCatalog(again)
        await cat2.load()
        assert await _read(cat2, group, stream) == got
        await again.close()

    asyncio.run(main())


def test_write_events_concurrently_to_a_new_group_loses_nothing() -> None:
    """Concurrent requests share a stream, often within the same millisecond."""

    async def main() -> None:
        store = SqliteStore(None)
        await store.open()
        cat = LogCatalog(store)
        now = log_events.now_ms()
        first = [(now, f"({i}) Starting execution for request: {i}") for i in range(5)]
        await asyncio.gather(*(write_events(cat, "111122223333", "us-east-1", "G", "S", [e]) for e in first))
        second = [(now + 1, f"({i}) Method completed with status: 200") for i in range(20)]
        await asyncio.gather(*(write_events(cat, "111122223333", "us-east-1", "G", "S", [e]) for e in second))
        got = await _read(cat, "G", "S")
        assert sorted(got) == sorted(first + second)
        assert len(cat.groups("111122223333", "us-east-1")) == 1
        await store.close()

    asyncio.run(main())


def test_write_events_without_creating_a_missing_group_drops_them() -> None:
    async def main() -> None:
        store = SqliteStore(None)
        await store.open()
        cat = LogCatalog(store)
        await write_events(cat, "111122223333", "us-east-1", "gone", "S", [(log_events.now_ms(), "x")],
                           create_group=False)
        assert cat.groups("111122223333", "us-east-1") == []
        await store.close()

    asyncio.run(main())


def test_write_events_splits_batches_beyond_24_hours() -> None:
    async def main() -> None:
        store = SqliteStore(None)
        await store.open()
        cat = LogCatalog(store)
        now = log_events.now_ms()
        events = [(now - 2 * log_events.DAY_MS, "old"), (now - log_events.DAY_MS // 2, "mid"), (now, "new")]
        await write_events(cat, "111122223333", "us-east-1", "G", "S", events)
        assert await _read(cat, "G", "S") == events
        await store.close()

    asyncio.run(main())


@pytest.mark.parametrize("level", ["INFO", "ERROR"])
def test_enabled_follows_the_level(level: str) -> None:
    assert ExecutionLog(LogSettings(level, False), RID).enabled
