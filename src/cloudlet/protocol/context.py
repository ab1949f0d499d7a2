"""Who is calling and where: the per-request facts every operation receives."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Context:
    region: str
    account: str
    request_id: str
    access_key: str = ""


def credential_scope(headers: dict[str, str]) -> tuple[str, str, str] | None:
    """(access key, region, service) from a SigV4 Authorization header, if there is one.

    `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, ...`
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html
    """
    auth = headers.get("authorization")
    if not auth:
        return None
    i = auth.find("Credential=")
    if i < 0:
        return None
    end = auth.find(",", i)
    parts = auth[i + 11 : end if end > 0 else None].split("/")
    if len(parts) < 5:
        return None
    return parts[0], parts[2], parts[3]
