"""The query protocol layer against botocore's own query serializer and XML parser.

Requests are built with botocore's QuerySerializer and read back with ours; responses are
rendered with ours and read back with botocore's QueryParser, for botocore's real IAM and STS
models (plus SQS, RDS, SNS, SES and CloudWatch shapes for flattened lists and maps,
`locationName`s, blobs and timestamps). botocore.model/parsers/serialize are used here only.

The front-end error texts (InvalidAction, NO_VERSION_SPECIFIED, the redirect without Action,
first-of-repeated-parameters, MalformedInput for numbers) are those recorded from live STS by
an AWS STS query-protocol probe suite (argmin s3-tests, sts oracle) and IAM's
(versity/versitygw iamapi router tests).
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore.loaders
import botocore.model
import botocore.parsers
import botocore.serialize
import pytest
from botocore.utils import percent_encode_sequence
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudlet.protocol.context import Context
from cloudlet.protocol.errors import AwsError
from cloudlet.protocol.models import service_model
from cloudlet.protocol.query import AWS_FAULT_XMLNS, QUERY_FLAVOUR, QueryService
from cloudlet.protocol.query_parse import build_tree, decode_form
from cloudlet.protocol.query_xml import iso8601
from cloudlet.protocol.validate import ModelValidator
from cloudlet.server.http import Request

CTX = Context("us-east-1", "123456789012", "REQ-1")
FORM = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}


@cache
def boto_model(name: str) -> botocore.model.ServiceModel:
    doc = botocore.loaders.Loader().load_service_model(name, "service-2")
    return botocore.model.ServiceModel(doc, service_name=name)


async def nothing(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {}


@cache
def service(name: str) -> QueryService:
    """Every operation of the model answers an empty output; IAM/STS validation."""
    model = service_model(name)
    return QueryService(name.upper(), model, dict.fromkeys(model.operations, nothing),
                        validator=ModelValidator(model, flavour=QUERY_FLAVOUR).validate)


def boto_form(name: str, op: str, params: dict[str, Any]) -> bytes:
    request = botocore.serialize.create_serializer("query", include_validation=False).serialize_to_request(
        params, boto_model(name).operation_model(op)
    )
    return percent_encode_sequence(request["body"]).encode()


def boto_parse(name: str, op: str, body: bytes, status: int = 200) -> dict[str, Any]:
    shape = boto_model(name).operation_model(op).output_shape
    parsed: dict[str, Any] = botocore.parsers.QueryParser().parse(
        {"status_code": status, "headers": {}, "body": body}, shape
    )
    meta = parsed.pop("ResponseMetadata")
    assert meta["HTTPStatusCode"] == status
    parsed["RequestId"] = meta.get("RequestId")
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


def run(svc: QueryService, body: bytes, *, method: str = "POST", query: bytes = b"",
        headers: dict[str, str] | None = None) -> Any:
    request = Request(method, "/", query, FORM if headers is None else headers, body)
    return asyncio.run(svc.handle(request, CTX))


# -- requests: botocore's serializer -> our parser ----------------------------------------------

T0 = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)

REQUESTS = [
    ("iam", "CreateRole", {
        "RoleName": "my-role", "Path": "/svc/", "AssumeRolePolicyDocument": '{"Version":"2012-10-17"}',
        "Description": "a & b < c", "MaxSessionDuration": 7200, "PermissionsBoundary": "arn:aws:iam::1:policy/b",
        "Tags": [{"Key": "team", "Value": "x"}, {"Key": "env", "Value": ""}],
    }),
    ("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Tags": []}),
    ("iam", "GetRole", {"RoleName": "my-role"}),
    ("iam", "ListRoles", {"PathPrefix": "/svc/", "Marker": "abc+/=", "MaxItems": 10}),
    ("iam", "ListRoles", {}),
    ("iam", "PutRolePolicy", {"RoleName": "r", "PolicyName": "p", "PolicyDocument": '{"a": "é 😀 +%&="}'}),
    ("iam", "AttachRolePolicy", {"RoleName": "r", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
    ("iam", "ListAttachedRolePolicies", {"RoleName": "r", "PathPrefix": "/", "MaxItems": 1, "Marker": "m"}),
    ("iam", "ListPolicies", {"Scope": "Local", "OnlyAttached": True, "MaxItems": 1000}),
    ("iam", "CreatePolicyVersion", {"PolicyArn": "arn:aws:iam::1:policy/p", "PolicyDocument": "{}",
                                    "SetAsDefault": False}),
    ("sts", "GetCallerIdentity", {}),
    ("sts", "AssumeRole", {
        "RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "sess", "DurationSeconds": 900,
        "Policy": "{}", "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/a"}, {"arn": "arn:aws:iam::aws:policy/b"}],
        "Tags": [{"Key": "k", "Value": "v"}], "TransitiveTagKeys": ["k"], "ExternalId": "ext-1",
        "ProvidedContexts": [{"ProviderArn": "arn:aws:iam::aws:contextProvider/x", "ContextAssertion": "assertion"}],
    }),
    # A map (`Attributes.entry.N.key/value`) and one with key/value locationNames (Name, Value).
    ("sns", "CreateTopic", {"Name": "t", "Attributes": {"DisplayName": "d", "Policy": "{}"},
                            "Tags": [{"Key": "a", "Value": "b"}]}),
    ("sns", "Publish", {"Message": "m", "TopicArn": "arn:t", "MessageAttributes": {
        "a": {"DataType": "String", "StringValue": "x"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
    }}),
    # List members with a locationName (`VpcSecurityGroupIds.VpcSecurityGroupId.1`).
    ("rds", "CreateDBInstance", {"DBInstanceIdentifier": "db", "DBInstanceClass": "db.t3.micro", "Engine": "mysql",
                                 "VpcSecurityGroupIds": ["sg-1", "sg-2"], "AllocatedStorage": 20,
                                 "MultiAZ": True}),
    # Flattened lists and flattened maps with locationNames (SQS's old query shapes).
    ("sqs", "SendMessageBatch", {"QueueUrl": "q", "Entries": [
        {"Id": "1", "MessageBody": "b1", "DelaySeconds": 3,
         "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1",
                                     "StringListValues": ["a", "b"]}}},
        {"Id": "2", "MessageBody": "b2"},
    ]}),
    ("sqs", "ReceiveMessage", {"QueueUrl": "q", "AttributeNames": ["All"], "MessageAttributeNames": ["a", "b"]}),
    # A blob and timestamps.
    ("ses", "SendRawEmail", {"RawMessage": {"Data": b"From: a\r\n\r\nbody \x00\xff"}}),
    ("cloudwatch", "GetMetricStatistics", {"Namespace": "n", "MetricName": "m", "StartTime": T0,
                                           "EndTime": datetime(2026, 1, 3, tzinfo=UTC), "Period": 60,
                                           "Statistics": ["Sum"], "Dimensions": [{"Name": "a", "Value": "b"}]}),
    ("cloudwatch", "PutMetricData", {"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": 1.5,
                                                                       "Values": [0.25, -3e20], "Counts": [1.0]}]}),
]


@pytest.mark.parametrize(("name", "op", "params"), REQUESTS, ids=[f"{n}.{o}" for n, o, _ in REQUESTS])
def test_request_round_trip(name: str, op: str, params: dict[str, Any]) -> None:
    form = boto_form(name, op, params)
    assert service(name).parse(op, form) == plain(params)


def test_request_through_handle_and_validator() -> None:
    seen: list[dict[str, Any]] = []

    async def create_role(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        seen.append(params)
        return {"Role": {"RoleName": params["RoleName"]}}

    model = service_model("iam")
    svc = QueryService("IAM", model, {"CreateRole": create_role},
                       validator=ModelValidator(model, flavour=QUERY_FLAVOUR).validate)
    params = REQUESTS[0][2]
    response = run(svc, boto_form("iam", "CreateRole", params))
    assert response.status == 200
    assert seen == [params]
    assert boto_parse("iam", "CreateRole", response.body)["Role"] == {"RoleName": "my-role"}


def test_get_uses_the_query_string() -> None:
    async def get_role(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return {"Role": {"RoleName": params["RoleName"]}}

    svc = QueryService("IAM", service_model("iam"), {"GetRole": get_role})
    query = b"Action=GetRole&Version=2010-05-08&RoleName=a%2Bb+c"
    response = run(svc, b"", method="GET", query=query, headers={})
    assert boto_parse("iam", "GetRole", response.body)["Role"] == {"RoleName": "a+b c"}
    # A POST reads the query string too; a body that is not form-encoded is not read.
    response = run(svc, b"RoleName=ignored", query=query, headers={"content-type": "application/json"})
    assert boto_parse("iam", "GetRole", response.body)["Role"] == {"RoleName": "a+b c"}


def test_form_details() -> None:
    iam = service("iam")
    # The first of repeated parameters wins; unknown parameters are ignored.
    assert iam.parse("GetRole", b"RoleName=a&RoleName=b&Unknown=1&RoleName.x=2") == {"RoleName": "a"}
    # List elements in index order, gaps and non-index names skipped; `Name=` is an empty list.
    form = b"RoleName=r&Tags.member.3.Key=c&Tags.member.1.Key=a&Tags.member.x.Key=z&Tags.member.10.Key=d"
    assert iam.parse("CreateRole", form)["Tags"] == [{"Key": "a"}, {"Key": "c"}, {"Key": "d"}]
    assert iam.parse("CreateRole", b"Tags=")["Tags"] == []
    assert iam.parse("CreateRole", b"Tags=&Tags.member.1.Key=a")["Tags"] == [{"Key": "a"}]
    # Structure and list parameters given as plain values are ignored.
    assert iam.parse("CreateRole", b"Tags.member.1=x") == {"Tags": []}
    assert decode_form_pairs(b"a=1&&b&c=%E2%82%AC+%zz&=v") == [("a", "1"), ("b", ""), ("c", "€ %zz"), ("", "v")]
    assert build_tree([("A.B", "1"), ("A", "2"), ("A.B", "3"), ("A", "4")]) == {"A": {"B": "1", None: "2"}}
    assert build_tree([("A", "1"), ("A.B.C", "2")]) == {"A": {None: "1", "B": {"C": "2"}}}


def decode_form_pairs(data: bytes) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    decode_form(data, pairs)
    return pairs


@pytest.mark.parametrize(
    ("value", "want"),
    [("900", 900), ("+900", 900), ("0900", 900), ("-2147483648", -(2**31)), ("2147483647", 2**31 - 1)],
)
def test_integer_syntax(value: str, want: int) -> None:
    form = percent_encode_sequence({"DurationSeconds": value}).encode()
    assert service("sts").parse("AssumeRole", form) == {"DurationSeconds": want}


@pytest.mark.parametrize(
    ("op", "form", "message"),
    [
        # STS AssumeRole with DurationSeconds "", "abc", "900.0", 2^31, -2^31-1 (live AWS).
        ("AssumeRole", b"DurationSeconds=", "missing value for decimal type"),
        ("AssumeRole", b"DurationSeconds=abc", ""),
        ("AssumeRole", b"DurationSeconds=900.0", ""),
        ("AssumeRole", b"DurationSeconds=2147483648", ""),
        ("AssumeRole", b"DurationSeconds=-2147483649", ""),
        ("AssumeRole", b"DurationSeconds=+900", ""),  # an unescaped + is a space
    ],
)
def test_malformed_input(op: str, form: bytes, message: str) -> None:
    with pytest.raises(AwsError) as caught:
        service("sts").parse(op, form)
    assert (caught.value.code, caught.value.message, caught.value.status) == ("MalformedInput", message, 400)
    response = run(service("sts"), b"Action=AssumeRole&Version=2011-06-15&" + form)
    error = boto_parse("sts", op, response.body, response.status)["Error"]
    assert response.status == 400
    assert error == ({"Type": "Sender", "Code": "MalformedInput", "Message": message} if message
                     else {"Type": "Sender", "Code": "MalformedInput"})


def test_other_scalars() -> None:
    iam = service("iam")
    assert iam.parse("ListPolicies", b"OnlyAttached=TRUE")["OnlyAttached"] is True
    with pytest.raises(AwsError, match="MalformedInput"):
        iam.parse("ListPolicies", b"OnlyAttached=yes")
    ses = service("ses")
    with pytest.raises(AwsError, match="MalformedInput"):
        ses.parse("SendRawEmail", b"RawMessage.Data=not*base64")
    cw = service("cloudwatch")
    assert cw.parse("GetMetricStatistics", b"StartTime=2026-01-02T03:04:05Z")["StartTime"] == 1767323045.0
    assert cw.parse("GetMetricStatistics", b"StartTime=1767323045.5")["StartTime"] == 1767323045.5
    with pytest.raises(AwsError, match="MalformedInput"):
        cw.parse("GetMetricStatistics", b"StartTime=yesterday")


# -- the front end: Action and Version ------------------------------------------------------------

def front_end_error(svc: QueryService, body: bytes) -> tuple[int, dict[str, str], str]:
    response = run(svc, body)
    root = ET.fromstring(response.body)
    return response.status, boto_parse("sts", "GetCallerIdentity", response.body, response.status)["Error"], root.tag


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"Action=NoSuchAction&Version=2011-06-15", "Could not find operation NoSuchAction for version 2011-06-15"),
        (b"Action=GetCallerIdentity", "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED"),
        (b"Action=GetCallerIdentity&Version=", "Could not find operation GetCallerIdentity for version "),
        (b"Action=GetCallerIdentity&Version=2000-01-01",
         "Could not find operation GetCallerIdentity for version 2000-01-01"),
        (b"Action=NoSuchAction&Action=GetCallerIdentity&Version=2011-06-15",
         "Could not find operation NoSuchAction for version 2011-06-15"),
        (b"Action=GetCallerIdentity&Version=2000-01-01&Version=2011-06-15",
         "Could not find operation GetCallerIdentity for version 2000-01-01"),
        (b"Action=&Version=2011-06-15", "Could not find operation  for version 2011-06-15"),
    ],
)
def test_invalid_action(body: bytes, message: str) -> None:
    status, error, tag = front_end_error(service("sts"), body)
    assert status == 400
    assert error == {"Type": "Sender", "Code": "InvalidAction", "Message": message}
    assert tag == "{" + AWS_FAULT_XMLNS + "}ErrorResponse"


def test_duplicates_first_wins_for_action_and_version() -> None:
    async def identity(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return {"UserId": "u", "Account": ctx.account, "Arn": "arn:aws:iam::123456789012:root"}

    svc = QueryService("STS", service_model("sts"), {"GetCallerIdentity": identity})
    for body in (b"Action=GetCallerIdentity&Action=NoSuchAction&Version=2011-06-15",
                 b"Action=GetCallerIdentity&Version=2011-06-15&Version=2000-01-01&Unknown=1"):
        response = run(svc, body)
        assert response.status == 200
        assert boto_parse("sts", "GetCallerIdentity", response.body)["Account"] == "123456789012"


def test_unimplemented_operation() -> None:
    svc = QueryService("STS", service_model("sts"), {})
    status, error, _ = front_end_error(svc, b"Action=GetSessionToken&Version=2011-06-15")
    assert (status, error["Code"]) == (400, "InvalidAction")
    assert error["Message"] == "cloudlet does not implement STS.GetSessionToken yet"
    assert service("sts").has_action("AssumeRoleWithWebIdentity")
    assert not service("sts").has_action("CreateRole")
    assert service("iam").has_action("CreateRole")


def test_missing_action() -> None:
    status, error, _ = front_end_error(service("sts"), b"Version=2011-06-15")
    assert (status, error["Code"]) == (400, "MissingAction")
    svc = QueryService("STS", service_model("sts"), {}, missing_action_location="https://aws.amazon.com/iam")
    response = run(svc, b"Version=2011-06-15")
    assert response.status == 302 and response.body == b""
    assert (b"location", b"https://aws.amazon.com/iam") in response.headers
    response = run(svc, b"", method="GET", query=b"Version=2011-06-15", headers={})
    assert (b"location", b"https://aws.amazon.com/iam?Version=2011-06-15") in response.headers
    assert (b"x-amzn-requestid", b"REQ-1") in response.headers


# -- responses: our serializer -> botocore's parser -----------------------------------------------

ROLE = {
    "Path": "/svc/", "RoleName": "my-role", "RoleId": "AROA0123456789EXAMPLE",
    "Arn": "arn:aws:iam::123456789012:role/svc/my-role", "CreateDate": 1767323045.678,
    "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D", "Description": "x < y & \"z\"",
    "MaxSessionDuration": 3600, "PermissionsBoundary": {
        "PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::1:policy/b"},
    "Tags": [{"Key": "a", "Value": ""}, {"Key": "b", "Value": "é 😀\n\tline\r\n"}],
    "RoleLastUsed": {"LastUsedDate": 1767323045.0, "Region": "us-east-1"},
}

RESPONSES = [
    ("iam", "GetRole", {"Role": ROLE}),
    ("iam", "CreateRole", {"Role": {**ROLE, "Tags": []}}),
    ("iam", "ListRoles", {"Roles": [ROLE, {**ROLE, "RoleName": "two", "Tags": []}], "IsTruncated": True,
                          "Marker": "next"}),
    ("iam", "ListRoles", {"Roles": [], "IsTruncated": False}),
    ("iam", "ListAttachedRolePolicies", {"AttachedPolicies": [
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        "IsTruncated": False}),
    ("iam", "GetRolePolicy", {"RoleName": "r", "PolicyName": "p", "PolicyDocument": "%7B%7D"}),
    ("iam", "GetAccountSummary", {"SummaryMap": {"Roles": 3, "Policies": 0, "RolesQuota": 1000}}),
    ("iam", "CreateVirtualMFADevice", {"VirtualMFADevice": {
        "SerialNumber": "arn:aws:iam::1:mfa/d", "Base32StringSeed": b"\x00\x01secret", "QRCodePNG": b"\x89PNG"}}),
    ("iam", "SimulatePrincipalPolicy", {"EvaluationResults": [{
        "EvalActionName": "s3:GetObject", "EvalDecision": "allowed",
        "EvalDecisionDetails": {"IAM Policy": "allowed", "Permissions Boundary Policy": "implicitDeny"},
        "MatchedStatements": [{"SourcePolicyId": "p", "StartPosition": {"Line": 1, "Column": 2}}]}],
        "IsTruncated": False}),
    ("sts", "GetCallerIdentity", {"UserId": "AKIAEXAMPLE", "Account": "123456789012",
                                  "Arn": "arn:aws:iam::123456789012:root"}),
    ("sts", "AssumeRole", {
        "Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "s+/=", "SessionToken": "t",
                        "Expiration": 1767326645.0},
        "AssumedRoleUser": {"AssumedRoleId": "AROA0123:s", "Arn": "arn:aws:sts::1:assumed-role/r/s"},
        "PackedPolicySize": 6, "SourceIdentity": "me"}),
    ("rds", "DescribeDBInstances", {"DBInstances": [{
        "DBInstanceIdentifier": "db", "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1", "Status": "active"}],
        "AllocatedStorage": 20, "MultiAZ": False, "InstanceCreateTime": 1767323045.5,
        "ReadReplicaDBInstanceIdentifiers": ["r1", "r2"]}]}),
    # Flattened lists and maps with locationNames, and no resultWrapper.
    ("sqs", "ReceiveMessage", {"Messages": [
        {"MessageId": "m1", "Body": "<b>", "Attributes": {"SenderId": "s", "SentTimestamp": "1"},
         "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": b"\x00"},
                               "b": {"DataType": "String", "StringValue": "x",
                                     "StringListValues": ["l1", "l2"]}}},
        {"MessageId": "m2"}]}),
    ("cloudwatch", "GetMetricStatistics", {"Label": "m", "Datapoints": [
        {"Timestamp": 1767323045.0, "Sum": 1.5, "Maximum": -3e20, "Unit": "Count",
         "ExtendedStatistics": {"p99": 0.25}}]}),
]


@pytest.mark.parametrize(("name", "op", "output"), RESPONSES, ids=[f"{n}.{o}" for n, o, _ in RESPONSES])
def test_response_round_trip(name: str, op: str, output: dict[str, Any]) -> None:
    body = service(name).serialize(op, output, "REQ-1")
    parsed = boto_parse(name, op, body)
    assert parsed.pop("RequestId") == "REQ-1"
    assert plain(parsed) == plain(output)


def test_response_document() -> None:
    body = service("sts").serialize(
        "GetCallerIdentity", {"Arn": "arn:aws:iam::1:root", "UserId": "1", "Account": "1"}, "R"
    )
    assert body == (
        b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n'
        b"  <GetCallerIdentityResult>\n    <UserId>1</UserId>\n    <Account>1</Account>\n"
        b"    <Arn>arn:aws:iam::1:root</Arn>\n  </GetCallerIdentityResult>\n"
        b"  <ResponseMetadata>\n    <RequestId>R</RequestId>\n  </ResponseMetadata>\n"
        b"</GetCallerIdentityResponse>\n"
    )
    # An operation without output; None members and members the shape lacks are left out.
    assert service("iam").serialize("DeleteRole", None, "R") == (
        b'<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n'
        b"  <ResponseMetadata>\n    <RequestId>R</RequestId>\n  </ResponseMetadata>\n"
        b"</DeleteRoleResponse>\n"
    )
    body = service("iam").serialize("GetRole", {"Role": {"RoleName": "r", "Description": None, "Bogus": 1}}, "R")
    assert b"Description" not in body and b"Bogus" not in body
    assert boto_parse("iam", "GetRole", body)["Role"] == {"RoleName": "r"}
    # SNS's namespace comes from the model (http://, not https://).
    assert b'xmlns="http://sns.amazonaws.com/doc/2010-03-31/"' in service("sns").serialize("CreateTopic", {}, "R")


def test_content_type_and_request_id() -> None:
    async def get_role(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return {"Role": {"RoleName": "r"}}

    svc = QueryService("IAM", service_model("iam"), {"GetRole": get_role})
    response = run(svc, b"Action=GetRole&Version=2010-05-08&RoleName=r")
    assert response.status == 200
    assert response.headers == [(b"content-type", b"text/xml"), (b"x-amzn-requestid", b"REQ-1")]


@pytest.mark.parametrize(
    ("value", "want"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "2026-01-02T03:04:05.678Z"),
        (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05.000Z"),  # naive: UTC
        (datetime.fromisoformat("2026-01-02T05:04:05+02:00"), "2026-01-02T03:04:05.000Z"),
        (1767323045, "2026-01-02T03:04:05.000Z"),
        (1767323045.9996, "2026-01-02T03:04:06.000Z"),
        (0.001, "1970-01-01T00:00:00.001Z"),
        ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z"),
    ],
)
def test_timestamps(value: Any, want: str) -> None:
    assert iso8601(value) == want


# -- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("error", "fault"),
    [
        (AwsError("NoSuchEntity", "The role with name missing cannot be found.", 404), "Sender"),
        (AwsError("EntityAlreadyExists", "Role with name r already exists.", 409), "Sender"),
        (AwsError("MalformedPolicyDocument", "Syntax errors in policy.", 400), "Sender"),
        (AwsError("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 20", 409), "Sender"),
        (AwsError("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409), "Sender"),
        (AwsError("ValidationError", "1 validation error detected: Value 'a<b>&' at 'roleName' ...", 400), "Sender"),
        (AwsError("ServiceFailure", "boom", 500), "Receiver"),
    ],
)
def test_error_round_trip(error: AwsError, fault: str) -> None:
    async def get_role(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        raise error

    svc = QueryService("IAM", service_model("iam"), {"GetRole": get_role})
    response = run(svc, b"Action=GetRole&Version=2010-05-08&RoleName=r")
    assert response.status == error.status
    assert (b"content-type", b"text/xml") in response.headers
    parsed = boto_parse("iam", "GetRole", response.body, response.status)
    assert parsed["Error"] == {"Type": fault, "Code": error.code, "Message": error.message}
    assert parsed["RequestId"] == "REQ-1"
    assert ET.fromstring(response.body).tag == "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse"


def test_validation_error_from_validator() -> None:
    response = run(service("sts"), b"Action=AssumeRole&Version=2011-06-15&RoleSessionName=sess&DurationSeconds=899")
    error = boto_parse("sts", "AssumeRole", response.body, response.status)["Error"]
    assert response.status == 400
    assert error["Code"] == "ValidationError"
    assert error["Message"] == (
        "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be "
        "null; Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than "
        "or equal to 900"
    )


# -- properties ------------------------------------------------------------------------------------

IAM_OPS = sorted(service_model("iam").operations)
_PARTS = st.sampled_from(["Tags", "member", "entry", "key", "value", "Key", "Value", "1", "2", "10", "0", "x",
                          "RoleName", "MaxItems", "OnlyAttached", "PolicyArns", "ContextEntries", "ContextKeyValues",
                          "PolicyInputList", "ResourceArns", "MaxSessionDuration", "Action", "Version", ""])
_KEYS = st.lists(st.one_of(_PARTS, st.text(max_size=4)), min_size=1, max_size=6).map(".".join)
_VALUES = st.one_of(st.sampled_from(["", "true", "1", "-1", "9" * 30, "AAAA", "2026-01-01T00:00:00Z"]), st.text())


@st.composite
def form_bodies(draw: st.DrawFn) -> bytes:
    pairs = draw(st.lists(st.tuples(_KEYS, _VALUES), max_size=12))
    body = percent_encode_sequence(pairs).encode()
    return body + draw(st.sampled_from([b"", b"&%zz=%", b"&a=%ff%fe", b"&&==&"]))


def test_control_characters_in_an_echoed_value_keep_the_xml_well_formed() -> None:
    # found by the test below: UntagRole with RoleName=%1F put a raw U+001F into the error message
    async def echo(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return {}

    svc = QueryService("IAM", service_model("iam"), dict.fromkeys(IAM_OPS, echo),
                       validator=ModelValidator(service_model("iam"), flavour=QUERY_FLAVOUR).validate)
    response = run(svc, b"Action=UntagRole&Version=2010-05-08&RoleName=%1F%00x")
    assert response.status == 400
    message = ET.fromstring(response.body).findtext(".//{*}Message") or ""
    assert "\ufffd\ufffdx" in message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(op=st.sampled_from(IAM_OPS), body=form_bodies())
def test_random_forms_raise_only_aws_errors(op: str, body: bytes) -> None:
    try:
        service("iam").parse(op, body)
    except AwsError:
        pass

    async def echo(params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return {}

    svc = QueryService("IAM", service_model("iam"), dict.fromkeys(IAM_OPS, echo),
                       validator=ModelValidator(service_model("iam"), flavour=QUERY_FLAVOUR).validate)
    response = run(svc, f"Action={op}&Version=2010-05-08&".encode() + body)
    assert response.status in (200, 400)
    ET.fromstring(response.body)


@settings(max_examples=100, deadline=None)
@given(
    name=st.text(min_size=1, max_size=64),
    description=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=50),
    tags=st.lists(st.fixed_dictionaries({"Key": st.text(max_size=10), "Value": st.text(max_size=10)}), max_size=5),
    duration=st.integers(-(2**31), 2**31 - 1),
)
def test_botocore_forms_round_trip(name: str, description: str, tags: list[dict[str, str]], duration: int) -> None:
    params = {"RoleName": name, "AssumeRolePolicyDocument": "{}", "Description": description, "Tags": tags,
              "MaxSessionDuration": duration}
    assert service("iam").parse("CreateRole", boto_form("iam", "CreateRole", params)) == params


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40),
    count=st.integers(0, 4),
    truncated=st.booleans(),
)
def test_xml_round_trip_property(text: str, count: int, truncated: bool) -> None:
    output = {"Roles": [{**ROLE, "Description": text, "Tags": [{"Key": text, "Value": text}] * count}] * count,
              "IsTruncated": truncated, "Marker": text}
    parsed = boto_parse("iam", "ListRoles", service("iam").serialize("ListRoles", output, "R"))
    assert parsed.pop("RequestId") == "R"
    assert plain(parsed) == plain(output)
