"""Lambda functions: configuration, code, published versions, tags, reserved concurrency.

Kept in memory and persisted as one metadata document per function, so code and configuration
survive restarts. Functions are Active as soon as they exist (SDK waiters `function_active_v2`
and `function_updated_v2` pass at once).
https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from cloudlet.services.iam.engine.state import IamState
from cloudlet.services.lambda_.engine import errors
from cloudlet.services.lambda_.engine.code import HOT_RELOAD_BUCKET, Code, CodeStore
from cloudlet.store.base import Store, Txn

NS = "lambda/functions"
LATEST = "$LATEST"
# Runtimes cloudlet runs on the host's interpreters (see docs/lambda.md).
RUNTIMES = frozenset(("python3.9", "python3.10", "python3.11", "python3.12", "python3.13",
                      "nodejs18.x", "nodejs20.x", "nodejs22.x"))
CONFIG_KEYS = ("Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", "Environment",
                "TracingConfig", "DeadLetterConfig", "VpcConfig", "KMSKeyArn", "Layers", "EphemeralStorage",
                "LoggingConfig", "Architectures", "FileSystemConfigs", "SnapStart")


def lambda_time(t: float) -> str:
    """Lambda's LastModified format: 2026-11-21T14:30:00.000+0000."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}+0000"


@dataclass
class Function:
    account: str
    region: str
    name: str
    config: dict[str, Any]  # the user-settable configuration members, as sent
    code: dict[str, Any]  # Code fields: sha256, size, directory, hot_reload
    modified: float
    revision: str
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)  # "1" -> frozen config + code
    next_version: int = 1
    tags: dict[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    aliases: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> FunctionVersion, Description, ...
    policies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # qualifier ("" = none) -> statements

    def resolve(self, qualifier: str | None) -> str:
        """The version a qualifier (none, $LATEST, a version number or an alias name) stands for."""
        if not qualifier or qualifier == LATEST:
            return LATEST
        if qualifier in self.versions:
            return qualifier
        alias = self.aliases.get(qualifier)
        if alias is not None:
            return str(alias["FunctionVersion"])
        raise errors.function_not_found(f"{self.arn}:{qualifier}")

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.name}"

    def describe(self, version: str = LATEST) -> dict[str, Any]:
        if version == LATEST:
            config, code, modified, revision = self.config, self.code, self.modified, self.revision
        else:
            v = self.versions[version]
            config, code, modified, revision = v["config"], v["code"], v["modified"], v["revision"]
        d: dict[str, Any] = {
            "FunctionName": self.name,
            "FunctionArn": self.arn if version == LATEST else f"{self.arn}:{version}",
            "Runtime": config["Runtime"],
            "Role": config["Role"],
            "Handler": config["Handler"],
            "CodeSize": code["size"],
            "Description": config.get("Description", ""),
            "Timeout": config.get("Timeout", 3),
            "MemorySize": config.get("MemorySize", 128),
            "LastModified": lambda_time(modified),
            "CodeSha256": code["sha256"],
            "Version": version,
            "TracingConfig": config.get("TracingConfig") or {"Mode": "PassThrough"},
            "RevisionId": revision,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": config.get("Architectures") or ["x86_64"],
            "EphemeralStorage": config.get("EphemeralStorage") or {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": config.get("LoggingConfig")
            or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.name}"},
        }
        env = config.get("Environment")
        if env and env.get("Variables") is not None:
            d["Environment"] = {"Variables": env["Variables"]}
        for key in ("DeadLetterConfig", "KMSKeyArn", "Layers"):
            if config.get(key):
                d[key] = config[key]
        if config.get("VpcConfig"):
            d["VpcConfig"] = {**config["VpcConfig"], "VpcId": ""}
        return d


class Functions:
    def __init__(self, store: Store, iam: IamState, code: CodeStore) -> None:
        self.store = store
        self.iam = iam
        self.code = code
        self._fns: dict[str, Function] = {}

    async def load(self) -> None:
        docs = await self.store.run(lambda txn: txn.meta_list(NS))
        self._fns = {k: Function(**orjson.loads(v)) for k, v in docs}

    def clear(self) -> None:
        self._fns.clear()

    @staticmethod
    def _key(account: str, region: str, name: str) -> str:
        return f"{account}/{region}/{name}"

    def get(self, account: str, region: str, name_or_arn: str) -> Function:
        """By name, partial ARN (account:function:name) or full ARN; a qualifier is not part of it."""
        name = name_or_arn
        if ":" in name:
            parts = name.split(":")
            if name.startswith("arn:") and len(parts) >= 7:
                region, account, name = parts[3], parts[4], parts[6]
            elif len(parts) >= 3 and parts[1] == "function":
                account, name = parts[0], parts[2]
        fn = self._fns.get(self._key(account, region, name))
        if fn is None:
            raise errors.function_not_found(f"arn:aws:lambda:{region}:{account}:function:{name}")
        return fn

    def list(self, account: str, region: str) -> list[Function]:
        prefix = f"{account}/{region}/"
        return sorted((f for k, f in self._fns.items() if k.startswith(prefix)), key=lambda f: f.name)

    async def save(self, fn: Function) -> None:
        doc = orjson.dumps(asdict(fn))
        key = self._key(fn.account, fn.region, fn.name)
        await self.store.run(lambda txn: txn.meta_put(NS, key, doc), write=True)
        self._fns[key] = fn

    async def delete(self, fn: Function) -> None:
        key = self._key(fn.account, fn.region, fn.name)

        def work(txn: Txn) -> None:
            txn.meta_delete(NS, key)

        await self.store.run(work, write=True)
        self._fns.pop(key, None)

    # -- rules shared by create and update
    def check_config(self, config: dict[str, Any]) -> None:
        runtime = config.get("Runtime")
        if runtime is not None and runtime not in RUNTIMES:
            raise errors.unsupported_runtime(runtime)
        role = config.get("Role")
        if role is not None and self.iam.role_by_arn(role) is None:
            raise errors.bad_role()

    def load_code(self, code: dict[str, Any]) -> Code:
        if code.get("S3Bucket") == HOT_RELOAD_BUCKET:
            return self.code.hot_reload(code.get("S3Key") or "")
        if code.get("ZipFile") is not None:
            return self.code.from_zip(code["ZipFile"])
        if code.get("ImageUri"):
            raise errors.invalid("cloudlet runs Zip functions only; container images are not supported")
        raise errors.invalid("cloudlet takes function code as ZipFile (or S3Bucket='hot-reload' with S3Key=<dir>); "
                             "S3 buckets are not served yet")

    async def create(self, account: str, region: str, p: dict[str, Any]) -> Function:
        name = p["FunctionName"]
        if self._key(account, region, name) in self._fns:
            raise errors.exists(name)
        if p.get("PackageType", "Zip") != "Zip":
            raise errors.invalid("cloudlet runs Zip functions only; container images are not supported")
        for member in ("Runtime", "Handler"):
            if not p.get(member):
                raise errors.invalid(f"{member} must be specified for Zip package type functions")
        config = {k: p[k] for k in CONFIG_KEYS if k in p}
        self.check_config(config)
        code = self.load_code(p["Code"])
        fn = Function(account, region, name, config, asdict(code), time.time(), str(uuid.uuid4()),
                      tags=dict(p.get("Tags") or {}))
        if p.get("Publish"):
            self.publish(fn, "")
        await self.save(fn)
        return fn

    def publish(self, fn: Function, description: str) -> str:
        """Freeze $LATEST as the next version (unless the newest version already has this code and config)."""
        if fn.versions:
            newest = fn.versions[str(fn.next_version - 1)]
            if newest["code"]["sha256"] == fn.code["sha256"] and newest["config"] == fn.config:
                return str(fn.next_version - 1)
        v = str(fn.next_version)
        config = dict(fn.config)
        if description:
            config["Description"] = description
        fn.versions[v] = {"config": config, "code": dict(fn.code), "modified": time.time(),
                          "revision": str(uuid.uuid4())}
        fn.next_version += 1
        return v
