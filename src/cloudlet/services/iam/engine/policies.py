"""Managed policies: the account's own (customer managed, with versions) and AWS's (read-only).

https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html (and Policy* actions)
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from cloudlet.services.iam.engine import documents, errors
from cloudlet.services.iam.engine.roles import page
from cloudlet.services.iam.engine.state import IamState, Policy, new_id, now
from cloudlet.services.iam.managed_policies import managed_policies

MAX_VERSIONS = 5
Params = dict[str, Any]


def _iso_to_epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _stable_id(arn: str) -> str:
    """The same PolicyId for an AWS managed policy on every call and every restart."""
    return "ANPA" + base64.b32encode(hashlib.sha1(arn.encode()).digest()).decode()[:17]


def describe(state: IamState, account: str, pol: Policy | dict[str, Any]) -> Params:
    if isinstance(pol, Policy):
        d: Params = {
            "PolicyName": pol.name, "PolicyId": pol.policy_id, "Arn": pol.arn, "Path": pol.path,
            "DefaultVersionId": pol.default_version, "CreateDate": pol.created,
            "UpdateDate": max(v["CreateDate"] for v in pol.versions),
        }
        if pol.description:
            d["Description"] = pol.description
        if pol.tags:
            d["Tags"] = pol.tags
        arn = pol.arn
    else:
        arn = pol["Arn"]
        d = {
            "PolicyName": pol["PolicyName"], "PolicyId": pol.get("PolicyId") or _stable_id(arn),
            "Arn": arn, "Path": pol["Path"], "DefaultVersionId": pol["DefaultVersionId"],
            "CreateDate": _iso_to_epoch(pol["CreateDate"]), "UpdateDate": _iso_to_epoch(pol["UpdateDate"]),
        }
        if pol.get("Description"):
            d["Description"] = pol["Description"]
    d.update(AttachmentCount=state.attachment_count(account, arn), PermissionsBoundaryUsageCount=0,
             IsAttachable=True)
    return d


async def create(state: IamState, account: str, p: Params) -> Params:
    path = p.get("Path") or "/"
    arn = f"arn:aws:iam::{account}:policy{path}{p['PolicyName']}"
    if any(x.account == account and x.name.lower() == p["PolicyName"].lower() for x in state.policies.values()):
        raise errors.exists(f"A policy called {p['PolicyName']} already exists. Duplicate names are not allowed.")
    documents.check(p["PolicyDocument"])
    t = now()
    pol = Policy(account, p["PolicyName"], path, new_id("ANPA"), t, description=p.get("Description"),
                 tags=list(p.get("Tags") or []),
                 versions=[{"VersionId": "v1", "Document": p["PolicyDocument"], "CreateDate": t}])
    assert pol.arn == arn
    await state.save_policy(pol)
    return {"Policy": describe(state, account, pol)}


async def get(state: IamState, account: str, p: Params) -> Params:
    return {"Policy": describe(state, account, state.managed(account, p["PolicyArn"]))}


def _version(pol: Policy | dict[str, Any], version_id: str, arn: str) -> Params:
    if isinstance(pol, Policy):
        for v in pol.versions:
            if v["VersionId"] == version_id:
                return {"Document": documents.encoded(v["Document"]), "VersionId": version_id,
                        "IsDefaultVersion": version_id == pol.default_version, "CreateDate": v["CreateDate"]}
    elif version_id == pol["DefaultVersionId"]:
        return {"Document": documents.encoded(json.dumps(pol["Document"], indent=2)), "VersionId": version_id,
                "IsDefaultVersion": True, "CreateDate": _iso_to_epoch(pol["UpdateDate"])}
    raise errors.no_such_entity(f"Policy {arn} version {version_id} does not exist or is not attachable.")


async def get_version(state: IamState, account: str, p: Params) -> Params:
    pol = state.managed(account, p["PolicyArn"])
    return {"PolicyVersion": _version(pol, p["VersionId"], p["PolicyArn"])}


async def list_versions(state: IamState, account: str, p: Params) -> Params:
    pol = state.managed(account, p["PolicyArn"])
    ids = [v["VersionId"] for v in pol.versions] if isinstance(pol, Policy) else [pol["DefaultVersionId"]]
    versions = [{k: v for k, v in _version(pol, i, p["PolicyArn"]).items() if k != "Document"} for i in ids]
    chunk, more = page(versions, p, lambda v: v["VersionId"].zfill(8))
    return {"Versions": chunk, **more}


async def create_version(state: IamState, account: str, p: Params) -> Params:
    pol = state.managed(account, p["PolicyArn"])
    if not isinstance(pol, Policy):
        raise errors.no_policy(p["PolicyArn"])
    if len(pol.versions) >= MAX_VERSIONS:
        raise errors.limit(f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create a new "
                           "version, you must delete an existing version.")
    documents.check(p["PolicyDocument"])
    pol = replace(pol)
    vid = f"v{pol.next_version}"
    pol.next_version += 1
    pol.versions = [*pol.versions, {"VersionId": vid, "Document": p["PolicyDocument"], "CreateDate": now()}]
    if p.get("SetAsDefault"):
        pol.default_version = vid
    await state.save_policy(pol)
    return {"PolicyVersion": {k: v for k, v in _version(pol, vid, pol.arn).items() if k != "Document"}}


async def delete_version(state: IamState, account: str, p: Params) -> Params:
    pol = state.managed(account, p["PolicyArn"])
    if not isinstance(pol, Policy) or p["VersionId"] not in [v["VersionId"] for v in pol.versions]:
        raise errors.no_such_entity(f"Policy {p['PolicyArn']} version {p['VersionId']} does not exist.")
    if p["VersionId"] == pol.default_version:
        raise errors.delete_conflict("Cannot delete the default version of a policy.")
    pol = replace(pol, versions=[v for v in pol.versions if v["VersionId"] != p["VersionId"]])
    await state.save_policy(pol)
    return {}


async def list_policies(state: IamState, account: str, p: Params) -> Params:
    scope = p.get("Scope") or "All"
    prefix = p.get("PathPrefix") or "/"
    found: list[Policy | dict[str, Any]] = []
    if scope in ("All", "AWS"):
        found.extend(managed_policies().values())
    if scope in ("All", "Local"):
        found.extend(x for x in state.policies.values() if x.account == account)
    described = [describe(state, account, x) for x in found]
    described = [d for d in described if d["Path"].startswith(prefix)
                 and (not p.get("OnlyAttached") or d["AttachmentCount"] > 0)]
    described.sort(key=lambda d: d["PolicyName"].lower())
    chunk, more = page(described, p, lambda d: d["PolicyName"].lower())
    return {"Policies": [{k: v for k, v in d.items() if k != "Tags"} for d in chunk], **more}


async def delete(state: IamState, account: str, p: Params) -> Params:
    pol = state.managed(account, p["PolicyArn"])
    if not isinstance(pol, Policy):
        raise errors.no_policy(p["PolicyArn"])
    if state.attachment_count(account, pol.arn):
        raise errors.delete_conflict("Cannot delete a policy attached to entities.")
    if len(pol.versions) > 1:
        raise errors.delete_conflict("This policy has more than one version. Before you delete a policy, you "
                                     "must delete the policy's versions. The default version is deleted with "
                                     "the policy.")
    await state.delete_policy(pol)
    return {}
