"""API Gateway REST execution logs: the lines one request writes, and writing them to CloudWatch Logs.

https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-execution-logging.html

A stage's `methodSettings` choose, per method, `loggingLevel` (OFF, ERROR, INFO) and
`dataTraceEnabled` ("Log full requests/responses data"); see `settings_for`. The pipeline makes
one `ExecutionLog` per request and calls it at each step; with logging off every call returns at
once and nothing is formatted. Lines go to the log group `API-Gateway-Execution-Logs_{api}/{stage}`
(created by API Gateway itself), each event's message prefixed with the request id in parentheses.

Lines written, in AWS's words (sources: AWS's troubleshooting articles and execution logs AWS
produced, as published with their events; `[T]` = only with data trace, `[E]` = also at ERROR):

  Extended Request Id: {extendedRequestId}
  Verifying Usage Plan for request: {requestId}. API Key: {masked key} API Stage: {apiId}/{stage}
  API Key {masked key} authorized because method '{METHOD} {resourcePath}' does not require API Key.
    Request will not contribute to throttle or quota limits        (only when no key is required)
  Usage Plan check succeeded for API Key {masked key} and API Stage {apiId}/{stage}
  Starting execution for request: {requestId}
  HTTP Method: {METHOD}, Resource Path: {path}
  API Key: {masked key}                                            (when the method requires one)
  [T] Method request path: {k=v, ...}
  [T] Method request query string: {k=v, ...}
  [T] Method request headers: {k=v, ...}           (Authorization, x-api-key masked)
  [T] Method request body before transformations: {body}
  [T] Endpoint request URI: {uri}
  [T] Endpoint request headers: {k=v, ...}
  [T] Endpoint request body after transformations: {body}
  [T] Sending request to {uri}
  [T] Received response. Status: {status}, Integration latency: {ms} ms
  [T] Endpoint response headers: {k=v, ...}
  [T] Endpoint response body before transformations: {body}
  [T] Method response body after transformations: {body}
  [T] Method response headers: {k=v, ...}
  [E] error lines, e.g. the constants and helpers below
  Successfully completed execution                                 (when the execution did not fail)
  [E] Method completed with status: {status}                     (at ERROR: only when it failed)

Every line is cut at 1,024 characters and then ends in " [TRUNCATED]" (AWS: "Log events are
truncated at 1 KB"; the published lines are 1,024 characters before the marker). Maps print as
Java's `{k=v, k2=v2}`. TestInvokeMethod's `log` is `text()`: "Execution log for request {id}",
then each line from "Starting execution" on as "{Sat Mar 05 15:47:32 UTC 2022} : {line}", each
ending in a newline (it has no usage-plan lines).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudlet.services.apigateway.execute.access_log import (
    ACCESS_LOG_FORMATS,
    access_log_stream_name,
    log_stream_name,
    mask_secret,
    parse_log_group_arn,
    render_access_log,
    request_time,
)
from cloudlet.services.logs.engine import events as log_events
from cloudlet.services.logs.engine.catalog import LogCatalog

__all__ = [
    "ACCESS_LOG_FORMATS", "INVALID_LAMBDA_PERMISSIONS", "MALFORMED_PROXY_RESPONSE", "OFF", "TEST_INVOKE",
    "TIMEOUT_ERROR", "ExecutionLog", "LogSettings", "access_log_stream_name", "body_does_not_match_model",
    "customer_function_error", "execution_log_group", "execution_log_stream_name", "invalid_method_response",
    "mask_secret", "method_setting_key", "missing_parameters", "parse_log_group_arn", "render_access_log",
    "request_time", "settings_for", "write_events",
]

MAX_LINE = 1024
TRUNCATED = " [TRUNCATED]"
_MASKED_HEADERS = frozenset({"authorization", "x-api-key"})
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Error lines as AWS writes them (AWS knowledge-center articles on 5xx from Lambda integrations,
# and TestInvokeMethod logs AWS returned).
MALFORMED_PROXY_RESPONSE = "Execution failed due to configuration error: Malformed Lambda proxy response"
INVALID_LAMBDA_PERMISSIONS = "Execution failed due to configuration error: Invalid permissions on Lambda function"
TIMEOUT_ERROR = "Execution failed due to a timeout error"


def customer_function_error(status: int, message: str, lambda_request_id: str) -> str:
    """A Lambda function that failed (X-Amz-Function-Error); `message` is its errorMessage."""
    return (f"Lambda execution failed with status {status} due to customer function error: {message}. "
            f"Lambda request id: {lambda_request_id}")


def invalid_method_response(status: str) -> str:
    return f"Execution failed due to configuration error: Output mapping refers to an invalid method response: {status}"


def body_does_not_match_model(content_type: str, errors: list[str]) -> str:
    """Request validation: e.g. errors = ['object has missing required properties (["name"])']."""
    return f"Request body does not match model schema for content type {content_type}: [{', '.join(errors)}]"


def missing_parameters(names: list[str]) -> str:
    return f"Missing required request parameters: [{', '.join(names)}]"


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class LogSettings:
    level: str | None  # "INFO" | "ERROR" | None (OFF)
    data_trace: bool = False


OFF = LogSettings(None, False)
TEST_INVOKE = LogSettings("INFO", True)  # TestInvokeMethod logs everything, whatever the stage says


def execution_log_group(api_id: str, stage: str) -> str:
    return f"API-Gateway-Execution-Logs_{api_id}/{stage}"


def execution_log_stream_name(api_id: str, stage: str) -> str:
    """32 hex digits like AWS's stream names (one stream per stage for this process run)."""
    return log_stream_name("execution", api_id, stage)


def method_setting_key(resource_path: str, http_method: str) -> str:
    """The methodSettings key of a method: `/pets/{id}` GET -> `~1pets~1{id}/GET` (JSON Pointer escaping)."""
    return resource_path.replace("~", "~0").replace("/", "~1") + "/" + http_method


def _level(value: Any) -> str | None:
    level = str(value).upper() if value is not None else None
    return level if level in ("INFO", "ERROR") else None


def settings_for(method_settings: Mapping[str, Any] | None, resource_path: str, http_method: str) -> LogSettings:
    """A method's log settings from the stage's methodSettings (as GetStage returns them).

    The method's own entry wins, then its resource's `*` entry, then `*/*`; field by field, so
    an entry without `dataTraceEnabled` keeps the stage-wide one. No entry at all: OFF.
    """
    if not method_settings:
        return OFF
    escaped = resource_path.replace("~", "~0").replace("/", "~1")
    plain = resource_path.lstrip("/")  # Terraform's `method_path` form: `pets/GET`
    level: Any = None
    trace: Any = None
    for key in (f"{escaped}/{http_method}", f"{plain}/{http_method}", f"{escaped}/*", f"{plain}/*", "*/*"):
        entry = method_settings.get(key)
        if entry:
            if level is None:
                level = entry.get("loggingLevel")
            if trace is None:
                trace = entry.get("dataTraceEnabled")
    return LogSettings(_level(level), bool(trace))


def _map(values: Mapping[str, Any] | None, masked: frozenset[str] = frozenset()) -> str:
    if not values:
        return "{}"
    parts = []
    for k, v in values.items():
        if isinstance(v, (list, tuple)):
            v = ",".join(str(x) for x in v)
        elif v is None:
            v = "null"
        if masked and k.lower() in masked:
            v = mask_secret(str(v))
        parts.append(f"{k}={v}")
    return "{" + ", ".join(parts) + "}"


def _body(body: str | bytes | None) -> str:
    if not body:
        return ""
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body[: MAX_LINE * 4]).decode("utf-8", "replace")[:MAX_LINE]
    return body[:MAX_LINE]  # the line is cut at 1 KB anyway: don't copy a large body


def _clock(ms: int) -> str:
    """Java's Date.toString in UTC: `Sat Mar 05 15:47:32 UTC 2022`."""
    t = time.gmtime(ms // 1000)
    return (f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}")


class ExecutionLog:
    """Collects one request's execution log lines; nothing is formatted when logging is off."""

    __slots__ = ("_info", "_last", "_lines", "_now", "_trace", "enabled", "request_id")

    def __init__(self, settings: LogSettings, request_id: str, now_ms: Callable[[], int] = _now_ms) -> None:
        level = settings.level
        self.enabled = level == "INFO" or level == "ERROR"
        self._info = level == "INFO"
        self._trace = self._info and settings.data_trace
        self.request_id = request_id
        self._now = now_ms
        self._last = 0
        self._lines: list[tuple[int, str, bool]] = []  # (epoch ms, line, shown in TestInvokeMethod's log)

    def _add(self, line: str, in_text: bool = True) -> None:
        if len(line) > MAX_LINE:
            line = line[:MAX_LINE] + TRUNCATED
        t = self._now()
        if t < self._last:  # CloudWatch Logs wants a batch in order
            t = self._last
        self._last = t
        self._lines.append((t, line, in_text))

    def start(self, *, extended_request_id: str, http_method: str, resource_path: str, api_id: str, stage: str,
              api_key: str | None, method_requires_key: bool, request_path: str | None = None) -> None:
        """The lines before the integration. `resource_path` is the resource's (`/pets/{id}`);
        `request_path` the path called (`/pets/1`, default: the resource's), for "HTTP Method:"."""
        if not self._info:
            return
        key = mask_secret(api_key) if api_key else ""
        api_stage = f"{api_id}/{stage}"
        self._add(f"Extended Request Id: {extended_request_id}", False)
        self._add(f"Verifying Usage Plan for request: {self.request_id}. API Key: {key} API Stage: {api_stage}", False)
        if not method_requires_key:
            self._add(f"API Key {key} authorized because method '{http_method} {resource_path}' does not require "
                      "API Key. Request will not contribute to throttle or quota limits", False)
        self._add(f"Usage Plan check succeeded for API Key {key} and API Stage {api_stage}", False)
        self._add(f"Starting execution for request: {self.request_id}")
        self._add(f"HTTP Method: {http_method}, Resource Path: {request_path or resource_path}")
        if method_requires_key and key:
            self._add(f"API Key: {key}")

    def method_request(self, *, path: Mapping[str, Any], query: Mapping[str, Any], headers: Mapping[str, Any],
                       body: str | bytes | None) -> None:
        if not self._trace:
            return
        self._add(f"Method request path: {_map(path)}")
        self._add(f"Method request query string: {_map(query)}")
        self._add(f"Method request headers: {_map(headers, _MASKED_HEADERS)}")
        self._add(f"Method request body before transformations: {_body(body)}")

    def endpoint_request(self, *, uri: str, headers: Mapping[str, Any], body: str | bytes | None) -> None:
        if not self._trace:
            return
        self._add(f"Endpoint request URI: {uri}")
        self._add(f"Endpoint request headers: {_map(headers, _MASKED_HEADERS)}")
        self._add(f"Endpoint request body after transformations: {_body(body)}")
        self._add(f"Sending request to {uri}")

    def endpoint_response(self, *, status: int, latency_ms: int, headers: Mapping[str, Any],
                          body: str | bytes | None) -> None:
        if not self._trace:
            return
        self._add(f"Received response. Status: {status}, Integration latency: {latency_ms} ms")
        self._add(f"Endpoint response headers: {_map(headers)}")
        self._add(f"Endpoint response body before transformations: {_body(body)}")

    def method_response(self, *, body: str | bytes | None, headers: Mapping[str, Any], status: int) -> None:
        if not self._trace:
            return
        self._add(f"Method response body after transformations: {_body(body)}")
        self._add(f"Method response headers: {_map(headers)}")

    def error(self, text: str) -> None:
        """An ERROR-level line (written at ERROR and INFO)."""
        if self.enabled:
            self._add(text)

    def info(self, text: str) -> None:
        """Any other INFO-level line (e.g. "Starting authorizer: {id} for request: {requestId}")."""
        if self._info:
            self._add(text)

    def completed(self, status: int, ok: bool) -> None:
        """The last lines; `ok` False when the execution failed (a 5xx of the gateway, a rejected request)."""
        if self._info:
            if ok:
                self._add("Successfully completed execution")
            self._add(f"Method completed with status: {status}")
        elif self.enabled and not ok:
            self._add(f"Method completed with status: {status}")

    def events(self) -> list[tuple[int, str]]:
        """(epoch ms, message) for CloudWatch Logs, in order; messages start with `({requestId}) `."""
        prefix = f"({self.request_id}) "
        return [(t, prefix + line) for t, line, _ in self._lines]

    def text(self) -> str:
        """The log as TestInvokeMethod returns it (empty when logging is off)."""
        if not self.enabled:
            return ""
        out = [f"Execution log for request {self.request_id}\n"]
        out.extend(f"{_clock(t)} : {line}\n" for t, line, in_text in self._lines if in_text)
        return "".join(out)


async def write_events(logs: LogCatalog, account: str, region: str, group: str, stream: str,
                       events: list[tuple[int, str]], create_group: bool = True) -> None:
    """Put events in a stream, creating the stream (and, with `create_group`, the group) when missing;
    an access log's destination group is the user's: without it the lines are dropped, as AWS does."""
    if not events:
        return
    found = await logs.ensure_stream(account, region, group, stream, create_group=create_group)
    if found is not None:
        ordered = sorted(events, key=lambda e: e[0])  # stable: lines of one millisecond keep their order
        log_events.append(logs, *found, ordered)
