"""Basic request validation: required request parameters, and the body against the method's model
(JSON Schema draft 4), as the method's request validator asks.

https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from cloudlet.services.apigateway.engine.definition import ApiDefinition

if TYPE_CHECKING:
    from jsonschema import Draft4Validator
    from referencing import Registry

Doc = dict[str, Any]


class ValidationFailed(Exception):
    def __init__(self, response_type: str, message: str, log_line: str) -> None:
        super().__init__(message)
        self.response_type = response_type
        self.message = message
        self.log_line = log_line


def model_url(api_id: str, name: str) -> str:
    # How a model refers to another in API Gateway: https://apigateway.amazonaws.com/restapis/{id}/models/{name}
    return f"https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"


class Models:
    """A deployment's models as compiled validators (built on first use, kept with the deployment)."""

    def __init__(self, api_id: str, definition: ApiDefinition) -> None:
        self._api_id = api_id
        self._schemas: dict[str, Doc] = {}
        for name, m in definition.models.items():
            try:
                schema = orjson.loads(m.get("schema") or "{}")
            except orjson.JSONDecodeError:
                continue
            if isinstance(schema, dict):
                self._schemas[name] = schema
        self._registry: Registry | None = None
        self._validators: dict[str, Draft4Validator] = {}

    def validator(self, name: str) -> Draft4Validator | None:
        v = self._validators.get(name)
        if v is None and name in self._schemas:
            # jsonschema takes ~40 ms to import: loaded on first use, not at start-up
            from jsonschema import Draft4Validator
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT4

            if self._registry is None:
                self._registry = Registry().with_resources(
                    (model_url(self._api_id, n), Resource.from_contents(s, default_specification=DRAFT4))
                    for n, s in self._schemas.items())
            v = self._validators[name] = Draft4Validator(self._schemas[name], registry=self._registry)
        return v


def _has_header(headers: dict[str, str], name: str) -> bool:
    return name.lower() in headers


def validate(method: Doc, validators: dict[str, Doc], models: Models, *, headers: dict[str, str],
             query: dict[str, str], path: dict[str, str], body: bytes, content_type: str) -> None:
    """Raises ValidationFailed as AWS answers it. `headers` has lower-cased names."""
    vid = method.get("requestValidatorId")
    if not vid:
        return
    rv = validators.get(vid) or {}
    if rv.get("validateRequestParameters"):
        missing = []
        for target, required in (method.get("requestParameters") or {}).items():
            if not required:
                continue
            _, _, rest = target.partition("method.request.")
            kind, _, name = rest.partition(".")
            present = (
                (kind in ("querystring", "multivaluequerystring") and name in query)
                or (kind in ("header", "multivalueheader") and _has_header(headers, name))
                or (kind == "path" and bool(path.get(name)))
            )
            if not present:
                missing.append(name)
        if missing:
            msg = f"Missing required request parameters: [{', '.join(missing)}]"
            raise ValidationFailed("BAD_REQUEST_PARAMETERS", msg, msg)
    if rv.get("validateRequestBody"):
        model_name = _model_for(method.get("requestModels") or {}, content_type)
        if model_name is None or model_name == "Empty":
            return
        v = models.validator(model_name)
        if v is None:
            return
        try:
            doc = orjson.loads(body) if body else None
        except orjson.JSONDecodeError:
            raise ValidationFailed("BAD_REQUEST_BODY", "Invalid request body",
                                   f"Request body does not match model schema for content type {content_type}: "
                                   "[Invalid JSON in request body]") from None
        errors = sorted(e.message for e in v.iter_errors(doc))
        if errors:
            raise ValidationFailed("BAD_REQUEST_BODY", "Invalid request body",
                                   f"Request body does not match model schema for content type {content_type}: "
                                   f"[{', '.join(errors)}]")


def _model_for(request_models: dict[str, str], content_type: str) -> str | None:
    if content_type in request_models:
        return request_models[content_type]
    return request_models.get("$default")
