"""Lambda's control-plane operations on functions, versions, tags and reserved concurrency.

https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from cloudlet.services.lambda_.engine import errors
from cloudlet.services.lambda_.engine.functions import CONFIG_KEYS, LATEST, Function, Functions

Params = dict[str, Any]
PAGE = 50  # ListFunctions / ListVersionsByFunction default page size


def _page(items: list[Any], p: Params, key: Any) -> tuple[list[Any], str | None]:
    marker = p.get("Marker")
    if marker:
        items = [i for i in items if key(i) > marker]
    limit = p.get("MaxItems") or PAGE
    chunk = items[:limit]
    return chunk, (key(chunk[-1]) if len(items) > limit else None)


def _version(fn: Function, qualifier: str | None) -> str:
    return fn.resolve(qualifier)


def code_location(fn: Function, endpoint: str) -> Params:
    if fn.code.get("hot_reload"):
        return {"RepositoryType": "S3", "Location": fn.code["directory"]}
    name = fn.code["directory"].rsplit("/", 1)[-1]
    return {"RepositoryType": "S3", "Location": f"{endpoint}/_cloudlet/lambda/code/{name}.zip"}


async def get_function(fns: Functions, fn: Function, p: Params, endpoint: str) -> Params:
    version = _version(fn, p.get("Qualifier"))
    out: Params = {"Configuration": fn.describe(version), "Code": code_location(fn, endpoint)}
    if fn.tags:
        out["Tags"] = fn.tags
    if fn.reserved_concurrency is not None:
        out["Concurrency"] = {"ReservedConcurrentExecutions": fn.reserved_concurrency}
    return out


def get_configuration(fn: Function, p: Params) -> Params:
    return fn.describe(_version(fn, p.get("Qualifier")))


def list_functions(fns: Functions, account: str, region: str, p: Params) -> Params:
    items: list[Params] = []
    for fn in fns.list(account, region):
        items.append(fn.describe())
        if p.get("FunctionVersion") == "ALL":
            items.extend(fn.describe(v) for v in sorted(fn.versions, key=int))
    chunk, marker = _page(items, p, lambda c: f"{c['FunctionName']}:{c['Version'].zfill(10)}")
    out: Params = {"Functions": chunk}
    if marker:
        out["NextMarker"] = marker
    return out


def _check_revision(fn: Function, p: Params) -> None:
    if p.get("RevisionId") and p["RevisionId"] != fn.revision:
        raise errors.revision_mismatch()


async def update_code(fns: Functions, fn: Function, p: Params) -> Params:
    _check_revision(fn, p)
    source = {k: p[k] for k in ("ZipFile", "S3Bucket", "S3Key", "ImageUri") if p.get(k) is not None}
    code = fns.load_code(source)
    fn.code = {"sha256": code.sha256, "size": code.size, "directory": code.directory, "hot_reload": code.hot_reload}
    fn.modified, fn.revision = time.time(), str(uuid.uuid4())
    version = fns.publish(fn, "") if p.get("Publish") else LATEST
    await fns.save(fn)
    return fn.describe(version)


async def update_configuration(fns: Functions, fn: Function, p: Params) -> Params:
    _check_revision(fn, p)
    changes = {k: p[k] for k in CONFIG_KEYS if k in p}
    fns.check_config(changes)
    fn.config = {**fn.config, **changes}
    fn.modified, fn.revision = time.time(), str(uuid.uuid4())
    await fns.save(fn)
    return fn.describe()


async def delete_function(fns: Functions, fn: Function, p: Params) -> None:
    qualifier = p.get("Qualifier")
    if qualifier and qualifier != LATEST:
        if qualifier not in fn.versions:
            raise errors.function_not_found(f"{fn.arn}:{qualifier}")
        if any(str(a["FunctionVersion"]) == qualifier for a in fn.aliases.values()):
            raise errors.AwsError("ResourceConflictException",
                                  f"Unable to delete version because the following aliases reference it: "
                                  f"{[n for n, a in fn.aliases.items() if str(a['FunctionVersion']) == qualifier]}",
                                  409)
        del fn.versions[qualifier]
        await fns.save(fn)
        return
    if qualifier == LATEST:
        raise errors.invalid("$LATEST version cannot be deleted without deleting the function.")
    await fns.delete(fn)


async def publish_version(fns: Functions, fn: Function, p: Params) -> Params:
    if p.get("CodeSha256") and p["CodeSha256"] != fn.code["sha256"]:
        raise errors.invalid(f"CodeSHA256 ({p['CodeSha256']}) is different from current CodeSHA256 in $LATEST "
                             f"({fn.code['sha256']}). Please try again with the CodeSHA256 in $LATEST.")
    _check_revision(fn, p)
    version = fns.publish(fn, p.get("Description") or "")
    await fns.save(fn)
    return fn.describe(version)


def list_versions(fn: Function, p: Params) -> Params:
    items = [fn.describe()] + [fn.describe(v) for v in sorted(fn.versions, key=int)]
    chunk, marker = _page(items, p, lambda c: c["Version"].zfill(10))
    out: Params = {"Versions": chunk}
    if marker:
        out["NextMarker"] = marker
    return out


# -- tags and concurrency
async def tag(fns: Functions, fn: Function, tags: dict[str, str]) -> None:
    fn.tags = {**fn.tags, **tags}
    if len(fn.tags) > 50:
        raise errors.invalid("Number of tags exceeds resource tag limit.")
    await fns.save(fn)


async def untag(fns: Functions, fn: Function, keys: list[str]) -> None:
    fn.tags = {k: v for k, v in fn.tags.items() if k not in keys}
    await fns.save(fn)


async def put_concurrency(fns: Functions, fn: Function, n: int) -> Params:
    fn.reserved_concurrency = n
    await fns.save(fn)
    return {"ReservedConcurrentExecutions": n}


async def delete_concurrency(fns: Functions, fn: Function) -> None:
    fn.reserved_concurrency = None
    await fns.save(fn)
