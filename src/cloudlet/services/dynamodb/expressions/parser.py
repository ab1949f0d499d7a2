"""Recursive-descent parser for condition, projection and update expressions.

Grammar (keywords are case-insensitive; function names are not):

    condition  := or ;  or := and (OR and)* ;  and := not (AND not)* ;  not := NOT not | predicate
    predicate  := left [comparator operand | BETWEEN operand AND operand | IN "(" operand ("," operand)* ")"]
    left       := operand | "(" condition ")"          (a bare operand is only valid with a tail)
    operand    := path | :value | name "(" operand ("," operand)* ")" | "(" operand ")"
    path       := (name | #name) ("." (name | #name) | "[" digits "]")*
    projection := path ("," path)*
    update     := (SET set ("," set)* | REMOVE path ("," path)* | ADD path :value ("," ...)*
                  | DELETE path :value ("," ...)*)+
    set        := path "=" value ;  value := term [("+" | "-") term]
    term       := path | :value | name "(" term ("," term)* ")" | "(" value ")"

Syntax errors name the first token that cannot continue a valid expression, as DynamoDB does.
Doubly parenthesised expressions are rejected when their second closing parenthesis is read
(DynamoDB reports `(a)between(((b.c)).d)and(c)` as redundant parentheses, not a syntax error).
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from cloudlet.services.dynamodb.expressions import lexer
from cloudlet.services.dynamodb.expressions.lexer import Token
from cloudlet.services.dynamodb.expressions.nodes import (
    Action,
    And,
    Arith,
    Between,
    Call,
    Compare,
    Elem,
    In,
    Node,
    Not,
    Or,
    Path,
    ValueRef,
)

COMPARATORS = frozenset(("=", "<>", "<", "<=", ">", ">="))
CONDITION_KEYWORDS = frozenset(("AND", "OR", "NOT", "BETWEEN", "IN"))
CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
UPDATE_KEYWORDS = frozenset(CLAUSES)
_BOOLEAN = (Compare, Between, In, And, Or, Not)


class ParseError(Exception):
    """A parse failure; `message` is DynamoDB's text without the `Invalid X: ` prefix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Parser:
    def __init__(self, text: str, keywords: frozenset[str]) -> None:
        self.text = text
        self.tokens = lexer.tokenize(text)
        self.i = 0
        self.keywords = keywords
        self.sections: list[str] = []  # update clauses in source order
        self._parened: set[int] = set()

    # ------------------------------------------------------------ tokens
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def fail(self) -> NoReturn:
        tok = self.tokens[self.i]
        near = lexer.near(self.text, self.tokens, self.i)
        raise ParseError(f'Syntax error; token: "{tok.text}", near: "{near}"')

    def at(self, punct: str) -> bool:
        t = self.tokens[self.i]
        return t.kind == lexer.PUNCT and t.text == punct

    def at_keyword(self, word: str) -> bool:
        t = self.tokens[self.i]
        return t.kind == lexer.IDENT and t.text.upper() == word

    def expect(self, punct: str) -> None:
        if not self.at(punct):
            self.fail()
        self.i += 1

    def expect_end(self) -> None:
        if self.tokens[self.i].kind != lexer.EOF:
            self.fail()

    def is_name(self, t: Token) -> bool:
        return t.kind == lexer.NAME or (t.kind == lexer.IDENT and t.text.upper() not in self.keywords)

    def close_paren(self, inner: Node) -> Node:
        """Consume `)` of `( inner )`; two nested pairs around one thing are redundant."""
        self.expect(")")
        if id(inner) in self._parened:
            raise ParseError("The expression has redundant parentheses;")
        self._parened.add(id(inner))
        return inner

    # ------------------------------------------------------------ paths and operands
    def path(self) -> Path:
        t = self.peek()
        if not self.is_name(t):
            self.fail()
        self.i += 1
        elems: list[Elem] = [t.text]
        while True:
            if self.at("."):
                self.i += 1
                t = self.peek()
                if not self.is_name(t):
                    self.fail()
                elems.append(t.text)
                self.i += 1
            elif self.at("["):
                self.i += 1
                t = self.peek()
                if t.kind != lexer.NUMBER:
                    self.fail()
                self.i += 1
                self.expect("]")
                elems.append(int(t.text))
            else:
                return Path(tuple(elems))

    def _call_or_path(self, arg: Callable[[], Node]) -> Node:
        t = self.peek()
        if t.kind == lexer.VALUE:
            self.i += 1
            return ValueRef(t.text)
        nxt = self.peek(1)
        if self.is_name(t) and t.kind == lexer.IDENT and nxt.kind == lexer.PUNCT and nxt.text == "(":
            self.i += 2
            args = [arg()]
            while self.at(","):
                self.i += 1
                args.append(arg())
            self.expect(")")
            return Call(t.text, tuple(args))
        return self.path()

    def operand(self) -> Node:
        if self.at("("):
            self.i += 1
            return self.close_paren(self.operand())
        return self._call_or_path(self.operand)

    # ------------------------------------------------------------ conditions
    def condition(self) -> Node:
        node = self.or_(False)
        self.expect_end()
        return node

    def or_(self, bare: bool) -> Node:
        left = self.and_(bare)
        while self.at_keyword("OR"):
            self.i += 1
            left = Or(left, self.and_(False))
        return left

    def and_(self, bare: bool) -> Node:
        left = self.not_(bare)
        while self.at_keyword("AND"):
            self.i += 1
            left = And(left, self.not_(False))
        return left

    def not_(self, bare: bool) -> Node:
        if self.at_keyword("NOT"):
            self.i += 1
            return Not(self.not_(False))
        return self.predicate(bare)

    def predicate(self, bare: bool) -> Node:
        if self.at("("):
            self.i += 1
            node = self.close_paren(self.or_(True))
        else:
            node = self._call_or_path(self.operand)
        t = self.peek()
        if t.kind == lexer.PUNCT and t.text in COMPARATORS:
            self._need_operand(node)
            self.i += 1
            return Compare(t.text, node, self.operand())
        if self.at_keyword("BETWEEN"):
            self._need_operand(node)
            self.i += 1
            low = self.operand()
            if not self.at_keyword("AND"):
                self.fail()
            self.i += 1
            return Between(node, low, self.operand())
        if self.at_keyword("IN"):
            self._need_operand(node)
            self.i += 1
            self.expect("(")
            items = [self.operand()]
            while self.at(","):
                self.i += 1
                items.append(self.operand())
            self.expect(")")
            return In(node, tuple(items))
        if isinstance(node, (*_BOOLEAN, Call)):
            return node
        if bare and self.at(")"):
            return node
        self.fail()

    def _need_operand(self, node: Node) -> None:
        if isinstance(node, _BOOLEAN):
            self.fail()

    # ------------------------------------------------------------ projections
    def projection(self) -> tuple[Path, ...]:
        paths = [self.path()]
        while self.at(","):
            self.i += 1
            paths.append(self.path())
        self.expect_end()
        return tuple(paths)

    # ------------------------------------------------------------ updates
    def update(self) -> tuple[Action, ...]:
        actions: list[Action] = []
        while self.peek().kind != lexer.EOF:
            t = self.peek()
            clause = t.text.upper() if t.kind == lexer.IDENT else ""
            if clause not in UPDATE_KEYWORDS:
                self.fail()
            self.i += 1
            self.sections.append(clause)
            actions.append(self._action(clause))
            while self.at(","):
                self.i += 1
                actions.append(self._action(clause))
        return tuple(actions)

    def _action(self, clause: str) -> Action:
        path = self.path()
        if clause == "SET":
            self.expect("=")
            return Action(clause, path, self.set_value())
        if clause == "REMOVE":
            return Action(clause, path, None)
        t = self.peek()
        if t.kind != lexer.VALUE:
            self.fail()
        self.i += 1
        return Action(clause, path, ValueRef(t.text))

    def set_value(self) -> Node:
        left = self.term()
        t = self.peek()
        if t.kind == lexer.PUNCT and t.text in ("+", "-"):
            self.i += 1
            return Arith(t.text, left, self.term())
        return left

    def term(self) -> Node:
        if self.at("("):
            self.i += 1
            return self.close_paren(self.set_value())
        return self._call_or_path(self.term)
