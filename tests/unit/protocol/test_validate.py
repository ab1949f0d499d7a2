"""ModelValidator against botocore's real DynamoDB, CloudWatch Logs and Lambda models.

Where the exact AWS text comes from is cited next to each case. The main sources:

* DYNALITE: architect/dynalite test/helpers.js `assertType` and test/*.js `assertValidation`,
  a suite run against live DynamoDB (`REMOTE=1`); the NUMBER_VALUE-era texts are dynalite 3.2+.
  https://github.com/architect/dynalite/blob/main/test/helpers.js
* FLOCI: hectorvent/floci DynamoDbRequestShapesTest.java, probes of live DynamoDB (2025-26).
  https://github.com/hectorvent/floci
"""

from __future__ import annotations

import re
import sys
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudlet.protocol.errors import AwsError
from cloudlet.protocol.models import ServiceModel, Shape, service_model
from cloudlet.protocol.validate import (
    CLOUDWATCH_LOGS,
    LAMBDA,
    ModelValidator,
    ValidationFlavour,
)
from cloudlet.protocol.validate_render import java_double, lower_first
from cloudlet.protocol.validate_types import PARAMETERIZED_CAST, base64_error


def _model(name: str) -> ServiceModel:
    return service_model(name)


DDB_MODEL = _model("dynamodb")
DDB = ModelValidator(DDB_MODEL, opaque_shapes=frozenset({"AttributeValue"}))
DDB_FULL = ModelValidator(DDB_MODEL)  # AttributeValue checked too
LOGS = ModelValidator(_model("logs"), flavour=CLOUDWATCH_LOGS)
LAMBDA_V = ModelValidator(_model("lambda"), flavour=LAMBDA)


def error(validator: ModelValidator, op: str, params: Any) -> AwsError:
    with pytest.raises(AwsError) as caught:
        validator.validate(op, params)
    return caught.value


def serialization(op: str, params: Any, validator: ModelValidator = DDB) -> str:
    err = error(validator, op, params)
    assert err.code == "SerializationException"
    assert err.status == 400
    return err.message


def validation(op: str, params: Any, validator: ModelValidator = DDB) -> str:
    err = error(validator, op, params)
    assert err.code == "ValidationException"
    return err.message


def one(path: str, rule: str, value: str | None) -> str:
    echoed = "null" if value is None else f"'{value}'"
    detail = f"Value {echoed} at '{path}' failed to satisfy constraint: {rule}"
    return "1 validation error detected: " + detail


# ---------------------------------------------------------------- phase 1: JSON types


# DYNALITE assertType 'String' and FLOCI stringMemberNamesTheJsonTokenItGot.
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "TRUE_VALUE cannot be converted to String"),
        (False, "FALSE_VALUE cannot be converted to String"),
        (23, "NUMBER_VALUE cannot be converted to String"),
        (2147483648, "NUMBER_VALUE cannot be converted to String"),
        (34.56, "DECIMAL_VALUE cannot be converted to String"),
        (1e3, "DECIMAL_VALUE cannot be converted to String"),  # FLOCI: 1e3 is a decimal token
        ([], "Unrecognized collection type class java.lang.String"),
        ({}, "Start of structure or map found where not expected"),
    ],
)
def test_string_member_type_errors(value: Any, text: str) -> None:
    assert serialization("Scan", {"TableName": "t", "IndexName": value}) == text


# DYNALITE assertType 'Boolean'; FLOCI booleanMemberAcceptsItsWordsAsStrings.
@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("23", "Unexpected token received from parser"),
        ("yes", "Unexpected token received from parser"),
        (23, "NUMBER_VALUE cannot be converted to Boolean"),
        (0, "NUMBER_VALUE cannot be converted to Boolean"),
        (34.56, "DECIMAL_VALUE cannot be converted to Boolean"),
        ([], "Unrecognized collection type class java.lang.Boolean"),
        ({}, "Start of structure or map found where not expected"),
    ],
)
def test_boolean_member_type_errors(value: Any, text: str) -> None:
    assert serialization("Scan", {"TableName": "t", "ConsistentRead": value}) == text


def test_boolean_words_are_accepted_and_normalised() -> None:
    # FLOCI: "false" and "TRUE" are read as booleans.
    params: dict[str, Any] = {"TableName": "tbl", "ConsistentRead": "TRUE"}
    DDB.validate("Scan", params)
    assert params["ConsistentRead"] is True
    params = {"TableName": "tbl", "ConsistentRead": "false"}
    DDB.validate("Scan", params)
    assert params["ConsistentRead"] is False


# DYNALITE assertType 'Integer'/'Long'; FLOCI numericMembersAcceptAnyNumberAndNameTheirJavaType.
@pytest.mark.parametrize(
    ("op", "params", "text"),
    [
        ("Scan", {"TableName": "t", "Limit": "5"}, "STRING_VALUE cannot be converted to Integer"),
        ("Scan", {"TableName": "t", "Limit": True}, "TRUE_VALUE cannot be converted to Integer"),
        ("Scan", {"TableName": "t", "Limit": False}, "FALSE_VALUE cannot be converted to Integer"),
        (
            "Scan",
            {"TableName": "t", "Limit": []},
            "Unrecognized collection type class java.lang.Integer",
        ),
        (
            "Scan",
            {"TableName": "t", "Limit": {}},
            "Start of structure or map found where not expected",
        ),
        (
            "UpdateTable",
            {
                "TableName": "t",
                "ProvisionedThroughput": {"ReadCapacityUnits": "5", "WriteCapacityUnits": 5},
            },
            "STRING_VALUE cannot be converted to Long",
        ),
        (
            "UpdateTableReplicaAutoScaling",
            {
                "TableName": "t",
                "ProvisionedWriteCapacityAutoScalingUpdate": {
                    "ScalingPolicyUpdate": {"TargetTrackingScalingPolicyConfiguration": {"TargetValue": "50"}}
                },
            },
            "STRING_VALUE cannot be converted to Double",
        ),
        (
            "ListBackups",
            {"TimeRangeLowerBound": "2020-01-01T00:00:00Z"},
            "STRING_VALUE cannot be converted to Date",
        ),
    ],
)
def test_number_and_timestamp_type_errors(op: str, params: dict[str, Any], text: str) -> None:
    assert serialization(op, params) == text


def test_fractional_integers_are_accepted_and_truncated() -> None:
    # FLOCI: Limit 5.5 and 99999999999 are accepted; ListBackups takes epoch seconds.
    params: dict[str, Any] = {"TableName": "tbl", "Limit": 5.5}
    DDB.validate("Scan", params)
    assert params["Limit"] == 5
    DDB.validate("ListBackups", {"TimeRangeLowerBound": 1577836800})


# DYNALITE assertType 'Blob' (the modern texts); FLOCI blobMemberTakesOnlyAString.
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5, "only base-64-encoded strings are convertible to bytes"),
        (True, "only base-64-encoded strings are convertible to bytes"),
        (34.56, "only base-64-encoded strings are convertible to bytes"),
        ([], "Unrecognized collection type class java.nio.ByteBuffer"),
        ({}, "Start of structure or map found where not expected"),
        ("23456", "Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
        ("=+/=", "Invalid last non-pad Base64 character dectected"),
        ("+/+=", "Invalid last non-pad Base64 character dectected"),
    ],
)
def test_blob_type_errors(value: Any, text: str) -> None:
    item = {"TableName": "t", "Item": {"a": {"B": value}}}
    assert serialization("PutItem", item, DDB_FULL) == text


def test_blob_in_a_set_and_valid_base64() -> None:
    # FLOCI: {"BS": [true]} -> only base-64-encoded strings are convertible to bytes
    bad = {"TableName": "t", "Item": {"a": {"BS": [True]}}}
    assert serialization("PutItem", bad, DDB_FULL) == "only base-64-encoded strings are convertible to bytes"
    DDB_FULL.validate("PutItem", {"TableName": "tbl", "Item": {"a": {"B": "YWJj"}, "b": {"BS": ["", "QQ=="]}}})
    assert base64_error("QR==") == "Invalid last non-pad Base64 character dectected"
    assert base64_error("ab!d") == "Invalid Base64 character: '!'"  # wording not confirmed


# The container texts depend on where the value sits (DYNALITE List/Map/FieldStruct/ValueStruct,
# ParameterizedList/ParameterizedMap; FLOCI containerMessageDependsOnWhereTheValueSits).
@pytest.mark.parametrize(
    ("op", "params", "text"),
    [
        ("Scan", {"TableName": "t", "AttributesToGet": "a"}, "Unexpected field type"),
        ("Scan", {"TableName": "t", "AttributesToGet": 23}, "Unexpected field type"),
        (
            "Scan",
            {"TableName": "t", "AttributesToGet": {}},
            "Start of structure or map found where not expected",
        ),
        ("Scan", {"TableName": "t", "ExpressionAttributeNames": 5}, "Unexpected field type"),
        (
            "Scan",
            {"TableName": "t", "ExpressionAttributeNames": []},
            "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>",
        ),
        (
            "GetItem",
            {"TableName": "t", "Key": []},
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>",
        ),
        (
            "BatchWriteItem",
            {"RequestItems": []},
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>",
        ),
        ("UpdateTable", {"TableName": "t", "ProvisionedThroughput": "a"}, "Unexpected field type"),
        (
            "UpdateTable",
            {"TableName": "t", "ProvisionedThroughput": []},
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput",
        ),
        ("PutItem", {"TableName": "t", "Item": {"a": 5}}, "Unexpected value type in payload"),
        (
            "PutItem",
            {"TableName": "t", "Item": {"a": []}},
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue",
        ),
        (
            "UpdateTable",
            {"TableName": "t", "GlobalSecondaryIndexUpdates": ["a"]},
            "Unexpected value type in payload",
        ),
        ("BatchWriteItem", {"RequestItems": {"t": 5}}, PARAMETERIZED_CAST),
        ("BatchGetItem", {"RequestItems": {"t": {"Keys": [5]}}}, PARAMETERIZED_CAST),
        (
            "BatchGetItem",
            {"RequestItems": {"t": {"Keys": [[]]}}},
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>",
        ),
        (
            "BatchWriteItem",
            {"RequestItems": {"t": {}}},
            "Start of structure or map found where not expected",
        ),
    ],
)
def test_container_type_errors(op: str, params: dict[str, Any], text: str) -> None:
    assert serialization(op, params) == text


# FLOCI nestedMembersAreCheckedToo; DYNALITE AttrStruct cases (Key.Attr.S etc.).
@pytest.mark.parametrize(
    ("op", "params", "text"),
    [
        (
            "UpdateTable",
            {"TableName": "t", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": 5}}]},
            "NUMBER_VALUE cannot be converted to String",
        ),
        (
            "CreateTable",
            {"TableName": "t", "BillingMode": 5},
            "NUMBER_VALUE cannot be converted to String",
        ),
        (
            "Scan",
            {"TableName": "t", "ExclusiveStartKey": {"pk": {"S": 123}}},
            "NUMBER_VALUE cannot be converted to String",
        ),
        (
            "GetItem",
            {"TableName": "t", "Key": {"a": {"L": [5]}}},
            "Unexpected value type in payload",
        ),
        (
            "GetItem",
            {"TableName": "t", "Key": {"a": {"M": {"b": True}}}},
            "Unexpected value type in payload",
        ),
        ("GetItem", {"TableName": "t", "Key": {"a": {"SS": "x"}}}, "Unexpected field type"),
        (
            "GetItem",
            {"TableName": "t", "Key": {"a": {"NULL": 5}}},
            "NUMBER_VALUE cannot be converted to Boolean",
        ),
        (
            "GetItem",
            {"TableName": "t", "Key": {"a": {"BOOL": "x"}}},
            "Unexpected token received from parser",
        ),
    ],
)
def test_nested_type_errors(op: str, params: dict[str, Any], text: str) -> None:
    assert serialization(op, params, DDB_FULL) == text


def test_first_bad_member_in_body_order_wins() -> None:
    # FLOCI firstBadMemberInBodyOrderWins: the reader stops at the first bad token.
    first = {"TableName": "t", "Limit": "5", "IndexName": 5}
    assert serialization("Scan", first) == "STRING_VALUE cannot be converted to Integer"
    second = {"TableName": "t", "IndexName": 5, "Limit": "5"}
    assert serialization("Scan", second) == "NUMBER_VALUE cannot be converted to String"


def test_nulls_and_unknown_members_are_ignored() -> None:
    # FLOCI nullAndUnknownMembersAreLeftToTheOperation.
    DDB.validate("Scan", {"TableName": "tbl", "IndexName": None, "Limit": None, "Unknown": 5})
    DDB.validate("Scan", {"TableName": "tbl", "AttributesToGet": [None]})


def test_type_errors_come_before_constraint_errors() -> None:
    # Deserialization precedes validation: an empty TableName is not reported.
    assert serialization("GetItem", {"TableName": "", "Key": 5}) == "Unexpected field type"


def test_non_object_bodies() -> None:
    # Not confirmed against AWS: the body is read as the input structure in a field position.
    assert serialization("GetItem", []) == (
        "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.GetItemInput"
    )
    assert serialization("GetItem", "x") == "Unexpected field type"
    assert serialization("GetItem", 5) == "Unexpected field type"


def test_opaque_shapes_are_not_looked_into() -> None:
    DDB.validate("PutItem", {"TableName": "tbl", "Item": {"a": {"S": 5}, "b": {"whatever": []}}})
    DDB.validate("GetItem", {"TableName": "tbl", "Key": {"a": {}}})
    assert serialization("PutItem", {"TableName": "t", "Item": {"a": {"S": 5}}}, DDB_FULL) == (
        "NUMBER_VALUE cannot be converted to String"
    )


def test_deep_nesting_is_a_serialization_error_not_a_crash() -> None:
    # The recursion limit is process-wide (the expression parser raises it); pin it here so the
    # nesting below overflows it. Over the wire orjson already refuses JSON deeper than 1024.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    value: dict[str, Any] = {"S": "x"}
    for _ in range(5000):
        value = {"L": [value]}
    try:
        err = error(DDB_FULL, "PutItem", {"TableName": "tbl", "Item": {"a": value}})
    finally:
        sys.setrecursionlimit(limit)
    assert err.code == "SerializationException"


# ---------------------------------------------------------------- phase 2: constraints


def test_required_members() -> None:
    # DYNALITE getItem.js "no TableName"; the separator between violations is "; ".
    assert validation("GetItem", {}) == (
        "2 validation errors detected: "
        "Value null at 'tableName' failed to satisfy constraint: Member must not be null; "
        "Value null at 'key' failed to satisfy constraint: Member must not be null"
    )
    # DYNALITE batchGetItem.js "empty RequestItems".
    assert validation("BatchGetItem", {}) == one("requestItems", "Member must not be null", None)
    # A JSON null is an absent member.
    assert validation("BatchGetItem", {"RequestItems": None}) == one("requestItems", "Member must not be null", None)


def test_string_length_and_pattern() -> None:
    # DYNALITE getItem.js "short TableName" (a TableName shape): the pattern is reported before
    # the length, each as its own violation of the same member.
    assert validation("ListTables", {"ExclusiveStartTableName": "a;"}) == (
        "2 validation errors detected: "
        "Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
        "Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3"
    )
    # DYNALITE getItem.js "long TableName".
    name = "a" * 256
    assert validation("ListTables", {"ExclusiveStartTableName": name}) == one(
        "exclusiveStartTableName", "Member must have length less than or equal to 255", name
    )
    # botocore's TableArn (1..1024) for GetItem's TableName.
    assert validation("GetItem", {"TableName": "", "Key": {}}) == one(
        "tableName", "Member must have length greater than or equal to 1", ""
    )


def test_number_bounds() -> None:
    # "1 validation error detected: Value '200' at 'limit' failed to satisfy constraint: Member
    # must have value less than or equal to 100" - ListTables, electricimp/AWSDynamoDB tests.
    assert validation("ListTables", {"Limit": 200}) == one(
        "limit", "Member must have value less than or equal to 100", "200"
    )
    assert validation("ListTables", {"Limit": 0}) == one(
        "limit", "Member must have value greater than or equal to 1", "0"
    )
    # DYNALITE createTable.js "low ProvisionedThroughput.WriteCapacityUnits" (nested path).
    params = {
        "TableName": "abc",
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": -1},
    }
    assert validation("CreateTable", params) == one(
        "provisionedThroughput.writeCapacityUnits",
        "Member must have value greater than or equal to 1",
        "-1",
    )


def test_collection_lengths() -> None:
    # DYNALITE createTable.js: Value '[]' at 'keySchema' ... greater than or equal to 1
    assert validation("CreateTable", {"TableName": "abc", "KeySchema": []}) == one(
        "keySchema", "Member must have length greater than or equal to 1", "[]"
    )
    # DYNALITE batchGetItem.js "empty RequestItems": Value '{}' at 'requestItems'
    assert validation("BatchGetItem", {"RequestItems": {}}) == one(
        "requestItems", "Member must have length greater than or equal to 1", "{}"
    )
    # DYNALITE getItem.js "incorrect attributes": Value '[]' at 'attributesToGet'
    assert validation("GetItem", {"TableName": "t", "Key": {}, "AttributesToGet": []}) == one(
        "attributesToGet", "Member must have length greater than or equal to 1", "[]"
    )


def test_enums() -> None:
    # DYNALITE createTable.js: [PROVISIONED, PAY_PER_REQUEST];
    # DYNALITE batchGetItem.js: [INDEXES, TOTAL, NONE]
    assert validation("CreateTable", {"TableName": "abc", "BillingMode": "A"}) == one(
        "billingMode", "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", "A"
    )
    params = {"RequestItems": {"abc": {"Keys": [{}]}}, "ReturnConsumedCapacity": "hi"}
    assert validation("BatchGetItem", params) == one(
        "returnConsumedCapacity", "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]", "hi"
    )


def test_list_member_paths() -> None:
    # DYNALITE createTable.js "key element names": 1-based index, then ".member".
    params = {
        "TableName": "abc",
        "KeySchema": [
            {"KeyType": "HASH"},
            {"AttributeName": "a"},
            {"KeyType": "Woop", "AttributeName": "a"},
        ],
    }
    assert validation("CreateTable", params) == (
        "3 validation errors detected: "
        "Value null at 'keySchema.1.member.attributeName' failed to satisfy constraint: "
        "Member must not be null; "
        "Value null at 'keySchema.2.member.keyType' failed to satisfy constraint: "
        "Member must not be null; "
        "Value 'Woop' at 'keySchema.3.member.keyType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [HASH, RANGE]"
    )


def test_map_value_paths() -> None:
    # DYNALITE batchGetItem.js "empty keys": requestItems.<table>.member.keys
    assert validation("BatchGetItem", {"RequestItems": {"abc": {"Keys": []}}}) == one(
        "requestItems.abc.member.keys", "Member must have length greater than or equal to 1", "[]"
    )
    assert validation("BatchGetItem", {"RequestItems": {"abc": {}}}) == one(
        "requestItems.abc.member.keys", "Member must not be null", None
    )


def test_map_value_summary() -> None:
    # A list-valued map entry's own rules are summarised at the map (2026 eu-west-2 capture in
    # "captures" drift tests; Floci; dynalite): Map value must satisfy constraint: [...]
    assert validation("BatchWriteItem", {"RequestItems": {"abc": []}}) == one(
        "requestItems",
        "Map value must satisfy constraint: [Member must have length less than or equal to 25, "
        "Member must have length greater than or equal to 1]",
        "{abc=[]}",
    )
    # AWS echoes the entries with Lombok toString and AttributeValue by identity:
    # {t=[WriteRequest(putRequest=PutRequest(item={pk=com.amazonaws.dynamodb.v20120810.
    # AttributeValue@483470e1}, ...), deleteRequest=null), ...]}
    puts = [{"PutRequest": {"Item": {"pk": {"S": str(i)}}}} for i in range(26)]
    message = validation("BatchWriteItem", {"RequestItems": {"t": puts}})
    pattern = (
        r"1 validation error detected: Value '\{t=\[WriteRequest\(putRequest=PutRequest\(item=\{pk="
        r"com\.amazonaws\.dynamodb\.v20120810\.AttributeValue@[0-9a-f]+\}\), "
        r"deleteRequest=null\), .*\]\}' "
        r"at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
        r"\[Member must have length less than or equal to 25, "
        r"Member must have length greater than or equal to 1\]"
    )
    assert re.fullmatch(pattern, message)


def test_map_keys_summary_with_overrides() -> None:
    # AWS still applies TableName's rules to BatchGetItem's map keys, where botocore now has
    # TableArn (1..1024). DYNALITE batchGetItem.js "short table name with keys":
    # Value '{...}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy
    # constraint: [Member must have length less than or equal to 255, Member must have length
    # greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]
    overrides = {"TableArn": {"min": 3, "max": 255, "pattern": "[a-zA-Z0-9_.-]+"}}
    validator = ModelValidator(DDB_MODEL, opaque_shapes=frozenset({"AttributeValue"}), constraint_overrides=overrides)
    message = validation("BatchGetItem", {"RequestItems": {"a;": {"Keys": [{}]}}}, validator)
    assert message == one(
        "requestItems",
        "Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
        "Member must have length greater than or equal to 3, "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]",
        "{a;=KeysAndAttributes(keys=[{}], attributesToGet=null, consistentRead=null, "
        "projectionExpression=null, expressionAttributeNames=null)}",
    )


def test_member_overrides() -> None:
    # AWS's KeySchema allows at most 2 elements and echoes them with Lombok toString (2026 capture:
    # [KeySchemaElement(attributeName=pk, keyType=HASH), ...] at 'keySchema' ... less than or
    # equal to 2); botocore has no max. Required-ness can be corrected per member too.
    overrides = {
        "KeySchema": {"max": 2},
        "CreateTableInput.AttributeDefinitions": {"required": True},
    }
    validator = ModelValidator(DDB_MODEL, constraint_overrides=overrides)
    keys = [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
        {"AttributeName": "extra", "KeyType": "RANGE"},
    ]
    message = validation("CreateTable", {"TableName": "abc", "KeySchema": keys}, validator)
    assert message == (
        "2 validation errors detected: "
        "Value null at 'attributeDefinitions' failed to satisfy constraint: "
        "Member must not be null; "
        "Value '[KeySchemaElement(attributeName=pk, keyType=HASH), "
        "KeySchemaElement(attributeName=sk, keyType=RANGE), "
        "KeySchemaElement(attributeName=extra, keyType=RANGE)]' at 'keySchema' failed to satisfy "
        "constraint: Member must have length less than or equal to 2"
    )
    # ScalarAttributeType: AWS lists [B, N, S] (DYNALITE createTable.js), botocore ["S", "N", "B"].
    ordered = ModelValidator(DDB_MODEL, constraint_overrides={"ScalarAttributeType": {"enum": ["B", "N", "S"]}})
    definitions = [{"AttributeName": "b", "AttributeType": "SS"}]
    assert validation("CreateTable", {"TableName": "abc", "AttributeDefinitions": definitions}, ordered) == one(
        "attributeDefinitions.1.member.attributeType",
        "Member must satisfy enum value set: [B, N, S]",
        "SS",
    )


def test_list_member_summary() -> None:
    # A scalar list member's rules are listed once for the whole list (dynalite validations
    # `childLengths`; the same shape as ACM's "Value '[ccc]' at 'subjectAlternativeNames' ...
    # Member must satisfy constraint: [Member must have length less than or equal to 253, ...]").
    index = {
        "IndexName": "idx",
        "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", ""]},
    }
    message = validation("CreateTable", {"TableName": "abc", "GlobalSecondaryIndexes": [index]})
    assert message == one(
        "globalSecondaryIndexes.1.member.projection.nonKeyAttributes",
        "Member must satisfy constraint: [Member must have length less than or equal to 255, "
        "Member must have length greater than or equal to 1]",
        "[x, ]",
    )


def test_nested_members_of_absent_parents_are_not_checked() -> None:
    # DYNALITE createTable.js: ProvisionedThroughput {} reports both nested members; absent, none.
    DDB.validate("CreateTable", {"TableName": "abc"})
    message = validation("CreateTable", {"TableName": "abc", "ProvisionedThroughput": {}})
    assert message.startswith("2 validation errors detected: ")
    assert set(message.split(": ", 1)[1].split("; ")) == {
        f"Value null at 'provisionedThroughput.{m}' failed to satisfy constraint: Member must not be null"
        for m in ("readCapacityUnits", "writeCapacityUnits")
    }


def test_errors_are_capped_at_ten_in_member_order() -> None:
    # DYNALITE createTable.js "should return ValidationException for 12": nine empty LSIs (27
    # violations) answer "10 validation errors detected" and list ten.
    message = validation("CreateTable", {"TableName": "abc", "LocalSecondaryIndexes": [{}] * 9})
    head, listed = message.split(": ", 1)
    assert head == "10 validation errors detected"
    parts = listed.split("; ")
    assert len(parts) == 10
    assert parts[:3] == [
        f"Value null at 'localSecondaryIndexes.1.member.{m}' failed to satisfy constraint: Member must not be null"
        for m in ("indexName", "keySchema", "projection")
    ]
    assert parts[9].startswith("Value null at 'localSecondaryIndexes.4.member.indexName'")


def test_unknown_members_are_ignored_by_constraints() -> None:
    DDB.validate("GetItem", {"TableName": "tbl", "Key": {}, "Bogus": "", "tableName": 5})


def test_member_path_lower_cases_only_the_first_letter() -> None:
    # "Value 'AES-256' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must
    # satisfy enum value set: [AES256, KMS]" - a CreateTable error quoted in a user's notes.
    assert lower_first("SSESpecification") == "sSESpecification"
    params = {"TableName": "abc", "SSESpecification": {"SSEType": "AES-256"}}
    assert validation("CreateTable", params) == one(
        "sSESpecification.sSEType", "Member must satisfy enum value set: [AES256, KMS]", "AES-256"
    )


# ---------------------------------------------------------------- other services, flavours


def test_cloudwatch_logs_pattern_then_length() -> None:
    # fluent-plugin-cloudwatch-logs#223: InvalidParameterException "2 validation errors detected:
    # Value '' at 'logGroupNamePrefix' failed to satisfy constraint: Member must satisfy regular
    # expression pattern: [\.\-_/#A-Za-z0-9]+; Value '' at 'logGroupNamePrefix' failed to
    # satisfy constraint: Member must have length greater than or equal to 1"
    err = error(LOGS, "DescribeLogGroups", {"logGroupNamePrefix": ""})
    assert err.code == "InvalidParameterException"
    assert err.message == (
        "2 validation errors detected: "
        "Value '' at 'logGroupNamePrefix' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; "
        "Value '' at 'logGroupNamePrefix' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )
    # aws-embedded-metrics-java#65: "InvalidParameterException: 1 validation error detected: Value
    # 'testServiceName:latest-metrics' at 'logGroupName' failed to satisfy constraint: Member must
    # satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+"
    err = error(LOGS, "CreateLogGroup", {"logGroupName": "testServiceName:latest-metrics"})
    assert err.message == one(
        "logGroupName",
        "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
        "testServiceName:latest-metrics",
    )


def test_cloudwatch_logs_unicode_tag_patterns() -> None:
    # Java's \p{L}\p{Z}\p{N} classes: accented letters and spaces pass, ";" does not.
    LOGS.validate("CreateLogGroup", {"logGroupName": "g", "tags": {"clé vide": "välue 1"}})
    err = error(LOGS, "CreateLogGroup", {"logGroupName": "g", "tags": {"a;b": "v"}})
    assert err.message == one(
        "tags",
        "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1, "
        "Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]",
        "{a;b=v}",
    )


def test_lambda_summaries_end_with_not_null() -> None:
    # localstack's Lambda provider (from AWS snapshots) and moto: "1 validation error detected:
    # Value '[foo]' at 'architectures' failed to satisfy constraint: Member must satisfy
    # constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
    params = {"FunctionName": "f", "Architectures": ["foo"]}
    assert validation("UpdateFunctionCode", params, LAMBDA_V) == one(
        "architectures",
        "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
        "Member must not be null]",
        "[foo]",
    )
    # moto (lambda alias): "Value '{1=1.5}' at 'routingConfig.additionalVersionWeights' ... Map
    # value must satisfy constraint: [Member must have value less than or equal to 1.0, Member
    # must have value greater than or equal to 0.0, Member must not be null]" - Java doubles.
    params2 = {
        "FunctionName": "f",
        "Name": "a",
        "RoutingConfig": {"AdditionalVersionWeights": {"1": 1.5}},
    }
    assert validation("UpdateAlias", params2, LAMBDA_V) == one(
        "routingConfig.additionalVersionWeights",
        "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
        "Member must have value greater than or equal to 0.0, Member must not be null]",
        "{1=1.5}",
    )


def test_flavour_without_echo() -> None:
    # AWS's newer validation framework omits the value: "Value at 'logGroupName' failed to
    # satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+"
    quiet = ModelValidator(
        _model("logs"),
        flavour=ValidationFlavour(error_code="InvalidParameterException", echo_values=False),
    )
    err = error(quiet, "CreateLogGroup", {"logGroupName": "a b"})
    assert err.message == (
        "1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
    )


def test_java_double_rendering() -> None:
    assert [java_double(x) for x in (1.0, 0.5, 0.001, 1234567.0, 1e7, 1.5e-5, 123456789.0, -0.0)] == [
        "1.0",
        "0.5",
        "0.001",
        "1234567.0",
        "1.0E7",
        "1.5E-5",
        "1.23456789E8",
        "-0.0",
    ]


def test_phases_can_run_separately() -> None:
    DDB.check_types("GetItem", {})
    with pytest.raises(AwsError):
        DDB.check_constraints("GetItem", {})
    assert DDB.violations("GetItem", {"TableName": "t"}) == [
        "Value null at 'key' failed to satisfy constraint: Member must not be null"
    ]


def test_getitem_is_fast() -> None:
    params = {"TableName": "t", "Key": {"pk": {"S": "x"}}}
    DDB.validate("GetItem", params)
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        DDB.validate("GetItem", params)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 50e-6  # ~1 us on a laptop; generous for loaded CI machines


# ---------------------------------------------------------------- property test


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)


def _shaped(shape: Shape, depth: int) -> st.SearchStrategy[Any]:
    """Mostly well-typed values for `shape`, with random JSON mixed in at every level."""
    if depth > 4:
        return JSON
    kind = shape.type_name
    if kind == "structure":
        members = shape.members  # type: ignore[attr-defined]
        fields = {name: _shaped(m, depth + 1) for name, m in members.items()}
        shaped = st.fixed_dictionaries({}, optional=fields) if fields else st.just({})
    elif kind == "list":
        shaped = st.lists(_shaped(shape.member, depth + 1), max_size=3)  # type: ignore[attr-defined]
    elif kind == "map":
        shaped = st.dictionaries(st.text(max_size=4), _shaped(shape.value, depth + 1), max_size=3)  # type: ignore[attr-defined]
    elif kind == "string" and shape.enum:
        shaped = st.sampled_from(list(shape.enum)) | st.text(max_size=4)
    elif kind in ("integer", "long", "double", "float", "timestamp"):
        shaped = st.integers(-5, 5) | st.floats(allow_nan=False)
    elif kind == "boolean":
        shaped = st.booleans() | st.sampled_from(["true", "FALSE", "x"])
    elif kind == "blob":
        shaped = st.sampled_from(["", "QQ==", "QR==", "abc", "ab!d"])
    else:
        shaped = st.text(max_size=6)
    return st.one_of(shaped, shaped, JSON)


@pytest.mark.parametrize("operation", sorted(DDB_MODEL.operation_names))
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_requests_only_raise_aws_errors(operation: str, data: st.DataObject) -> None:
    shape = DDB_MODEL.operation_model(operation).input_shape
    body = data.draw(_shaped(shape, 0) if shape is not None else JSON)
    for validator in (DDB, DDB_FULL):
        try:
            validator.validate(operation, body)
        except AwsError as err:
            assert err.code in ("SerializationException", "ValidationException")
            assert err.message
