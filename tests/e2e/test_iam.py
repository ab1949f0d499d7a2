"""IAM roles and policies, STS, through boto3 against a real server.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
https://docs.aws.amazon.com/STS/latest/APIReference/API_Operations.html
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import BOTO_CONFIG, unique

TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})
INLINE = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "*"}]}


@pytest.fixture(scope="session")
def iam(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


@pytest.fixture(scope="session")
def sts(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


def err(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    r = exc.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


def test_role_lifecycle(iam) -> None:  # type: ignore[no-untyped-def]
    name = unique("TestRoleLambda")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST, Description="d",
                           Tags=[{"Key": "k", "Value": "v"}])["Role"]
    assert role["Arn"] == f"arn:aws:iam::000000000000:role/{name}"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST)  # decoded by botocore from IAM's URL-encoding
    got = iam.get_role(RoleName=name)["Role"]
    assert got["Description"] == "d" and got["Tags"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=name.upper(), AssumeRolePolicyDocument=TRUST)  # names are case-insensitive
    assert err(exc) == ("EntityAlreadyExists", f"Role with name {name.upper()} already exists.", 409)
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=TRUST)
    names = [r["RoleName"] for p in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 2})
             for r in p["Roles"]]
    assert name in names
    iam.delete_role(RoleName=name)
    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName=name)
    assert err(exc) == ("NoSuchEntity", f"The role with name {name} cannot be found.", 404)


def test_inline_and_managed_policies(iam) -> None:  # type: ignore[no-untyped-def]
    name = unique("TestRoleApiGateway")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName=name, PolicyName="ddb", PolicyDocument=json.dumps(INLINE))
    assert iam.get_role_policy(RoleName=name, PolicyName="ddb")["PolicyDocument"] == INLINE
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["ddb"]
    for arn in ("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
                "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"):
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert {a["PolicyName"] for a in attached} == {"AmazonDynamoDBFullAccess", "AmazonAPIGatewayPushToCloudWatchLogs"}
    with pytest.raises(ClientError) as exc:
        iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
    assert err(exc)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as exc:
        iam.delete_role(RoleName=name)
    assert err(exc) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess")
    iam.detach_role_policy(RoleName=name,
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")
    iam.delete_role_policy(RoleName=name, PolicyName="ddb")
    iam.delete_role(RoleName=name)


def test_aws_managed_policy_documents(iam) -> None:  # type: ignore[no-untyped-def]
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    pol = iam.get_policy(PolicyArn=arn)["Policy"]
    assert pol["PolicyName"] == "AWSLambdaBasicExecutionRole" and pol["Path"] == "/service-role/"
    doc = iam.get_policy_version(PolicyArn=arn, VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
    listed = [st["Action"] for st in doc["Statement"]]
    actions = {a for x in listed for a in ([x] if isinstance(x, str) else x)}
    assert {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"} <= actions
    aws = [p["PolicyName"] for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]]
    assert "AmazonDynamoDBFullAccess" in aws


def test_customer_managed_policy(iam) -> None:  # type: ignore[no-untyped-def]
    name = unique("pol")
    pol = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(INLINE), Description="mine")["Policy"]
    assert pol["Arn"] == f"arn:aws:iam::000000000000:policy/{name}" and pol["DefaultVersionId"] == "v1"
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(INLINE))
    assert err(exc)[0] == "EntityAlreadyExists"
    v2 = iam.create_policy_version(PolicyArn=pol["Arn"], PolicyDocument=json.dumps(INLINE), SetAsDefault=True)
    assert v2["PolicyVersion"]["VersionId"] == "v2"
    assert iam.get_policy(PolicyArn=pol["Arn"])["Policy"]["DefaultVersionId"] == "v2"
    local = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert name in local
    iam.delete_policy_version(PolicyArn=pol["Arn"], VersionId="v1")
    iam.delete_policy(PolicyArn=pol["Arn"])
    with pytest.raises(ClientError) as exc:
        iam.get_policy(PolicyArn=pol["Arn"])
    assert err(exc)[0] == "NoSuchEntity"


def test_malformed_policy_documents(iam) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as exc:
        iam.create_role(RoleName=unique("bad"), AssumeRolePolicyDocument="{not json")
    assert err(exc)[0] == "MalformedPolicyDocument" and err(exc)[2] == 400
    with pytest.raises(ClientError) as exc:
        iam.create_policy(PolicyName=unique("bad"), PolicyDocument=json.dumps({"Version": "2012-10-17"}))
    assert err(exc)[0] == "MalformedPolicyDocument"


def test_sts_identity_and_assume_role(iam, sts, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    me = sts.get_caller_identity()
    assert me["Account"] == "000000000000" and me["Arn"] == "arn:aws:iam::000000000000:root"
    name = unique("assumable")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    out = sts.assume_role(RoleArn=arn, RoleSessionName="s1")
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::000000000000:assumed-role/{name}/s1"
    as_role = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG,
                           aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"])
    assert as_role.get_caller_identity()["Arn"] == f"arn:aws:sts::000000000000:assumed-role/{name}/s1"
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn="arn:aws:iam::000000000000:role/none", RoleSessionName="s2")
    assert err(exc)[0] == "AccessDenied"


def test_bad_input_is_a_validation_error(iam) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as exc:
        iam.get_role(RoleName="bad name!")
    code, msg, status = err(exc)
    assert code == "ValidationError" and status == 400 and "failed to satisfy constraint" in msg


def test_random_query_requests_never_500(endpoint: str) -> None:
    import http.client
    import urllib.parse

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    host, port = endpoint.split("//")[1].split(":")
    keys = st.sampled_from(["Action", "Version", "RoleName", "PolicyArn", "PolicyDocument", "Tags.member.1.Key",
                            "Tags.member.1.Value", "MaxItems", "Marker", "RoleArn", "RoleSessionName",
                            "DurationSeconds", "AssumeRolePolicyDocument", "PolicyName", "VersionId"])
    vals = st.one_of(st.sampled_from(["CreateRole", "GetRole", "AssumeRole", "ListRoles", "GetCallerIdentity",
                                      "2010-05-08", "2011-06-15", "x", "", "-1", "99999999999", "{}"]),
                     st.text(max_size=10))

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(form=st.dictionaries(keys, vals, max_size=6), service=st.sampled_from(["iam", "sts"]))
    def check(form: dict[str, str], service: str) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("POST", "/", body=urllib.parse.urlencode(form), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, "
                             "SignedHeaders=host, Signature=0"})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        assert r.status < 500, body

    check()
