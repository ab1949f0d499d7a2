"""The bundled AWS managed policies: well-formed, self-consistent, and carrying AWS's statements."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from typing import Any

import pytest

from cloudlet.services.iam.managed_policies import managed_policies

FOLDER = files("cloudlet.services.iam").joinpath("managed")
FILES = sorted((e for e in FOLDER.iterdir() if e.name.endswith(".json")), key=lambda e: e.name)
BY_NAME = {p["PolicyName"]: p for p in managed_policies().values()}

SERVICE_ROLE = {
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AmazonAPIGatewayPushToCloudWatchLogs",
}
EXPECTED = SERVICE_ROLE | {
    "AWSLambdaExecute",
    "AWSLambda_FullAccess",
    "AWSLambda_ReadOnlyAccess",
    "AWSXRayDaemonWriteAccess",
    "AdministratorAccess",
    "AmazonAPIGatewayAdministrator",
    "AmazonAPIGatewayInvokeFullAccess",
    "AmazonCognitoPowerUser",
    "AmazonCognitoReadOnly",
    "AmazonDynamoDBFullAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "AmazonKinesisFullAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonSNSFullAccess",
    "AmazonSQSFullAccess",
    "CloudWatchLogsFullAccess",
    "CloudWatchLogsReadOnlyAccess",
    "IAMFullAccess",
    "IAMReadOnlyAccess",
}
KEYS = ["PolicyName", "Arn", "Path", "Description", "DefaultVersionId", "CreateDate", "UpdateDate", "Document"]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def statements(name: str) -> list[dict[str, Any]]:
    return BY_NAME[name]["Document"]["Statement"]


def find(name: str, action: str) -> dict[str, Any]:
    """The one statement of the policy whose Action list names `action` exactly."""
    found = [s for s in statements(name) if action in as_list(s["Action"])]
    assert len(found) == 1, (name, action, found)
    return found[0]


# --- every file --------------------------------------------------------------------------------


def test_the_expected_set_is_bundled() -> None:
    assert set(BY_NAME) == EXPECTED
    assert len(FILES) == len(EXPECTED) == len(managed_policies())


@pytest.mark.parametrize("entry", FILES, ids=lambda e: e.name)
def test_each_file_parses_and_is_self_consistent(entry: Any) -> None:
    policy = json.loads(entry.read_text(encoding="utf-8"))
    assert list(policy) == KEYS
    name, path = policy["PolicyName"], policy["Path"]
    assert entry.name == f"{name}.json"
    assert path == ("/service-role/" if name in SERVICE_ROLE else "/")
    assert policy["Arn"] == f"arn:aws:iam::aws:policy{path}{name}"
    assert isinstance(policy["Description"], str) and policy["Description"]
    assert re.fullmatch(r"v[1-9][0-9]*", policy["DefaultVersionId"])
    assert DATE.match(policy["CreateDate"]) and DATE.match(policy["UpdateDate"])
    assert policy["CreateDate"] <= policy["UpdateDate"]
    if policy["DefaultVersionId"] == "v1":
        assert policy["CreateDate"] == policy["UpdateDate"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_document_is_a_2012_policy_of_allow_statements(name: str) -> None:
    document = BY_NAME[name]["Document"]
    assert document["Version"] == "2012-10-17"
    assert isinstance(document["Statement"], list) and document["Statement"]
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        for key in ("Action", "Resource"):
            assert all(isinstance(v, str) and v for v in as_list(statement[key])), (key, statement)
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}


def test_the_loader_is_keyed_by_arn_and_loads_once() -> None:
    loaded = managed_policies()
    assert loaded is managed_policies()
    assert all(arn == policy["Arn"] for arn, policy in loaded.items())
    assert "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" in loaded


# --- the statements the tutorials depend on ----------------------------------------------------


def test_administrator_access() -> None:
    assert statements("AdministratorAccess") == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]


def test_lambda_basic_execution_role() -> None:
    assert statements("AWSLambdaBasicExecutionRole") == [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ]


def test_lambda_dynamodb_execution_role() -> None:
    (statement,) = statements("AWSLambdaDynamoDBExecutionRole")
    assert statement["Resource"] == "*"
    assert statement["Action"] == [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]


def test_lambda_vpc_access_execution_role() -> None:
    (statement,) = statements("AWSLambdaVPCAccessExecutionRole")
    assert statement["Resource"] == "*"
    assert {"logs:PutLogEvents", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"} <= set(statement["Action"])


def test_lambda_role_and_execute() -> None:
    assert statements("AWSLambdaRole") == [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": ["*"]}]
    assert find("AWSLambdaExecute", "logs:*")["Resource"] == "arn:aws:logs:*:*:*"
    s3 = find("AWSLambdaExecute", "s3:GetObject")
    assert (s3["Action"], s3["Resource"]) == (["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::*")


def test_lambda_full_and_read_only_access() -> None:
    assert find("AWSLambda_FullAccess", "lambda:*")["Resource"] == "*"
    pass_role = find("AWSLambda_FullAccess", "iam:PassRole")
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    read = find("AWSLambda_ReadOnlyAccess", "lambda:Get*")
    assert "lambda:List*" in read["Action"] and "lambda:*" not in read["Action"]
    logs = find("AWSLambda_ReadOnlyAccess", "logs:GetLogEvents")
    assert logs["Resource"] == "arn:aws:logs:*:*:log-group:/aws/lambda/*"


def test_dynamodb_full_access() -> None:
    first = statements("AmazonDynamoDBFullAccess")[0]
    assert first["Action"][:2] == ["dynamodb:*", "dax:*"]
    assert (first["Effect"], first["Resource"]) == ("Allow", "*")
    pass_role = find("AmazonDynamoDBFullAccess", "iam:PassRole")
    assert "dax.amazonaws.com" in pass_role["Condition"]["StringLike"]["iam:PassedToService"]


def test_dynamodb_read_only_access() -> None:
    read = find("AmazonDynamoDBReadOnlyAccess", "dynamodb:GetItem")
    assert read["Sid"] == "GeneralReadOnlyAccess" and read["Resource"] == "*"
    assert {"dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:Describe*"} <= set(read["Action"])
    every_action = {a for s in statements("AmazonDynamoDBReadOnlyAccess") for a in as_list(s["Action"])}
    assert not {"dynamodb:*", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"} & every_action


def test_api_gateway_policies() -> None:
    assert statements("AmazonAPIGatewayInvokeFullAccess") == [
        {
            "Effect": "Allow",
            "Action": ["execute-api:Invoke", "execute-api:ManageConnections"],
            "Resource": "arn:aws:execute-api:*:*:*",
        }
    ]
    assert statements("AmazonAPIGatewayAdministrator") == [
        {"Effect": "Allow", "Action": ["apigateway:*"], "Resource": "arn:aws:apigateway:*::/*"}
    ]
    (push,) = statements("AmazonAPIGatewayPushToCloudWatchLogs")
    assert push["Resource"] == "*"
    assert {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"} <= set(push["Action"])


def test_cloudwatch_logs_policies() -> None:
    assert find("CloudWatchLogsFullAccess", "logs:*")["Resource"] == "*"
    read = find("CloudWatchLogsReadOnlyAccess", "logs:Get*")
    assert {"logs:Describe*", "logs:List*", "logs:FilterLogEvents"} <= set(read["Action"])
    assert "logs:*" not in read["Action"]


def test_s3_policies() -> None:
    assert find("AmazonS3FullAccess", "s3:*")["Resource"] == "*"
    read = find("AmazonS3ReadOnlyAccess", "s3:Get*")
    assert read["Action"][:3] == ["s3:Get*", "s3:List*", "s3:Describe*"] and read["Resource"] == "*"


def test_iam_policies() -> None:
    assert find("IAMFullAccess", "iam:*")["Resource"] == "*"
    read = find("IAMReadOnlyAccess", "iam:Get*")
    assert "iam:List*" in read["Action"] and "iam:*" not in read["Action"]


def test_messaging_and_stream_full_access() -> None:
    assert find("AmazonSQSFullAccess", "sqs:*")["Resource"] == "*"
    assert find("AmazonSNSFullAccess", "sns:*")["Resource"] == "*"
    assert statements("AmazonKinesisFullAccess") == [{"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"}]


def test_cognito_and_xray() -> None:
    assert {"cognito-identity:*", "cognito-idp:*", "cognito-sync:*"} <= set(
        statements("AmazonCognitoPowerUser")[0]["Action"]
    )
    assert "cognito-idp:Describe*" in statements("AmazonCognitoReadOnly")[0]["Action"]
    assert "xray:PutTraceSegments" in find("AWSXRayDaemonWriteAccess", "xray:PutTelemetryRecords")["Action"]
