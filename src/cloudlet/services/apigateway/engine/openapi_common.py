"""What OpenAPI import and export share: the extension names, document parsing, model `$ref` forms.

AWS documents the extensions in "API Gateway extensions to OpenAPI"; model references in
"Data models for REST APIs": a model refers to another as
`https://apigateway.amazonaws.com/restapis/{restapi_id}/models/{model_name}`, and an OpenAPI document
refers to a schema as `#/definitions/{name}` (Swagger 2) or `#/components/schemas/{name}` (OpenAPI 3).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from typing import Any

from cloudlet.protocol.errors import AwsError

Doc = dict[str, Any]

X = "x-amazon-apigateway-"
X_INTEGRATION = X + "integration"
X_ANY_METHOD = X + "any-method"
X_AUTH = X + "auth"
X_AUTHTYPE = X + "authtype"
X_AUTHORIZER = X + "authorizer"
X_REQUEST_VALIDATOR = X + "request-validator"
X_REQUEST_VALIDATORS = X + "request-validators"
X_GATEWAY_RESPONSES = X + "gateway-responses"
X_BINARY_MEDIA_TYPES = X + "binary-media-types"
X_API_KEY_SOURCE = X + "api-key-source"
X_POLICY = X + "policy"
X_ENDPOINT_CONFIGURATION = X + "endpoint-configuration"
X_MINIMUM_COMPRESSION_SIZE = X + "minimum-compression-size"
# Extensions AWS defines that cloudlet reads past without a warning: documentation parts are not
# kept (the caller may also pass ignore=documentation), the rest belong to HTTP APIs.
X_IGNORED = frozenset(X + n for n in (
    "documentation", "cors", "importexport-version", "tag-value", "integrations",
    "endpoint-access-mode", "security-policy",
))

# OpenAPI operation keys, in the order export writes them.
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
INTEGRATION_TYPES = frozenset({"HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY", "MOCK"})
# What GetIntegration shows for an integration put without one (AWS's defaults).
DEFAULT_TIMEOUT_MS = 29000
DEFAULT_PASSTHROUGH = "WHEN_NO_MATCH"
# API key security scheme as AWS exports it: a method with apiKeyRequired lists it.
API_KEY_SCHEME = "api_key"
API_KEY_HEADER = "x-api-key"
SIGV4_SCHEME = "sigv4"
SIGV4_AUTHTYPE = "awsSigv4"

MODEL_URL = "https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"
# ImportRestApi builds a definition before the caller has chosen the API's id; model references
# are written with this in its place and `bind_api_id` puts the id in.
API_ID_PLACEHOLDER = "{restapi_id}"
_MODEL_URL_RE = re.compile(r"^https://apigateway\.amazonaws\.com/restapis/[^/]+/models/([^/]+)$")
SWAGGER_REF = "#/definitions/"
OAS3_REF = "#/components/schemas/"


def invalid_input() -> AwsError:
    """AWS's answer to a body that is not an OpenAPI 3.0 / Swagger 2.0 document."""
    return AwsError("BadRequestException", "Invalid OpenAPI input.", 400)


def bad_request(message: str) -> AwsError:
    return AwsError("BadRequestException", message, 400)


def parse_document(body: bytes | str) -> Doc:
    """JSON or YAML text -> the document; keys made strings (YAML reads `200:` as an int)."""
    text = body.decode("utf-8-sig", errors="replace") if isinstance(body, bytes | bytearray) else body
    try:
        doc: Any = json.loads(text)
    except ValueError:
        try:
            import yaml  # ~15 ms to import: on first use, not at start-up

            doc = yaml.safe_load(text)
        except yaml.YAMLError:
            raise invalid_input() from None
    if not isinstance(doc, dict):
        raise invalid_input()
    return _plain(doc)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {_scalar_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):  # YAML reads `version: 2016-09-12` as a date
        return value.isoformat()
    return value


def _scalar_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return key.isoformat() if isinstance(key, datetime.date) else str(key)


def model_name_of(ref: Any) -> str | None:
    """The model a `$ref` names, in any of its three forms; None for anything else."""
    if not isinstance(ref, str):
        return None
    for prefix in (SWAGGER_REF, OAS3_REF):
        if ref.startswith(prefix):
            return ref[len(prefix):] or None
    m = _MODEL_URL_RE.match(ref)
    return m.group(1) if m else None


def map_refs(schema: Any, to: Callable[[str], str | None]) -> Any:
    """A copy of `schema` with every model `$ref` replaced by `to(model name)` (kept where None)."""
    if isinstance(schema, dict):
        out = {}
        for k, v in schema.items():
            if k == "$ref" and (name := model_name_of(v)) is not None:
                out[k] = to(name) or v
            else:
                out[k] = map_refs(v, to)
        return out
    if isinstance(schema, list):
        return [map_refs(v, to) for v in schema]
    return schema


def aws_model_url(api_id: str | None) -> Callable[[str], str]:
    return lambda name: MODEL_URL.format(api_id=api_id or API_ID_PLACEHOLDER, name=name)


def bind_api_id(definition: Any, api_id: str) -> None:
    """After ImportRestApi: put the API's id into model references written with the placeholder."""
    stale = "/restapis/" + API_ID_PLACEHOLDER + "/"
    for model in definition.models.values():
        schema = model.get("schema")
        if isinstance(schema, str) and stale in schema:
            model["schema"] = schema.replace(stale, "/restapis/" + api_id + "/")


def obj(value: Any) -> Doc:
    """`value` if it is a JSON object, else an empty one: malformed parts of a document read as absent."""
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def is_extension(key: str) -> bool:
    return key.startswith(X)
