"""AWS managed policies, as published by AWS, loaded from the JSON files in ``managed/``.

Each file holds one policy: its name, ARN, path, description, default version id, create and
update dates, and the default version's policy document. The set is loaded once, on first use.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

_PACKAGE = "cloudlet.services.iam"
_FOLDER = "managed"


@cache
def _load() -> dict[str, dict[str, Any]]:
    policies: dict[str, dict[str, Any]] = {}
    for entry in sorted(files(_PACKAGE).joinpath(_FOLDER).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        policy = json.loads(entry.read_text(encoding="utf-8"))
        policies[policy["Arn"]] = policy
    return policies


def managed_policies() -> dict[str, dict[str, Any]]:
    """Every bundled AWS managed policy, keyed by ARN (the same dict on every call: do not mutate)."""
    return _load()
