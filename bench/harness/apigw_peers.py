"""The API Gateway benchmark's servers (cloudlet, MiniStack) and their boto3 setup: an IAM role, a
silent Python function, a REST API with a Lambda-proxy method and a DynamoDB GetItem method (AWS
integration with mapping templates), a deployment, and the `movies` table with one item.

The servers are started as for the Lambda benchmark (MiniStack from PEERS_DIR/ministack-venv,
functions as local processes; ready = ListFunctions answers 200); logs: PEERS_DIR/logs/apigw-NAME.log.
Every setup call is recorded; a call that fails is reported with the exact call and the answer.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import dataclass, field

from . import HOST, peers
from .lambda_peers import LIST_PATH, LambdaCtx, answers_200
from .peers import PeerDef
from .procs import Server, tree_pids

APIGW_PEERS = {
    "cloudlet": PeerDef("ours", True, "cloudlet, default persistent SQLite store"),
    "ministack": PeerDef("peer", False, "MiniStack 1.5.33 (Python, hypercorn), LAMBDA_EXECUTOR=local"),
}
DEFAULT_APIGW_PEERS = list(APIGW_PEERS)

STAGE = "bench"
FUNCTION = "bench-apigw-hello"
RUNTIME = "python3.12"
CODE = 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n'
TABLE = "movies"
MOVIE = {"name": {"S": "inception"}, "movie": {"S": "Inception (2010), Christopher Nolan"}}
LAMBDA_ROLE = "bench-apigw-lambda-role"
APIGW_ROLE = "bench-apigw-dynamodb-role"
REQUEST_TEMPLATE = '{"TableName": "movies", "Key": {"name": {"S": "$input.params(\'name\')"}}}'
RESPONSE_TEMPLATE = ('{"name": "$input.path(\'$.Item.name.S\')", '
                     '"movie": "$input.path(\'$.Item.movie.S\')"}')


def trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


@dataclass(frozen=True)
class PathDef:
    name: str
    what: str
    resource_path: str  # the request path below the stage
    expect: dict | str  # the body: parsed JSON (dict) or the exact text
    expect_lua: str  # a substring wrk's verify pass looks for


PATHS = {
    "proxy": PathDef("proxy", f"GET /hello -> AWS_PROXY -> Lambda {RUNTIME} (silent) -> 200 \"ok\"",
                     "/hello", "ok", "ok"),
    "dynamodb": PathDef("dynamodb", "GET /movies/{name} -> AWS integration dynamodb:action/GetItem, "
                        "request + response mapping templates",
                        f"/movies/{MOVIE['name']['S']}",
                        {"name": MOVIE["name"]["S"], "movie": MOVIE["movie"]["S"]}, MOVIE["movie"]["S"]),
}


def invoke_path(api_id: str, path: PathDef) -> str:
    """The LocalStack-compatible invoke URL path both servers accept (cloudlet: execute/plane.py;
    MiniStack 1.5.33: app.py `_parse_execute_api_url`, its form 3)."""
    return f"/restapis/{api_id}/{STAGE}/_user_request_{path.resource_path}"


class ApigwCtx(LambdaCtx):
    """LambdaCtx (PEERS_DIR, start commands, MiniStack's environment) with this benchmark's servers."""

    def role(self, name: str) -> PeerDef:
        return APIGW_PEERS.get(name) or super().role(name)


def start_server(ctx: ApigwCtx, name: str, timeout: float = 90.0) -> Server:
    """A fresh server (empty data dir), ready when ListFunctions answers 200.
    srv.base_pids = its process tree then (the function processes come later)."""
    srv = peers.start_server(
        ctx, name, timeout, ready=answers_200(LIST_PATH), ready_what="200 to ListFunctions",
        env=lambda port, data: ctx.server_env(name, port, data), log_name=f"apigw-{name}",
    )
    srv.base_pids = set(tree_pids(srv.pid))  # type: ignore[attr-defined]
    return srv


# ------------------------------------------------------------------------------ boto3 setup
class SetupError(Exception):
    """A setup call failed: `call` is what was sent, `answer` what the server said."""

    def __init__(self, call: str, answer: str):
        self.call, self.answer = call, answer
        super().__init__(f"{call} -> {answer}")


@dataclass
class Setup:
    port: int
    api_id: str | None = None
    fn_arn: str | None = None
    calls: list[dict] = field(default_factory=list)  # every call: {"call", "ms", "error"?}
    paths: dict[str, dict] = field(default_factory=dict)  # path name -> {"path", "error"?}

    def __post_init__(self) -> None:
        import boto3  # only for the setup; the timed requests are raw HTTP
        from botocore.config import Config

        kw = dict(endpoint_url=f"http://{HOST}:{self.port}", region_name="us-east-1", aws_access_key_id="test",
                  aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=120))
        self.iam = boto3.client("iam", **kw)
        self.lam = boto3.client("lambda", **kw)
        self.apigw = boto3.client("apigateway", **kw)
        self.ddb = boto3.client("dynamodb", **kw)

    def call(self, client, op: str, **kw) -> dict:
        """client.op(**kw), recorded; errors become SetupError with the call and the answer."""
        shown = {k: ("<zip>" if k == "Code" else v) for k, v in kw.items()}
        text = f"{client.meta.service_model.service_name}.{op}({', '.join(f'{k}={v!r}' for k, v in shown.items())})"
        t0 = time.perf_counter()
        try:
            out = getattr(client, op)(**kw)
        except Exception as e:  # botocore ClientError / connection errors: the server's answer
            answer = _answer(e)
            self.calls.append({"call": text, "ms": round((time.perf_counter() - t0) * 1000, 1), "error": answer})
            raise SetupError(text, answer) from None
        self.calls.append({"call": text, "ms": round((time.perf_counter() - t0) * 1000, 1)})
        return out

    def role(self, name: str, service: str) -> str:
        try:
            return self.call(self.iam, "create_role", RoleName=name,
                             AssumeRolePolicyDocument=trust(service))["Role"]["Arn"]
        except SetupError:
            return self.call(self.iam, "get_role", RoleName=name)["Role"]["Arn"]

    def run(self, paths: list[str]) -> None:
        """The API (and whatever each selected path needs); a failure of one path's calls is
        recorded in paths[name]["error"] and the other path is still set up. Raises SetupError if
        the API itself cannot be created (nothing to measure then)."""
        api = self.call(self.apigw, "create_rest_api", name="cloudlet-bench",
                        endpointConfiguration={"types": ["REGIONAL"]})
        self.api_id = api["id"]
        root = next(r["id"] for r in self.call(self.apigw, "get_resources", restApiId=self.api_id)["items"]
                    if r["path"] == "/")
        for name in paths:
            try:
                getattr(self, f"_{name}")(root)
                self.paths[name] = {}
            except SetupError as e:
                self.paths[name] = {"error": str(e)}
        ok = [n for n in paths if "error" not in self.paths[n]]
        if ok:
            try:
                self.call(self.apigw, "create_deployment", restApiId=self.api_id, stageName=STAGE)
            except SetupError as e:
                for n in ok:
                    self.paths[n] = {"error": str(e)}
        for n in paths:
            self.paths[n]["path"] = invoke_path(self.api_id, PATHS[n])

    def _proxy(self, root: str) -> None:
        role = self.role(LAMBDA_ROLE, "lambda.amazonaws.com")
        fn = self.call(self.lam, "create_function", FunctionName=FUNCTION, Runtime=RUNTIME, Role=role,
                       Handler="index.handler", Code={"ZipFile": zip_code()}, Timeout=30, MemorySize=256)
        self.fn_arn = fn["FunctionArn"]
        self._wait_active()
        res = self.call(self.apigw, "create_resource", restApiId=self.api_id, parentId=root, pathPart="hello")
        self.call(self.apigw, "put_method", restApiId=self.api_id, resourceId=res["id"], httpMethod="GET",
                  authorizationType="NONE")
        self.call(self.apigw, "put_integration", restApiId=self.api_id, resourceId=res["id"], httpMethod="GET",
                  type="AWS_PROXY", integrationHttpMethod="POST",
                  uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{self.fn_arn}/invocations")
        account = self.fn_arn.split(":")[4]
        self.call(self.lam, "add_permission", FunctionName=FUNCTION, StatementId="apigw-bench",
                  Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                  SourceArn=f"arn:aws:execute-api:us-east-1:{account}:{self.api_id}/*/GET/hello")

    def _wait_active(self, timeout: float = 60.0) -> None:
        """GetFunction until State is Active (MiniStack answers Pending first; cloudlet is Active)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.lam.get_function(FunctionName=FUNCTION)["Configuration"].get("State", "Active")
            if state == "Active" or time.monotonic() > deadline:
                return
            time.sleep(0.1)

    def _dynamodb(self, root: str) -> None:
        self.call(self.ddb, "create_table", TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                  KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
                  AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}])
        self.call(self.ddb, "put_item", TableName=TABLE, Item=MOVIE)
        role = self.role(APIGW_ROLE, "apigateway.amazonaws.com")
        movies = self.call(self.apigw, "create_resource", restApiId=self.api_id, parentId=root, pathPart="movies")
        res = self.call(self.apigw, "create_resource", restApiId=self.api_id, parentId=movies["id"],
                        pathPart="{name}")
        ids = dict(restApiId=self.api_id, resourceId=res["id"], httpMethod="GET")
        self.call(self.apigw, "put_method", **ids, authorizationType="NONE",
                  requestParameters={"method.request.path.name": True})
        self.call(self.apigw, "put_integration", **ids, type="AWS", integrationHttpMethod="POST",
                  uri="arn:aws:apigateway:us-east-1:dynamodb:action/GetItem", credentials=role,
                  requestTemplates={"application/json": REQUEST_TEMPLATE})
        self.call(self.apigw, "put_method_response", **ids, statusCode="200")
        self.call(self.apigw, "put_integration_response", **ids, statusCode="200",
                  responseTemplates={"application/json": RESPONSE_TEMPLATE})

    def record(self) -> dict:
        return {"api_id": self.api_id, "function_arn": self.fn_arn, "calls": self.calls, "paths": self.paths}


def zip_code() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", CODE)
    return buf.getvalue()


def _answer(e: Exception) -> str:
    """What the server answered: HTTP status, error code and message (botocore ClientError), else
    the exception."""
    resp = getattr(e, "response", None)
    if isinstance(resp, dict):
        meta, err = resp.get("ResponseMetadata", {}), resp.get("Error", {})
        return (f"HTTP {meta.get('HTTPStatusCode')} {err.get('Code', '')}: {err.get('Message', '')}"[:500]).strip()
    return f"{type(e).__name__}: {e}"[:500]
