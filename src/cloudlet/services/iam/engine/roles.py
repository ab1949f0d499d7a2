"""Roles, their inline policies and their attached managed policies.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (and the Role* actions)
Quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cloudlet.services.iam.engine import documents, errors
from cloudlet.services.iam.engine.state import IamState, Policy, Role, new_id, now

MAX_ATTACHED = 20  # managed policies per role (default quota)
Params = dict[str, Any]


def page(items: list[Any], params: Params, key: Any) -> tuple[list[Any], Params]:
    """IAM's Marker/MaxItems paging: (page, {"IsTruncated": ..., "Marker": ...})."""
    marker = params.get("Marker")
    if marker:
        items = [i for i in items if key(i) > marker]
    limit = params.get("MaxItems") or 100
    chunk = items[:limit]
    if len(items) > limit:
        return chunk, {"IsTruncated": True, "Marker": key(chunk[-1])}
    return chunk, {"IsTruncated": False}


def describe(r: Role) -> Params:
    d: Params = {
        "Path": r.path, "RoleName": r.name, "RoleId": r.role_id, "Arn": r.arn, "CreateDate": r.created,
        "AssumeRolePolicyDocument": documents.encoded(r.trust), "MaxSessionDuration": r.max_session,
        "RoleLastUsed": {},
    }
    if r.description is not None:
        d["Description"] = r.description
    if r.tags:
        d["Tags"] = r.tags
    if r.boundary:
        d["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": r.boundary}
    return d


async def create(state: IamState, account: str, p: Params) -> Params:
    name = p["RoleName"]
    if state.roles.get(state.role_key(account, name)):
        raise errors.exists(f"Role with name {name} already exists.")
    trust = p["AssumeRolePolicyDocument"]
    documents.check(trust, trust=True)
    path = p.get("Path") or "/"
    r = Role(account, name, path, new_id("AROA"), now(), trust, description=p.get("Description"),
             max_session=p.get("MaxSessionDuration") or 3600, tags=list(p.get("Tags") or []),
             boundary=p.get("PermissionsBoundary"))
    await state.save_role(r)
    return {"Role": describe(r)}


async def get(state: IamState, account: str, p: Params) -> Params:
    return {"Role": describe(state.role(account, p["RoleName"]))}


async def list_roles(state: IamState, account: str, p: Params) -> Params:
    prefix = p.get("PathPrefix") or "/"
    roles = [r for r in state.account_roles(account) if r.path.startswith(prefix)]
    chunk, more = page(roles, p, lambda r: r.name.lower())
    # ListRoles leaves out tags and the permissions boundary, as IAM does.
    return {"Roles": [{k: v for k, v in describe(r).items() if k not in ("Tags", "PermissionsBoundary")}
                      for r in chunk], **more}


async def update(state: IamState, account: str, p: Params) -> Params:
    r = replace(state.role(account, p["RoleName"]))
    if "Description" in p:
        r.description = p["Description"]
    if p.get("MaxSessionDuration"):
        r.max_session = p["MaxSessionDuration"]
    await state.save_role(r)
    return {}


async def update_trust(state: IamState, account: str, p: Params) -> Params:
    r = replace(state.role(account, p["RoleName"]))
    documents.check(p["PolicyDocument"], trust=True)
    r.trust = p["PolicyDocument"]
    await state.save_role(r)
    return {}


async def delete(state: IamState, account: str, p: Params) -> Params:
    r = state.role(account, p["RoleName"])
    if r.attached:
        raise errors.delete_conflict("Cannot delete entity, must detach all policies first.")
    if r.inline:
        raise errors.delete_conflict("Cannot delete entity, must delete policies first.")
    await state.delete_role(r)
    return {}


# -- inline policies
async def put_policy(state: IamState, account: str, p: Params) -> Params:
    r = replace(state.role(account, p["RoleName"]))
    documents.check(p["PolicyDocument"])
    r.inline = {**r.inline, p["PolicyName"]: p["PolicyDocument"]}
    if sum(len(n) + len(d) for n, d in r.inline.items()) > documents.MAX_INLINE:
        raise errors.limit(f"Maximum policy size of {documents.MAX_INLINE} bytes exceeded for role {r.name}")
    await state.save_role(r)
    return {}


async def get_policy(state: IamState, account: str, p: Params) -> Params:
    r = state.role(account, p["RoleName"])
    doc = r.inline.get(p["PolicyName"])
    if doc is None:
        raise errors.no_such_entity(f"The role policy with name {p['PolicyName']} cannot be found.")
    return {"RoleName": r.name, "PolicyName": p["PolicyName"], "PolicyDocument": documents.encoded(doc)}


async def list_policies(state: IamState, account: str, p: Params) -> Params:
    r = state.role(account, p["RoleName"])
    chunk, more = page(sorted(r.inline), p, lambda n: n)
    return {"PolicyNames": chunk, **more}


async def delete_policy(state: IamState, account: str, p: Params) -> Params:
    r = replace(state.role(account, p["RoleName"]))
    if p["PolicyName"] not in r.inline:
        raise errors.no_such_entity(f"The role policy with name {p['PolicyName']} cannot be found.")
    r.inline = {k: v for k, v in r.inline.items() if k != p["PolicyName"]}
    await state.save_role(r)
    return {}


# -- attached managed policies
async def attach(state: IamState, account: str, p: Params) -> Params:
    r = replace(state.role(account, p["RoleName"]))
    arn = p["PolicyArn"]
    state.managed(account, arn)  # exists and is attachable
    if arn not in r.attached:
        if len(r.attached) >= MAX_ATTACHED:
            raise errors.limit(f"Cannot exceed quota for PoliciesPerRole: {MAX_ATTACHED}")
        r.attached = [*r.attached, arn]
        await state.save_role(r)
    return {}


async def detach(state: IamState, account: str, p: Params) -> Params:
    r = replace(state.role(account, p["RoleName"]))
    arn = p["PolicyArn"]
    if arn not in r.attached:
        raise errors.no_such_entity(f"Policy {arn} was not found.")
    r.attached = [a for a in r.attached if a != arn]
    await state.save_role(r)
    return {}


async def list_attached(state: IamState, account: str, p: Params) -> Params:
    r = state.role(account, p["RoleName"])
    prefix = p.get("PathPrefix") or "/"
    attached = []
    for arn in r.attached:
        pol = state.managed(account, arn)
        name, path = (pol.name, pol.path) if isinstance(pol, Policy) else (pol["PolicyName"], pol["Path"])
        if path.startswith(prefix):
            attached.append({"PolicyName": name, "PolicyArn": arn})
    chunk, more = page(sorted(attached, key=lambda a: a["PolicyArn"]), p, lambda a: a["PolicyArn"])
    return {"AttachedPolicies": chunk, **more}


# -- tags
async def tag(state: IamState, account: str, p: Params) -> Params:
    r = replace(state.role(account, p["RoleName"]))
    tags = {t["Key"]: t["Value"] for t in r.tags}
    tags.update({t["Key"]: t["Value"] for t in p["Tags"]})
    if len(tags) > 50:
        raise errors.limit("The number of tags has reached the maximum limit.")
    r.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
    await state.save_role(r)
    return {}


async def untag(state: IamState, account: str, p: Params) -> Params:
    r = replace(state.role(account, p["RoleName"]))
    drop = set(p["TagKeys"])
    r.tags = [t for t in r.tags if t["Key"] not in drop]
    await state.save_role(r)
    return {}


async def list_tags(state: IamState, account: str, p: Params) -> Params:
    r = state.role(account, p["RoleName"])
    chunk, more = page(r.tags, p, lambda t: t["Key"])
    return {"Tags": chunk, **more}
