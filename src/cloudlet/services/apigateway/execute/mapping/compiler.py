"""The adapter over airspeed (a Python Velocity engine): parse once, then fit the parsed tree to
API Gateway's Velocity where airspeed's Python semantics differ.

airspeed-ext already follows API Gateway where it matters most (undefined references render as
nothing, `#if` on an undefined reference is true, as AWS does). After parsing we walk the tree and
adjust single nodes of this template only (the one global addition is strings.py's Java methods):
- `[..]` and `{..}` literals build Java-printing lists and maps (`[a, b]`, `{k=v}`);
- `+` joins strings like Java (`"n" + 1`), `/` and `%` are Java integer arithmetic on integers,
  comparisons with null or unlike types are false instead of a Python TypeError, `==` compares the
  string forms of unlike types as Velocity does (`"5" == 5`);
- names starting with `_` are looked up as map keys only, never as Python attributes, so a template
  cannot reach interpreter internals (`$x.__class__`).
"""

from __future__ import annotations

import math
import operator
import types
from collections.abc import Callable
from typing import Any

import airspeed
from airspeed import operators as ops

from cloudlet.services.apigateway.execute.mapping.model import MappingError
from cloudlet.services.apigateway.execute.mapping.render import java_str
from cloudlet.services.apigateway.execute.mapping.values import JList, JMap

_NUMBER = (int, float)


def _is_number(v: Any) -> bool:
    return isinstance(v, _NUMBER) and not isinstance(v, bool)


def _arith(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if not (_is_number(a) and _is_number(b)):
            return None  # Velocity logs and yields null for arithmetic on non-numbers
        return op(a, b)

    return apply


_plus = _arith(operator.add)


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, str) or isinstance(b, str):
        return java_str(a) + java_str(b)
    return _plus(a, b)


def _div(a: Any, b: Any) -> Any:
    if not (_is_number(a) and _is_number(b)) or b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int):
        q = abs(a) // abs(b)  # Java truncates toward zero
        return q if (a < 0) == (b < 0) else -q
    return a / b


def _mod(a: Any, b: Any) -> Any:
    if not (_is_number(a) and _is_number(b)) or b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return a - b * _div(a, b)  # Java's remainder takes the dividend's sign
    return math.fmod(a, b)


def _java_eq(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if (isinstance(a, dict) and isinstance(b, dict)) or (isinstance(a, list) and isinstance(b, list)):
        return bool(a == b)
    return java_str(a) == java_str(b)  # unlike classes: Velocity compares their toString()


def _compare(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], bool]:
    def apply(a: Any, b: Any) -> bool:
        try:
            return bool(op(a, b))
        except TypeError:
            return False

    return apply


_OPERATOR_FIXES: dict[Any, Callable[[Any, Any], Any]] = {
    operator.add: _add,
    operator.sub: _arith(operator.sub),
    operator.mul: _arith(operator.mul),
    operator.floordiv: _div,
    operator.mod: _mod,
    operator.eq: _java_eq,
    operator.ne: lambda a, b: not _java_eq(a, b),
    operator.gt: _compare(operator.gt),
    operator.ge: _compare(operator.ge),
    operator.lt: _compare(operator.lt),
    operator.le: _compare(operator.le),
}


def _wrap_result(calc: Callable[..., Any], kind: type) -> Callable[..., Any]:
    def calculate(namespace: Any, loader: Any) -> Any:
        return kind(calc(namespace, loader))

    return calculate


def _keys_only(el: Any) -> Callable[..., Any]:
    name = el.name

    def calculate(current_object: Any, loader: Any, top_namespace: Any) -> Any:
        if el.parameters is not None:
            return None
        try:
            result = current_object[name]
        except (KeyError, TypeError, IndexError, AttributeError):
            return None
        if el.index is not None and result is not None:
            try:
                result = result[el.index.calculate(top_namespace, loader)]
            except (KeyError, TypeError, IndexError):
                return None
        return result

    return calculate


def _fit(el: Any) -> None:
    if isinstance(el, ops.ArrayLiteral):
        el.calculate = _wrap_result(el.calculate, JList)
    elif isinstance(el, ops.DictionaryLiteral):
        el.calculate = _wrap_result(el.calculate, JMap)
    elif isinstance(el, ops.NameOrCall) and el.name.startswith("_"):
        el.calculate = _keys_only(el)
    elif isinstance(el, ops.BinaryOperator):
        fix = _OPERATOR_FIXES.get(el.apply_to)
        if fix is not None:
            el.apply_to = fix


def _children(value: Any, out: list[Any]) -> None:
    if isinstance(value, ops._Element):
        out.append(value)
    elif isinstance(value, list | tuple):
        for v in value:
            _children(v, out)
    elif isinstance(value, dict):
        for k, v in value.items():
            _children(k, out)
            _children(v, out)
    elif isinstance(value, types.MethodType) and isinstance(value.__self__, ops._Element):
        out.append(value.__self__)  # e.g. ParenthesizedExpression keeps only `expression.calculate`


def _fit_tree(root: Any) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        el = stack.pop()
        if id(el) in seen:
            continue
        seen.add(id(el))
        found: list[Any] = []
        for value in vars(el).values():
            _children(value, found)
        _fit(el)
        stack.extend(found)


def compile_template(text: str) -> airspeed.Template:
    """Parse a mapping template; MappingError with airspeed's reason if it is not valid Velocity."""
    template = airspeed.Template(text, filename="mapping template")
    try:
        template.ensure_compiled()
    except ops.TemplateSyntaxError as e:
        raise MappingError("Invalid mapping template: " + " ".join(str(e).split())) from None
    except RecursionError:
        raise MappingError("Invalid mapping template: nested too deeply") from None
    except Exception as e:  # airspeed's parser can fail in other ways on odd input
        raise MappingError(f"Invalid mapping template: {type(e).__name__}: {e}") from None
    _fit_tree(template.root_element)
    return template
