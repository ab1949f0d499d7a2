"""The rest-json protocol layer against botocore's own rest-json serializer and parser.

Requests are built with botocore's RestJSONSerializer (and, for the client-level tests, by a real
botocore client whose HTTP send is answered by our service) and read back with ours; responses
and errors are rendered with ours and read back with botocore's RestJSONParser, for botocore's
real Lambda and API Gateway models. botocore.model/parsers/serialize are used here only.

Lambda's error bodies (`{"Message": "Function not found: ...", "Type": "User"}` with
`x-amzn-ErrorType`) are as recorded from live Lambda (aarondfrancis/sidecar#23,
localstack/localstack#702); "Could not parse request body into json: ..." as Lambda answers
unparseable Invoke bodies (aws/aws-sdk-js#1876).
"""

from __future__ import annotations

import asyncio
import base64
import io
import string
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import botocore.awsrequest
import botocore.config
import botocore.loaders
import botocore.model
import botocore.parsers
import botocore.serialize
import botocore.session
import orjson
import pytest
from botocore.utils import percent_encode_sequence
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudlet.protocol.context import Context
from cloudlet.protocol.errors import AwsError
from cloudlet.protocol.models import service_model
from cloudlet.protocol.rest_json import RestJsonService
from cloudlet.protocol.validate import LAMBDA, ModelValidator
from cloudlet.server.http import Request, Response

CTX = Context("us-east-1", "123456789012", "REQ-1")
ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"
T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@cache
def boto_model(name: str) -> botocore.model.ServiceModel:
    doc = botocore.loaders.Loader().load_service_model(name, "service-2")
    return botocore.model.ServiceModel(doc, service_name=name)


async def echo(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {}


@cache
def service(name: str) -> RestJsonService:
    """Every operation answers an empty output; Lambda's validator for Lambda."""
    model = service_model(name)
    validator = ModelValidator(model, flavour=LAMBDA).validate if name == "lambda" else None
    return RestJsonService(name, model, dict.fromkeys(model.operations, echo), validator=validator)


def server_path(raw: str) -> str:
    """The path as our HTTP server hands it on: percent-decoded, UTF-8 with surrogateescape."""
    return unquote_to_bytes(raw).decode("utf-8", "surrogateescape")


def boto_request(name: str, op: str, params: dict[str, Any]) -> Request:
    """botocore's serialization of `params`, as our server would receive it."""
    d = botocore.serialize.create_serializer("rest-json", include_validation=True).serialize_to_request(
        params, boto_model(name).operation_model(op)
    )
    path, _, literal = d["url_path"].partition("?")
    query = "&".join(q for q in (literal, percent_encode_sequence(d["query_string"])) if q)
    body = d["body"]
    headers = {k.lower(): str(v) for k, v in d["headers"].items()}
    return Request(d["method"], server_path(path), query.encode(), headers,
                   body.encode() if isinstance(body, str) else bytes(body or b""))


def parse(name: str, request: Request) -> tuple[str, dict[str, Any]]:
    svc = service(name)
    matched = svc.match(request)
    assert matched is not None, (request.method, request.path)
    return matched[0], svc.parse(matched[0], matched[1], request)


def as_dict(response: Response) -> dict[str, Any]:
    return {"status_code": response.status, "body": response.body,
            "headers": botocore.awsrequest.HeadersDict({k.decode(): v.decode() for k, v in response.headers})}


def boto_parse(name: str, op: str, response: Response) -> dict[str, Any]:
    """botocore's reading of our response, with modeled error members as its client adds them."""
    model = boto_model(name)
    parser = botocore.parsers.RestJSONParser()
    raw = as_dict(response)
    if model.operation_model(op).has_streaming_output and response.status < 300:
        raw["body"] = io.BytesIO(response.body)  # a blob payload: botocore's client hands on the stream
    parsed: dict[str, Any] = parser.parse(raw, model.operation_model(op).output_shape)
    for key, value in parsed.items():
        if isinstance(value, io.BytesIO):
            parsed[key] = value.read()
    code = parsed.get("Error", {}).get("Code")
    if code:
        shape = model.shape_for_error_code(code)
        if shape is not None:
            parsed.update(parser.parse(raw, shape))
    parsed.pop("ResponseMetadata")
    return parsed


def plain(value: Any) -> Any:
    """Timestamps as epoch seconds, for comparing botocore's datetimes with our floats."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# -- requests: botocore's serializer -> our reader ---------------------------------------------

ZIP = bytes(range(256)) * 3 + b"PK\x03\x04"
REQUESTS = [
    ("lambda", "CreateFunction", {
        "FunctionName": "my-fn", "Runtime": "python3.12", "Role": "arn:aws:iam::123456789012:role/r",
        "Handler": "app.handler", "Code": {"ZipFile": ZIP}, "Description": "é 😀 \"quoted\"",
        "Timeout": 30, "MemorySize": 256, "Publish": True,
        "Environment": {"Variables": {"AA": "1", "B_2": "x=y&z"}}, "Tags": {"team": "x"},
        "Layers": ["arn:aws:lambda:us-east-1:123456789012:layer:l:1"], "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 1024}, "TracingConfig": {"Mode": "Active"},
    }),
    ("lambda", "GetFunction", {"FunctionName": "my-fn"}),
    ("lambda", "GetFunction", {"FunctionName": ARN, "Qualifier": "$LATEST"}),
    ("lambda", "ListFunctions", {"Marker": "abc+/= é", "MaxItems": 50, "FunctionVersion": "ALL"}),
    ("lambda", "ListFunctions", {}),
    ("lambda", "Invoke", {"FunctionName": "my-fn", "InvocationType": "RequestResponse", "LogType": "Tail",
                          "ClientContext": base64.b64encode(b'{"custom":{}}').decode(), "Qualifier": "live",
                          "Payload": b'{"key": "value"}'}),
    ("lambda", "Invoke", {"FunctionName": ARN + ":1", "InvocationType": "Event", "Payload": b"\x00\xffnot json"}),
    ("lambda", "UpdateFunctionConfiguration", {"FunctionName": "my-fn", "Timeout": 900, "Handler": "h.h",
                                               "Environment": {"Variables": {}}, "Layers": [],
                                               "VpcConfig": {"SubnetIds": ["s-1"], "SecurityGroupIds": []}}),
    ("lambda", "AddPermission", {"FunctionName": "my-fn", "StatementId": "s1", "Action": "lambda:InvokeFunction",
                                 "Principal": "apigateway.amazonaws.com", "Qualifier": "prod",
                                 "SourceArn": "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/x"}),
    ("lambda", "GetPolicy", {"FunctionName": "my-fn", "Qualifier": "1"}),
    ("lambda", "PutFunctionConcurrency", {"FunctionName": "my-fn", "ReservedConcurrentExecutions": 0}),
    ("lambda", "TagResource", {"Resource": ARN, "Tags": {"k": "v", "empty": ""}}),
    ("lambda", "ListTags", {"Resource": ARN}),
    ("lambda", "DeleteFunction", {"FunctionName": "my-fn", "Qualifier": "2"}),
    ("lambda", "GetLayerVersion", {"LayerName": "my-layer", "VersionNumber": 12}),
    ("lambda", "ListProvisionedConcurrencyConfigs", {"FunctionName": "my-fn", "MaxItems": 5}),
    ("lambda", "CreateEventSourceMapping", {"FunctionName": "my-fn",
                                            "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/s",
                                            "StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": T0,
                                            "BatchSize": 10, "BisectBatchOnFunctionError": False}),
    ("apigateway", "PutIntegration", {
        "restApiId": "a1b2c3", "resourceId": "r9", "httpMethod": "POST", "type": "AWS_PROXY",
        "integrationHttpMethod": "POST", "uri": f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{ARN}"
        "/invocations", "requestParameters": {"integration.request.header.x": "method.request.path.id"},
        "timeoutInMillis": 29000, "cacheKeyParameters": ["a", "b"],
    }),
    ("apigateway", "GetExport", {"restApiId": "a1", "stageName": "dev", "exportType": "oas30",
                                 "parameters": {"extensions": "integrations", "x y": "é"},
                                 "accepts": "application/yaml"}),
    ("apigateway", "ImportRestApi", {"body": b"openapi: 3.0.1\n", "failOnWarnings": True,
                                     "parameters": {"endpointConfigurationTypes": "REGIONAL"}}),
    ("apigateway", "GetRestApis", {"limit": 25, "position": "p"}),
]


@pytest.mark.parametrize(("name", "op", "params"), REQUESTS, ids=[f"{n}.{o}" for n, o, _ in REQUESTS])
def test_request_round_trip(name: str, op: str, params: dict[str, Any]) -> None:
    request = boto_request(name, op, params)
    assert parse(name, request) == (op, plain(params))


def test_parsed_lambda_requests_pass_the_validator() -> None:
    validate = ModelValidator(service_model("lambda"), flavour=LAMBDA).validate
    for name, op, params in REQUESTS:
        if name == "lambda":
            validate(op, parse(name, boto_request(name, op, params))[1])



# Bindings Lambda and API Gateway do not use, from other rest-json services: header prefix maps,
# a string payload, jsonvalue headers, header lists, timestamps in headers and query strings.
GENERIC_REQUESTS = [
    ("dataexchange", "SendApiAsset", {"AssetId": "a", "DataSetId": "d", "RevisionId": "r", "Body": "hé, world",
                                      "QueryStringParameters": {"q": "1", "x y": "z/é"}, "Method": "PUT",
                                      "RequestHeaders": {"custom": "v", "other": "w x"}, "Path": "/p?q"}),
    ("iot-data", "Publish", {"topic": "sensors", "qos": 1, "retain": True, "payload": b"\x00raw",
                             "userProperties": [{"a": "b"}, {"c": "é"}], "messageExpiry": 2**40}),
    ("lex-runtime", "PostContent", {"botName": "b", "botAlias": "a", "userId": "user-1", "contentType": "audio/l16",
                                    "inputStream": b"\x00\x01", "sessionAttributes": {"k": "v"}}),
    ("entityresolution", "BatchDeleteUniqueId", {"workflowName": "w", "uniqueIds": ["a", "b"], "inputSource": "s"}),
    ("application-signals", "GetService", {"StartTime": T0, "EndTime": T0, "KeyAttributes": {"Type": "Service"}}),
    ("groundstation", "ListGroundStationReservations", {"groundStationId": "gs-1", "startTime": T0, "endTime": T0,
                                                        "reservationTypes": ["A", "B"], "maxResults": 5}),
    ("connect", "CreateTestCase", {"InstanceId": "i", "Name": "n", "Content": "c", "LastModifiedTime": T0,
                                   "Tags": {"k": "v"}}),
]


@pytest.mark.parametrize(("name", "op", "params"), GENERIC_REQUESTS, ids=[f"{n}.{o}" for n, o, _ in GENERIC_REQUESTS])
def test_generic_request_round_trip(name: str, op: str, params: dict[str, Any]) -> None:
    request = boto_request(name, op, params)
    assert parse(name, request) == (op, plain(params))


def test_generic_response_round_trip() -> None:
    result: dict[str, Any] = {"contentType": "text/plain", "intentName": "i", "slots": {"a": "b"},
                              "sessionAttributes": {"k": ["v", 1]}, "audioStream": b"\x00audio"}
    assert boto_parse("lex-runtime", "PostContent", service("lex-runtime").serialize("PostContent", result, "R")) \
        == result
    result = {"domainId": "d", "eventTime": T0, "createdAt": T0, "event": b"{}"}
    assert boto_parse("datazone", "GetLineageEvent", service("datazone").serialize("GetLineageEvent", result, "R")) \
        == result
    response = service("dataexchange").serialize("SendApiAsset", {"Body": "ok", "ResponseHeaders": {"X-Up": "v"}}, "R")
    parsed = boto_parse("dataexchange", "SendApiAsset", response)
    assert parsed["Body"] == "ok" and parsed["ResponseHeaders"]["x-up"] == "v"



def test_request_details() -> None:
    # `+` in the query string is a space; header bytes (latin-1 from the server) are UTF-8 text;
    # an empty blob payload is no payload.
    headers = {"x-amz-client-context": "é".encode().decode("latin-1"), "x-amz-invocation-type": "Event"}
    request = Request("POST", "/2015-03-31/functions/f/invocations", b"Qualifier=a+b%2Bc&Unknown=1", headers, b"")
    assert parse("lambda", request)[1] == {"FunctionName": "f", "Qualifier": "a b+c", "ClientContext": "é",
                                           "InvocationType": "Event"}
    # Body members the shape does not know, nulls, and members bound elsewhere are not read from the body.
    body = b'{"Timeout": 5, "Unknown": 1, "Handler": null, "FunctionName": "other"}'
    request = Request("PUT", "/2015-03-31/functions/f/configuration", b"", {}, body)
    assert parse("lambda", request)[1] == {"FunctionName": "f", "Timeout": 5}
    assert parse("lambda", Request("POST", "/2015-03-31/functions", b"", {}, b" \n"))[1] == {}
    # Epoch seconds or ISO 8601 text for a body timestamp.
    for when in (b"1767323045", b"1767323045.0", b'"2026-01-02T03:04:05Z"'):
        request = Request("POST", "/2015-03-31/event-source-mappings", b"", {},
                          b'{"StartingPositionTimestamp": %s}' % when)
        assert parse("lambda", request)[1] == {"StartingPositionTimestamp": T0.timestamp()}


# -- responses: our writer -> botocore's parser ------------------------------------------------

CONFIGURATION = {
    "FunctionName": "my-fn", "FunctionArn": ARN, "Runtime": "python3.12", "Role": "arn:aws:iam::1:role/r",
    "Handler": "app.handler", "CodeSize": 1234, "Description": "", "Timeout": 3, "MemorySize": 128,
    "LastModified": "2026-01-02T03:04:05.000+0000", "CodeSha256": "abc=", "Version": "$LATEST",
    "Environment": {"Variables": {"A": "1"}}, "State": "Active", "Architectures": ["x86_64"],
    "EphemeralStorage": {"Size": 512}, "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
}
RESPONSES = [
    ("lambda", "GetFunction", {
        "Configuration": CONFIGURATION, "Tags": {"team": "x"}, "Concurrency": {"ReservedConcurrentExecutions": 5},
        "Code": {"RepositoryType": "S3", "Location": "https://example.com/code.zip?sig=1&x=2"},
    }),
    ("lambda", "ListFunctions", {"Functions": [CONFIGURATION, {"FunctionName": "b"}], "NextMarker": "m"}),
    ("lambda", "ListFunctions", {"Functions": []}),
    ("lambda", "CreateFunction", CONFIGURATION),
    ("lambda", "GetPolicy", {"Policy": '{"Version":"2012-10-17","Statement":[]}', "RevisionId": "r-1"}),
    ("lambda", "CreateEventSourceMapping", {"UUID": "u-1", "StartingPositionTimestamp": T0, "LastModified": T0,
                                            "BatchSize": 10, "FunctionArn": ARN}),
    ("apigateway", "GetRestApis", {"items": [{"id": "a1", "name": "api", "createdDate": T0,
                                              "tags": {"k": "v"}, "binaryMediaTypes": ["image/png"]}],
                                   "position": "p"}),
    ("apigateway", "PutIntegration", {"type": "AWS_PROXY", "uri": "arn:x", "timeoutInMillis": 29000,
                                      "integrationResponses": {"200": {"statusCode": "200"}}}),
]


@pytest.mark.parametrize(("name", "op", "result"), RESPONSES, ids=[f"{n}.{o}" for n, o, _ in RESPONSES])
def test_response_round_trip(name: str, op: str, result: dict[str, Any]) -> None:
    response = service(name).serialize(op, result, "REQ-1")
    assert response.status == boto_model(name).operation_model(op).http.get("responseCode", 200)
    assert (b"content-type", b"application/json") in response.headers
    assert (b"x-amzn-requestid", b"REQ-1") in response.headers
    assert plain(boto_parse(name, op, response)) == plain(result)


def test_invoke_response() -> None:
    lam = service("lambda")
    payload = b'{"errorMessage": "boom", "errorType": "Exception"}'
    logs = base64.b64encode(b"START RequestId: x\nEND\n").decode()
    result = {"StatusCode": 200, "FunctionError": "Unhandled", "LogResult": logs, "ExecutedVersion": "$LATEST",
              "Payload": payload}
    response = lam.serialize("Invoke", result, "REQ-1")
    assert response.status == 200 and response.body == payload
    headers = dict(response.headers)
    assert headers[b"x-amz-function-error"] == b"Unhandled"
    assert headers[b"content-type"] == b"application/json"
    assert boto_parse("lambda", "Invoke", response) == result
    # An asynchronous invocation: 202 and no payload; a dry run: 204.
    response = lam.serialize("Invoke", {"StatusCode": 202}, "REQ-1")
    assert (response.status, response.body) == (202, b"")
    assert boto_parse("lambda", "Invoke", response) == {"StatusCode": 202, "Payload": b""}
    assert lam.serialize("Invoke", {"StatusCode": 204}, "REQ-1").status == 204
    # DeleteFunction answers 204 (its StatusCode member) with no body.
    response = lam.serialize("DeleteFunction", {"StatusCode": 204}, "REQ-1")
    assert (response.status, response.body) == (204, b"")
    assert boto_parse("lambda", "DeleteFunction", response) == {"StatusCode": 204}


def test_blob_payload_with_content_type_member() -> None:
    response = service("apigateway").serialize(
        "GetExport", {"contentType": "application/yaml", "contentDisposition": 'attachment; filename="a.yaml"',
                      "body": b"openapi: 3.0.1\n"}, "REQ-1")
    assert response.body == b"openapi: 3.0.1\n"
    assert [v for k, v in response.headers if k == b"content-type"] == [b"application/yaml"]
    assert boto_parse("apigateway", "GetExport", response)["body"] == b"openapi: 3.0.1\n"


def test_body_details() -> None:
    lam = service("lambda")
    # None members and members the shape does not know are left out; ready JSON bytes pass as they are.
    response = lam.serialize("GetPolicy", {"Policy": "p", "RevisionId": None, "Internal": 1}, "R")
    assert response.body == b'{"Policy":"p"}'
    assert lam.serialize("GetPolicy", b'{"Policy":"q"}', "R").body == b'{"Policy":"q"}'
    # An operation without output answers an empty body (TagResource: 204).
    response = lam.serialize("TagResource", None, "R")
    assert (response.status, response.body) == (204, b"")
    # Timestamps from datetimes, epoch seconds or ISO text are epoch seconds in the body.
    for when in (T0, T0.timestamp(), "2026-01-02T03:04:05Z"):
        body = lam.serialize("CreateEventSourceMapping", {"LastModified": when}, "R").body
        assert body == b'{"LastModified":%d}' % T0.timestamp()


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("error", "message_key"), [
    (AwsError("ResourceNotFoundException", f"Function not found: {ARN}", 404), "Message"),
    (AwsError("ResourceConflictException", "The statement id (s1) provided already exists.", 409), "message"),
    (AwsError("InvalidParameterValueException", "Unzipped size must be smaller than 262144000 bytes", 400),
     "message"),
    (AwsError("ServiceException", "An internal error occurred", 500), "Message"),
])
def test_lambda_errors(error: AwsError, message_key: str) -> None:
    response = service("lambda").error_response(error, "REQ-1")
    assert response.status == error.status
    assert (b"x-amzn-errortype", error.code.encode()) in response.headers
    fault = "User" if error.status < 500 else "Service"
    assert response.body == f'{{"Type":"{fault}","{message_key}":"{error.message}"}}'.encode()
    parsed = boto_parse("lambda", "GetFunction", response)
    assert parsed["Error"] == {"Code": error.code, "Message": error.message}
    assert parsed["Type"] == fault


def test_throttling_error_members() -> None:
    error = AwsError("TooManyRequestsException", "Rate exceeded", 429,
                     {"retryAfterSeconds": "1", "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"})
    response = service("lambda").error_response(error, "REQ-1")
    assert (b"retry-after", b"1") in response.headers
    parsed = boto_parse("lambda", "Invoke", response)
    assert parsed["Error"]["Code"] == "TooManyRequestsException"
    assert parsed["retryAfterSeconds"] == "1"
    assert parsed["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_apigateway_error_has_no_type() -> None:
    response = service("apigateway").error_response(AwsError("NotFoundException", "Invalid API identifier", 404), "R")
    assert response.body == b'{"message":"Invalid API identifier"}'
    assert boto_parse("apigateway", "GetRestApi", response)["Error"]["Code"] == "NotFoundException"


def run(svc: RestJsonService, request: Request) -> Response:
    matched = svc.match(request)
    assert matched is not None
    return asyncio.run(svc.handle(request, CTX, matched))


def error_of(response: Response) -> tuple[int, str, str]:
    parsed = botocore.parsers.RestJSONParser().parse(as_dict(response), None)
    return response.status, parsed["Error"]["Code"], parsed["Error"]["Message"]


def test_unreadable_requests() -> None:
    lam = service("lambda")
    create = Request("POST", "/2015-03-31/functions", b"", {}, b'{"FunctionName": "f", }')
    status, code, message = error_of(run(lam, create))
    assert (status, code) == (400, "InvalidRequestContentException")
    assert message.startswith("Could not parse request body into json: Unexpected character ('}' (code 125)): "
                              "was expecting double-quote to start field name\n at [Source: (byte[])")
    bad = {
        b"{'a': 1}": "Unexpected character (''' (code 39)): was expecting double-quote to start field name",
        b'{"Timeout": tru}': "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token",
        b'{"Timeout" 3}': "was expecting a colon to separate field name and value",
        b'{"Timeout": 3 "a": 1}': "was expecting comma to separate Object entries",
        b'{"Timeout": 3': "Unexpected end-of-input: expected close marker for Object",
        b'{"Description": "\x97"}': "Invalid UTF-8 start byte 0x97",
        b"[1]": "Cannot deserialize value of type `com.amazonaws.services.lambda.model.CreateFunctionRequest` from "
                "Array value (token `JsonToken.START_ARRAY`)",
        b'{"Timeout": "abc"}': 'Cannot deserialize value of type `java.lang.Integer` from String "abc": not a valid',
        b'{"Timeout": 3000000000}': "Numeric value (3000000000) out of range of int (-2147483648 - 2147483647)",
        b'{"Code": {"ZipFile": "abc!"}}': "Failed to decode VALUE_STRING as base64 (MIME-NO-LINEFEEDS): Illegal "
                                          "character '!' (code 0x21) in base64 content",
        b'{"Environment": {"Variables": []}}': "Cannot deserialize value of type `java.util.Map<java.lang.String,"
                                               "java.lang.String>` from Array value",
        b'{"Publish": 1}': "Cannot deserialize value of type `java.lang.Boolean` from Integer value",
    }
    for body, text in bad.items():
        status, code, message = error_of(run(lam, Request("POST", "/2015-03-31/functions", b"", {}, body)))
        assert (status, code) == (400, "InvalidRequestContentException"), body
        assert text in message, (body, message)
    # Jackson's coercions: a number for a string, a numeric string for a number.
    request = Request("PUT", "/2015-03-31/functions/f/configuration", b"", {}, b'{"Timeout": "30", "Handler": 5}')
    assert parse("lambda", request)[1] == {"FunctionName": "f", "Timeout": 30, "Handler": "5"}
    # Query parameters and URI labels that do not convert.
    for request in (Request("GET", "/2015-03-31/functions/", b"MaxItems=ten", {}, b""),
                    Request("GET", "/2018-10-31/layers/l/versions/x1", b"", {}, b"")):
        status, code, message = error_of(run(lam, request))
        assert (status, code) == (400, "InvalidParameterValueException")
    assert "MaxItems" in message or "VersionNumber" in message
    # The validator's constraint errors come after reading.
    status, code, message = error_of(run(lam, Request("GET", "/2015-03-31/functions/a b", b"", {}, b"")))
    assert (status, code) == (400, "ValidationException")
    assert message.startswith("1 validation error detected: Value 'a b' at 'functionName' failed to satisfy")
    # API Gateway words them as BadRequestException.
    put = Request("PUT", "/restapis/a/resources/r/methods/GET/integration", b"", {}, b"{")
    assert error_of(run(service("apigateway"), put))[:2] == (400, "BadRequestException")


def test_handle_calls_the_operation() -> None:
    seen: list[dict[str, Any]] = []

    async def invoke(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        seen.append(params)
        return {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": params.get("Payload", b"") + b"!"}

    model = service_model("lambda")
    lam = RestJsonService("Lambda", model, {"Invoke": invoke},
                          validator=ModelValidator(model, flavour=LAMBDA).validate)
    response = run(lam, boto_request("lambda", "Invoke", {"FunctionName": "f", "Payload": b"{}"}))
    assert seen == [{"FunctionName": "f", "Payload": b"{}"}]
    assert (response.status, response.body) == (200, b"{}!")
    # Operations the service does not implement.
    status, code, message = error_of(run(lam, boto_request("lambda", "GetFunction", {"FunctionName": "f"})))
    assert (status, code, message) == (400, "UnknownOperationException",
                                       "cloudlet does not implement Lambda.GetFunction yet")


# -- a real botocore client, its HTTP send answered by our service -----------------------------


class _Raw(io.BytesIO):
    """The raw HTTP body botocore reads: streamed (`stream`) or, for a streaming payload, read."""

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.read()


def client_for(svc: RestJsonService) -> Any:
    client = botocore.session.get_session().create_client(
        svc.model.service_name, region_name="us-east-1", endpoint_url="http://localhost:4566",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )

    def send(request: botocore.awsrequest.AWSPreparedRequest, **kwargs: Any) -> botocore.awsrequest.AWSResponse:
        url = urlsplit(request.url)
        body = request.body or b""
        if hasattr(body, "read"):
            body = body.read()
        headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        ours = Request(request.method, server_path(url.path), url.query.encode(), headers,
                       body.encode() if isinstance(body, str) else body)
        matched = svc.match(ours)
        assert matched is not None
        response = asyncio.run(svc.handle(ours, CTX, matched))
        return botocore.awsrequest.AWSResponse(
            request.url, response.status, {k.decode(): v.decode() for k, v in response.headers}, _Raw(response.body)
        )

    client.meta.events.register("before-send", send)
    return client


def test_botocore_client_round_trip() -> None:
    functions: dict[str, dict[str, Any]] = {}

    async def create_function(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        name = params["FunctionName"]
        if name in functions:
            raise AwsError("ResourceConflictException", f"Function already exist: {name}", 409)
        functions[name] = params
        return {"FunctionName": name, "CodeSize": len(params["Code"]["ZipFile"]), "Timeout": params.get("Timeout", 3),
                "Environment": {"Variables": params["Environment"]["Variables"]}}

    async def get_function(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        name = params["FunctionName"]
        if name not in functions:
            raise AwsError("ResourceNotFoundException", f"Function not found: {ARN[:-5]}{name}", 404)
        return {"Configuration": {"FunctionName": name}}

    async def invoke(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        if params.get("InvocationType") == "Event":
            raise AwsError("TooManyRequestsException", "Rate Exceeded.", 429,
                           {"retryAfterSeconds": "2", "Reason": "CallerRateLimitExceeded"})
        return {"StatusCode": 200, "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST",
                "LogResult": base64.b64encode(b"log").decode(), "Payload": params["Payload"][::-1]}

    async def put_function_concurrency(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        if params["ReservedConcurrentExecutions"] > 900:
            raise AwsError("InvalidParameterValueException", "Specified ReservedConcurrentExecutions for function "
                           "decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
        return {"ReservedConcurrentExecutions": params["ReservedConcurrentExecutions"]}

    model = service_model("lambda")
    lam = client_for(RestJsonService("Lambda", model, {
        "CreateFunction": create_function, "GetFunction": get_function, "Invoke": invoke,
        "PutFunctionConcurrency": put_function_concurrency,
    }, validator=ModelValidator(model, flavour=LAMBDA).validate))
    out = lam.create_function(FunctionName="f", Role="arn:aws:iam::123456789012:role/r", Code={"ZipFile": ZIP},
                              Environment={"Variables": {"KEY": "v"}}, Timeout=10)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (out["CodeSize"], out["Timeout"], out["Environment"]) == (len(ZIP), 10, {"Variables": {"KEY": "v"}})
    assert functions["f"]["Code"]["ZipFile"] == ZIP
    assert lam.get_function(FunctionName="f")["Configuration"] == {"FunctionName": "f"}
    with pytest.raises(lam.exceptions.ResourceConflictException) as conflict:
        lam.create_function(FunctionName="f", Role="arn:aws:iam::123456789012:role/r", Code={"ZipFile": b"x"},
                            Environment={"Variables": {}})
    assert conflict.value.response["Error"]["Message"] == "Function already exist: f"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as missing:
        lam.get_function(FunctionName="nope")
    assert missing.value.response["Error"]["Message"].startswith("Function not found: arn:aws:lambda:")
    assert missing.value.response["Type"] == "User"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    out = lam.invoke(FunctionName="f", Payload=b'{"a": 1}', LogType="Tail")
    assert out["Payload"].read() == b'{"a": 1}'[::-1]
    assert (out["StatusCode"], out["FunctionError"], base64.b64decode(out["LogResult"])) == (200, "Unhandled", b"log")
    with pytest.raises(lam.exceptions.TooManyRequestsException) as throttled:
        lam.invoke(FunctionName="f", InvocationType="Event", Payload=b"{}")
    assert throttled.value.response["retryAfterSeconds"] == "2"
    assert throttled.value.response["Reason"] == "CallerRateLimitExceeded"
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=1000)
    assert lam.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=5)[
        "ReservedConcurrentExecutions"] == 5
    # The validator's errors reach the client too (FunctionName's pattern).
    with pytest.raises(lam.exceptions.ClientError) as invalid:
        lam.get_function(FunctionName="a b")
    assert invalid.value.response["Error"]["Code"] == "ValidationException"


# -- anything a client may send reads or fails with an AwsError --------------------------------

LAMBDA_OPS = sorted(service_model("lambda").operations)
_LABEL = st.text(st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1, max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def lambda_requests(draw: st.DrawFn) -> Request:
    model = service_model("lambda")
    op = model.operation_model(draw(st.sampled_from(LAMBDA_OPS)))
    uri = op.http["requestUri"]
    path, _, literal = uri.partition("?")
    path = "".join(draw(_LABEL) if i % 2 else part for i, part in enumerate(path.replace("}", "{").split("{")))
    members = op.input_shape.members if op.input_shape else {}
    names = st.sampled_from(sorted(members)) if members else st.text(max_size=6)
    body = draw(st.one_of(
        st.binary(max_size=40),
        st.dictionaries(names, _JSON, max_size=4).map(lambda d: orjson_dumps(d)),
        _JSON.map(lambda d: orjson_dumps(d)),
    ))
    query_pairs = draw(st.lists(st.tuples(names, st.text(max_size=8)), max_size=3))
    query = "&".join(q for q in (literal, percent_encode_sequence(query_pairs)) if q)
    headers = {m.serialization.get("locationName", n).lower(): draw(st.text(string.printable, max_size=8))
               for n, m in members.items() if m.serialization.get("location") == "header" and draw(st.booleans())}
    return Request(op.http["method"], path, query.encode(), headers, body)


def orjson_dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # integers beyond 64 bits
        return str(value).encode()


@cache
def lambda_validator() -> ModelValidator:
    return ModelValidator(service_model("lambda"), flavour=LAMBDA)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lambda_requests())
def test_random_requests_raise_only_aws_errors(request: Request) -> None:
    lam = service("lambda")
    matched = lam.match(request)
    if matched is None:
        return
    try:
        params = lam.parse(matched[0], matched[1], request)
        lambda_validator().validate(matched[0], params)
    except AwsError:
        pass
    response = asyncio.run(lam.handle(request, CTX, matched))
    assert response.status in (200, 201, 202, 204, 400), (response.status, response.body)
