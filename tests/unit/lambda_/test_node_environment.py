"""Lambda execution environments of the nodejs runtimes, with real `node` processes: the Node bootstrap
(handler loading, both handler styles, the context, console output, errors) behind the same
Environment and Runtime API as the Python runtimes. One warm environment serves most tests (a
dispatching async handler); the other handler styles and the failures get their own.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import textwrap
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from cloudlet.services.lambda_.runtime.environment import Environment, EnvironmentDead, EnvSpec, InvokeResult
from cloudlet.services.lambda_.runtime.runtimes import get_runtime

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node on the PATH")

T = TypeVar("T")
Run = Callable[[Awaitable[T]], T]

TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"

APP = r"""
let count = 0;
console.log('init: loading app');

exports.handler = async (event, context) => {
  count += 1;
  const action = event && event.action;
  switch (action) {
    case 'count':
      return count;
    case 'print':
      console.log('hello %s', 'world', { a: 1 });
      console.info('info line');
      console.warn('first line\nsecond line');
      console.error('an error line');
      console.debug('a debug line');
      process.stdout.write('raw line\n');
      return 'printed';
    case 'raise':
      throw new TypeError('something broke');
    case 'raise-custom': {
      class ValidationError extends Error {}
      const err = new ValidationError('bad field');
      err.name = 'ValidationError';
      throw err;
    }
    case 'raise-string':
      throw 'just a string';
    case 'reject-object':
      return Promise.reject({ code: 42 });
    case 'context':
      return {
        awsRequestId: context.awsRequestId, functionName: context.functionName,
        functionVersion: context.functionVersion, invokedFunctionArn: context.invokedFunctionArn,
        memoryLimitInMB: context.memoryLimitInMB, logGroupName: context.logGroupName,
        logStreamName: context.logStreamName, remaining: context.getRemainingTimeInMillis(),
        identity: context.identity === undefined ? 'undefined' : context.identity,
        clientContext: context.clientContext === undefined ? 'undefined' : context.clientContext,
        callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
      };
    case 'env':
      return { env: process.env, cwd: process.cwd() };
    case 'undefined':
      return undefined;
    case 'cycle': {
      const o = {};
      o.self = o;
      return o;
    }
    default:
      return { ok: true, event };
  }
};

exports.callback = (event, context, callback) => {
  if (event.wait === false) context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => console.log('timer fired'), 200);
  count += 1;
  if (event.fail) return callback(new Error('bad input'));
  callback(null, { style: 'callback', n: count });
};

exports.legacy = (event, context) => {
  setTimeout(() => {}, 500); // must not hold the answer back
  if (event.how === 'succeed') context.succeed({ how: 'succeed' });
  else if (event.how === 'fail') context.fail(new Error('failed the old way'));
  else context.done(null, { how: 'done' });
};

exports.silent = (event) => {
  console.log('returns nothing, calls nothing');
};

exports.notAFunction = 42;
exports.nested = { deeper: { fn: async () => 'nested' } };
"""

FILES = {
    "app.js": APP,
    "slow.js": "exports.handler = async () => {\n  console.log('sleeping');\n"
               "  await new Promise((r) => setTimeout(r, 30000));\n};\n",
    "broken.js": "exports.handler = async (event) => {\n  return {\n};\n",
    "bad_init.js": "throw new Error('config missing');\n",
    "needs_dep.js": "const dep = require('not-installed-anywhere');\nexports.handler = async () => dep;\n",
    "crash.js": "exports.handler = async () => {\n"
                "  setTimeout(() => { throw new RangeError('boom in a timer'); }, 10);\n"
                "  await new Promise((r) => setTimeout(r, 2000));\n};\n",
    "rejects.js": "exports.handler = async () => {\n  Promise.reject(new Error('nobody waits for me'));\n"
                  "  await new Promise((r) => setTimeout(r, 50));\n  return 'late';\n};\n",
    "esm/handler.mjs": textwrap.dedent("""\
        import { basename } from 'node:path';
        const loaded = await Promise.resolve(basename(new URL(import.meta.url).pathname));
        let n = 0;
        console.log('esm init', loaded);
        export const handler = async (event, context) => ({ esm: true, n: ++n, file: loaded,
                                                             requestId: context.awsRequestId });
        """),
    "typemod/package.json": '{"type": "module"}\n',
    "typemod/index.js": "export const handler = async () => 'an ES module .js';\n",
    "lib/util.cjs": "module.exports.handler = async () => 'commonjs .cjs';\n",
}


@pytest.fixture(scope="module")
def code_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("nodefn")
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(root)


def make_spec(code_dir: str, handler: str = "app.handler", **kw: Any) -> EnvSpec:
    values: dict[str, Any] = {
        "function_name": "nfn", "function_version": "$LATEST",
        "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:nfn", "runtime": "nodejs20.x",
        "handler": handler, "code_dir": code_dir, "memory_mb": 256, "timeout_s": 3.0,
        "env": {"GREETING": "hello"},
        "region": "us-east-1", "account": "123456789012", "log_group": "/aws/lambda/nfn",
        "log_stream": "2024/01/01/[$LATEST]0123456789abcdef", "endpoint_url": "http://127.0.0.1:4566",
        "credentials": ("AKIDEXAMPLE", "secret", "token"),
    }
    values.update(kw)
    return EnvSpec(**values)


async def once(spec: EnvSpec, payload: bytes = b"{}", request_id: str = "req-1") -> tuple[Environment, InvokeResult]:
    env = await Environment.start(spec)
    result = await env.invoke(request_id, payload)
    return env, result


def call(run: Run[Any], env: Environment, event: Any, request_id: str = "req-x") -> InvokeResult:
    return run(env.invoke(request_id, json.dumps(event).encode()))


@pytest.fixture(scope="module")
def warm(run: Run[Any], code_dir: str) -> Iterator[tuple[Environment, InvokeResult]]:
    env, first = run(once(make_spec(code_dir), b'{"action": "count"}'))
    yield env, first
    run(env.stop())


async def wait_until_dead(env: Environment) -> None:
    for _ in range(200):
        if not env.alive:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the process is still running")


def messages(r: InvokeResult) -> list[str]:
    return [m for _, m in r.log_events]


# ---------------------------------------------------------------- success, warm reuse
def test_node_runtimes_start_the_node_bootstrap() -> None:
    for name in ("nodejs18.x", "nodejs20.x", "nodejs22.x"):
        command = get_runtime(name).command()
        assert os.path.basename(command[0]) == "node" and command[1].endswith("node_bootstrap.js")
        assert os.path.isfile(command[1])


def test_cold_start_returns_result_with_init_output(warm: tuple[Environment, InvokeResult]) -> None:
    _, first = warm
    assert first.error is None and first.payload == b"1"
    [init_line] = messages(first)
    assert re.fullmatch(TS + r"\tundefined\tINFO\tinit: loading app", init_line)
    assert first.init_duration_ms is not None and first.init_duration_ms > 0
    assert 0 < first.max_memory_mb < 256


def test_peak_memory_is_the_functions_not_the_forking_servers(run: Run[Any], code_dir: str) -> None:
    """resourceUsage().maxRSS keeps the forked server's peak on Linux: the bootstrap reports VmHWM."""
    ballast = bytearray(400 * 1024 * 1024)  # the "server" is over the limit when it forks the function
    ballast[::4096] = b"x" * len(ballast[::4096])
    env, r = run(once(make_spec(code_dir, memory_mb=256)))
    del ballast
    assert r.error is None, r.payload
    assert 5 <= r.max_memory_mb < 256
    run(env.stop())


def test_async_handler_returns_object(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = call(run, warm[0], {"a": [1, 2], "s": "é"})
    assert r.error is None and r.error_type is None
    assert json.loads(r.payload) == {"ok": True, "event": {"a": [1, 2], "s": "é"}}
    assert r.init_duration_ms is None and r.log == ""


def test_undefined_result_is_null(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    assert call(run, warm[0], {"action": "undefined"}).payload == b"null"


def test_warm_reuse_keeps_module_state(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    a = json.loads(call(run, warm[0], {"action": "count"}).payload)
    b = json.loads(call(run, warm[0], {"action": "count"}).payload)
    assert b == a + 1 and a > 1


def test_console_lines_use_aws_format(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = call(run, warm[0], {"action": "print"}, request_id="req-print")
    assert r.payload == b'"printed"'
    lines = messages(r)
    assert len(lines) == 6
    expected = [
        ("INFO", "hello world { a: 1 }"), ("INFO", "info line"), ("WARN", "first line\nsecond line"),
        ("ERROR", "an error line"), ("DEBUG", "a debug line"),
    ]
    for line, (level, text) in zip(lines, expected, strict=False):
        assert re.fullmatch(f"{TS}\treq-print\t{level}\t{re.escape(text)}", line), line
    assert lines[5] == "raw line"  # process.stdout.write goes through as it is


def test_context_fields(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    event = json.dumps({"action": "context"}).encode()
    client_context = json.dumps({"client": {"installation_id": "inst-1", "app_title": "Äpp"},
                                 "custom": {"k": "v"}, "env": {"platform": "test"}})
    identity = json.dumps({"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"})
    r = run(warm[0].invoke("req-ctx", event, client_context=client_context, cognito_identity=identity))
    doc = json.loads(r.payload)
    remaining = doc.pop("remaining")
    assert 2000 < remaining <= 3000
    assert doc == {
        "awsRequestId": "req-ctx", "functionName": "nfn", "functionVersion": "$LATEST",
        "invokedFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:nfn",
        "memoryLimitInMB": "256", "logGroupName": "/aws/lambda/nfn",
        "logStreamName": "2024/01/01/[$LATEST]0123456789abcdef",
        "identity": {"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"},
        "clientContext": {"client": {"installation_id": "inst-1", "app_title": "Äpp"},
                          "custom": {"k": "v"}, "env": {"platform": "test"}},
        "callbackWaitsForEmptyEventLoop": True,
    }
    doc = json.loads(call(run, warm[0], {"action": "context"}).payload)
    assert doc["identity"] == "undefined" and doc["clientContext"] == "undefined"


def test_environment_variables(run: Run[Any], warm: tuple[Environment, InvokeResult], code_dir: str) -> None:
    r = run(warm[0].invoke("req-env", b'{"action": "env"}', trace_id="Root=1-5f000000-0123456789abcdef01234567"))
    doc = json.loads(r.payload)
    env = doc["env"]
    assert doc["cwd"] == code_dir
    assert env["_HANDLER"] == "app.handler" and env["LAMBDA_TASK_ROOT"] == code_dir
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs20.x"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"  # the JS SDK v3 picks it up by itself
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["NODE_PATH"].split(":")[-1] == f"{code_dir}/node_modules"
    assert "PYTHONPATH" not in env
    assert env["_X_AMZN_TRACE_ID"] == "Root=1-5f000000-0123456789abcdef01234567"
    assert env["GREETING"] == "hello"


# ---------------------------------------------------------------- function errors (environment survives)
def test_thrown_error(run: Run[Any], warm: tuple[Environment, InvokeResult], code_dir: str) -> None:
    r = call(run, warm[0], {"action": "raise"}, request_id="req-err")
    assert r.error == "Unhandled" and r.error_type == "TypeError"
    doc = json.loads(r.payload)
    assert list(doc) == ["errorType", "errorMessage", "trace"]
    assert doc["errorType"] == "TypeError" and doc["errorMessage"] == "something broke"
    assert doc["trace"][0] == "TypeError: something broke"
    assert doc["trace"][1].startswith(f"    at exports.handler ({code_dir}/app.js:")
    [line] = messages(r)
    prefix = re.match(TS + "\treq-err\tERROR\tInvoke Error \t", line)
    assert prefix is not None
    assert json.loads(line[prefix.end():]) == {
        "errorType": "TypeError", "errorMessage": "something broke", "stack": doc["trace"]}
    assert warm[0].alive
    assert call(run, warm[0], {"after": "error"}).error is None


def test_custom_error_name(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = call(run, warm[0], {"action": "raise-custom"})
    doc = json.loads(r.payload)
    assert (r.error_type, doc["errorType"], doc["errorMessage"]) == ("ValidationError", "ValidationError", "bad field")


@pytest.mark.parametrize(("action", "error_type", "message"), [
    ("raise-string", "string", "just a string"),
    ("reject-object", "object", "[object Object]"),
])
def test_thrown_non_error_values(run: Run[Any], warm: tuple[Environment, InvokeResult], action: str,
                                 error_type: str, message: str) -> None:
    r = call(run, warm[0], {"action": action})
    assert r.error == "Unhandled" and r.error_type == error_type
    assert json.loads(r.payload) == {"errorType": error_type, "errorMessage": message, "trace": []}


def test_unserializable_result(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = call(run, warm[0], {"action": "cycle"})
    doc = json.loads(r.payload)
    assert doc["errorType"] == "TypeError" and doc["errorMessage"].startswith("Converting circular structure to JSON")
    assert warm[0].alive


def test_unmarshal_error(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = run(warm[0].invoke("req-u", b"not json"))
    doc = json.loads(r.payload)
    assert doc["errorType"] == "Runtime.UnmarshalError"
    assert doc["errorMessage"].startswith("Unable to unmarshal input: Unexpected token")


def test_response_too_large_keeps_the_environment(run: Run[Any], warm: tuple[Environment, InvokeResult]) -> None:
    r = call(run, warm[0], {"big": "x" * 7_000_000})
    assert r.error_type == "Function.ResponseSizeTooLarge"
    assert call(run, warm[0], {"after": "big"}).error is None


# ---------------------------------------------------------------- other handler styles
def test_callback_waits_for_the_empty_event_loop(run: Run[Any], code_dir: str) -> None:
    env = run(Environment.start(make_spec(code_dir, "app.callback")))
    try:
        r = call(run, env, {}, request_id="req-cb1")
        assert r.error is None and json.loads(r.payload) == {"style": "callback", "n": 1}
        assert r.duration_ms >= 190  # answered once the 200 ms timer had run
        assert any(m.endswith("\treq-cb1\tINFO\ttimer fired") for m in messages(r))

        r = call(run, env, {"wait": False}, request_id="req-cb2")
        assert json.loads(r.payload) == {"style": "callback", "n": 2}
        assert r.duration_ms < 150 and not any("timer fired" in m for m in messages(r))

        # the timer left running fires while the environment waits, and is logged with the next invoke
        run(asyncio.sleep(0.3))
        r = call(run, env, {"fail": True}, request_id="req-cb3")
        assert r.error_type == "Error"
        assert json.loads(r.payload)["errorMessage"] == "bad input"
        logged = messages(r)
        assert "\treq-cb2\tINFO\ttimer fired" in logged[0]
        assert "\treq-cb3\tINFO\ttimer fired" in logged[1] and "\tERROR\tInvoke Error \t" in logged[2]
    finally:
        run(env.stop())


@pytest.mark.parametrize(("how", "payload", "error_type"), [
    ("succeed", {"how": "succeed"}, None),
    ("done", {"how": "done"}, None),
    ("fail", {"errorType": "Error", "errorMessage": "failed the old way"}, "Error"),
])
def test_legacy_context_methods_answer_at_once(run: Run[Any], code_dir: str, how: str, payload: dict[str, Any],
                                               error_type: str | None) -> None:
    env, r = run(once(make_spec(code_dir, "app.legacy"), json.dumps({"how": how}).encode()))
    doc = json.loads(r.payload)
    doc.pop("trace", None)
    assert doc == payload and r.error_type == error_type
    assert r.duration_ms < 400  # the handler's 500 ms timer did not hold the answer back
    run(env.stop())


def test_handler_that_never_answers_returns_null(run: Run[Any], code_dir: str) -> None:
    env, r = run(once(make_spec(code_dir, "app.silent")))
    assert r.error is None and r.payload == b"null"
    assert messages(r)[-1].endswith("\tINFO\treturns nothing, calls nothing")
    run(env.stop())


def test_esm_handler(run: Run[Any], code_dir: str) -> None:
    env, r = run(once(make_spec(code_dir, "esm/handler.handler"), request_id="req-esm"))
    try:
        assert json.loads(r.payload) == {"esm": True, "n": 1, "file": "handler.mjs", "requestId": "req-esm"}
        assert re.fullmatch(TS + r"\tundefined\tINFO\tesm init handler\.mjs", messages(r)[0])
        assert json.loads(call(run, env, {}).payload)["n"] == 2  # warm: the module stays loaded
    finally:
        run(env.stop())


@pytest.mark.parametrize(("handler", "result"), [
    ("typemod/index.handler", "an ES module .js"),
    ("lib/util.handler", "commonjs .cjs"),
    ("app.nested.deeper.fn", "nested"),
])
def test_module_kinds_and_paths(run: Run[Any], code_dir: str, handler: str, result: str) -> None:
    env, r = run(once(make_spec(code_dir, handler)))
    assert json.loads(r.payload) == result
    run(env.stop())


# ---------------------------------------------------------------- init errors
@pytest.mark.parametrize(("handler", "error_type", "message"), [
    ("nosuch.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'nosuch'\nRequire stack:\n- "),
    ("needs_dep.handler", "Runtime.ImportModuleError",
     "Error: Cannot find module 'not-installed-anywhere'\nRequire stack:\n- {code_dir}/needs_dep.js\n- "),
    ("app.nope", "Runtime.HandlerNotFound", "app.nope is undefined or not exported"),
    ("app.notAFunction", "Runtime.HandlerNotFound", "app.notAFunction is not a function"),
    ("broken.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected end of input"),
    ("bad_init.handler", "Error", "config missing"),
    ("nodot", "Runtime.MalformedHandlerName", "Bad handler"),
])
def test_init_errors(run: Run[Any], code_dir: str, handler: str, error_type: str, message: str) -> None:
    env, r = run(once(make_spec(code_dir, handler)))
    message = message.format(code_dir=code_dir)
    assert r.error == "Unhandled" and r.error_type == error_type
    doc = json.loads(r.payload)
    assert list(doc) == ["errorType", "errorMessage", "trace"] and doc["errorType"] == error_type
    if message.endswith("- "):  # the require stack ends with the runtime's own file, as on AWS
        assert doc["errorMessage"].startswith(message) and doc["errorMessage"].endswith("node_bootstrap.js")
    else:
        assert doc["errorMessage"] == message
    assert doc["trace"][0] == f"{error_type}: {doc['errorMessage'].splitlines()[0]}"
    line = messages(r)[-1]
    prefix = re.match(TS + "\tundefined\tERROR\tUncaught Exception \t", line)
    assert prefix is not None
    assert json.loads(line[prefix.end():]) == {
        "errorType": error_type, "errorMessage": doc["errorMessage"], "stack": doc["trace"]}
    assert r.init_duration_ms is not None
    assert not env.alive
    with pytest.raises(EnvironmentDead):
        run(env.invoke("req-2", b"{}"))
    run(env.stop())


# ---------------------------------------------------------------- the environment dies
def test_timeout_kills_the_environment(run: Run[Any], code_dir: str) -> None:
    env, r = run(once(make_spec(code_dir, "slow.handler", timeout_s=1.0), request_id="req-slow"))
    assert r.error == "Unhandled" and r.error_type == "Sandbox.Timedout"
    message = json.loads(r.payload)["errorMessage"]
    assert re.fullmatch(TS + r" req-slow Task timed out after 1\.00 seconds", message)
    assert messages(r)[-2].endswith("\treq-slow\tINFO\tsleeping") and messages(r)[-1] == message
    assert 1000 <= r.duration_ms < 2500
    assert not env.alive
    run(env.stop())


def test_uncaught_exception_fails_the_invoke_and_ends_the_process(run: Run[Any], code_dir: str) -> None:
    env, r = run(once(make_spec(code_dir, "crash.handler"), request_id="req-crash"))
    assert r.error == "Unhandled" and r.error_type == "RangeError"
    doc = json.loads(r.payload)
    assert (doc["errorType"], doc["errorMessage"]) == ("RangeError", "boom in a timer")
    assert re.fullmatch(TS + "\treq-crash\tERROR\tUncaught Exception \t.*", messages(r)[-1])
    run(wait_until_dead(env))
    run(env.stop())


def test_unhandled_rejection_fails_the_invoke_and_ends_the_process(run: Run[Any], code_dir: str) -> None:
    env, r = run(once(make_spec(code_dir, "rejects.handler"), request_id="req-rej"))
    assert r.error_type == "Runtime.UnhandledPromiseRejection"
    doc = json.loads(r.payload)
    assert doc["errorMessage"] == "Error: nobody waits for me"
    line = messages(r)[-1]
    prefix = re.match(TS + "\treq-rej\tERROR\tUnhandled Promise Rejection \t", line)
    assert prefix is not None
    logged = json.loads(line[prefix.end():])
    assert logged["reason"]["errorMessage"] == "nobody waits for me" and logged["promise"] == {}
    run(wait_until_dead(env))
    run(env.stop())
