"""The REST APIs of every account and region: in memory, persisted, and what the data plane serves.

Each API is one metadata document ("apigateway/apis", key = API id): its account and region, the
draft `ApiDefinition`, its stages (as GetStage returns them) and its deployments' summaries. A
deployment's frozen definition is written once, to a document of its own ("apigateway/deployments",
key "{api id}/{deployment id}"), so editing the draft re-writes the draft only, not every snapshot.
Account settings (GetAccount) are one document per account and region ("apigateway/account").

API ids are unique across accounts and regions: the invoke URL names the API but neither of them.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from cloudlet.services.apigateway.engine import errors
from cloudlet.services.apigateway.engine.definition import ApiDefinition, Deployed
from cloudlet.store.base import Store, Txn

Doc = dict[str, Any]
T = TypeVar("T")
NS = "apigateway/apis"
DEPLOYMENTS_NS = "apigateway/deployments"
ACCOUNT_NS = "apigateway/account"
# GetAccount's fixed members: AWS's default account-level throttle and the features of a new account.
# https://docs.aws.amazon.com/apigateway/latest/api/API_GetAccount.html
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html (10,000 rps, burst 5,000)
ACCOUNT_DEFAULTS: Doc = {"throttleSettings": {"burstLimit": 5000, "rateLimit": 10000.0},
                         "features": ["UsagePlans"], "apiKeyVersion": "4"}


@dataclass
class Deployment:
    id: str
    created: int
    description: str | None
    definition: ApiDefinition  # frozen at CreateDeployment, never changed after

    def summary(self) -> Doc:
        d: Doc = {"id": self.id, "createdDate": self.created}
        if self.description is not None:
            d["description"] = self.description
        return d


@dataclass
class RestApi:
    account: str
    region: str
    draft: ApiDefinition
    deployments: dict[str, Deployment] = field(default_factory=dict)
    # Stage name -> Stage as GetStage returns it. A stage dict is replaced, never changed in place,
    # so `RestApis.deployed` can tell by identity whether its cached Deployed is current.
    stages: dict[str, Doc] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.draft.api["id"])

    @property
    def arn(self) -> str:
        return f"arn:aws:apigateway:{self.region}::/restapis/{self.id}"

    def stage(self, name: str) -> Doc:
        stage = self.stages.get(name)
        if stage is None:
            raise errors.stage_not_found()
        return stage

    def deployment(self, deployment_id: str) -> Deployment:
        d = self.deployments.get(deployment_id)
        if d is None:
            raise errors.deployment_not_found()
        return d

    def to_doc(self) -> Doc:
        return {"account": self.account, "region": self.region, "draft": self.draft.to_doc(),
                "stages": self.stages, "deployments": {k: d.summary() for k, d in self.deployments.items()}}


class RestApis:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._apis: dict[str, RestApi] = {}
        self._deployed: dict[tuple[str, str], Deployed] = {}
        self._accounts: dict[str, Doc] = {}

    async def load(self) -> None:
        def read(txn: Txn) -> tuple[list[tuple[str, bytes]], ...]:
            return txn.meta_list(NS), txn.meta_list(DEPLOYMENTS_NS), txn.meta_list(ACCOUNT_NS)

        apis, deployments, accounts = await self.store.run(read)
        frozen = {k: orjson.loads(v) for k, v in deployments}
        self._apis = {}
        for key, raw in apis:
            d = orjson.loads(raw)
            api = RestApi(d["account"], d["region"], ApiDefinition.from_doc(d["draft"]), stages=d.get("stages", {}))
            for dep_id, s in d.get("deployments", {}).items():
                body = frozen.get(f"{key}/{dep_id}")
                if body is not None:
                    api.deployments[dep_id] = Deployment(dep_id, s["createdDate"], s.get("description"),
                                                         ApiDefinition.from_doc(body))
            self._apis[key] = api
        self._accounts = {k: orjson.loads(v) for k, v in accounts}
        self._deployed.clear()

    def clear(self) -> None:
        self._apis.clear()
        self._deployed.clear()
        self._accounts.clear()

    # -- lookups ----------------------------------------------------------------------------------

    def exists(self, api_id: str) -> bool:
        return api_id in self._apis

    def get(self, account: str, region: str, api_id: str) -> RestApi:
        api = self._apis.get(api_id)
        if api is None or api.account != account or api.region != region:
            raise errors.api_not_found(account, api_id)
        return api

    def list(self, account: str, region: str) -> list[RestApi]:
        return [a for a in self._apis.values() if a.account == account and a.region == region]

    def deployed(self, api_id: str, stage_name: str) -> Deployed | None:
        """What (api, stage) serves: the same object until the stage (or the deployment it points
        to) changes, so the data plane may keep compiled routes on `Deployed.compiled`."""
        api = self._apis.get(api_id)
        stage = api.stages.get(stage_name) if api is not None else None
        if api is None or stage is None:
            return None
        key = (api_id, stage_name)
        cached = self._deployed.get(key)
        if cached is not None and cached.stage is stage:
            return cached
        dep = api.deployments.get(stage.get("deploymentId", ""))
        if dep is None:
            return None
        deployed = Deployed(api_id, api.account, api.region, stage, dep.id, dep.definition)
        self._deployed[key] = deployed
        return deployed

    def account_settings(self, account: str, region: str) -> Doc:
        """GetAccount's output for (account, region)."""
        return {**ACCOUNT_DEFAULTS, **self._accounts.get(f"{account}/{region}", {})}

    # -- writes -----------------------------------------------------------------------------------

    async def save(self, api: RestApi, deployment: Deployment | None = None, dropped: Iterable[str] = ()) -> None:
        """Persist api (and a new deployment's frozen definition; and drop deleted deployments')."""
        key = api.id
        doc = orjson.dumps(api.to_doc())
        frozen = orjson.dumps(deployment.definition.to_doc()) if deployment is not None else None
        gone = [f"{key}/{d}" for d in dropped]

        def work(txn: Txn) -> None:
            txn.meta_put(NS, key, doc)
            if deployment is not None and frozen is not None:
                txn.meta_put(DEPLOYMENTS_NS, f"{key}/{deployment.id}", frozen)
            for k in gone:
                txn.meta_delete(DEPLOYMENTS_NS, k)

        await self.store.run(work, write=True)
        self._apis[key] = api

    async def delete(self, api: RestApi) -> None:
        key = api.id
        gone = [f"{key}/{d}" for d in api.deployments]

        def work(txn: Txn) -> None:
            txn.meta_delete(NS, key)
            for k in gone:
                txn.meta_delete(DEPLOYMENTS_NS, k)

        await self.store.run(work, write=True)
        self._apis.pop(key, None)
        for k in [k for k in self._deployed if k[0] == key]:
            del self._deployed[k]

    async def save_account(self, account: str, region: str, settings: Doc) -> None:
        key = f"{account}/{region}"
        doc = orjson.dumps(settings)
        await self.store.run(lambda txn: txn.meta_put(ACCOUNT_NS, key, doc), write=True)
        self._accounts[key] = settings


# -- pagination (limit/position, as every API Gateway Get* collection takes them) -------------------

MAX_LIMIT = 500  # https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApis.html


def paginate(items: Iterable[tuple[str, T]], p: Doc) -> tuple[list[T], str | None]:
    """One page of items sorted by key, after the key an opaque `position` carries; and the next
    page's position (None on the last page). Keys, not indexes, so a deletion between pages skips
    nothing."""
    limit = p.get("limit")
    if limit is None:
        limit = 25
    if not 1 <= limit <= MAX_LIMIT:
        raise errors.bad_request(f"Invalid limit {limit}: must be between 1 and {MAX_LIMIT}")  # (unconfirmed)
    ordered = sorted(items, key=lambda kv: kv[0])
    position = p.get("position")
    if position:
        after = _decode_position(position)
        ordered = [kv for kv in ordered if kv[0] > after]
    page = ordered[:limit]
    more = len(ordered) > limit
    return [v for _, v in page], _encode_position(page[-1][0]) if more and page else None


def _encode_position(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _decode_position(position: str) -> str:
    try:
        return base64.b64decode(position + "=" * (-len(position) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, ValueError):
        raise errors.bad_request("Invalid position parameter") from None  # (unconfirmed)
