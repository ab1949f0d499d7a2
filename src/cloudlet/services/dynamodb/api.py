"""DynamoDB's operations: wire parameters in, engine call, wire output back."""

from __future__ import annotations

from typing import Any

from cloudlet.protocol.context import Context
from cloudlet.protocol.json_rpc import JsonService, Operation
from cloudlet.protocol.models import service_model
from cloudlet.protocol.validate import ModelValidator
from cloudlet.services.dynamodb.engine import batch, control, items, reads, tables
from cloudlet.services.dynamodb.engine.catalog import Catalog
from cloudlet.services.dynamodb.engine.tables import TableDef
from cloudlet.store.base import Store

Params = dict[str, Any]

# Where DynamoDB's error codes live in the `__type` it returns.
_CORAL_SERVICE = frozenset((
    "SerializationException", "UnknownOperationException", "MissingAuthenticationTokenException",
    "IncompleteSignatureException", "AccessDeniedException", "UnrecognizedClientException",
))


def error_type(code: str) -> str:
    if code == "ValidationException":
        return "com.amazon.coral.validate#ValidationException"
    if code in _CORAL_SERVICE:
        return "com.amazon.coral.service#" + code
    return "com.amazonaws.dynamodb.v20120810#" + code


class DynamoDBApi:
    def __init__(self, store: Store, catalog: Catalog) -> None:
        self.store = store
        self.cat = catalog

    def _table(self, p: Params, ctx: Context) -> TableDef:
        return self.cat.get(ctx.account, ctx.region, p["TableName"])

    # -- control plane
    async def create_table(self, p: Params, ctx: Context) -> Params:
        return await control.create_table(self.cat, p, ctx.account, ctx.region)

    def _named(self, p: Params, ctx: Context) -> TableDef:
        return self.cat.get(ctx.account, ctx.region, p["TableName"], named=True)

    async def describe_table(self, p: Params, ctx: Context) -> Params:
        return await control.describe_table(self.cat, self._named(p, ctx))

    async def delete_table(self, p: Params, ctx: Context) -> Params:
        return await control.delete_table(self.cat, self._named(p, ctx))

    async def update_table(self, p: Params, ctx: Context) -> Params:
        return await control.update_table(self.cat, self._named(p, ctx), p)

    async def list_tables(self, p: Params, ctx: Context) -> Params:
        return control.list_tables(self.cat, p, ctx.account, ctx.region)

    async def tag_resource(self, p: Params, ctx: Context) -> Params:
        return await control.tag_resource(self.cat, p)

    async def untag_resource(self, p: Params, ctx: Context) -> Params:
        return await control.untag_resource(self.cat, p)

    async def list_tags_of_resource(self, p: Params, ctx: Context) -> Params:
        return control.list_tags(self.cat, p)

    async def describe_limits(self, p: Params, ctx: Context) -> Params:
        return control.describe_limits()

    async def describe_endpoints(self, p: Params, ctx: Context) -> Params:
        return control.describe_endpoints(ctx.region, None)

    # -- items
    async def get_item(self, p: Params, ctx: Context) -> Params | bytes:
        return await items.get_item(self.store, self._table(p, ctx), p)

    async def put_item(self, p: Params, ctx: Context) -> Params:
        return await items.put_item(self.store, self._table(p, ctx), p)

    async def delete_item(self, p: Params, ctx: Context) -> Params:
        return await items.delete_item(self.store, self._table(p, ctx), p)

    async def update_item(self, p: Params, ctx: Context) -> Params:
        return await items.update_item(self.store, self._table(p, ctx), p)

    async def query(self, p: Params, ctx: Context) -> bytes:
        return await reads.query(self.store, self._table(p, ctx), p)

    async def scan(self, p: Params, ctx: Context) -> bytes:
        return await reads.scan(self.store, self._table(p, ctx), p)

    async def batch_get_item(self, p: Params, ctx: Context) -> Params:
        return await batch.batch_get(
            self.store, lambda n: self.cat.get(ctx.account, ctx.region, n), p
        )

    async def batch_write_item(self, p: Params, ctx: Context) -> Params:
        return await batch.batch_write(
            self.store, lambda n: self.cat.get(ctx.account, ctx.region, n), p
        )

    def operations(self) -> dict[str, Operation]:
        return {
            "CreateTable": self.create_table,
            "DescribeTable": self.describe_table,
            "DeleteTable": self.delete_table,
            "UpdateTable": self.update_table,
            "ListTables": self.list_tables,
            "TagResource": self.tag_resource,
            "UntagResource": self.untag_resource,
            "ListTagsOfResource": self.list_tags_of_resource,
            "DescribeLimits": self.describe_limits,
            "DescribeEndpoints": self.describe_endpoints,
            "GetItem": self.get_item,
            "PutItem": self.put_item,
            "DeleteItem": self.delete_item,
            "UpdateItem": self.update_item,
            "Query": self.query,
            "Scan": self.scan,
            "BatchGetItem": self.batch_get_item,
            "BatchWriteItem": self.batch_write_item,
        }


# Where DynamoDB's own model differs from botocore's (enum order as AWS prints it, key schema
# size, members AWS requires). Sources: DynamoDB's live answers as recorded in public test suites.
_OVERRIDES: dict[str, dict[str, Any]] = {
    "ScalarAttributeType": {"enum": ["B", "N", "S"]},
    "ProjectionType": {"enum": ["ALL", "INCLUDE", "KEYS_ONLY"]},
    "KeySchema": {"max": 2},
    "CreateTableInput.KeySchema": {"required": True},
    "CreateTableInput.AttributeDefinitions": {"required": True},
    "CreateTableInput.TableName": {"min": 3, "max": 255, "pattern": tables.NAME_PATTERN},
}


def build_service(store: Store, catalog: Catalog) -> JsonService:
    model = service_model("dynamodb")
    validator = ModelValidator(
        model, opaque_shapes=frozenset(("AttributeValue",)), constraint_overrides=_OVERRIDES
    )

    def validate(op: str, params: Any) -> None:
        validator.validate(op, params)
        name = params.get("TableName")
        if isinstance(name, str):
            tables.check_name(name)

    return JsonService(
        "DynamoDB",
        model.metadata["targetPrefix"],
        DynamoDBApi(store, catalog).operations(),
        content_type="application/x-amz-json-1.0",
        error_type=error_type,
        validator=validate,
        crc32=True,
        known_operations=frozenset(model.operation_names),
        eager_operations=frozenset((
            "GetItem", "Query", "Scan", "BatchGetItem", "DescribeTable", "ListTables", "DescribeLimits",
            "DescribeEndpoints", "ListTagsOfResource",
        )),
    )
