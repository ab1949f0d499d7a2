"""Space-delimited filter patterns: `[ip, user, ..., request = "*GET*", status_code = 4* || status_code = 5*, bytes]`.

The message splits on whitespace; text in double quotes or in square brackets is one field (without
its quotes or brackets). Without an ellipsis the last field takes the rest of the message (hence
AWS's advice to end `[w1=ERROR, w2]` with a blank `w2`); `...` stands for any number of fields. A
slot holds conditions joined with && and ||; they may name any field of the pattern, but only those.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html#matching-term-space-delimited-log-events
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Final

from cloudlet.services.logs.engine.filter_common import Pred, invalid, text_test
from cloudlet.services.logs.engine.filter_syntax import Token, Tokens, all_of, lex, parse_or, value_of

_FIELD: Final = re.compile(r'"([^"]*)"|\[([^\]]*)\]|([^ \t\r\n]+)')
_NAME: Final = re.compile(r"[A-Za-z0-9_]+")
_MAX_REGEXES: Final = 2
_ELLIPSIS: Final = ("word", "...")

Values = list[str]
Binder = Callable[[str], "Values | None"]


def compile_delimited(text: str) -> Callable[[str], bool]:
    """The matcher of a whole `[ ... ]` pattern."""
    tokens = lex(text[1:-1], commas=True, selector=None)
    if not tokens:
        invalid()
    if sum(1 for kind, _, _ in tokens if kind == "re") > _MAX_REGEXES:
        invalid()
    layout: list[bool] = []  # per slot: True for an ellipsis
    names: dict[str, int] = {}  # field name -> index among the fields (ellipses excluded)
    conditions: list[list[Token]] = []
    for slot in _slots(tokens):
        if len(slot) == 1 and slot[0][:2] == _ELLIPSIS:
            if not layout or not layout[-1]:  # `..., ...` is one ellipsis
                layout.append(True)
            continue
        if slot:  # the slot's field is the first name in it; an empty slot is an unnamed field
            first = next((tok for tok in slot if tok[0] != "("), None)
            if first is None or first[0] != "word" or not _NAME.fullmatch(first[1]) or first[1] in names:
                invalid()
            name = first[1]
            names[name] = len(layout) - sum(layout)
            if len(slot) > 1:
                conditions.append(slot)
        layout.append(False)
    preds = [_slot_pred(slot, names) for slot in conditions]
    bind = _binder(layout)
    if not preds:
        return lambda message: bind(message) is not None
    pred = all_of(preds)
    if layout.count(True) > 1:
        return lambda message: any(pred(values) for values in _all_bindings(layout, message))
    return lambda message: (values := bind(message)) is not None and pred(values)


def _slots(tokens: list[Token]) -> Iterator[list[Token]]:
    slot: list[Token] = []
    for tok in tokens:
        if tok[0] == ",":
            yield slot
            slot = []
        else:
            slot.append(tok)
    yield slot


def _slot_pred(slot: list[Token], names: dict[str, int]) -> Pred[Values]:
    def condition(toks: Tokens) -> Pred[Values]:
        name = toks.take("word")[1]
        if name not in names:
            invalid()
        op = toks.take("op")[1]
        test = text_test(op, value_of(toks.take()))
        index = names[name]
        return lambda values: test(values[index])

    toks = Tokens(slot)
    pred = parse_or(toks, condition)
    if toks.peek() is not None:
        invalid()
    return pred


# ----------------------------------------------------------------- binding
def _text(field: re.Match[str]) -> str:
    return field[field.lastindex or 0]


def _binder(layout: list[bool]) -> Binder:
    """The values of the fields of a message, or None if it has too few fields for the pattern."""
    count = len(layout) - sum(layout)
    if True not in layout:

        def bind(message: str) -> Values | None:
            fields = list(_FIELD.finditer(message))
            if len(fields) < count:
                return None
            values = [_text(f) for f in fields[: count - 1]]
            last = fields[count - 1]
            values.append(_text(last) if len(fields) == count else message[last.start() : fields[-1].end()])
            return values

        return bind
    head = layout.index(True)
    tail = count - head

    def bind_around(message: str) -> Values | None:
        fields = list(_FIELD.finditer(message))
        if len(fields) < count:
            return None
        return [_text(f) for f in fields[:head]] + [_text(f) for f in fields[len(fields) - tail :]]

    return bind_around


def _all_bindings(layout: list[bool], message: str) -> Iterator[Values]:
    """With several ellipses, every way of laying the fields over the message, leftmost first."""
    texts = [_text(f) for f in _FIELD.finditer(message)]
    picked: list[str] = []

    def place(slot: int, at: int) -> Iterator[Values]:
        if slot == len(layout):
            if at == len(texts):
                yield list(picked)
            return
        if layout[slot]:
            for skip_to in range(at, len(texts) + 1):
                yield from place(slot + 1, skip_to)
        elif at < len(texts):
            picked.append(texts[at])
            yield from place(slot + 1, at + 1)
            picked.pop()

    return place(0, 0)
