"""Lambda execution environments with real processes: the Python bootstrap, the Runtime API listener,
output capture, timeouts, crashes and memory. One warm environment serves most tests (a dispatching
handler); the ones that kill their environment get their own.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from cloudlet.services.lambda_.runtime.environment import Environment, EnvironmentDead, EnvSpec, InvokeResult

T = TypeVar("T")
Run = Callable[[Awaitable[T]], T]

APP = '''
import decimal, json, logging, os, sys, time

COUNT = 0
print("init: loading app")


def handler(event, context):
    global COUNT
    COUNT += 1
    action = event.get("action") if isinstance(event, dict) else None
    if action == "print":
        print("line one")
        print("line two", file=sys.stderr)
        sys.stdout.write("no newline at the end")
        return "printed"
    if action == "raise":
        raise ValueError("something broke")
    if action == "context":
        ident, cc = context.identity, context.client_context
        return {
            "aws_request_id": context.aws_request_id, "function_name": context.function_name,
            "function_version": context.function_version, "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb, "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name, "remaining": context.get_remaining_time_in_millis(),
            "identity": [ident.cognito_identity_id, ident.cognito_identity_pool_id],
            "client_context": None if cc is None else [
                cc.client.installation_id, cc.client.app_title, cc.custom, cc.env],
        }
    if action == "env":
        return {"env": dict(os.environ), "cwd": os.getcwd(), "path0": sys.path[0]}
    if action == "count":
        return COUNT
    if action == "logging":
        logging.getLogger().warning("careful\\nsecond line")
        logging.info("not shown: the root logger stays at WARNING")
        return None
    if action == "marshal":
        return {1, 2}
    if action == "decimal":
        return {"price": decimal.Decimal("1.10"), "n": decimal.Decimal("3"), "f": 0.5}
    if action == "big":
        return "x" * 7_000_000
    if action == "exit":
        print("about to exit")
        os._exit(1)
    return {"ok": True, "event": event}
'''

FILES = {
    "app.py": APP,
    "slow.py": "import time\n\ndef handler(event, context):\n    print('sleeping')\n    time.sleep(30)\n",
    "hog.py": "def handler(event, context):\n    data = b'x' * (300 * 1024 * 1024)\n    return len(data)\n",
    "hog_wait.py": "import time\n\ndef handler(event, context):\n    data = b'x' * (300 * 1024 * 1024)\n"
                   "    time.sleep(20)\n    return len(data)\n",
    "broken.py": "def handler(event, context)\n    return 1\n",
    "bad_init.py": "import os\nCONFIG = os.environ['NOT_SET_ANYWHERE']\n\ndef handler(event, context):\n    return 1\n",
    "exits.py": "import sys\nprint('bye')\nsys.exit(3)\n",
    "pkg/sub/mod.py": "def handler(event, context):\n    return {'nested': __name__}\n",
}


@pytest.fixture(scope="module")
def code_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("fn")
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return str(root)


def make_spec(code_dir: str, handler: str = "app.handler", **kw: Any) -> EnvSpec:
    values: dict[str, Any] = {
        "function_name": "fn", "function_version": "$LATEST",
        "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:fn", "runtime": "python3.11",
        "handler": handler, "code_dir": code_dir, "memory_mb": 128, "timeout_s": 3.0,
        "env": {"GREETING": "hello", "AWS_REGION": "eu-west-3", "PATH": "/custom/bin"},
        "region": "us-east-1", "account": "123456789012", "log_group": "/aws/lambda/fn",
        "log_stream": "2024/01/01/[$LATEST]0123456789abcdef", "endpoint_url": "http://127.0.0.1:4566",
        "credentials": ("AKIDEXAMPLE", "secret", "token"),
    }
    values.update(kw)
    return EnvSpec(**values)


async def once(spec: EnvSpec, payload: bytes = b"{}", request_id: str = "req-1") -> tuple[Environment, InvokeResult]:
    env = await Environment.start(spec)
    result = await env.invoke(request_id, payload)
    return env, result


@pytest.fixture(scope="module")
def warm(run: Run[Any], code_dir: str) -> Iterator[tuple[Environment, InvokeResult]]:
    os.environ["CLOUDLET_TEST_HOST_ONLY"] = "1"  # must not leak into the function's environment
    env, first = run(once(make_spec(code_dir), b'{"action": "count"}'))
    yield env, first
    run(env.stop())


def call(run: Run[Any], env: Environment, event: Any, request_id: str = "req-x") -> InvokeResult:
    return run(env.invoke(request_id, json.dumps(event).encode()))


# ---------------------------------------------------------------- success, warm reuse
def test_cold_start_returns_result_with_init_output_and_init_duration(warm: tuple[Environment, InvokeResult]) -> None:
    _, first = warm
    assert first.error is None and first.payload == b"1"
    assert first.log == "init: loading app\n"
    assert first.init_duration_ms is not None and first.init_duration_ms > 0
    assert 0 < first.max_memory_mb < 128


def test_returns_dict_as_json(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = call(run, warm[0], {"a": [1, 2], "s": "é"})
    assert r.error is None and r.error_type is None
    assert json.loads(r.payload) == {"ok": True, "event": {"a": [1, 2], "s": "é"}}
    assert r.init_duration_ms is None and r.duration_ms >= 0 and r.log == ""


def test_warm_reuse_keeps_module_state(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    a = json.loads(call(run, warm[0], {"action": "count"}).payload)
    b = json.loads(call(run, warm[0], {"action": "count"}).payload)
    assert b == a + 1 and a > 1


def test_print_lines_go_to_the_invoke_log(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = call(run, warm[0], {"action": "print"})
    assert r.payload == b'"printed"'
    assert r.log == "line one\nline two\nno newline at the end\n"
    assert [m for _, m in r.log_events] == ["line one", "line two", "no newline at the end"]


def test_logging_uses_aws_format_and_keeps_a_record_in_one_event(
    run: Run[Any], warm: tuple[Environment, InvokeResult]
) -> None:
    r = call(run, warm[0], {"action": "logging"}, request_id="req-log")
    assert r.payload == b"null"
    [(_, message)] = r.log_events
    assert re.fullmatch(r"\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\treq-log\tcareful\nsecond line", message)


def test_context_fields(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    event = json.dumps({"action": "context"}).encode()
    client_context = json.dumps({"client": {"installation_id": "inst-1", "app_title": "App"},
                                 "custom": {"k": "v"}, "env": {"platform": "test"}})
    identity = json.dumps({"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"})
    r = run(warm[0].invoke("req-ctx", event, client_context=client_context, cognito_identity=identity))
    doc = json.loads(r.payload)
    remaining = doc.pop("remaining")
    assert 2000 < remaining <= 3000
    assert doc == {
        "aws_request_id": "req-ctx", "function_name": "fn", "function_version": "$LATEST",
        "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:fn",
        "memory_limit_in_mb": "128", "log_group_name": "/aws/lambda/fn",
        "log_stream_name": "2024/01/01/[$LATEST]0123456789abcdef",
        "identity": ["id-1", "pool-1"], "client_context": ["inst-1", "App", {"k": "v"}, {"platform": "test"}],
    }
    r = call(run, warm[0], {"action": "context"})
    doc = json.loads(r.payload)
    assert doc["identity"] == [None, None] and doc["client_context"] is None


def test_environment_variables(run: Run[Any], warm: tuple[Environment, InvokeResult], code_dir: str) -> None:
    r = run(warm[0].invoke("req-env", b'{"action": "env"}', trace_id="Root=1-5f000000-0123456789abcdef01234567"))
    doc = json.loads(r.payload)
    env = doc["env"]
    assert doc["cwd"] == code_dir and doc["path0"] == code_dir
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fn"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == "2024/01/01/[$LATEST]0123456789abcdef"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["_HANDLER"] == "app.handler"
    assert env["LAMBDA_TASK_ROOT"] == code_dir
    assert os.path.isdir(env["LAMBDA_RUNTIME_DIR"])
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]) == (
        "AKIDEXAMPLE", "secret", "token")
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert env["TZ"] == ":UTC" and env["LANG"] == "en_US.UTF-8"
    assert env["PYTHONPATH"].split(":")[0] == code_dir
    assert env["_X_AMZN_TRACE_ID"] == "Root=1-5f000000-0123456789abcdef01234567"
    assert env["GREETING"] == "hello"  # the function's own variable
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"  # reserved: not overridden
    assert env["PATH"] == "/custom/bin"  # unreserved: the function's value wins
    assert "CLOUDLET_TEST_HOST_ONLY" not in env and "PYTHONUNBUFFERED" not in env


# ---------------------------------------------------------------- function errors (environment survives)
def test_handler_exception(run: Run[Any], warm: tuple[Environment, InvokeResult], code_dir: str) -> None:
    r = call(run, warm[0], {"action": "raise"}, request_id="req-err")
    assert r.error == "Unhandled" and r.error_type == "ValueError"
    doc = json.loads(r.payload)
    assert list(doc) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert doc["errorMessage"] == "something broke" and doc["errorType"] == "ValueError"
    assert doc["requestId"] == "req-err"
    [frame] = doc["stackTrace"]
    assert frame.startswith(f'  File "{code_dir}/app.py", line ') and frame.endswith(
        ', in handler\n    raise ValueError("something broke")\n')
    [(_, message)] = r.log_events
    assert message.splitlines() == [
        "[ERROR] ValueError: something broke", "Traceback (most recent call last):", *frame.rstrip("\n").splitlines()]
    assert warm[0].alive


def test_marshal_error(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = call(run, warm[0], {"action": "marshal"}, request_id="req-m")
    assert r.error == "Unhandled"
    assert json.loads(r.payload) == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError", "requestId": "req-m", "stackTrace": []}
    assert r.log.startswith("[ERROR] Runtime.MarshalError: Unable to marshal response: Object of type set")


def test_decimal_results_are_numbers(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = call(run, warm[0], {"action": "decimal"})
    assert r.payload == b'{"price": 1.10, "n": 3, "f": 0.5}'


def test_unmarshal_error(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = run(warm[0].invoke("req-u", b"not json"))
    doc = json.loads(r.payload)
    assert doc["errorType"] == "Runtime.UnmarshalError"
    assert doc["errorMessage"].startswith("Unable to unmarshal input: Expecting value")


def test_response_too_large(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = call(run, warm[0], {"action": "big"})
    assert r.error == "Unhandled"
    assert json.loads(r.payload) == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge"}
    assert warm[0].alive
    assert call(run, warm[0], {"after": "big"}).error is None


# ---------------------------------------------------------------- init errors
@pytest.mark.parametrize(("handler", "error_type", "message"), [
    ("nosuchmodule.handler", "Runtime.ImportModuleError",
     "Unable to import module 'nosuchmodule': No module named 'nosuchmodule'"),
    ("app.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'app'"),
    ("broken.handler", "Runtime.UserCodeSyntaxError",
     "Syntax error in module 'broken': expected ':' (broken.py, line 1)"),
    ("bad_init.handler", "KeyError", "'NOT_SET_ANYWHERE'"),
    ("nodot", "Runtime.MalformedHandlerName", "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)"),
])
def test_init_errors(run: Run[Any], code_dir: str, handler: str, error_type: str, message: str) -> None:
    env, r = run(once(make_spec(code_dir, handler)))
    assert r.error == "Unhandled" and r.error_type == error_type
    doc = json.loads(r.payload)
    assert (doc["errorType"], doc["errorMessage"], doc["requestId"]) == (error_type, message, "")
    assert r.log_events[-1][1].startswith(f"[ERROR] {error_type}: {message}\nTraceback (most recent call last):")
    if error_type == "Runtime.UserCodeSyntaxError":
        assert doc["stackTrace"] == [f'  File "{code_dir}/broken.py" Line 1\n    def handler(event, context)\n']
    if error_type == "KeyError":
        assert any(f.startswith(f'  File "{code_dir}/bad_init.py", line 2, in <module>') for f in doc["stackTrace"])
        assert "python_bootstrap" not in "".join(doc["stackTrace"])
    if error_type == "Runtime.ImportModuleError":
        assert r.log == f"[ERROR] {error_type}: {message}\nTraceback (most recent call last):\n"
    assert r.init_duration_ms is not None
    assert not env.alive
    with pytest.raises(EnvironmentDead):
        run(env.invoke("req-2", b"{}"))
    run(env.stop())


def test_init_error_is_returned_by_a_later_first_invoke(run: Run[Any], code_dir: str) -> None:
    async def scenario() -> tuple[Environment, InvokeResult]:
        env = await Environment.start(make_spec(code_dir, "app.nope"))
        for _ in range(200):  # the runtime reports the error and exits before anything is invoked
            if not env.alive:
                break
            await asyncio.sleep(0.01)
        assert not env.alive
        return env, await env.invoke("req-late", b"{}")

    env, r = run(scenario())
    assert r.error_type == "Runtime.HandlerNotFound"
    assert json.loads(r.payload)["errorMessage"] == "Handler 'nope' missing on module 'app'"
    run(env.stop())


@pytest.mark.parametrize("handler", ["pkg/sub/mod.handler", "pkg.sub.mod.handler"])
def test_nested_handlers(run: Run[Any], code_dir: str, handler: str) -> None:
    env, r = run(once(make_spec(code_dir, handler)))
    assert json.loads(r.payload) == {"nested": "pkg.sub.mod"}
    run(env.stop())


# ---------------------------------------------------------------- the environment dies
def test_timeout_kills_the_environment(run: Run[Any], code_dir: str) -> None:
    async def scenario() -> tuple[Environment, InvokeResult]:
        env = await Environment.start(make_spec(code_dir, "slow.handler", timeout_s=1.0))
        task = asyncio.ensure_future(env.invoke("req-slow", b"{}"))
        await asyncio.sleep(0)
        with pytest.raises(RuntimeError, match="one invocation at a time"):
            await env.invoke("req-other", b"{}")
        return env, await task

    env, r = run(scenario())
    assert r.error == "Unhandled" and r.error_type == "Sandbox.Timedout"
    message = json.loads(r.payload)["errorMessage"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z req-slow Task timed out after 1\.00 seconds", message)
    assert r.log == f"sleeping\n{message}\n"
    assert 1000 <= r.duration_ms < 2500
    assert not env.alive
    with pytest.raises(EnvironmentDead):
        run(env.invoke("req-2", b"{}"))
    run(env.stop())


def test_cancelled_invoke_kills_the_environment(run: Run[Any], code_dir: str) -> None:
    async def scenario() -> Environment:
        env = await Environment.start(make_spec(code_dir, "slow.handler"))
        task = asyncio.ensure_future(env.invoke("req-cancel", b"{}"))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return env

    env = run(scenario())
    assert not env.alive
    run(env.stop())


def test_crash_during_invoke(run: Run[Any], code_dir: str) -> None:
    env, r = run(once(make_spec(code_dir), b'{"action": "exit"}', "req-crash"))
    assert r.error == "Unhandled" and r.error_type == "Runtime.ExitError"
    assert json.loads(r.payload) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": "RequestId: req-crash Error: Runtime exited with error: exit status 1"}
    assert r.log == ("init: loading app\nabout to exit\n"
                     "RequestId: req-crash Error: Runtime exited with error: exit status 1\nRuntime.ExitError\n")
    assert not env.alive
    run(env.stop())


def test_exit_during_init(run: Run[Any], code_dir: str) -> None:
    env, r = run(once(make_spec(code_dir, "exits.handler"), request_id="req-init-exit"))
    assert r.error_type == "Runtime.ExitError"
    assert json.loads(r.payload)["errorMessage"] == (
        "RequestId: req-init-exit Error: Runtime exited with error: exit status 3")
    assert r.log.startswith("bye\n")
    run(env.stop())


def test_out_of_memory(run: Run[Any], code_dir: str) -> None:
    env, r = run(once(make_spec(code_dir, "hog.handler", memory_mb=128), request_id="req-oom"))
    assert r.error == "Unhandled" and r.error_type == "Runtime.OutOfMemory"
    assert json.loads(r.payload) == {
        "errorType": "Runtime.OutOfMemory",
        "errorMessage": "RequestId: req-oom Error: Runtime exited with error: signal: killed"}
    assert r.max_memory_mb > 128
    assert not env.alive
    run(env.stop())


def test_memory_is_watched_while_the_handler_runs(run: Run[Any], code_dir: str) -> None:
    """A handler over its memory that never answers is killed by the 50 ms watch, not the timeout."""
    started = time.monotonic()
    env, r = run(once(make_spec(code_dir, "hog_wait.handler", memory_mb=128, timeout_s=10.0)))
    assert r.error_type == "Runtime.OutOfMemory" and r.max_memory_mb > 128
    assert time.monotonic() - started < 5
    assert not env.alive
    run(env.stop())


def test_peak_memory_is_the_functions_not_the_forking_servers(run: Run[Any], code_dir: str) -> None:
    """Linux keeps the pre-exec image's peak in getrusage's ru_maxrss: a function started by a big
    server would look over its limit. The peak reported is the process's own (VmHWM)."""
    ballast = bytearray(300 * 1024 * 1024)  # the "server" is over 128 MB when it forks the function
    ballast[::4096] = b"x" * len(ballast[::4096])
    env, r = run(once(make_spec(code_dir, memory_mb=128)))
    del ballast
    assert r.error is None, r.payload
    assert 5 <= r.max_memory_mb < 128
    run(env.stop())


def test_stop_kills_the_process_group(run: Run[Any], code_dir: str) -> None:
    env = run(Environment.start(make_spec(code_dir)))
    pid = env.pid
    run(env.stop())
    assert not env.alive
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)


def test_runs_on_uvloop(code_dir: str) -> None:
    uvloop = pytest.importorskip("uvloop")

    async def scenario() -> list[bytes]:
        env = await Environment.start(make_spec(code_dir))
        try:
            return [(await env.invoke(f"r{i}", b'{"action": "count"}')).payload for i in range(3)]
        finally:
            await env.stop()

    assert uvloop.run(scenario()) == [b"1", b"2", b"3"]


def test_interpreter_is_the_hosts() -> None:
    from cloudlet.services.lambda_.runtime.runtimes import get_runtime

    assert get_runtime("python3.12").command()[0] == sys.executable
    assert Path(get_runtime("python3.9").bootstrap_path).is_file()
