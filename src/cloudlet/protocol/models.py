"""AWS service models, read straight from the JSON files botocore ships.

botocore's model files are the machine-readable contract for every API cloudlet speaks. Its
Python classes for them (`botocore.model`) import botocore's whole HTTP stack (~150 ms, half of
cloudlet's start-up), so this module reads the same files into a small model with the same
attribute names (`ServiceModel.operation_model(op).input_shape`, `Shape.name`, `.type_name`,
`.members`, `.required_members`, `.metadata`, `.serialization`, `.member`, `.key`, `.value`).
"""

from __future__ import annotations

import gzip
import json
import os
from functools import cache, cached_property
from typing import Any

import botocore  # the package only (its data folder); no botocore submodule is imported

_DATA = os.path.join(os.path.dirname(botocore.__file__), "data")

# The shape traits botocore exposes as `metadata` and as `serialization`.
_METADATA = frozenset((
    "required", "min", "max", "pattern", "sensitive", "enum", "idempotencyToken", "error",
    "exception", "endpointdiscoveryid", "retryable", "document", "union", "contextParam",
    "clientContextParams", "requiresLength",
))
_SERIALIZED = frozenset((
    "locationName", "queryName", "flattened", "location", "payload", "streaming", "timestampFormat",
    "xmlNamespace", "resultWrapper", "xmlAttribute", "eventstream", "event", "eventheader",
    "eventpayload", "jsonvalue", "hostLabel",
))


class Shape:
    def __init__(self, model: ServiceModel, name: str, ref: dict[str, Any] | None = None) -> None:
        self._model = model
        self.name = name
        self._def: dict[str, Any] = model.shapes[name]
        self.type_name: str = self._def["type"]
        self.metadata = {k: v for k, v in self._def.items() if k in _METADATA}
        self.serialization = {k: v for k, v in self._def.items() if k in _SERIALIZED}
        if ref:  # member-level traits override the target shape's
            self.serialization.update((k, v) for k, v in ref.items() if k in _SERIALIZED)

    def __repr__(self) -> str:
        return f"<Shape {self.name} ({self.type_name})>"

    @property
    def enum(self) -> list[str]:
        return list(self._def.get("enum", ()))

    @property
    def required_members(self) -> list[str]:
        return list(self._def.get("required", ()))

    @cached_property
    def members(self) -> dict[str, Shape]:
        return {n: self._model.resolve(ref) for n, ref in self._def.get("members", {}).items()}

    @cached_property
    def member(self) -> Shape:
        return self._model.resolve(self._def["member"])

    @cached_property
    def key(self) -> Shape:
        return self._model.resolve(self._def["key"])

    @cached_property
    def value(self) -> Shape:
        return self._model.resolve(self._def["value"])


class OperationModel:
    def __init__(self, model: ServiceModel, name: str) -> None:
        self.name = name
        self._def = model.operations[name]
        ref = self._def.get("input")
        self.input_shape: Shape | None = model.resolve(ref) if ref else None
        self.http: dict[str, Any] = self._def.get("http", {})


class ServiceModel:
    def __init__(self, doc: dict[str, Any], service_name: str) -> None:
        self.service_name = service_name
        self.metadata: dict[str, Any] = doc["metadata"]
        self.operations: dict[str, Any] = doc["operations"]
        self.shapes: dict[str, Any] = doc["shapes"]
        self._plain: dict[str, Shape] = {}
        self._ops: dict[str, OperationModel] = {}

    @property
    def operation_names(self) -> list[str]:
        return list(self.operations)

    def operation_model(self, name: str) -> OperationModel:
        op = self._ops.get(name)
        if op is None:
            op = self._ops[name] = OperationModel(self, name)
        return op

    def resolve(self, ref: dict[str, Any]) -> Shape:
        name = ref["shape"]
        if any(k in _SERIALIZED for k in ref):
            return Shape(self, name, ref)
        shape = self._plain.get(name)
        if shape is None:
            shape = self._plain[name] = Shape(self, name)
        return shape


@cache  # models are immutable data
def service_model(name: str) -> ServiceModel:
    """The newest API version of `name` among botocore's data files."""
    folder = os.path.join(_DATA, name)
    version = max(v for v in os.listdir(folder) if os.path.isdir(os.path.join(folder, v)))
    path = os.path.join(folder, version, "service-2.json")
    if os.path.exists(path):
        with open(path, "rb") as f:
            doc = json.load(f)
    else:
        with gzip.open(path + ".gz", "rb") as f:
            doc = json.load(f)
    return ServiceModel(doc, name)
