"""Settings: command-line flags over CLOUDLET_* environment variables over defaults."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

STORES = ("sqlite", "memory")
DURABILITIES = ("process", "os", "full")
HTTP_SERVERS = ("cloudlet", "asgi")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: str = "./.cloudlet"
    store: str = "sqlite"
    durability: str = "process"
    cache_mib: int = 16  # SQLite page cache: the server's memory for hot pages (bounded)
    http: str = "cloudlet"
    account_id: str = "000000000000"
    default_region: str = "us-east-1"
    log_level: str = "warning"
    lambda_max_environments: int = 64  # running Lambda environments at once (the account concurrency)
    lambda_idle_s: float = 600.0  # an environment unused this long is stopped
    lambda_retry_s: float = 60.0  # first retry of a failed Event invoke (the second waits twice as long)

    @property
    def endpoint(self) -> str:
        """cloudlet's own URL as clients on this machine reach it."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def code_dir(self) -> str:
        """Lambda code (zips and their unpacked folders); also on disk with the memory store."""
        if self.store == "memory":
            return os.path.join(tempfile.gettempdir(), f"cloudlet-code-{os.getpid()}")
        return os.path.join(self.data_dir, "lambda", "code")

    @property
    def db_path(self) -> str | None:
        if self.store == "memory":
            return None
        return os.path.join(self.data_dir, "cloudlet.db")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ) if env is None else env
        values: dict[str, object] = {}
        for name, conv in (
            ("host", str), ("port", int), ("data_dir", str), ("store", str), ("durability", str),
            ("cache_mib", int), ("http", str),
            ("account_id", str), ("default_region", str), ("log_level", str),
            ("lambda_max_environments", int), ("lambda_idle_s", float), ("lambda_retry_s", float),
        ):
            raw = env.get("CLOUDLET_" + name.upper())
            if raw:
                values[name] = conv(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.store not in STORES:
            raise ValueError(f"unknown store {settings.store!r}; choose one of {', '.join(STORES)}")
        if settings.durability not in DURABILITIES:
            raise ValueError(
                f"unknown durability {settings.durability!r}; choose one of {', '.join(DURABILITIES)}"
            )
        if settings.cache_mib < 1:
            raise ValueError(f"cache size must be at least 1 MiB, not {settings.cache_mib}")
        if settings.http not in HTTP_SERVERS:
            raise ValueError(f"unknown http server {settings.http!r}; choose one of {', '.join(HTTP_SERVERS)}")
        return settings
