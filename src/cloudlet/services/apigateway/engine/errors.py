"""The errors API Gateway's control plane answers, with AWS's texts where known.

Sources (AWS answers, quoted in public issue threads where the API reference gives no text):
- "Invalid API identifier specified {account}:{id}": aws/aws-sdk-js#2458, Miserlou/Zappa#1892.
- "Invalid Resource identifier specified", "Invalid Method identifier specified":
  serverless/serverless#5005, hashicorp/terraform#17747.
- "No integration defined for method": carrot/terraform-api-gateway-method-module#3.
- "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.":
  claudiajs/claudia#11; "Resource's path part must be specified": aws/chalice#76.
- "Invalid patch path  '{path}' specified for op '{op}'. Must be one of: [...]" (two spaces, as AWS
  writes it) and "... Please choose supported operations": boto/boto3#2504 and the snapshot-tested
  texts in localstack/localstack#9102.
Texts marked "(unconfirmed)" are cloudlet's best guess.
"""

from __future__ import annotations

from cloudlet.protocol.errors import AwsError


def bad_request(message: str) -> AwsError:
    return AwsError("BadRequestException", message, 400)


def not_found(message: str) -> AwsError:
    return AwsError("NotFoundException", message, 404)


def conflict(message: str) -> AwsError:
    return AwsError("ConflictException", message, 409)


def not_implemented(message: str) -> AwsError:
    return AwsError("NotImplementedException", message, 501)


def api_not_found(account: str, api_id: str) -> AwsError:
    return not_found(f"Invalid API identifier specified {account}:{api_id}")


def resource_not_found() -> AwsError:
    return not_found("Invalid Resource identifier specified")


def method_not_found() -> AwsError:
    return not_found("Invalid Method identifier specified")


def integration_not_found() -> AwsError:
    return not_found("No integration defined for method")


def response_not_found() -> AwsError:
    return not_found("Invalid Response status code specified")


def stage_not_found() -> AwsError:
    return not_found("Invalid Stage identifier specified")


def deployment_not_found() -> AwsError:
    return not_found("Invalid Deployment identifier specified")


def model_not_found(name: str) -> AwsError:
    return not_found(f"Invalid model name specified: {name}")


def validator_not_found() -> AwsError:
    return not_found("Invalid Request Validator identifier specified")


def authorizer_not_found() -> AwsError:
    return not_found("Invalid Authorizer identifier specified")


def gateway_response_not_found() -> AwsError:
    return not_found("Invalid Gateway Response identifier specified")  # (unconfirmed)
