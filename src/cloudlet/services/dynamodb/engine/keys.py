"""Primary keys: check them against the table's schema and encode them for the store.

Key rules and texts: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html#HowItWorks.CoreComponents.PrimaryKey
and ServiceQuotas.html (partition key 2048 bytes, sort key 1024 bytes).
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.dynamodb.engine import errors, values
from cloudlet.services.dynamodb.engine.tables import TableDef
from cloudlet.store import keycodec
from cloudlet.store.base import RowKey

Item = dict[str, Any]


def _one(av: Any) -> tuple[str, Any] | None:
    if isinstance(av, dict) and len(av) == 1:
        ((t, v),) = av.items()
        return t, v
    return None


_HASH_TOO_BIG = "Size of hashkey has exceeded the maximum size limit of2048 bytes"
_RANGE_TOO_BIG = "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"


def from_key(table: TableDef, key: Any) -> RowKey:
    """Encode a `Key` parameter: exactly the table's key attributes with the right types."""
    if not isinstance(key, dict) or len(key) != len(table.key_names):
        raise errors.key_schema_mismatch()
    pk = _key_part(key, table.hash_name, table.hash_type, values.MAX_HASH_KEY, _HASH_TOO_BIG)
    sk = b""
    if table.range_name is not None:
        sk = _key_part(key, table.range_name, table.range_type, values.MAX_RANGE_KEY, _RANGE_TOO_BIG)
    return keycodec.scan_hash(pk), pk, sk


def _key_part(key: dict[str, Any], name: str, want: str | None, limit: int, too_big: str) -> bytes:
    tv = _one(key.get(name))
    if tv is None or tv[0] != want:
        if tv is not None:
            values.validate_value(key[name])  # a malformed value gets its own error first
        raise errors.key_schema_mismatch()
    encoded = _encode_part(name, tv[0], tv[1], key[name])
    if len(encoded) > limit:
        raise errors.invalid_params(too_big)
    return encoded


def from_item(table: TableDef, item: Item) -> RowKey:
    """Encode the key of a whole (validated) item, with PutItem's texts for missing/mistyped keys."""
    for name, want in (
        (table.hash_name, table.hash_type),
        (table.range_name, table.range_type),
    ):
        if name is None:
            continue
        av = item.get(name)
        if av is None:
            raise errors.invalid_params(f"Missing the key {name} in the item")
        ((t, _),) = av.items()
        if t != want:
            raise errors.invalid_params(f"Type mismatch for key {name} expected: {want} actual: {t}")
    return from_key(table, {k: item[k] for k in table.key_names})


def _encode_part(name: str, t: str, v: Any, av: dict[str, Any]) -> bytes:
    if t == "S":
        if not isinstance(v, str):
            values.validate_value(av)
        if v == "":
            raise errors.validation(
                "One or more parameter values are not valid. The AttributeValue for a key "
                f"attribute cannot contain an empty string value. Key: {name}"
            )
        return v.encode()
    if t == "N":
        av["N"] = values.canonical_number(v)
        return keycodec.encode_number(av["N"])
    raw = values.binary_bytes(v)
    if not raw:
        raise errors.validation(
            "One or more parameter values are not valid. The AttributeValue for a key "
            f"attribute cannot contain an empty binary value. Key: {name}"
        )
    return raw


def condition_value(table: TableDef, name: str, want: str | None, av: Any) -> bytes:
    """Encode a key-condition operand; its type must be the key attribute's type."""
    tv = _one(av)
    if tv is None or tv[0] != want:
        raise errors.invalid_params("Condition parameter type does not match schema type")
    return _encode_part(name, tv[0], tv[1], av)


def partition(table: TableDef, av: Any) -> tuple[int, bytes]:
    pk = condition_value(table, table.hash_name, table.hash_type, av)
    return keycodec.scan_hash(pk), pk


def key_of(table: TableDef, item: Item) -> Item:
    """The key attributes of a stored item (e.g. for LastEvaluatedKey)."""
    return {k: item[k] for k in table.key_names}
