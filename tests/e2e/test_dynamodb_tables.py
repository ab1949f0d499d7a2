"""DynamoDB control plane through boto3 against a real server.

API reference: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
(and API_DescribeTable, API_ListTables, API_UpdateTable, API_DeleteTable, API_TagResource, ...)
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from conftest import unique


def create(ddb, name: str, range_key: bool = False, **extra):  # type: ignore[no-untyped-def]
    ks = [{"AttributeName": "pk", "KeyType": "HASH"}]
    ad = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        ks.append({"AttributeName": "sk", "KeyType": "RANGE"})
        ad.append({"AttributeName": "sk", "AttributeType": "N"})
    extra.setdefault("BillingMode", "PAY_PER_REQUEST")
    return ddb.create_table(TableName=name, KeySchema=ks, AttributeDefinitions=ad, **extra)


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    e = exc.value.response["Error"]
    return e["Code"], e["Message"]


def test_create_describe_waiter(ddb) -> None:
    name = unique()
    out = create(ddb, name, range_key=True)["TableDescription"]
    assert out["TableStatus"] == "ACTIVE"
    assert out["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    assert out["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    t = ddb.describe_table(TableName=name)["Table"]
    assert t["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert t["ItemCount"] == 0 and t["TableSizeBytes"] == 0
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert "TableId" in t and "CreationDateTime" in t


def test_create_provisioned_and_update_throughput(ddb) -> None:
    name = unique()
    create(ddb, name, BillingMode="PROVISIONED",
           ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    out = ddb.update_table(
        TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}
    )["TableDescription"]
    assert out["ProvisionedThroughput"]["ReadCapacityUnits"] == 10
    assert "LastIncreaseDateTime" in out["ProvisionedThroughput"]
    # Same values again: DynamoDB refuses a no-op throughput change.
    with pytest.raises(ClientError) as exc:
        ddb.update_table(
            TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}
        )
    code, msg = error(exc)
    assert code == "ValidationException"
    assert msg.startswith("The provisioned throughput for the table will not change.")
    out = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert out["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_create_errors(ddb) -> None:
    name = unique()
    create(ddb, name)
    with pytest.raises(ClientError) as exc:
        create(ddb, name)
    assert error(exc) == ("ResourceInUseException", f"Table already exists: {name}")

    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=unique(), BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}],
        )
    code, msg = error(exc)
    assert code == "ValidationException"
    assert "Some index key attributes are not defined in AttributeDefinitions" in msg

    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=unique(), BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        )
    assert error(exc) == (
        "ValidationException", "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    )

    with pytest.raises(ClientError) as exc:
        create(ddb, unique(), BillingMode="PROVISIONED")
    assert error(exc)[1] == (
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
        "must both be specified when BillingMode is PROVISIONED"
    )


def test_bad_table_name_is_a_validation_error(ddb) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.describe_table(TableName="bad name!")
    code, msg = error(exc)
    assert code == "ValidationException"
    assert "failed to satisfy constraint" in msg


def test_describe_missing_table(ddb) -> None:
    with pytest.raises(ClientError) as exc:
        ddb.describe_table(TableName="no-such-table")
    assert error(exc) == (
        "ResourceNotFoundException", "Requested resource not found: Table: no-such-table not found"
    )


def test_list_tables_pagination(ddb) -> None:
    prefix = unique("list")
    names = [f"{prefix}-{i}" for i in range(5)]
    for n in names:
        create(ddb, n)
    seen: list[str] = []
    start = None
    while True:
        kw = {"Limit": 2}
        if start:
            kw["ExclusiveStartTableName"] = start
        out = ddb.list_tables(**kw)
        assert len(out["TableNames"]) <= 2
        seen += out["TableNames"]
        start = out.get("LastEvaluatedTableName")
        if not start:
            break
    assert [n for n in seen if n.startswith(prefix)] == names
    assert seen == sorted(seen)
    pages = ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 3})
    assert [n for p in pages for n in p["TableNames"] if n.startswith(prefix)] == names


def test_delete_table(ddb) -> None:
    name = unique()
    create(ddb, name)
    out = ddb.delete_table(TableName=name)["TableDescription"]
    assert out["TableStatus"] == "DELETING"
    ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName=name)
    assert error(exc)[0] == "ResourceNotFoundException"


def test_tags(ddb) -> None:
    name = unique()
    arn = create(ddb, name, Tags=[{"Key": "a", "Value": "1"}])["TableDescription"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    tags = ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("a", "3"), ("b", "2")]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as exc:
        ddb.list_tags_of_resource(
            ResourceArn="arn:aws:dynamodb:us-east-1:000000000000:table/none-such"
        )
    assert error(exc)[0] == "ResourceNotFoundException"


def test_limits_and_endpoints(ddb) -> None:
    # Default quotas: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
    limits = ddb.describe_limits()
    assert limits["TableMaxReadCapacityUnits"] == 40000
    assert limits["AccountMaxWriteCapacityUnits"] == 80000
    eps = ddb.describe_endpoints()["Endpoints"]
    assert eps[0]["CachePeriodInMinutes"] == 1440


def test_tables_are_per_region(endpoint: str) -> None:
    import boto3

    from conftest import BOTO_CONFIG

    west = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-west-2", config=BOTO_CONFIG)
    east = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)
    name = unique()
    create(west, name)
    assert name in west.list_tables()["TableNames"]
    with pytest.raises(ClientError):
        east.describe_table(TableName=name)
    t = west.describe_table(TableName=name)["Table"]
    assert t["TableArn"].startswith("arn:aws:dynamodb:us-west-2:")


def test_table_arn_as_name(ddb) -> None:
    name = unique()
    arn = create(ddb, name)["TableDescription"]["TableArn"]
    ddb.put_item(TableName=arn, Item={"pk": {"S": "a"}})
    assert ddb.get_item(TableName=arn, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
