"""Route selection: static parts before `{param}` before `{proxy+}`, exact method before ANY.

https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html
"""

from __future__ import annotations

from cloudlet.services.apigateway.execute.routing import Routes


def _res(rid: str, path: str, *methods: str) -> dict:
    return {"id": rid, "path": path, "resourceMethods": {m: {"httpMethod": m} for m in methods}}


ROUTES = Routes({r["id"]: r for r in [
    _res("root", "/", "GET"),
    _res("pets", "/pets", "GET", "POST"),
    _res("pet", "/pets/{petId}", "GET", "ANY"),
    _res("mine", "/pets/mine", "GET"),
    _res("toys", "/pets/{petId}/toys", "GET"),
    _res("proxy", "/{proxy+}", "ANY"),
    _res("files", "/files/{path+}", "GET"),
    _res("nomethod", "/empty"),
]})


def test_static_beats_param_beats_greedy() -> None:
    assert ROUTES.match("/pets/mine", "GET").resource["id"] == "mine"
    r = ROUTES.match("/pets/7", "GET")
    assert r.resource["id"] == "pet" and r.path_params == {"petId": "7"}
    r = ROUTES.match("/other/x/y", "DELETE")
    assert r.resource["id"] == "proxy" and r.path_params == {"proxy": "other/x/y"}


def test_backtracks_to_a_less_specific_branch() -> None:
    # /pets/mine has no /toys child: the {petId} branch serves it.
    r = ROUTES.match("/pets/mine/toys", "GET")
    assert r.resource["id"] == "toys" and r.path_params == {"petId": "mine"}


def test_any_serves_verbs_without_their_own_method() -> None:
    assert ROUTES.match("/pets/1", "PATCH").method["httpMethod"] == "ANY"
    assert ROUTES.match("/pets/1", "GET").method["httpMethod"] == "GET"


def test_greedy_takes_the_rest_and_decodes() -> None:
    r = ROUTES.match("/files/a/b%20c.txt", "GET")
    assert r.path_params == {"path": "a/b c.txt"}


def test_root_and_trailing_slash() -> None:
    assert ROUTES.match("/", "GET").resource["id"] == "root"
    assert ROUTES.match("/pets/", "POST").resource["id"] == "pets"


def test_unknown_method_on_a_static_resource_falls_to_greedy_or_none() -> None:
    # PUT /pets: /pets has no PUT nor ANY, so no route (AWS answers 403 Missing Authentication Token)...
    routes = Routes({"p": _res("p", "/pets", "GET")})
    assert routes.match("/pets", "PUT") is None
    assert routes.match("/nothing", "GET") is None
    assert ROUTES.match("/empty", "GET") is None
