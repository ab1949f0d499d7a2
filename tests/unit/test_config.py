"""Settings: flags override CLOUDLET_* environment variables, which override defaults."""

from __future__ import annotations

import pytest

from cloudlet.config import Settings


def test_defaults() -> None:
    s = Settings.from_env({})
    assert (s.host, s.port, s.data_dir, s.store, s.durability, s.http) == (
        "127.0.0.1", 4566, "./.cloudlet", "sqlite", "process", "cloudlet"
    )
    assert s.db_path == "./.cloudlet/cloudlet.db"
    assert s.cache_mib == 16


def test_env_then_flags() -> None:
    env = {"CLOUDLET_PORT": "4567", "CLOUDLET_DATA_DIR": "/tmp/x", "CLOUDLET_STORE": "memory"}
    s = Settings.from_env(env)
    assert (s.port, s.data_dir, s.store, s.db_path) == (4567, "/tmp/x", "memory", None)
    s = Settings.from_env(env, port=5000, store="sqlite")
    assert (s.port, s.store, s.db_path) == (5000, "sqlite", "/tmp/x/cloudlet.db")


def test_cache_size() -> None:
    assert Settings.from_env({"CLOUDLET_CACHE_MIB": "64"}).cache_mib == 64
    assert Settings.from_env({"CLOUDLET_CACHE_MIB": "64"}, cache_mib=8).cache_mib == 8


@pytest.mark.parametrize("bad", [{"store": "redis"}, {"durability": "maybe"}, {"http": "gunicorn"},
                                 {"cache_mib": 0}])
def test_unknown_choices_are_refused(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        Settings.from_env({}, **bad)
