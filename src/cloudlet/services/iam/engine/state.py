"""IAM's entities for the parts cloudlet serves: roles and managed policies, per account.

IAM is global (no region). Names are unique case-insensitively, as in IAM. Entities are kept in
memory and persisted as metadata documents; AWS managed policies come from the bundled catalogue.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from cloudlet.services.iam.engine import errors
from cloudlet.services.iam.managed_policies import managed_policies
from cloudlet.store.base import Store, Txn

ROLES = "iam/roles"
POLICIES = "iam/policies"
_ID_CHARS = string.ascii_uppercase + string.digits


def new_id(prefix: str) -> str:
    """A unique id like IAM's: a 4-letter type prefix (AROA role, ANPA policy) + 17 characters."""
    return prefix + "".join(secrets.choice(_ID_CHARS) for _ in range(17))


@dataclass
class Role:
    account: str
    name: str
    path: str
    role_id: str
    created: float
    trust: str
    description: str | None = None
    max_session: int = 3600
    tags: list[dict[str, str]] = field(default_factory=list)
    inline: dict[str, str] = field(default_factory=dict)  # policy name -> document text
    attached: list[str] = field(default_factory=list)  # managed policy ARNs
    boundary: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role{self.path}{self.name}"


@dataclass
class Policy:
    """A customer managed policy (AWS managed ones are read-only dicts from the catalogue)."""

    account: str
    name: str
    path: str
    policy_id: str
    created: float
    description: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)  # VersionId, Document, CreateDate
    default_version: str = "v1"
    next_version: int = 2

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:policy{self.path}{self.name}"


class IamState:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.roles: dict[str, Role] = {}  # "account/lower(name)" -> role
        self.policies: dict[str, Policy] = {}  # ARN -> customer managed policy

    async def load(self) -> None:
        def read(txn: Txn) -> tuple[list[bytes], list[bytes]]:
            return [v for _, v in txn.meta_list(ROLES)], [v for _, v in txn.meta_list(POLICIES)]

        roles, policies = await self.store.run(read)
        self.roles = {}
        for doc in roles:
            r = Role(**orjson.loads(doc))
            self.roles[self.role_key(r.account, r.name)] = r
        self.policies = {p.arn: p for p in (Policy(**orjson.loads(d)) for d in policies)}

    def clear(self) -> None:
        self.roles.clear()
        self.policies.clear()

    @staticmethod
    def role_key(account: str, name: str) -> str:
        return f"{account}/{name.lower()}"

    def role(self, account: str, name: str) -> Role:
        r = self.roles.get(self.role_key(account, name))
        if r is None:
            raise errors.no_role(name)
        return r

    def role_by_arn(self, arn: str) -> Role | None:
        # arn:aws:iam::{account}:role/{path/}{name}
        parts = arn.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("role/"):
            return None
        r = self.roles.get(self.role_key(parts[4], parts[5].rsplit("/", 1)[-1]))
        return r if r is not None and r.arn == arn else None

    def account_roles(self, account: str) -> list[Role]:
        return sorted((r for r in self.roles.values() if r.account == account), key=lambda r: r.name.lower())

    def managed(self, account: str, arn: str) -> Policy | dict[str, Any]:
        """A customer managed policy of `account`, or an AWS managed policy's catalogue entry."""
        p = self.policies.get(arn)
        if p is not None and p.account == account:
            return p
        aws = managed_policies().get(arn)
        if aws is None:
            raise errors.no_policy(arn)
        return aws

    def attachment_count(self, account: str, arn: str) -> int:
        return sum(1 for r in self.roles.values() if r.account == account and arn in r.attached)

    async def save_role(self, r: Role) -> None:
        doc = orjson.dumps(asdict(r))
        await self.store.run(lambda txn: txn.meta_put(ROLES, self.role_key(r.account, r.name), doc), write=True)
        self.roles[self.role_key(r.account, r.name)] = r

    async def delete_role(self, r: Role) -> None:
        key = self.role_key(r.account, r.name)
        await self.store.run(lambda txn: txn.meta_delete(ROLES, key), write=True)
        self.roles.pop(key, None)

    async def save_policy(self, p: Policy) -> None:
        doc = orjson.dumps(asdict(p))
        await self.store.run(lambda txn: txn.meta_put(POLICIES, p.arn, doc), write=True)
        self.policies[p.arn] = p

    async def delete_policy(self, p: Policy) -> None:
        await self.store.run(lambda txn: txn.meta_delete(POLICIES, p.arn), write=True)
        self.policies.pop(p.arn, None)


def now() -> float:
    return round(time.time(), 3)
