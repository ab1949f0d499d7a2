"""STS: who is calling (GetCallerIdentity) and temporary credentials for a role (AssumeRole).

Sessions from AssumeRole are remembered by access key, so GetCallerIdentity made with them
answers with the assumed-role ARN, as on AWS.
https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

import secrets
import string
import time
from typing import Any

import orjson

from cloudlet.protocol.errors import AwsError
from cloudlet.services.iam.engine.state import IamState
from cloudlet.store.base import Txn

SESSIONS = "sts/sessions"
_KEY_CHARS = string.ascii_uppercase + string.digits
_SECRET_CHARS = string.ascii_letters + string.digits + "/+"


def _random(chars: str, n: int) -> str:
    return "".join(secrets.choice(chars) for _ in range(n))


class Sts:
    def __init__(self, iam: IamState) -> None:
        self.iam = iam

    async def caller_identity(self, account: str, access_key: str) -> dict[str, Any]:
        session = None
        if access_key.startswith("ASIA"):
            raw = await self.iam.store.run(lambda txn: txn.meta_get(SESSIONS, access_key))
            session = orjson.loads(raw) if raw else None
        if session is not None:
            return {"UserId": session["AssumedRoleId"], "Account": session["Account"], "Arn": session["Arn"]}
        # Any other credentials are the account's root user (cloudlet does not check keys by default).
        return {"UserId": account, "Account": account, "Arn": f"arn:aws:iam::{account}:root"}

    async def assume_role(self, account: str, caller: str, p: dict[str, Any]) -> dict[str, Any]:
        role = self.iam.role_by_arn(p["RoleArn"])
        if role is None:
            raise AwsError(
                "AccessDenied",
                f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {p['RoleArn']}",
                403,
            )
        duration = p.get("DurationSeconds") or 3600
        if duration > role.max_session:
            raise AwsError(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                400,
            )
        name = p["RoleSessionName"]
        key = "ASIA" + _random(_KEY_CHARS, 16)
        session = {
            "Account": role.account,
            "AssumedRoleId": f"{role.role_id}:{name}",
            "Arn": f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{name}",
            "Expiration": time.time() + duration,
        }
        doc = orjson.dumps(session)

        def work(txn: Txn) -> None:
            txn.meta_put(SESSIONS, key, doc)

        await self.iam.store.run(work, write=True)
        return {
            "Credentials": {
                "AccessKeyId": key,
                "SecretAccessKey": _random(_SECRET_CHARS, 40),
                "SessionToken": _random(_SECRET_CHARS, 356),
                "Expiration": session["Expiration"],
            },
            "AssumedRoleUser": {"AssumedRoleId": session["AssumedRoleId"], "Arn": session["Arn"]},
            "PackedPolicySize": 0,
        }
