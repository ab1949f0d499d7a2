"""The AWS query protocol (IAM, STS, SNS, ...): form-encoded `Action=...&Version=...` requests,
XML responses, `<ErrorResponse>` errors.

https://docs.aws.amazon.com/IAM/latest/APIReference/CommonParameters.html
https://smithy.io/2.0/aws/protocols/aws-query-protocol.html

A request's parameters come from the query string and, for a form-encoded body, the body (the
first of repeated parameters wins). Then, as AWS's front end answers:

- no `Action` at all: a 302 redirect to the service's product page when the service has one
  (IAM and STS: https://aws.amazon.com/iam), else `MissingAction`;
- an `Action` the service does not have, or a `Version` other than the model's API version:
  400 `InvalidAction`, "Could not find operation {Action} for version {Version}" (a missing
  Version reads `NO_VERSION_SPECIFIED`), in the generic AWSFault namespace;
- a parameter that does not convert to its type: 400 `MalformedInput` (see query_parse);
- constraint violations, from the validator: for IAM and STS `ValidationError`, "1 validation
  error detected: Value 'x' at 'roleName' failed to satisfy constraint: ..." (QUERY_FLAVOUR).

The operation gets the parameters as the dict a JSON request would decode to and returns the
output dict (or None), rendered by query_xml; an AwsError it raises is rendered with its status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from cloudlet.protocol.context import Context
from cloudlet.protocol.errors import AwsError
from cloudlet.protocol.models import ServiceModel
from cloudlet.protocol.query_parse import FormReader, build_tree, decode_form
from cloudlet.protocol.query_xml import XmlWriter
from cloudlet.protocol.validate import ValidationFlavour
from cloudlet.server.http import Request, Response

__all__ = ["AWS_FAULT_XMLNS", "QUERY_FLAVOUR", "Operation", "QueryService"]

Operation = Callable[[dict[str, Any], Context], Awaitable[dict[str, Any] | None]]
Validator = Callable[[str, Any], None]

# IAM and STS word constraint failures as Coral does, under the code ValidationError; like
# Lambda's, their collection summaries end with "Member must not be null".
QUERY_FLAVOUR = ValidationFlavour(error_code="ValidationError", summary_not_null=True)

# The namespace of errors from AWS's front end (InvalidAction), rather than from the service.
AWS_FAULT_XMLNS = "http://webservices.amazon.com/AWSFault/2005-15-09"
NO_VERSION = "NO_VERSION_SPECIFIED"
FORM = "application/x-www-form-urlencoded"
# Common error of the query APIs: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
MISSING_ACTION = "The request is missing an action or a required parameter."

_CONTENT_TYPE = (b"content-type", b"text/xml")


class QueryService:
    def __init__(
        self,
        name: str,
        model: ServiceModel,
        operations: dict[str, Operation],
        *,
        validator: Validator | None = None,
        xmlns: str | None = None,
        missing_action_location: str | None = None,
    ) -> None:
        """`name`: the service's name in messages ("IAM"). `xmlns`: the response namespace;
        by default the model's `xmlNamespace`, else https://{endpointPrefix}.amazonaws.com/doc/
        {apiVersion}/. `missing_action_location`: where AWS redirects a request without Action
        (None: answer MissingAction)."""
        self.name = name
        self.model = model
        self.version = str(model.metadata.get("apiVersion", ""))
        if xmlns is None:
            xmlns = model.metadata.get("xmlNamespace") or (
                f"https://{model.metadata.get('endpointPrefix', model.service_name)}.amazonaws.com"
                f"/doc/{self.version}/"
            )
        self.xmlns = xmlns
        self._ops = operations
        self._validate = validator
        self._redirect = missing_action_location
        self._reader = FormReader(model)
        self._writer = XmlWriter(model, xmlns)

    def has_action(self, action: str) -> bool:
        """Whether `action` is an operation of this service's API (implemented or not)."""
        return action in self.model.operations

    async def handle(self, request: Request, ctx: Context) -> Response:
        try:
            tree = build_tree(request_pairs(request))
            action = tree.get("Action")
            if not isinstance(action, str):
                return self._missing_action(request, ctx)
            version = tree.get("Version")
            if not isinstance(version, str):
                version = NO_VERSION
            if version != self.version or action not in self.model.operations:
                e = AwsError("InvalidAction", f"Could not find operation {action} for version {version}")
                return self._respond(400, self._writer.error(e, ctx.request_id, AWS_FAULT_XMLNS), ctx)
            op = self._ops.get(action)
            if op is None:
                raise AwsError("InvalidAction", f"cloudlet does not implement {self.name}.{action} yet")
            params = self._reader.read(action, tree)
            if self._validate is not None:
                self._validate(action, params)
            result = await op(params, ctx)
            return self._respond(200, self._writer.response(action, result, ctx.request_id), ctx)
        except AwsError as e:
            return self._respond(e.status, self.error_body(e, ctx.request_id), ctx)

    def parse(self, action: str, form: bytes) -> dict[str, Any]:
        """The parameters of `action` in a form-encoded string (no Action/Version checks)."""
        pairs: list[tuple[str, str]] = []
        decode_form(form, pairs)
        return self._reader.read(action, build_tree(pairs))

    def serialize(self, action: str, result: dict[str, Any] | None, request_id: str) -> bytes:
        """The XML response document of `action` for an output dict."""
        return self._writer.response(action, result, request_id)

    def error_body(self, e: AwsError, request_id: str) -> bytes:
        return self._writer.error(e, request_id)

    def _missing_action(self, request: Request, ctx: Context) -> Response:
        if self._redirect is None:
            e = AwsError("MissingAction", MISSING_ACTION)
            return self._respond(400, self._writer.error(e, ctx.request_id, AWS_FAULT_XMLNS), ctx)
        location = self._redirect
        if request.method == "GET" and request.query:
            location += "?" + request.query.decode("latin-1")
        headers = [(b"location", location.encode("latin-1", "replace")),
                   (b"x-amzn-requestid", ctx.request_id.encode())]
        return Response(302, b"", headers)

    def _respond(self, status: int, body: bytes, ctx: Context) -> Response:
        return Response(status, body, [_CONTENT_TYPE, (b"x-amzn-requestid", ctx.request_id.encode())])


def request_pairs(request: Request) -> list[tuple[str, str]]:
    """The parameters of a query-protocol request: the query string's, then a form body's."""
    pairs: list[tuple[str, str]] = []
    if request.query:
        decode_form(request.query, pairs)
    if request.body and request.method != "GET":
        content_type = request.headers.get("content-type", "")
        if content_type[: len(FORM)].lower() == FORM:
            decode_form(request.body, pairs)
    return pairs
