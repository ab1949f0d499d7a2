"""The environment variables of a function's process, as Lambda sets them.
https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime

Reserved variables are always Lambda's (CreateFunction refuses them; `RESERVED` is exported for
that check); the unreserved defaults (LANG, PATH, LD_LIBRARY_PATH, PYTHONPATH, NODE_PATH, the X-Ray
ones) can be replaced by the function's own variables. The host's environment is not inherited:
the process sees only what is built here. AWS_ENDPOINT_URL (not a Lambda variable) points the
function's SDK calls at cloudlet; a function may set its own.
"""

from __future__ import annotations

import os
import sys
from typing import Protocol

from cloudlet.services.lambda_.runtime.runtimes import BOOTSTRAP_DIR, Runtime

NODE_SDK = os.path.join(sys.prefix, "lambda-node", "node_modules")

RESERVED = frozenset((
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ",
))


class _Spec(Protocol):
    function_name: str
    function_version: str
    handler: str
    code_dir: str
    memory_mb: int
    env: dict[str, str]
    region: str
    log_group: str
    log_stream: str
    endpoint_url: str
    credentials: tuple[str, str, str | None]


def _path(interpreter: str | None) -> str:
    bin_dirs = [os.path.dirname(interpreter)] if interpreter else []
    return ":".join([*bin_dirs, "/usr/local/bin", "/usr/bin/", "/bin", "/opt/bin"])


def spare_env(runtime: Runtime, runtime_api: str, interpreter: str | None) -> dict[str, str]:
    """The environment a pre-started runtime process (spares.py) starts with: what the interpreter
    reads at start, as build_env sets it for every function that can use a spare, and no function's
    variables (those come with its assignment)."""
    env = {
        "LANG": "en_US.UTF-8",
        "PATH": _path(interpreter),
        "TZ": ":UTC",
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "LAMBDA_RUNTIME_DIR": BOOTSTRAP_DIR,
        SPARE_FLAG: "1",
    }
    host_ld = os.environ.get("LD_LIBRARY_PATH")
    env["LD_LIBRARY_PATH"] = ":".join(filter(None, ["/lib64", "/usr/lib64", BOOTSTRAP_DIR,
                                                    os.path.join(BOOTSTRAP_DIR, "lib"), "/opt/lib", host_ld]))
    if runtime.family == "python":
        env["PYTHONPATH"] = BOOTSTRAP_DIR
    return env


SPARE_FLAG = "_CLOUDLET_SPARE"  # set for a pre-started runtime: it asks for its function first


def build_env(spec: _Spec, runtime: Runtime, runtime_api: str, interpreter: str | None = None) -> dict[str, str]:
    task_root = os.path.abspath(spec.code_dir)
    host_ld = os.environ.get("LD_LIBRARY_PATH")  # the host interpreter may need it to start
    env = {
        "LANG": "en_US.UTF-8",
        "PATH": _path(interpreter),
        "LD_LIBRARY_PATH": ":".join(filter(None, [
            "/lib64", "/usr/lib64", BOOTSTRAP_DIR, os.path.join(BOOTSTRAP_DIR, "lib"),
            task_root, os.path.join(task_root, "lib"), "/opt/lib", host_ld,
        ])),
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
        "AWS_ENDPOINT_URL": spec.endpoint_url,
    }
    if runtime.family == "python":
        env["PYTHONPATH"] = f"{task_root}:{BOOTSTRAP_DIR}"
    elif runtime.family == "nodejs":
        # Like AWS's /var/runtime/node_modules: the SDK v3 `make` installs next to cloudlet's Python.
        env["NODE_PATH"] = f"/opt/nodejs/node_modules:{NODE_SDK}:{task_root}/node_modules"
    env.update(spec.env)
    access_key, secret_key, session_token = spec.credentials
    env.update({
        "_HANDLER": spec.handler,
        "AWS_REGION": spec.region,
        "AWS_DEFAULT_REGION": spec.region,
        "AWS_EXECUTION_ENV": runtime.execution_env,
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": spec.function_version,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": spec.log_stream,
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "LAMBDA_TASK_ROOT": task_root,
        "LAMBDA_RUNTIME_DIR": BOOTSTRAP_DIR,
        "TZ": ":UTC",
    })
    for name in ("AWS_SESSION_TOKEN", "AWS_ACCESS_KEY", "_X_AMZN_TRACE_ID"):
        env.pop(name, None)  # reserved: a function's own value never reaches the process
    if session_token:
        env["AWS_SESSION_TOKEN"] = session_token
    return env
