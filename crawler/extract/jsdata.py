"""Read data that pages carry inside scripts: JS object literals and JSON, never executed.

Some list pages have no list in the DOM at all; the items sit in a script, e.g. the Jiangxi
site-cluster's ``var listData = { articleList: [{"title": …, "pubDate": "2025-07-29 16:59"}] }``
(jiangxi_sthjt trap: a DOM-only extractor sees nothing), and the pages that load their list
name the call in a script: ``$.ajax({url: "/api/list", data: {channelId: 12}})``.

The literal itself is parsed by chompjs (JSON plus the JS extras: unquoted keys, single
quotes, trailing commas, comments). chompjs is handed exactly one balanced literal, found by
a bracket scanner here: it then never reads past its input (its multi-object reader does on
unbalanced text) and a script of many literals costs one pass, not one copy per literal.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import chompjs

# `var x = {`, `x.y = [`, `window.__DATA__ = {` (an assigned literal) and `f({` / `f(url, {`
# (a literal passed to a call: $.ajax options, jpage settings). The look-behind makes each
# identifier start once (no quadratic rescans of long tokens).
_START = re.compile(r"(?:(?<![\w$.])[A-Za-z_$][\w$.]*\s*=|[(,])\s*(?=[\[{])")
_SCANNED = re.compile(r"[{}\[\]\"'`/]")
_STRING_END = {q: re.compile(rf"(?:[^{q}\\\n]|\\.)*{q}", re.S) for q in "\"'"}
_TEMPLATE_END = re.compile(r"(?:[^`\\]|\\.)*`", re.S)
_CLOSE = {"{": "}", "[": "]"}
_MAX_LITERAL = 4_000_000
_MAX_DEPTH = 60   # deeper is no list data; chompjs' recursion would fail on it anyway


class _NoLiteral(ValueError):
    """No balanced literal here; `at` is how far the scan read, so no later start re-reads it."""

    def __init__(self, message: str, at: int):
        super().__init__(message)
        self.at = at


def _literal_end(s: str, i: int) -> int:
    """Index just past the literal that opens at ``s[i]`` ('{' or '['); _NoLiteral if unbalanced."""
    stack: list[str] = []
    j = i
    while (m := _SCANNED.search(s, j)) is not None:
        j = m.start()
        c = s[j]
        if c in "{[":
            stack.append(_CLOSE[c])
            if len(stack) > _MAX_DEPTH:
                raise _NoLiteral("nested too deep", j)
        elif c in "}]":
            if not stack or stack.pop() != c:
                raise _NoLiteral("unbalanced", j)
            if not stack:
                return j + 1
        elif c == "/":
            nxt = s[j + 1:j + 2]
            if nxt == "/":
                k = s.find("\n", j)
                j = len(s) if k < 0 else k
                continue
            if nxt == "*":
                k = s.find("*/", j + 2)
                if k < 0:
                    raise _NoLiteral("unterminated comment", len(s))
                j = k + 2
                continue
        else:
            end = (_TEMPLATE_END if c == "`" else _STRING_END[c]).match(s, j + 1)
            if end is None:
                raise _NoLiteral("unterminated string", j + 1)
            j = end.end()
            continue
        j += 1
    raise _NoLiteral("unterminated literal", len(s))


def parse_literal(s: str, i: int = 0) -> tuple[Any, int]:
    """The JSON/JS data literal starting at ``s[i]`` and the index after it; ValueError if none."""
    while i < len(s) and s[i] in " \t\r\n\ufeff":
        i += 1
    if i >= len(s) or s[i] not in "{[":
        raise ValueError("no object or array here")
    end = _literal_end(s, i)
    if end - i > _MAX_LITERAL:
        raise ValueError("literal too large")
    try:
        return chompjs.parse_js_object(s[i:end]), end
    except (ValueError, RecursionError, TypeError) as exc:
        raise ValueError(str(exc)[:200]) from None


def script_literals(script: str, is_json: bool = False) -> Iterator[Any]:
    """Every assigned or passed object/array literal in a script (or the whole text of a JSON script).

    Literals nested in one already read are not read again: they are part of its value.
    """
    if len(script) > _MAX_LITERAL:
        return
    if is_json:
        try:
            yield json.loads(script)
        except ValueError:
            pass
        return
    # A failed scan also moves `done` on (to where it stopped): a start inside an unterminated
    # comment, string or literal would only fail the same way after reading as far again
    # (512 KB of `{x=[/*` cost 31 s, one rescan per start).
    done = 0
    for m in _START.finditer(script):
        if m.end() < done:
            continue
        try:
            value, done = parse_literal(script, m.end())
        except _NoLiteral as exc:
            done = max(done, exc.at)
            continue
        except ValueError:
            continue
        yield value


def dict_lists(value: Any, depth: int = 0) -> Iterator[list[dict]]:
    """Every list of dicts nested anywhere in a parsed literal."""
    if depth > 12:
        return
    if isinstance(value, list):
        dicts = [v for v in value if isinstance(v, dict)]
        if dicts and len(dicts) >= len(value) * 0.8:
            yield dicts
        for v in value:
            if isinstance(v, (list, dict)):
                yield from dict_lists(v, depth + 1)
    elif isinstance(value, dict):
        for v in value.values():
            if isinstance(v, (list, dict)):
                yield from dict_lists(v, depth + 1)
