"""IAM's errors: codes and HTTP statuses from the model, texts as IAM returns them.

https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
"""

from __future__ import annotations

from cloudlet.protocol.errors import AwsError


def no_such_entity(message: str) -> AwsError:
    return AwsError("NoSuchEntity", message, 404)


def no_role(name: str) -> AwsError:
    return no_such_entity(f"The role with name {name} cannot be found.")


def no_policy(arn: str) -> AwsError:
    return no_such_entity(f"Policy {arn} does not exist or is not attachable.")


def exists(message: str) -> AwsError:
    return AwsError("EntityAlreadyExists", message, 409)


def delete_conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message, 409)


def malformed(message: str = "Syntax errors in policy.") -> AwsError:
    return AwsError("MalformedPolicyDocument", message, 400)


def invalid_input(message: str) -> AwsError:
    return AwsError("InvalidInput", message, 400)


def limit(message: str) -> AwsError:
    return AwsError("LimitExceeded", message, 409)
