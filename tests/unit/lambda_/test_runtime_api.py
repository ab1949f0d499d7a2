"""The Runtime API listener on its own (a plain HTTP client plays the runtime), the variables a
function's process gets, and the runtime table.
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
"""

from __future__ import annotations

import asyncio
import http.client
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from cloudlet.services.lambda_.runtime.envvars import RESERVED, build_env
from cloudlet.services.lambda_.runtime.runtime_api import MAX_RESPONSE_BYTES, Invocation, RuntimeApi
from cloudlet.services.lambda_.runtime.runtimes import RuntimeUnavailable, get_runtime

BASE = "/2018-06-01/runtime"


def http_call(port: int, method: str, path: str, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


async def in_thread(port: int, method: str, path: str, body: bytes | None = None,
                    headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return await asyncio.get_running_loop().run_in_executor(None, http_call, port, method, path, body, headers)


def invocation(request_id: str, **kw: Any) -> Invocation:
    return Invocation(request_id, b'{"k": 1}', "arn:aws:lambda:us-east-1:123456789012:function:fn", 3.0,
                      "Root=1-5f000000-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0", **kw)


def test_invocation_cycle_and_status_codes() -> None:
    async def scenario() -> None:
        api = RuntimeApi()
        port = await api.start()
        try:
            # /next is a long poll: answered when an invocation is submitted
            nxt = asyncio.ensure_future(in_thread(port, "GET", f"{BASE}/invocation/next"))
            await asyncio.sleep(0.05)
            assert not nxt.done() and api.ready.done()
            inv = invocation("rid-1", client_context='{"custom": {"a": "é"}}',
                             cognito_identity='{"cognitoIdentityId": "id"}')
            api.submit(inv)
            status, headers, body = await nxt
            assert status == 200 and body == b'{"k": 1}' and inv.delivered.done()
            assert headers["lambda-runtime-aws-request-id"] == "rid-1"
            assert headers["lambda-runtime-invoked-function-arn"].endswith(":function:fn")
            assert headers["lambda-runtime-trace-id"].startswith("Root=1-5f000000-")
            assert int(headers["lambda-runtime-deadline-ms"]) == inv.deadline_ms
            assert json.loads(headers["lambda-runtime-client-context"].encode("latin-1")) == {"custom": {"a": "é"}}
            assert json.loads(headers["lambda-runtime-cognito-identity"]) == {"cognitoIdentityId": "id"}

            # a second /next while the invocation is unanswered is out of sequence
            status, _, body = await in_thread(port, "GET", f"{BASE}/invocation/next")
            assert status == 403 and json.loads(body)["errorType"] == "InvalidStateTransition"
            # wrong request id
            status, _, body = await in_thread(port, "POST", f"{BASE}/invocation/other/response", b"{}")
            assert (status, json.loads(body)) == (400, {"errorMessage": "Invalid request ID",
                                                        "errorType": "InvalidRequestID"})
            status, _, body = await in_thread(port, "POST", f"{BASE}/invocation/rid-1/response", b'"done"')
            assert (status, body) == (202, b'{"status":"OK"}')
            outcome = inv.outcome.result()
            assert (outcome.kind, outcome.body, outcome.error_type) == ("response", b'"done"', None)
            # a second answer, and init/error after init, are out of sequence
            status, _, _ = await in_thread(port, "POST", f"{BASE}/invocation/rid-1/error", b"{}")
            assert status == 403
            status, _, _ = await in_thread(port, "POST", f"{BASE}/init/error", b"{}")
            assert status == 403
            # unknown paths and methods
            assert (await in_thread(port, "GET", f"{BASE}/nothing"))[0] == 404
            assert (await in_thread(port, "GET", "/2018-06-01/elsewhere"))[0] == 404
            assert (await in_thread(port, "POST", f"{BASE}/invocation/next"))[0] == 405
            assert (await in_thread(port, "GET", f"{BASE}/invocation/rid-1/response"))[0] == 405
        finally:
            api.close()

    asyncio.run(scenario())


def test_error_reports_and_payload_limit() -> None:
    async def scenario() -> None:
        api = RuntimeApi()
        port = await api.start()
        try:
            for rid, body, header, expect_body, expect_type in [
                ("e1", b'{"errorMessage": "m", "errorType": "ValueError"}', "Function.X",
                 {"errorMessage": "m", "errorType": "ValueError"}, "ValueError"),
                # no readable document: Lambda builds one from Lambda-Runtime-Function-Error-Type
                ("e2", b"not json", "Runtime.Custom", {"errorMessage": "", "errorType": "Runtime.Custom"},
                 "Runtime.Custom"),
                ("e3", b"", None, {"errorMessage": "", "errorType": "Unhandled"}, "Unhandled"),
            ]:
                inv = invocation(rid)
                api.submit(inv)
                assert (await in_thread(port, "GET", f"{BASE}/invocation/next"))[0] == 200
                headers = {"Lambda-Runtime-Function-Error-Type": header} if header else {}
                status, _, _ = await in_thread(port, "POST", f"{BASE}/invocation/{rid}/error", body, headers)
                outcome = inv.outcome.result()
                assert status == 202 and outcome.kind == "error" and outcome.error_type == expect_type
                assert json.loads(outcome.body) == expect_body

            inv = invocation("big")
            api.submit(inv)
            assert (await in_thread(port, "GET", f"{BASE}/invocation/next"))[0] == 200
            status, _, body = await in_thread(port, "POST", f"{BASE}/invocation/big/response",
                                              b"x" * (MAX_RESPONSE_BYTES + 1))
            assert status == 413 and json.loads(body)["errorType"] == "RequestEntityTooLarge"
            assert inv.outcome.result().error_type == "Function.ResponseSizeTooLarge"
        finally:
            api.close()

    asyncio.run(scenario())


def test_pipelined_report_and_next_are_answered_in_one_write() -> None:
    """cloudlet's Python bootstrap sends its result and the next GET /next in one write; the 202 then
    waits for the /next answer and both go out together. A client that does not pipeline gets its 202
    at once (test_invocation_cycle_and_status_codes)."""

    async def scenario() -> None:
        api = RuntimeApi()
        port = await api.start()
        loop = asyncio.get_running_loop()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            first = invocation("p1")
            api.submit(first)
            writer.write(f"GET {BASE}/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200") and b"lambda-runtime-aws-request-id: p1" in head
            await reader.readexactly(len(b'{"k": 1}'))

            body = b'"one"'
            writer.write(f"POST {BASE}/invocation/p1/response HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
                         f"X-Cloudlet-Max-Rss-Kb: 23456\r\n\r\n".encode() + body
                         + f"GET {BASE}/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            outcome = await asyncio.wait_for(first.outcome, 5)
            assert (outcome.body, outcome.max_rss_kb) == (b'"one"', 23456)
            # nothing is written while no next invocation exists: the 202 waits for it
            early = loop.create_task(reader.read(1))
            await asyncio.sleep(0.2)
            assert not early.done()
            second = invocation("p2")
            api.submit(second)
            data = (await asyncio.wait_for(early, 5)) + await asyncio.wait_for(reader.readuntil(b'{"k": 1}'), 5)
            assert data.startswith(b"HTTP/1.1 202") and data.count(b"HTTP/1.1 ") == 2
            assert b"lambda-runtime-aws-request-id: p2" in data
        finally:
            writer.close()
            api.close()

    asyncio.run(scenario())


def test_init_error_before_the_first_next() -> None:
    async def scenario() -> None:
        api = RuntimeApi()
        port = await api.start()
        try:
            doc = b'{"errorMessage": "boom", "errorType": "Runtime.ImportModuleError", "stackTrace": []}'
            status, _, body = await in_thread(port, "POST", f"{BASE}/init/error", doc,
                                              {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"})
            assert (status, body) == (202, b'{"status":"OK"}')
            outcome = api.init_error.result()
            assert outcome.body == doc and outcome.error_type == "Runtime.ImportModuleError"
            assert (await in_thread(port, "POST", f"{BASE}/init/error", doc))[0] == 403
            assert (await in_thread(port, "GET", f"{BASE}/invocation/next"))[0] == 403
        finally:
            api.close()

    asyncio.run(scenario())


# ---------------------------------------------------------------- variables
@dataclass
class Spec:
    function_name: str = "fn"
    function_version: str = "7"
    handler: str = "index.handler"
    code_dir: str = "/code"
    memory_mb: int = 256
    env: dict[str, str] = field(default_factory=dict)
    region: str = "eu-west-1"
    log_group: str = "/aws/lambda/fn"
    log_stream: str = "stream"
    endpoint_url: str = "http://localhost:4566"
    credentials: tuple[str, str, str | None] = ("AK", "SK", None)


def test_reserved_variables_win_and_unreserved_can_be_replaced() -> None:
    user = {name: "user-value" for name in RESERVED} | {
        "LANG": "C.UTF-8", "PYTHONPATH": "/mine", "AWS_ENDPOINT_URL": "http://elsewhere", "MY_VAR": "x"}
    env = build_env(Spec(env=user), get_runtime("python3.12"), "127.0.0.1:9001", "/usr/bin/python3")
    for name in RESERVED:
        assert env.get(name) != "user-value", name
    assert "AWS_SESSION_TOKEN" not in env and "_X_AMZN_TRACE_ID" not in env and "AWS_ACCESS_KEY" not in env
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "7" and env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001" and env["TZ"] == ":UTC"
    assert (env["LANG"], env["PYTHONPATH"], env["AWS_ENDPOINT_URL"], env["MY_VAR"]) == (
        "C.UTF-8", "/mine", "http://elsewhere", "x")


def test_default_variables() -> None:
    env = build_env(Spec(credentials=("AK", "SK", "TOKEN")), get_runtime("python3.11"), "127.0.0.1:1", "/x/bin/py")
    assert env["AWS_SESSION_TOKEN"] == "TOKEN"
    assert env["PATH"].startswith("/x/bin:") and env["PYTHONPATH"].startswith("/code:")
    assert env["AWS_ENDPOINT_URL"] == "http://localhost:4566" and env["LANG"] == "en_US.UTF-8"
    assert "NODE_PATH" not in env
    node = build_env(Spec(), get_runtime("nodejs20.x"), "127.0.0.1:1")
    assert "PYTHONPATH" not in node and "NODE_PATH" in node
    assert node["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs20.x"


def test_runtime_table() -> None:
    for name in ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13"):
        assert get_runtime(name).family == "python"
    for name in ("nodejs18.x", "nodejs20.x", "nodejs22.x"):
        assert get_runtime(name).family == "nodejs"
    with pytest.raises(RuntimeUnavailable):
        get_runtime("java21")
