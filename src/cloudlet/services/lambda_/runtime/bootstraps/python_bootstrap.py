"""cloudlet's Python runtime: the program a python3.x function's process runs (not imported by cloudlet).

Started by the host interpreter with the environment Lambda sets (AWS_LAMBDA_RUNTIME_API, _HANDLER,
LAMBDA_TASK_ROOT, ...), in the function's code directory. It imports the handler, then loops on the
Runtime API: GET /next, call handler(event, context), POST the JSON result or the error document
(with the next GET /next pipelined behind it: one write, one wake-up per invoke).
Behaviour follows AWS's Python runtime as documented and observed:
https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html
https://docs.aws.amazon.com/lambda/latest/dg/python-context.html
https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html
https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html
Standard library only, and Python 3.9-compatible: it runs on whatever interpreter hosts the runtime.
Multi-line records (logging records, error reports) are written as one line with "\\n" replaced by
"\\r", so the environment keeps each one as one log event, as Lambda's log sink does.
"""

from __future__ import annotations

import decimal
import importlib
import json
import logging
import os
import re
import resource
import socket
import sys
import time
import traceback
from typing import Any

API_PREFIX = "/2018-06-01/runtime"
_THIS_FILE = os.path.abspath(__file__)
_request_id = ""  # the invocation in progress, for log records
_DEC = "\x1e" + os.urandom(6).hex()  # marks a Decimal inside the JSON text (see _to_json)
_DEC_RE = re.compile(r'"\\u001e' + _DEC[1:] + r'([^"\\]*)\\u001e' + _DEC[1:] + '"')


class Fault(Exception):
    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


# ---------------------------------------------------------------- output
def _write_record(fd: int, text: str) -> None:
    """One log event: internal newlines become "\\r" so the line reader keeps the record whole."""
    data = (text.rstrip("\n").replace("\r\n", "\r").replace("\n", "\r") + "\n").encode("utf-8", "replace")
    while data:
        try:
            n = os.write(fd, data)
        except OSError:
            return
        data = data[n:]


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _request_id
        return True


class _LambdaLogHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = self.format(record)
        except Exception:
            self.handleError(record)
            return
        sys.stdout.flush()  # keep order with print() output
        _write_record(1, msg)


def _setup_logging() -> None:
    # AWS's text format: "[LEVEL]\t2024-01-01T00:00:00.000Z\t<request id>\t<message>". The root
    # logger keeps Python's default level (WARNING); logging.basicConfig() becomes a no-op.
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    handler = _LambdaLogHandler()
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)


def _log_error(error_type: str, message: str, trace: list[str]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    text = f"[ERROR] {error_type}: {message}\nTraceback (most recent call last):\n" + "".join(trace)
    _write_record(2, text)


def _user_trace(tb: Any) -> list[str]:
    """The traceback as AWS reports it: formatted frames, without the runtime's own frames."""
    frames = traceback.extract_tb(tb)
    while frames and frames[0].filename == _THIS_FILE:
        frames.pop(0)
    return traceback.format_list(frames)


def _error_doc(error_type: str, message: str, trace: list[str], request_id: str) -> bytes:
    doc = {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": trace}
    return json.dumps(doc).encode()


# ---------------------------------------------------------------- handler
def load_handler(spec: str) -> Any:
    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {e}") from None
    modname = modname.replace("/", ".")
    if modname.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", f"Cannot use built-in module {modname} as a handler module")
    try:
        module = importlib.import_module(modname)
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", f"Unable to import module '{modname}': {e}") from None
    except SyntaxError as e:
        trace = [f'  File "{e.filename}" Line {e.lineno}\n    {e.text or ""}']
        raise Fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{modname}': {e}", trace) from None
    except Exception as e:
        raise Fault(type(e).__name__, str(e), _user_trace(e.__traceback__)) from None
    try:
        return getattr(module, fname)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", f"Handler '{fname}' missing on module '{modname}'") from None


# ---------------------------------------------------------------- context
class CognitoIdentity:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.cognito_identity_id = doc.get("cognitoIdentityId")
        self.cognito_identity_pool_id = doc.get("cognitoIdentityPoolId")

    def __repr__(self) -> str:
        return (f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
                f"cognito_identity_pool_id={self.cognito_identity_pool_id}])")


class Client:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.installation_id = doc.get("installation_id")
        self.app_title = doc.get("app_title")
        self.app_version_name = doc.get("app_version_name")
        self.app_version_code = doc.get("app_version_code")
        self.app_package_name = doc.get("app_package_name")

    def __repr__(self) -> str:
        return (f"Client([installation_id={self.installation_id},app_title={self.app_title},"
                f"app_version_name={self.app_version_name},app_version_code={self.app_version_code},"
                f"app_package_name={self.app_package_name}])")


class ClientContext:
    def __init__(self, doc: dict[str, Any]) -> None:
        client = doc.get("client")
        self.client = Client(client) if isinstance(client, dict) else None
        self.custom = doc.get("custom")
        self.env = doc.get("env")

    def __repr__(self) -> str:
        return f"ClientContext([client={self.client},custom={self.custom},env={self.env}])"


class LambdaContext:
    def __init__(self, request_id: str, function_arn: str, deadline_ms: int,
                 client_context: dict[str, Any] | None, identity: dict[str, Any] | None) -> None:
        env = os.environ
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")  # a str, as on AWS
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = CognitoIdentity(identity or {})
        self.client_context = ClientContext(client_context) if client_context is not None else None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg: Any) -> None:
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
                f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
                f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
                f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
                f"identity={self.identity}])")


def _json_header(value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        doc = json.loads(value.encode("latin-1").decode("utf-8"))  # header bytes were decoded as latin-1
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


# ---------------------------------------------------------------- invoking
def _to_json(result: Any) -> bytes:
    """json.dumps as AWS's runtime does it; Decimal values become JSON numbers written as-is."""
    seen = []

    def default(o: Any) -> Any:
        if isinstance(o, decimal.Decimal):
            seen.append(True)
            return _DEC + str(o) + _DEC
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    text = json.dumps(result, default=default)
    if seen:
        text = _DEC_RE.sub(r"\1", text)
    return text.encode()


def run_handler(handler: Any, body: bytes, context: LambdaContext) -> tuple[bool, bytes, str | None]:
    """(ok, response or error document, error type)."""
    rid = context.aws_request_id
    try:
        try:
            event = json.loads(body)
        except ValueError as e:
            raise Fault("Runtime.UnmarshalError", f"Unable to unmarshal input: {e}") from None
        result = handler(event, context)
        try:
            return True, _to_json(result), None
        except (TypeError, ValueError, OverflowError) as e:
            raise Fault("Runtime.MarshalError", f"Unable to marshal response: {e}") from None
    except Fault as f:
        _log_error(f.error_type, f.message, f.trace)
        return False, _error_doc(f.error_type, f.message, f.trace, rid), f.error_type
    except Exception as e:
        error_type, trace = type(e).__name__, _user_trace(e.__traceback__)
        _log_error(error_type, str(e), trace)
        return False, _error_doc(error_type, str(e), trace, rid), error_type


class PeakRss:
    """The process's peak RSS in KiB, sent with each answer for the REPORT line and the memory limit
    (see MAX_RSS_HEADER in runtime_api.py): VmHWM of /proc/self/status, re-read through one open
    descriptor. Not getrusage's ru_maxrss: Linux keeps in it the peak of the image before exec, i.e.
    of the forked server."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/self/status", os.O_RDONLY)
        except OSError:
            self._fd = None

    def kb(self) -> int:
        if self._fd is not None:
            try:
                status = os.pread(self._fd, 8192, 0)
                i = status.index(b"VmHWM:")
                return int(status[i + 6 : status.index(b"kB", i)])
            except (OSError, ValueError):
                pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class RuntimeClient:
    """HTTP/1.1 over one kept-alive loopback connection: the Runtime API needs no more, and
    http.client (which imports ssl and email) would add ~20 ms to every cold start."""

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self._address = (host, int(port))
        self._host = address.encode()
        self._sock: socket.socket | None = None
        self._buf = bytearray()

    def call(self, method: str, path: str, body: bytes = b"",
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        self._send(self._request(method, path, body, headers))
        return self.read()

    def report_then_next(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """POST a result and pipeline the next GET /next behind it, in one write (the server answers
        both together once the next invocation comes); returns the POST's answer. The /next answer
        is read with read()."""
        self._send(self._request("POST", path, body, headers) + self._request("GET", "/invocation/next", b"", None))
        return self.read()

    def _request(self, method: str, path: str, body: bytes, headers: dict[str, str] | None) -> bytes:
        head = [f"{method} {API_PREFIX}{path} HTTP/1.1", "Host: " + self._host.decode(),
                f"Content-Length: {len(body)}"]
        head.extend(f"{k}: {v}" for k, v in (headers or {}).items())
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body

    def _send(self, data: bytes) -> None:
        if self._sock is None:
            self._sock = socket.create_connection(self._address)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._buf = bytearray()
        self._sock.sendall(data)

    def read(self) -> tuple[int, dict[str, str], bytes]:
        """The next response on the connection: (status, lower-cased headers, body)."""
        assert self._sock is not None
        while True:
            end = self._buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            self._recv()
        lines = self._buf[:end].decode("latin-1").split("\r\n")
        del self._buf[: end + 4]
        status = int(lines[0].split(" ", 2)[1])
        fields: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        size = int(fields.get("content-length", "0"))
        while len(self._buf) < size:
            self._recv()
        data = bytes(self._buf[:size])
        del self._buf[:size]
        if fields.get("connection", "").lower() == "close":
            self._sock.close()
            self._sock = None
        return status, fields, data

    def _recv(self) -> None:
        assert self._sock is not None
        chunk = self._sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the Runtime API closed the connection")
        self._buf += chunk


def _take_assignment(client: RuntimeClient) -> None:
    """A pre-started process (cloudlet's spares.py) learns its function: the environment Lambda
    sets and the working directory, applied before anything of the function is loaded."""
    status, _, body = client.call("GET", "/cloudlet/assignment")
    if status != 200:
        sys.exit(1)
    doc = json.loads(body)
    # What the interpreter itself added at start stays, as it would for a process started with this
    # environment: LC_CTYPE=C.UTF-8 when LANG's locale is missing (PEP 538 locale coercion).
    coerced = os.environ.get("LC_CTYPE")
    os.environ.clear()
    os.environ.update(doc["env"])
    if coerced is not None:
        os.environ.setdefault("LC_CTYPE", coerced)
    os.chdir(doc["cwd"])
    time.tzset()


def main() -> None:
    global _request_id
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    if os.environ.get("_CLOUDLET_SPARE"):
        _take_assignment(client)
    _setup_logging()
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    if sys.path and os.path.realpath(sys.path[0] or ".") == os.path.dirname(os.path.realpath(_THIS_FILE)):
        del sys.path[0]  # the bootstrap's own directory is not the function's
    if not sys.path or sys.path[0] != task_root:
        sys.path.insert(0, task_root)
    peak = PeakRss()

    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Fault as f:
        _log_error(f.error_type, f.message, f.trace)
        client.call("POST", "/init/error", _error_doc(f.error_type, f.message, f.trace, ""),
                    {"Lambda-Runtime-Function-Error-Type": f.error_type})
        sys.exit(1)

    next_sent = False
    while True:
        status, fields, body = client.read() if next_sent else client.call("GET", "/invocation/next")
        if status != 200:
            sys.exit(1)
        rid = fields.get("lambda-runtime-aws-request-id", "")
        _request_id = rid
        trace_id = fields.get("lambda-runtime-trace-id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        context = LambdaContext(
            rid,
            fields.get("lambda-runtime-invoked-function-arn", ""),
            int(fields.get("lambda-runtime-deadline-ms") or 0),
            _json_header(fields.get("lambda-runtime-client-context")),
            _json_header(fields.get("lambda-runtime-cognito-identity")),
        )
        ok, out, error_type = run_handler(handler, body, context)
        sys.stdout.flush()
        sys.stderr.flush()
        rss = str(peak.kb())
        if ok:
            client.report_then_next(f"/invocation/{rid}/response", out, {"X-Cloudlet-Max-Rss-Kb": rss})
        else:
            client.report_then_next(f"/invocation/{rid}/error", out,
                                    {"Lambda-Runtime-Function-Error-Type": error_type or "Unhandled",
                                     "Content-Type": "application/vnd.aws.lambda.error+json",
                                     "X-Cloudlet-Max-Rss-Kb": rss})
        next_sent = True


if __name__ == "__main__":
    main()
