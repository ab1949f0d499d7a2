"""DynamoDB's errors, one constructor each, with DynamoDB's texts.

Error codes: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
"""

from __future__ import annotations

from typing import Any

from cloudlet.protocol.errors import AwsError


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def invalid_params(detail: str) -> AwsError:
    """The common 'One or more parameter values were invalid: ...' form."""
    return AwsError("ValidationException", "One or more parameter values were invalid: " + detail)


def serialization(message: str) -> AwsError:
    return AwsError("SerializationException", message)


def table_not_found(name: str | None = None) -> AwsError:
    if name is None:
        return AwsError("ResourceNotFoundException", "Requested resource not found")
    return AwsError(
        "ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"
    )


def resource_not_found(message: str = "Requested resource not found") -> AwsError:
    return AwsError("ResourceNotFoundException", message)


def resource_in_use(message: str) -> AwsError:
    return AwsError("ResourceInUseException", message)


def conditional_check_failed(item: dict[str, Any] | None = None) -> AwsError:
    return AwsError(
        "ConditionalCheckFailedException",
        "The conditional request failed",
        extra={"Item": item} if item is not None else None,
    )


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceededException", message)


def key_schema_mismatch() -> AwsError:
    return validation("The provided key element does not match the schema")
