"""A DynamoDB table's definition: built from CreateTable, stored as JSON, rendered by Describe.

CreateTable rules and texts:
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from cloudlet.services.dynamodb.engine import errors

NAME_PATTERN = "[a-zA-Z0-9_.-]+"
_NAME = re.compile(NAME_PATTERN)

PROVISIONED = "PROVISIONED"
PAY_PER_REQUEST = "PAY_PER_REQUEST"


@dataclass
class TableDef:
    account: str
    region: str
    name: str
    table_id: str  # uuid hex; also names the item table in the store
    key_schema: list[dict[str, str]]
    attribute_definitions: list[dict[str, str]]
    billing_mode: str
    read_units: int
    write_units: int
    created: float
    lsis: list[dict[str, Any]] = field(default_factory=list)
    gsis: list[dict[str, Any]] = field(default_factory=list)
    stream: dict[str, Any] | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    billing_explicit: bool = False
    last_increase: float | None = None
    last_decrease: float | None = None
    pay_per_request_since: float | None = None
    table_class: str | None = None
    deletion_protection: bool = False
    sse: dict[str, Any] | None = None

    # Derived once: key names and types are immutable for a table's life.
    def __post_init__(self) -> None:
        types = {d["AttributeName"]: d["AttributeType"] for d in self.attribute_definitions}
        self.hash_name = self.key_schema[0]["AttributeName"]
        self.hash_type = types[self.hash_name]
        if len(self.key_schema) > 1:
            self.range_name: str | None = self.key_schema[1]["AttributeName"]
            self.range_type: str | None = types[self.range_name]
        else:
            self.range_name = self.range_type = None
        self.key_names = (
            (self.hash_name,) if self.range_name is None else (self.hash_name, self.range_name)
        )

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.name}"

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> TableDef:
        return cls(**doc)

    def describe(self, item_count: int, size_bytes: int, status: str = "ACTIVE") -> dict[str, Any]:
        pt: dict[str, Any] = {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": self.read_units,
            "WriteCapacityUnits": self.write_units,
        }
        if self.last_increase:
            pt["LastIncreaseDateTime"] = self.last_increase
        if self.last_decrease:
            pt["LastDecreaseDateTime"] = self.last_decrease
        d: dict[str, Any] = {
            "AttributeDefinitions": self.attribute_definitions,
            "TableName": self.name,
            "KeySchema": self.key_schema,
            "TableStatus": status,
            "CreationDateTime": self.created,
            "ProvisionedThroughput": pt,
            "TableSizeBytes": size_bytes,
            "ItemCount": item_count,
            "TableArn": self.arn,
            "TableId": str(uuid.UUID(self.table_id)),
            "DeletionProtectionEnabled": self.deletion_protection,
        }
        if self.billing_explicit or self.billing_mode == PAY_PER_REQUEST:
            bms: dict[str, Any] = {"BillingMode": self.billing_mode}
            if self.pay_per_request_since:
                bms["LastUpdateToPayPerRequestDateTime"] = self.pay_per_request_since
            d["BillingModeSummary"] = bms
        if self.lsis:
            d["LocalSecondaryIndexes"] = [self._index_desc(i, local=True) for i in self.lsis]
        if self.gsis:
            d["GlobalSecondaryIndexes"] = [self._index_desc(i, local=False) for i in self.gsis]
        if self.stream and self.stream.get("StreamEnabled"):
            d["StreamSpecification"] = self.stream
        if self.table_class:
            d["TableClassSummary"] = {"TableClass": self.table_class}
        if self.sse and self.sse.get("Enabled"):
            d["SSEDescription"] = {
                "Status": "ENABLED",
                "SSEType": self.sse.get("SSEType", "KMS"),
                "KMSMasterKeyArn": f"arn:aws:kms:{self.region}:{self.account}:key/"
                + str(uuid.UUID(self.table_id)),
            }
        return d

    def _index_desc(self, index: dict[str, Any], local: bool) -> dict[str, Any]:
        d: dict[str, Any] = {
            "IndexName": index["IndexName"],
            "KeySchema": index["KeySchema"],
            "Projection": index["Projection"],
            "IndexSizeBytes": 0,
            "ItemCount": 0,
            "IndexArn": f"{self.arn}/index/{index['IndexName']}",
        }
        if not local:
            d["IndexStatus"] = "ACTIVE"
            pt = index.get("ProvisionedThroughput") or {}
            d["ProvisionedThroughput"] = {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": pt.get("ReadCapacityUnits", 0),
                "WriteCapacityUnits": pt.get("WriteCapacityUnits", 0),
            }
        return d


def check_name(name: str, member: str = "tableName") -> None:
    """Table-name rules for a plain name (3-255 of [a-zA-Z0-9_.-]). Operations that also take
    an ARN are typed as ARNs in botocore's model, so plain names are checked here."""
    if name.startswith("arn:"):
        return
    problems = []
    if not _NAME.fullmatch(name):
        problems.append(f"Member must satisfy regular expression pattern: {NAME_PATTERN}")
    if len(name) < 3:
        problems.append("Member must have length greater than or equal to 3")
    elif len(name) > 255:
        problems.append("Member must have length less than or equal to 255")
    if problems:
        n = len(problems)
        raise errors.validation(
            f"{n} validation error{'s' if n > 1 else ''} detected: "
            + "; ".join(f"Value '{name}' at '{member}' failed to satisfy constraint: {p}" for p in problems)
        )


def build(params: dict[str, Any], account: str, region: str, name: str) -> TableDef:
    """Check a CreateTable request's semantics (after model validation) and build the table."""
    # Presence of both is checked by the model validator (required members of CreateTable).
    key_schema = params["KeySchema"]
    attr_defs = params["AttributeDefinitions"]
    _check_key_schema(key_schema, "")
    defined = [d["AttributeName"] for d in attr_defs]
    if len(set(defined)) != len(defined):
        raise errors.invalid_params("Cannot have two attributes with the same name")
    lsis = params.get("LocalSecondaryIndexes") or []
    gsis = params.get("GlobalSecondaryIndexes") or []
    used = {k["AttributeName"] for k in key_schema}
    for index in [*lsis, *gsis]:
        used |= {k["AttributeName"] for k in index["KeySchema"]}
    undefined = [k["AttributeName"] for k in key_schema if k["AttributeName"] not in defined]
    if undefined:
        raise errors.invalid_params(
            "Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(undefined)}], AttributeDefinitions: [{', '.join(defined)}]"
        )
    if used != set(defined):
        raise errors.invalid_params(
            "Number of attributes in KeySchema does not exactly match number of attributes "
            "defined in AttributeDefinitions"
        )
    _check_indexes(key_schema, lsis, gsis)
    mode = params.get("BillingMode") or PROVISIONED
    pt = params.get("ProvisionedThroughput")
    read = write = 0
    if mode == PROVISIONED:
        if not pt:
            raise errors.invalid_params(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                "BillingMode is PROVISIONED"
            )
        read, write = pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]
        for g in gsis:
            if not g.get("ProvisionedThroughput"):
                raise errors.invalid_params(
                    "ProvisionedThroughput must be specified for index: " + g["IndexName"]
                )
    elif pt:
        raise errors.invalid_params(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode "
            "is PAY_PER_REQUEST"
        )
    now = time.time()
    stream = params.get("StreamSpecification")
    if stream and stream.get("StreamEnabled") and not stream.get("StreamViewType"):
        raise errors.validation(
            "One or more parameter values were invalid: "
            "StreamViewType is required when StreamEnabled is true"
        )
    return TableDef(
        account=account,
        region=region,
        name=name,
        table_id=uuid.uuid4().hex,
        key_schema=key_schema,
        attribute_definitions=attr_defs,
        billing_mode=mode,
        read_units=read,
        write_units=write,
        created=round(now, 3),
        lsis=lsis,
        gsis=gsis,
        stream=stream,
        tags=params.get("Tags") or [],
        billing_explicit="BillingMode" in params,
        pay_per_request_since=round(now, 3) if mode == PAY_PER_REQUEST else None,
        table_class=params.get("TableClass"),
        deletion_protection=bool(params.get("DeletionProtectionEnabled")),
        sse=params.get("SSESpecification"),
    )


def _check_key_schema(key_schema: list[dict[str, str]], where: str) -> None:
    if len(key_schema) > 2:
        raise errors.validation(f"Invalid KeySchema{where}: Too many key schema elements")
    if key_schema[0]["KeyType"] != "HASH":
        raise errors.validation(
            f"Invalid KeySchema{where}: The first KeySchemaElement is not a HASH key type"
        )
    if len(key_schema) == 2:
        if key_schema[1]["KeyType"] != "RANGE":
            raise errors.validation(
                f"Invalid KeySchema{where}: The second KeySchemaElement is not a RANGE key type"
            )
        if key_schema[0]["AttributeName"] == key_schema[1]["AttributeName"]:
            raise errors.validation(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name"
            )


def _check_indexes(
    key_schema: list[dict[str, str]], lsis: list[dict[str, Any]], gsis: list[dict[str, Any]]
) -> None:
    names: set[str] = set()
    for index in [*lsis, *gsis]:
        if index["IndexName"] in names:
            raise errors.invalid_params(f"Duplicate index name: {index['IndexName']}")
        names.add(index["IndexName"])
        _check_key_schema(index["KeySchema"], "")
    for lsi in lsis:
        if len(key_schema) < 2:
            raise errors.invalid_params(
                "Table KeySchema does not have a range key, which is required when specifying "
                "a LocalSecondaryIndex"
            )
        if lsi["KeySchema"][0]["AttributeName"] != key_schema[0]["AttributeName"]:
            raise errors.invalid_params(
                "Index KeySchema does not have the same leading hash key as table KeySchema for "
                f"index: {lsi['IndexName']}. index hash key: "
                f"{lsi['KeySchema'][0]['AttributeName']}, table hash key: "
                f"{key_schema[0]['AttributeName']}"
            )
    if len(lsis) > 5:
        raise errors.invalid_params("Number of LocalSecondaryIndexes exceeds per-table limit of 5")
    if len(gsis) > 20:
        raise errors.limit_exceeded(
            "Subscriber limit exceeded: The number of global secondary indexes exceeds the "
            "per-table limit of 20"
        )
