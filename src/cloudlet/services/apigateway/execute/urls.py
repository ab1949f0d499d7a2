"""Whether a request is for a deployed API, by its URL (LocalStack's conventions, which tools and docs use):

- `http://localhost:4566/restapis/{apiId}/{stage}/_user_request_/{path}`
- `http://{apiId}.execute-api.localhost.localstack.cloud:4566/{stage}/{path}` (by Host header; also
  `{apiId}.execute-api.localhost`)

Kept apart from the plane so the router can ask cheaply on every request.
"""

from __future__ import annotations

from urllib.parse import unquote

from cloudlet.server.http import Request

_USER_REQUEST = "/_user_request_"
_HOST_MARKERS = (".execute-api.localhost.localstack.cloud", ".execute-api.localhost")


def execute_target(request: Request) -> tuple[str, str, str, str] | None:
    """(api id, stage, resource path, domain) when the request is for a deployed API, else None."""
    path = request.path
    if path.startswith("/restapis/") and _USER_REQUEST in path:
        head, _, rest = path.partition(_USER_REQUEST)
        parts = head.split("/")  # ["", "restapis", id, stage]
        if len(parts) != 4:
            return None
        host = request.headers.get("host", "localhost").rsplit(":", 1)[0]
        stage = parts[3]
        return parts[2], unquote(stage) if "%" in stage else stage, rest or "/", host
    host = request.headers.get("host")
    if host and ".execute-api." in host:
        name = host.rsplit(":", 1)[0]
        for marker in _HOST_MARKERS:
            if name.endswith(marker):
                api_id = name[: -len(marker)]
                stage, _, rest = path.lstrip("/").partition("/")
                if not stage:
                    return None
                return api_id, unquote(stage), "/" + rest, name
    return None
