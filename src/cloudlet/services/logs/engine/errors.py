"""CloudWatch Logs' errors, with its texts (as AWS returns them to SDKs).

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html
"""

from __future__ import annotations

from cloudlet.protocol.errors import AwsError


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def group_exists() -> AwsError:
    return AwsError("ResourceAlreadyExistsException", "The specified log group already exists")


def stream_exists() -> AwsError:
    return AwsError("ResourceAlreadyExistsException", "The specified log stream already exists")


def no_group() -> AwsError:
    return AwsError("ResourceNotFoundException", "The specified log group does not exist.")


def no_stream() -> AwsError:
    return AwsError("ResourceNotFoundException", "The specified log stream does not exist.")


def no_resource(arn: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"The specified resource does not exist: {arn}")


def limit(message: str) -> AwsError:
    return AwsError("LimitExceededException", message)
