"""REST URI-template matching against botocore's real Lambda and API Gateway models.

URIs from https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html and
https://docs.aws.amazon.com/apigateway/latest/api/API_Operations.html
"""

from __future__ import annotations

import pytest

from cloudlet.protocol.models import service_model
from cloudlet.protocol.rest import RestOperations

LAMBDA = RestOperations(service_model("lambda"))
APIGW = RestOperations(service_model("apigateway"))


@pytest.mark.parametrize(
    ("method", "path", "query", "want"),
    [
        ("GET", "/2015-03-31/functions/my-fn", b"", ("GetFunction", {"FunctionName": "my-fn"})),
        ("GET", "/2015-03-31/functions/my-fn/", b"", ("GetFunction", {"FunctionName": "my-fn"})),
        ("POST", "/2015-03-31/functions/my-fn/invocations", b"", ("Invoke", {"FunctionName": "my-fn"})),
        ("GET", "/2015-03-31/functions/", b"", ("ListFunctions", {})),
        ("GET", "/2015-03-31/functions/f/configuration", b"Qualifier=1",
         ("GetFunctionConfiguration", {"FunctionName": "f"})),
        ("GET", "/2019-09-30/functions/f/provisioned-concurrency", b"List=ALL",
         ("ListProvisionedConcurrencyConfigs", {"FunctionName": "f"})),
        ("GET", "/2019-09-30/functions/f/provisioned-concurrency", b"Qualifier=live",
         ("GetProvisionedConcurrencyConfig", {"FunctionName": "f"})),
    ],
)
def test_lambda_routes(method: str, path: str, query: bytes, want: tuple[str, dict[str, str]]) -> None:
    assert LAMBDA.match(method, path, query) == want


def test_apigateway_routes() -> None:
    assert APIGW.match("GET", "/restapis") == ("GetRestApis", {})
    assert APIGW.match("GET", "/restapis/a1b2c3/resources/r9/methods/GET") == (
        "GetMethod", {"restapi_id": "a1b2c3", "resource_id": "r9", "http_method": "GET"}
    )
    assert APIGW.match("PUT", "/restapis/a1/resources/r9/methods/POST/integration/responses/200") == (
        "PutIntegrationResponse",
        {"restapi_id": "a1", "resource_id": "r9", "http_method": "POST", "status_code": "200"},
    )
    assert APIGW.match("PATCH", "/restapis/a1/stages/dev") == (
        "UpdateStage", {"restapi_id": "a1", "stage_name": "dev"}
    )


def test_no_match() -> None:
    assert LAMBDA.match("DELETE", "/nowhere") is None
    assert LAMBDA.match("PATCH", "/2015-03-31/functions/f") is None


def test_remembered_answers_are_the_same_and_not_shared() -> None:
    ops = RestOperations(service_model("lambda"))
    first = ops.match("GET", "/2019-09-30/functions/f/provisioned-concurrency", b"List=ALL")
    first[1]["FunctionName"] = "changed by a caller"  # type: ignore[index]
    assert ops.match("GET", "/2019-09-30/functions/f/provisioned-concurrency", b"List=ALL") == (
        "ListProvisionedConcurrencyConfigs", {"FunctionName": "f"})
    # the query takes part in the answer, so it takes part in what is remembered
    assert ops.match("GET", "/2019-09-30/functions/f/provisioned-concurrency", b"Qualifier=live") == (
        "GetProvisionedConcurrencyConfig", {"FunctionName": "f"})
    assert ops.match("DELETE", "/nowhere") is None and ops.match("DELETE", "/nowhere") is None
