"""Resources: the path tree of an API ("/", "/pets", "/pets/{id}", "/{proxy+}").

https://docs.aws.amazon.com/apigateway/latest/api/API_CreateResource.html
https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateResource.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html
(path parts: literal, `{param}`, or greedy `{proxy+}`, which can have no children)
"""

from __future__ import annotations

import re
from typing import Any

from cloudlet.services.apigateway.engine import errors
from cloudlet.services.apigateway.engine.apis import RestApi, RestApis, paginate
from cloudlet.services.apigateway.engine.definition import ApiDefinition
from cloudlet.services.apigateway.engine.ids import unique_id
from cloudlet.services.apigateway.engine.patch import Field, PatchTable

Doc = dict[str, Any]
# Literal parts take a-zA-Z0-9._- as AWS's message says, and ":" and "@" which the console accepts
# (aws/aws-cdk#22477, e.g. "events:batch").
_LITERAL = re.compile(r"[A-Za-z0-9._\-:@]+")
_VARIABLE = re.compile(r"\{[A-Za-z0-9._\-]+\+?\}")

RESOURCE_PATCH = PatchTable(Field("/pathPart"), Field("/parentId"))


def find(definition: ApiDefinition, resource_id: str) -> Doc:
    r = definition.resources.get(resource_id)
    if r is None:
        raise errors.resource_not_found()
    return r


def render(resource: Doc, embed_methods: bool) -> Doc:
    """Resource as GetResource returns it: without embed=methods, each method as an empty object."""
    out = {k: v for k, v in resource.items() if k != "resourceMethods"}
    methods = resource.get("resourceMethods")
    if methods:
        out["resourceMethods"] = methods if embed_methods else {m: {} for m in methods}
    return out


def is_variable(part: str) -> bool:
    return part.startswith("{")


def check_part(definition: ApiDefinition, parent: Doc, part: str | None, self_id: str | None = None) -> None:
    """AWS's rules for a path part under `parent` (self_id: the resource being renamed or moved)."""
    if not part:
        raise errors.bad_request("Resource's path part must be specified")
    if not (_LITERAL.fullmatch(part) or _VARIABLE.fullmatch(part)):
        raise errors.bad_request(
            "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end.")
    parent_part = parent.get("pathPart", "")
    if parent_part.endswith("+}"):
        raise errors.bad_request(  # (unconfirmed)
            f"Cannot create a child of a resource with a greedy path variable: {parent_part}")
    for sibling in children(definition, parent["id"]):
        if sibling["id"] == self_id:
            continue
        if sibling["pathPart"] == part:
            raise errors.conflict(f"Another resource with the same parent already has this name: {part}")
        if is_variable(part) and is_variable(sibling["pathPart"]):
            raise errors.bad_request(
                f"A sibling ({sibling['pathPart']}) of this resource already has a variable path part -- "
                "only one is allowed")


def children(definition: ApiDefinition, parent_id: str) -> list[Doc]:
    return [r for r in definition.resources.values() if r.get("parentId") == parent_id]


def subtree(definition: ApiDefinition, resource_id: str) -> list[str]:
    """resource_id and the ids of all its descendants."""
    out, todo = [], [resource_id]
    while todo:
        rid = todo.pop()
        out.append(rid)
        todo.extend(r["id"] for r in children(definition, rid))
    return out


def child_path(parent: Doc, part: str) -> str:
    return ("" if parent["path"] == "/" else parent["path"]) + "/" + part


def repath(definition: ApiDefinition, resource_id: str) -> None:
    """Recompute the paths of resource_id's subtree from its parent's path."""
    todo = [resource_id]
    while todo:
        r = definition.resources[todo.pop()]
        r["path"] = child_path(definition.resources[r["parentId"]], r["pathPart"])
        todo.extend(c["id"] for c in children(definition, r["id"]))


async def create(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    definition = api.draft
    parent = find(definition, p["parentId"])
    part = p.get("pathPart")
    check_part(definition, parent, part)
    rid = unique_id(definition.resources)
    resource = {"id": rid, "parentId": parent["id"], "pathPart": part, "path": child_path(parent, str(part))}
    definition.resources[rid] = resource
    await apis.save(api)
    return render(resource, False)


def get(api: RestApi, p: Doc) -> Doc:
    return render(find(api.draft, p["resourceId"]), "methods" in (p.get("embed") or []))


def list_resources(api: RestApi, p: Doc) -> Doc:
    embed = "methods" in (p.get("embed") or [])
    items, position = paginate(((f"{r['path']}\0{r['id']}", render(r, embed)) for r in api.draft.resources.values()),
                               p)
    return {"items": items, "position": position}


async def update(apis: RestApis, api: RestApi, p: Doc) -> Doc:
    definition = api.draft
    current = find(definition, p["resourceId"])
    changed = RESOURCE_PATCH.apply(current, p.get("patchOperations") or [])
    if current["id"] == definition.root_id():
        if changed != current:
            raise errors.bad_request("Cannot modify the root resource")  # (unconfirmed)
        return render(current, False)
    parent_id = changed.get("parentId")
    parent = definition.resources.get(parent_id or "")
    if parent is None:
        raise errors.resource_not_found()
    if parent_id in subtree(definition, current["id"]):
        raise errors.bad_request("Cannot move a resource under itself or its descendants")  # (unconfirmed)
    check_part(definition, parent, changed.get("pathPart"), current["id"])
    if is_variable(str(changed["pathPart"])) and str(changed["pathPart"]).endswith("+}") and children(
            definition, current["id"]):
        raise errors.bad_request(  # (unconfirmed)
            f"Cannot create a child of a resource with a greedy path variable: {changed['pathPart']}")
    definition.resources[current["id"]] = changed
    repath(definition, current["id"])
    await apis.save(api)
    return render(changed, False)


async def delete(apis: RestApis, api: RestApi, p: Doc) -> None:
    definition = api.draft
    resource = find(definition, p["resourceId"])
    if resource["id"] == definition.root_id():
        raise errors.bad_request("Cannot delete root resource")  # (unconfirmed)
    for rid in subtree(definition, resource["id"]):
        del definition.resources[rid]
    await apis.save(api)
