"""Shared fixtures: one real cloudlet server per test worker, boto3 clients pointed at it."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import uuid
import zipfile
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

sys.path.insert(0, os.path.dirname(__file__))

from server import Server, start

os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

BOTO_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start(str(tmp_path_factory.mktemp("cloudlet")))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def endpoint(server: Server) -> str:
    return server.url


@pytest.fixture(scope="session")
def ddb(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


@pytest.fixture(scope="session")
def ddb_resource(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.resource("dynamodb", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def zipped(files: dict[str, bytes]) -> bytes:
    """A deployment package with these files."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.fixture(scope="session")
def role(endpoint: str) -> str:
    """An execution role for test functions (CreateFunction checks that it exists)."""
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)
    arn: str = iam.create_role(RoleName=unique("lambda-role"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    iam.attach_role_policy(RoleName=arn.rsplit("/", 1)[1],
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    return arn


@pytest.fixture(scope="module")
def run() -> Iterator[Callable[[Awaitable[Any]], Any]]:
    """Run coroutines on one event loop per test module (the Lambda runtime unit tests: their
    environments outlive a single call)."""
    loop = asyncio.new_event_loop()
    yield loop.run_until_complete
    loop.close()
