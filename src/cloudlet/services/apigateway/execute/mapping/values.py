"""Template-facing values: JSON objects and arrays as Java-like Map/List (methods, toString).

airspeed resolves `$x.name` as `x["name"]` first, then a Python attribute, so the Java method names
templates call (`size()`, `keySet()`, `get(0)`, ...) are attributes here. A missing key yields None
rather than KeyError (`__missing__`), which is both Velocity's null and cheaper than an exception.
"""

from __future__ import annotations

from typing import Any

from cloudlet.services.apigateway.execute.mapping.render import java_double, java_str


class JFloat(float):
    """A JSON number with a fraction: prints as Java's Double does (`1.0E7`, not `10000000.0`)."""

    __slots__ = ()

    def __str__(self) -> str:
        return java_double(self)

    __repr__ = __str__


class JList(list):
    """A JSON array / Java List."""

    __slots__ = ()

    def __str__(self) -> str:
        return java_str(self)

    def size(self) -> int:
        return len(self)

    def get(self, index: int) -> Any:
        return self[index]

    def isEmpty(self) -> bool:
        return not self

    def contains(self, value: Any) -> bool:
        return value in self

    def add(self, value: Any) -> bool:
        self.append(value)
        return True

    def set(self, index: int, value: Any) -> Any:
        old = self[index]
        self[index] = value
        return old

    def indexOf(self, value: Any) -> int:
        return self.index(value) if value in self else -1

    def toString(self) -> str:
        return java_str(self)


class Entry:
    """A Map.Entry from `entrySet()`: `$e.key`, `$e.value`, `$e.getKey()`."""

    __slots__ = ("key", "value")

    def __init__(self, key: Any, value: Any) -> None:
        self.key = key
        self.value = value

    def __getitem__(self, name: str) -> Any:
        if name in ("key", "value"):
            return getattr(self, name)
        raise KeyError(name)

    def getKey(self) -> Any:
        return self.key

    def getValue(self) -> Any:
        return self.value

    def __str__(self) -> str:
        return f"{java_str(self.key)}={java_str(self.value)}"


class JMap(dict):
    """A JSON object / Java Map (insertion-ordered, as Jackson's LinkedHashMap is)."""

    __slots__ = ()

    def __missing__(self, key: Any) -> None:
        return None

    def __str__(self) -> str:
        return java_str(self)

    def size(self) -> int:
        return len(self)

    def isEmpty(self) -> bool:
        return not self

    def keySet(self) -> JList:
        return JList(self)

    def values(self) -> JList:  # type: ignore[override]  # Java's values() is a Collection
        return JList(dict.values(self))

    def entrySet(self) -> JList:
        return JList(Entry(k, v) for k, v in self.items())

    def containsKey(self, key: Any) -> bool:
        return key in self

    def containsValue(self, value: Any) -> bool:
        return value in dict.values(self)

    def put(self, key: Any, value: Any) -> Any:
        old = dict.get(self, key)
        self[key] = value
        return old

    def putAll(self, other: dict[Any, Any]) -> None:
        self.update(other)

    def remove(self, key: Any) -> Any:
        return self.pop(key, None)

    def toString(self) -> str:
        return java_str(self)


class HeaderMap(JMap):
    """`$input.params().header`: HTTP header names match whatever their case."""

    __slots__ = ()

    def __missing__(self, key: Any) -> Any:
        if isinstance(key, str):
            low = key.lower()
            for k, v in self.items():
                if k.lower() == low:
                    return v
        return None

    def get(self, key: Any, default: Any = None) -> Any:  # type: ignore[override]
        v = self[key]
        return default if v is None else v


def to_java(v: Any) -> Any:
    """Plain JSON data (dict/list/float from a parser) as template values; strs and ints stay as they are."""
    t = type(v)
    if t is dict:
        m = JMap(v)
        for k, x in v.items():
            tx = type(x)
            if tx is dict or tx is list or tx is float:
                m[k] = to_java(x)
        return m
    if t is list:
        return JList([to_java(x) if type(x) in _CONVERTED else x for x in v])
    if t is float:
        return JFloat(v)
    return v


_CONVERTED = frozenset((dict, list, float))
