"""Lambda's control plane through boto3 against a real server (invocation is tested elsewhere).

https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (and the other actions)
"""

from __future__ import annotations

import io
import urllib.request
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import BOTO_CONFIG, LAMBDA_TRUST, unique, zipped
from server import start

HANDLER = b"def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n"


@pytest.fixture(scope="session")
def lam(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("lambda", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


def err(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    r = exc.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


def create(lam, role: str, name: str, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("Code", {"ZipFile": zipped({"app.py": HANDLER})})
    return lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", **kw)


def test_create_get_list_delete(lam, role: str) -> None:  # type: ignore[no-untyped-def]
    name = unique("fn")
    out = create(lam, role, name, Environment={"Variables": {"TABLE": "Music"}}, Timeout=10, Tags={"t": "1"})
    assert out["FunctionArn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert out["State"] == "Active" and out["LastUpdateStatus"] == "Successful" and out["Version"] == "$LATEST"
    assert out["Environment"] == {"Variables": {"TABLE": "Music"}} and out["Timeout"] == 10
    assert out["MemorySize"] == 128 and out["PackageType"] == "Zip" and out["CodeSize"] > 0
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    got = lam.get_function(FunctionName=name)
    assert got["Configuration"]["CodeSha256"] == out["CodeSha256"] and got["Tags"] == {"t": "1"}
    with urllib.request.urlopen(got["Code"]["Location"]) as r:  # the code can be downloaded back
        assert zipfile.ZipFile(io.BytesIO(r.read())).read("app.py") == HANDLER
    names = [f["FunctionName"] for p in lam.get_paginator("list_functions").paginate(
        PaginationConfig={"PageSize": 2}) for f in p["Functions"]]
    assert name in names
    with pytest.raises(ClientError) as exc:
        create(lam, role, name)
    assert err(exc) == ("ResourceConflictException", f"Function already exist: {name}", 409)
    lam.delete_function(FunctionName=name)
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName=name)
    assert err(exc) == ("ResourceNotFoundException",
                        f"Function not found: arn:aws:lambda:us-east-1:000000000000:function:{name}", 404)


def test_updates_versions_tags_concurrency(lam, role: str) -> None:  # type: ignore[no-untyped-def]
    name = unique("fn")
    arn = create(lam, role, name)["FunctionArn"]
    out = lam.update_function_configuration(FunctionName=name, MemorySize=256,
                                            Environment={"Variables": {"AB": "1"}})
    assert out["MemorySize"] == 256 and out["Environment"]["Variables"] == {"AB": "1"}
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    new_code = zipped({"app.py": HANDLER + b"# v2\n"})
    out = lam.update_function_code(FunctionName=name, ZipFile=new_code, Publish=True)
    assert out["Version"] == "1"
    v2 = lam.publish_version(FunctionName=name, Description="same code: no new version")
    assert v2["Version"] == "1"
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    assert versions == ["$LATEST", "1"]
    assert lam.get_function_configuration(FunctionName=name, Qualifier="1")["FunctionArn"] == arn + ":1"
    lam.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
    lam.untag_resource(Resource=arn, TagKeys=["a"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 3
    lam.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    lam.delete_function(FunctionName=name, Qualifier="1")
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]] == ["$LATEST"]


def test_create_errors(lam, role: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as exc:
        create(lam, "arn:aws:iam::000000000000:role/no-such-role", unique("fn"))
    assert err(exc) == ("InvalidParameterValueException",
                        "The role defined for the function cannot be assumed by Lambda.", 400)
    with pytest.raises(ClientError) as exc:
        create(lam, role, unique("fn"), Code={"ZipFile": b"not a zip"})
    assert err(exc)[:2] == ("InvalidParameterValueException",
                            "Could not unzip uploaded file. Please check your file, then try to upload again.")
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName=unique("fn"), Runtime="python2.7", Role=role, Handler="app.handler",
                            Code={"ZipFile": zipped({"app.py": HANDLER})})
    assert err(exc)[0] == "InvalidParameterValueException" and "python2.7" in err(exc)[1]


def test_hot_reload_folder(lam, role: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "app.py").write_bytes(HANDLER)
    name = unique("hot")
    out = create(lam, role, name, Code={"S3Bucket": "hot-reload", "S3Key": str(tmp_path)})
    assert out["State"] == "Active"
    assert lam.get_function(FunctionName=name)["Code"]["Location"] == str(tmp_path)


def test_functions_survive_restart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    srv = start(str(tmp_path))
    try:
        iam = boto3.client("iam", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        role_arn = iam.create_role(RoleName="r", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
        lam = boto3.client("lambda", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        sha = create(lam, role_arn, "kept")["CodeSha256"]
        # its log lines wait in the ingest buffer (stored every 100 ms): a graceful stop stores them
        lam.invoke(FunctionName="kept")
    finally:
        srv.stop()
    srv = start(str(tmp_path))
    try:
        lam = boto3.client("lambda", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        got = lam.get_function(FunctionName="kept")
        assert got["Configuration"]["CodeSha256"] == sha
        with urllib.request.urlopen(got["Code"]["Location"]) as r:
            assert zipfile.ZipFile(io.BytesIO(r.read())).read("app.py") == HANDLER
        logs = boto3.client("logs", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        lines = [e["message"] for e in logs.filter_log_events(logGroupName="/aws/lambda/kept")["events"]]
        assert [m.split(" RequestId")[0] for m in lines] == ["START", "END", "REPORT"], lines
    finally:
        srv.stop()


def test_permissions_and_aliases(lam, role: str) -> None:  # type: ignore[no-untyped-def]
    import json

    name = unique("fn")
    arn = create(lam, role, name, Publish=True)["FunctionArn"].rsplit(":", 1)[0]
    source = "arn:aws:execute-api:us-east-1:000000000000:abc123/*/GET/items"
    st = json.loads(lam.add_permission(
        FunctionName=name, StatementId="apigw", Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
        SourceArn=source)["Statement"])
    assert st == {"Sid": "apigw", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                  "Action": "lambda:InvokeFunction", "Resource": arn,
                  "Condition": {"ArnLike": {"AWS:SourceArn": source}}}
    policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["apigw"]
    with pytest.raises(ClientError) as exc:
        lam.add_permission(FunctionName=name, StatementId="apigw", Action="lambda:InvokeFunction", Principal="*")
    assert err(exc)[0] == "ResourceConflictException"
    lam.remove_permission(FunctionName=name, StatementId="apigw")
    with pytest.raises(ClientError) as exc:
        lam.get_policy(FunctionName=name)
    assert err(exc)[:2] == ("ResourceNotFoundException", "The resource you requested does not exist.")

    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert alias["AliasArn"] == f"{arn}:live" and alias["FunctionVersion"] == "1"
    assert lam.get_function_configuration(FunctionName=name, Qualifier="live")["Version"] == "1"
    lam.update_alias(FunctionName=name, Name="live", FunctionVersion="$LATEST", Description="moved")
    assert lam.get_alias(FunctionName=name, Name="live")["Description"] == "moved"
    assert [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]] == ["live"]
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName=name, Name="bad", FunctionVersion="9")
    assert err(exc)[0] == "ResourceNotFoundException"
    lam.delete_alias(FunctionName=name, Name="live")
    with pytest.raises(ClientError) as exc:
        lam.get_alias(FunctionName=name, Name="live")
    assert err(exc)[:2] == ("ResourceNotFoundException", f"Alias not found: {arn}:live")
