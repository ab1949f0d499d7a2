"""API Gateway REST access logs: a stage's `accessLogSettings.format`, filled in per request.

https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-access-logging.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html

The format is one line of text with `$context.<name>` variables in it (only `$context`, no
`$input`); whatever is not a variable is copied as is, so the same code serves CLF, JSON, XML,
CSV or anything else. A variable with no value renders `-`, as AWS writes it (e.g.
`"caller":"-", "user":"-"` in the JSON format's lines for unsigned callers). Values are
substituted raw (no JSON/XML escaping).

The pipeline builds the context dict, nested as the variable names are dotted
(`{"identity": {"sourceIp": ...}}`; a flat `{"identity.sourceIp": ...}` key works too). Keys read:

  requestId, extendedRequestId, apiId, accountId, resourceId, resourcePath, httpMethod,
  path (`/{stage}/pets/1`), protocol (`HTTP/1.1`), stage, domainName, domainPrefix,
  requestTimeEpoch (ms; `requestTime`, CLF-style `21/Nov/2026:12:00:00 +0000`, is derived from
  it when absent: see `request_time`), status (the method response status),
  responseLength (bytes of the response body), responseLatency (ms, whole request),
  integrationLatency (ms), integrationStatus (for Lambda proxy: the Lambda service's status),
  awsEndpointRequestId, xrayTraceId, wafResponseCode, webaclArn,
  integration: {status (for Lambda proxy: the function's statusCode), latency,
                integrationStatus, requestId, error},
  error: {message, messageString, responseType, validationErrorString},
  identity: {sourceIp, userAgent, caller, user, userArn, accountId, apiKey, apiKeyId,
             accessKey, principalOrgId, cognitoIdentityId, cognitoIdentityPoolId,
             cognitoAuthenticationType, cognitoAuthenticationProvider,
             clientCert: {clientCertPem, subjectDN, issuerDN, serialNumber,
                          validity: {notBefore, notAfter}}},
  authorizer: {principalId, claims: {...}, <context keys of a Lambda authorizer>, latency,
               integrationLatency, integrationStatus, status, error, requestId},
  authorize: {status, latency, error}, authenticate: {status, latency, error},
  waf: {status, latency, error}, customDomain: {basePathMatched}.

Equivalences AWS documents and this module applies when only one side is given:
`integration.latency` = `integrationLatency`, `integration.requestId` = `awsEndpointRequestId`,
`integration.integrationStatus` = `integrationStatus`; `error.messageString` is
`error.message` in double quotes. `identity.apiKey` is masked like AWS masks it in logs (all but
its last 6 characters as `*`). A value that is a map (`$context.authorizer.claims`) renders `-`.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

# The examples the console offers ("CLF", "JSON", "XML", "CSV"), verbatim from AWS's page
# "Access logging for REST APIs" (set-up-access-logging.html, "Access log formats").
ACCESS_LOG_FORMATS: dict[str, str] = {
    "CLF": (
        "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime]"
        "\"$context.httpMethod $context.resourcePath $context.protocol\" $context.status $context.responseLength "
        "$context.requestId $context.extendedRequestId"
    ),
    "JSON": (
        "{ \"requestId\":\"$context.requestId\", \"extendedRequestId\":\"$context.extendedRequestId\","
        "\"ip\": \"$context.identity.sourceIp\", \"caller\":\"$context.identity.caller\", "
        "\"user\":\"$context.identity.user\", \"requestTime\":\"$context.requestTime\", "
        "\"httpMethod\":\"$context.httpMethod\", \"resourcePath\":\"$context.resourcePath\", "
        "\"status\":\"$context.status\", \"protocol\":\"$context.protocol\", "
        "\"responseLength\":\"$context.responseLength\" }"
    ),
    "XML": (
        "<request id=\"$context.requestId\"> <extendedRequestId>$context.extendedRequestId</extendedRequestId> "
        "<ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller</caller> "
        "<user>$context.identity.user</user> <requestTime>$context.requestTime</requestTime> "
        "<httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> "
        "<status>$context.status</status> <protocol>$context.protocol</protocol> "
        "<responseLength>$context.responseLength</responseLength> </request>"
    ),
    "CSV": (
        "$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,"
        "$context.httpMethod,$context.resourcePath,$context.protocol,$context.status,$context.responseLength,"
        "$context.requestId,$context.extendedRequestId"
    ),
}

MISSING = "-"
# Dotted names whose value may be given under another documented name.
_ALIASES: dict[str, str] = {
    "integration.latency": "integrationLatency",
    "integrationLatency": "integration.latency",
    "integration.requestId": "awsEndpointRequestId",
    "awsEndpointRequestId": "integration.requestId",
    "integration.integrationStatus": "integrationStatus",
    "integrationStatus": "integration.integrationStatus",
}
_VAR = re.compile(r"\$context((?:\.[A-Za-z0-9_]+)+)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BOOT = os.urandom(8).hex()  # streams are per process run, as AWS's are per worker


def mask_secret(value: str) -> str:
    """An API key or credential as API Gateway logs it: `*` for all but the last 6 characters."""
    if len(value) <= 6:
        return "*" * len(value)
    return "*" * (len(value) - 6) + value[-6:]


def request_time(epoch_ms: int) -> str:
    """`$context.requestTime`: CLF-formatted, `dd/MMM/yyyy:HH:mm:ss +0000` (always UTC)."""
    t = time.gmtime(epoch_ms // 1000)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def log_stream_name(kind: str, api_id: str, stage: str) -> str:
    """A 32-hex-digit stream name like AWS's, the same for a (kind, api, stage) until restart.

    AWS writes both access and execution logs to streams named by 32 hex digits, each stream
    shared by many requests (one per front-end worker, not per request or per deployment).
    """
    return hashlib.blake2b(f"{_BOOT}/{kind}/{api_id}/{stage}".encode(), digest_size=16).hexdigest()


def access_log_stream_name(api_id: str, stage: str) -> str:
    """The stream this process writes a stage's access log lines to (see `log_stream_name`)."""
    return log_stream_name("access", api_id, stage)


def parse_log_group_arn(arn: str) -> tuple[str, str, str]:
    """`arn:aws:logs:{region}:{account}:log-group:{name}[:*]` -> (region, account, name)."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "logs" or parts[5] != "log-group":
        raise ValueError(f"not a log group ARN: {arn}")
    name = ":".join(parts[6:])
    if name.endswith(":*"):
        name = name[:-2]
    return parts[3], parts[4], name


def _get(context: Mapping[str, Any], name: str) -> Any:
    """The value at a dotted name (a flat dotted key first, then the nested maps), or None."""
    if name in context:
        return context[name]
    node: Any = context
    for part in name.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _text(value: Any) -> str:
    if value is None or value == "" or isinstance(value, (Mapping, list, tuple)):
        return MISSING
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value(context: Mapping[str, Any], name: str) -> str:
    value = _get(context, name)
    if value is None:
        alias = _ALIASES.get(name)
        if alias is not None:
            value = _get(context, alias)
        elif name == "error.messageString":
            message = _get(context, "error.message")
            value = None if message in (None, "") else f'"{message}"'
        elif name == "requestTime":
            epoch = _get(context, "requestTimeEpoch")
            value = None if epoch is None else request_time(int(epoch))
    elif name == "identity.apiKey" and isinstance(value, str):
        value = mask_secret(value)
    return _text(value)


@lru_cache(maxsize=512)
def _compile(fmt: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A format split once: literals[i] precedes names[i]; literals has one more element."""
    literals: list[str] = []
    names: list[str] = []
    pos = 0
    for m in _VAR.finditer(fmt):
        literals.append(fmt[pos : m.start()])
        names.append(m.group(1)[1:])
        pos = m.end()
    literals.append(fmt[pos:])
    return tuple(literals), tuple(names)


def render_access_log(fmt: str, context: Mapping[str, Any]) -> str:
    """One access log line: every `$context.x.y` of the format replaced by its value (`-` if none)."""
    literals, names = _compile(fmt)
    out = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        out.append(_value(context, name))
        out.append(literal)
    return "".join(out)
