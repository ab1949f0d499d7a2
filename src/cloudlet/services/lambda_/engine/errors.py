"""Lambda's errors with the texts Lambda returns.

https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html and each action's Errors section.
"""

from __future__ import annotations

from cloudlet.protocol.errors import AwsError


def function_not_found(arn: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Function not found: {arn}", 404)


def exists(name: str) -> AwsError:
    return AwsError("ResourceConflictException", f"Function already exist: {name}", 409)


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message, 400)


def bad_role() -> AwsError:
    return invalid("The role defined for the function cannot be assumed by Lambda.")


def bad_zip() -> AwsError:
    return invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")


def unsupported_runtime(runtime: str) -> AwsError:
    return invalid(f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS "
                   f"Lambda functions. We recommend you use a supported runtime while creating or updating "
                   f"functions.")


def revision_mismatch() -> AwsError:
    return AwsError(
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to "
        "retrieve the latest Revision Id",
        412,
    )
