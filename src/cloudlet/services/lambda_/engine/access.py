"""Aliases and the function's resource-based policy (AddPermission / RemovePermission / GetPolicy).

Policies are stored and returned as Lambda builds them; enforcing them is a later issue.
https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from cloudlet.protocol.errors import AwsError
from cloudlet.services.lambda_.engine import errors
from cloudlet.services.lambda_.engine.control import PAGE
from cloudlet.services.lambda_.engine.functions import LATEST, Function, Functions

Params = dict[str, Any]
_ACCOUNT = re.compile(r"\d{12}")


def _qualifier(fn: Function, q: str | None) -> str:
    if q and q != LATEST:
        fn.resolve(q)  # the version or alias must exist
    return q or ""


def _principal(principal: str) -> Any:
    if principal == "*":
        return "*"
    if principal.endswith(".amazonaws.com"):
        return {"Service": principal}
    if _ACCOUNT.fullmatch(principal):
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    return {"AWS": principal}


async def add_permission(fns: Functions, fn: Function, p: Params) -> Params:
    q = _qualifier(fn, p.get("Qualifier"))
    statements = fn.policies.setdefault(q, [])
    sid = p["StatementId"]
    if any(s["Sid"] == sid for s in statements):
        raise AwsError("ResourceConflictException",
                       f"The statement id ({sid}) provided already exists. Please provide a new statement id, "
                       "or remove the existing statement.", 409)
    st: Params = {"Sid": sid, "Effect": "Allow", "Principal": _principal(p["Principal"]), "Action": p["Action"],
                  "Resource": fn.arn if not q else f"{fn.arn}:{q}"}
    condition: Params = {}
    if p.get("SourceAccount"):
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = p["SourceAccount"]
    if p.get("PrincipalOrgID"):
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = p["PrincipalOrgID"]
    if p.get("EventSourceToken"):
        condition.setdefault("StringEquals", {})["lambda:EventSourceToken"] = p["EventSourceToken"]
    if p.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": p["SourceArn"]}
    if condition:
        st["Condition"] = condition
    statements.append(st)
    fn.revision = str(uuid.uuid4())
    await fns.save(fn)
    return {"Statement": json.dumps(st, separators=(",", ":"))}


def get_policy(fn: Function, p: Params) -> Params:
    statements = fn.policies.get(_qualifier(fn, p.get("Qualifier")))
    if not statements:
        raise AwsError("ResourceNotFoundException", "The resource you requested does not exist.", 404)
    doc = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
    return {"Policy": json.dumps(doc, separators=(",", ":")), "RevisionId": fn.revision}


async def remove_permission(fns: Functions, fn: Function, p: Params) -> None:
    q = _qualifier(fn, p.get("Qualifier"))
    statements = fn.policies.get(q, [])
    kept = [s for s in statements if s["Sid"] != p["StatementId"]]
    if len(kept) == len(statements):
        raise AwsError("ResourceNotFoundException",
                       f"Statement {p['StatementId']} is not found in resource policy.", 404)
    fn.policies[q] = kept
    fn.revision = str(uuid.uuid4())
    await fns.save(fn)


# -- aliases
def _alias(fn: Function, name: str) -> Params:
    a = fn.aliases[name]
    d: Params = {"AliasArn": f"{fn.arn}:{name}", "Name": name, "FunctionVersion": str(a["FunctionVersion"]),
                 "Description": a.get("Description", ""), "RevisionId": a["RevisionId"]}
    if a.get("RoutingConfig"):
        d["RoutingConfig"] = a["RoutingConfig"]
    return d


def _check_version(fn: Function, version: str) -> None:
    if version != LATEST and version not in fn.versions:
        raise errors.function_not_found(f"{fn.arn}:{version}")


async def create_alias(fns: Functions, fn: Function, p: Params) -> Params:
    name = p["Name"]
    if name in fn.aliases:
        raise AwsError("ResourceConflictException", f"Alias already exists: {fn.arn}:{name}", 409)
    _check_version(fn, p["FunctionVersion"])
    fn.aliases[name] = {"FunctionVersion": p["FunctionVersion"], "Description": p.get("Description", ""),
                        "RevisionId": str(uuid.uuid4()), "RoutingConfig": p.get("RoutingConfig")}
    await fns.save(fn)
    return _alias(fn, name)


def _existing(fn: Function, name: str) -> None:
    if name not in fn.aliases:
        raise AwsError("ResourceNotFoundException", f"Alias not found: {fn.arn}:{name}", 404)


def get_alias(fn: Function, p: Params) -> Params:
    _existing(fn, p["Name"])
    return _alias(fn, p["Name"])


async def update_alias(fns: Functions, fn: Function, p: Params) -> Params:
    name = p["Name"]
    _existing(fn, name)
    a = fn.aliases[name]
    if p.get("RevisionId") and p["RevisionId"] != a["RevisionId"]:
        raise errors.revision_mismatch()
    if p.get("FunctionVersion"):
        _check_version(fn, p["FunctionVersion"])
        a["FunctionVersion"] = p["FunctionVersion"]
    for member in ("Description", "RoutingConfig"):
        if member in p:
            a[member] = p[member]
    a["RevisionId"] = str(uuid.uuid4())
    await fns.save(fn)
    return _alias(fn, name)


async def delete_alias(fns: Functions, fn: Function, p: Params) -> None:
    fn.aliases.pop(p["Name"], None)  # deleting a missing alias succeeds, as on AWS
    await fns.save(fn)


def list_aliases(fn: Function, p: Params) -> Params:
    names = sorted(n for n, a in fn.aliases.items()
                   if not p.get("FunctionVersion") or str(a["FunctionVersion"]) == p["FunctionVersion"])
    if p.get("Marker"):
        names = [n for n in names if n > p["Marker"]]
    limit = p.get("MaxItems") or PAGE
    out: Params = {"Aliases": [_alias(fn, n) for n in names[:limit]]}
    if len(names) > limit:
        out["NextMarker"] = names[limit - 1]
    return out
