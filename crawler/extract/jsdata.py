"""Read list data that pages carry inside scripts: inline JS object literals and JSON.

Some list pages have no list in the DOM at all; the items sit in a script, e.g. the Jiangxi
site-cluster's ``var listData = { articleList: [{"title": …, "pubDate": "2025-07-29 16:59"}] }``
(jiangxi_sthjt trap: a DOM-only extractor sees nothing).  This module parses the literal
without executing anything: a small, tolerant reader for JSON plus JS extras (unquoted keys,
single quotes, trailing commas, comments).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

# `var x = {`, `x.y = [`, `window.__DATA__ = {` - the start of an assigned literal.
# The look-behind makes each identifier start once (no quadratic rescans of long tokens).
_ASSIGN = re.compile(r"(?<![\w$.])[A-Za-z_$][\w$.]*\s*=\s*(?=[\[{])")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_MAX_LITERAL = 4_000_000


class _Bad(Exception):
    """Not a plain data literal (a function call, a variable reference, …)."""


def _skip(s: str, i: int) -> int:
    n = len(s)
    while i < n:
        c = s[i]
        if c in " \t\r\n\ufeff":
            i += 1
        elif s.startswith("//", i):
            j = s.find("\n", i)
            i = n if j < 0 else j + 1
        elif s.startswith("/*", i):
            j = s.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            break
    return i


_ESC = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "/": "/"}


def _string(s: str, i: int) -> tuple[str, int]:
    q = s[i]
    i += 1
    out = []
    n = len(s)
    start = i
    while i < n:
        c = s[i]
        if c == q:
            out.append(s[start:i])
            return "".join(out), i + 1
        if c == "\\":
            out.append(s[start:i])
            nxt = s[i + 1:i + 2]
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", s[i + 2:i + 6] or ""):
                out.append(chr(int(s[i + 2:i + 6], 16)))
                i += 6
            elif nxt == "\n":
                i += 2
            else:
                out.append(_ESC.get(nxt, nxt))
                i += 2
            start = i
            continue
        if c == "\n" and q != "`":
            raise _Bad("newline in string")
        i += 1
    raise _Bad("unterminated string")


def _value(s: str, i: int, depth: int = 0) -> tuple[Any, int]:
    if depth > 60:
        raise _Bad("too deep")
    i = _skip(s, i)
    if i >= len(s):
        raise _Bad("end")
    c = s[i]
    if c == "{":
        obj: dict[str, Any] = {}
        i = _skip(s, i + 1)
        while True:
            if i >= len(s):
                raise _Bad("end")
            if s[i] == "}":
                return obj, i + 1
            if s[i] in "\"'":
                key, i = _string(s, i)
            else:
                m = _IDENT.match(s, i) or _NUMBER.match(s, i)
                if not m:
                    raise _Bad("key")
                key, i = m.group(0), m.end()
            i = _skip(s, i)
            if i >= len(s) or s[i] != ":":
                raise _Bad("colon")
            val, i = _value(s, i + 1, depth + 1)
            obj[key] = val
            i = _skip(s, i)
            if i < len(s) and s[i] == ",":
                i = _skip(s, i + 1)
            elif i < len(s) and s[i] == "}":
                continue
            else:
                raise _Bad("object")
    if c == "[":
        arr: list[Any] = []
        i = _skip(s, i + 1)
        while True:
            if i >= len(s):
                raise _Bad("end")
            if s[i] == "]":
                return arr, i + 1
            val, i = _value(s, i, depth + 1)
            arr.append(val)
            i = _skip(s, i)
            if i < len(s) and s[i] == ",":
                i = _skip(s, i + 1)
            elif i < len(s) and s[i] == "]":
                continue
            else:
                raise _Bad("array")
    if c in "\"'`":
        if c == "`" and "${" in s[i:s.find("`", i + 1)]:
            raise _Bad("template")
        return _string(s, i)
    m = _NUMBER.match(s, i)
    if m:
        txt = m.group(0)
        return (float(txt) if any(ch in txt for ch in ".eE") else int(txt)), m.end()
    m = _IDENT.match(s, i)
    if m:
        word = m.group(0)
        if word in ("true", "false"):
            return word == "true", m.end()
        if word in ("null", "undefined"):
            return None, m.end()
    raise _Bad("value")


def parse_literal(s: str, i: int = 0) -> tuple[Any, int]:
    """Parse one JSON/JS data literal starting at ``s[i]``; raises ValueError if it is not one."""
    try:
        return _value(s, i)
    except (_Bad, RecursionError, IndexError) as e:
        raise ValueError(str(e)) from None


def script_literals(script: str, is_json: bool = False) -> Iterator[Any]:
    """Every assigned object/array literal in a script (or the whole text of a JSON script)."""
    if len(script) > _MAX_LITERAL:
        return
    if is_json:
        try:
            yield json.loads(script)
        except ValueError:
            pass
        return
    for m in _ASSIGN.finditer(script):
        try:
            val, _ = parse_literal(script, m.end())
        except ValueError:
            continue
        yield val


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
