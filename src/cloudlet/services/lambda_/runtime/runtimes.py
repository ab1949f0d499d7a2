"""Lambda runtime names → how cloudlet starts them on the host (no containers, no downloaded runtimes).

Every `python3.x` runtime runs on the interpreter cloudlet itself runs on (`sys.executable`): it is
known to work, and it has botocore/boto3 installed, as AWS's Python runtimes do. Every `nodejs*`
runtime runs `node bootstraps/node_bootstrap.js` on the host's `node` (the first on cloudlet's PATH,
whatever its version; the bootstrap needs Node 18+). No AWS SDK is bundled for Node: a function
ships its own `@aws-sdk/*` packages, which read AWS_ENDPOINT_URL by themselves.
https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass

BOOTSTRAP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bootstraps")


class RuntimeUnavailable(Exception):
    """The runtime is unknown, or the host cannot run it (no interpreter, no bootstrap)."""


@dataclass(frozen=True, slots=True)
class Runtime:
    name: str  # e.g. "python3.11"
    family: str  # "python" | "nodejs"
    bootstrap: str  # file in BOOTSTRAP_DIR

    @property
    def execution_env(self) -> str:
        """AWS_EXECUTION_ENV, e.g. AWS_Lambda_python3.11."""
        return f"AWS_Lambda_{self.name}"

    @property
    def bootstrap_path(self) -> str:
        return os.path.join(BOOTSTRAP_DIR, self.bootstrap)

    def command(self) -> list[str]:
        """argv that starts the runtime (its bootstrap) on the host."""
        if not os.path.isfile(self.bootstrap_path):
            raise RuntimeUnavailable(f"the {self.name} runtime is not available yet (no {self.bootstrap})")
        if self.family == "python":
            # -B: no __pycache__ written into the function's code; -s: no user site-packages.
            return [python_interpreter(), "-B", "-s", self.bootstrap_path]
        node = shutil.which("node")
        if node is None:
            raise RuntimeUnavailable(f"the {self.name} runtime needs `node` on the PATH")
        return [node, self.bootstrap_path]


def python_interpreter() -> str:
    exe = sys.executable or shutil.which("python3")
    if not exe:
        raise RuntimeUnavailable("no Python interpreter found for the python runtimes")
    return exe


_PYTHON = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13")
_NODE = ("nodejs18.x", "nodejs20.x", "nodejs22.x")

RUNTIMES: dict[str, Runtime] = {
    **{n: Runtime(n, "python", "python_bootstrap.py") for n in _PYTHON},
    **{n: Runtime(n, "nodejs", "node_bootstrap.js") for n in _NODE},
}


def get_runtime(name: str) -> Runtime:
    try:
        return RUNTIMES[name]
    except KeyError:
        raise RuntimeUnavailable(f"unsupported runtime: {name}") from None
