"""Plug-in kinds, urlwatch-style: a class that sets `kind` registers itself in its family.

One idiom for every family govfresh has — rule kinds, report formats, senders,
list sources:

    class Rule(Plugin):
        registry = Registry("rule kind")

    class ColumnStale(Rule):
        \"\"\"A column whose newest item is older than its category allows.\"\"\"
        kind = "column_stale"

Defining the subclass is what registers it; `Rule.registry` lists them in
definition order, `--help` and the README print `registry.describe()`. A base
class that sets no `kind` (a shared helper) is not registered. This module
imports nothing of govfresh, so every part can use it.
"""
from __future__ import annotations

import difflib
from typing import Any, ClassVar, Iterable, Iterator, Mapping

LISTED = 40     # more valid names than this are summarised, the close matches still shown


def unknown_name(what: str, value: str, choices: Iterable[str]) -> str:
    """A name a person typed that is not one of `choices`, answered with the closest valid
    names and the list to choose from: "unknown column '工作动'; did you mean '工作动态'? (valid: …)"."""
    valid = list(dict.fromkeys(str(c) for c in choices))
    text = f"unknown {what} {value!r}"
    close = difflib.get_close_matches(str(value), valid, n=3, cutoff=0.5)
    if close:
        text += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    if not valid:
        return text + " (there are none yet)"
    shown = ", ".join(valid[:LISTED]) + (f", … ({len(valid)} in all)" if len(valid) > LISTED else "")
    return f"{text} (valid: {shown})"


class Registry(Mapping[str, type]):
    """The kinds of one family, by name, in the order they were defined."""

    def __init__(self, what: str):
        self.what = what                  # "rule kind", "report format": for messages
        self._kinds: dict[str, type] = {}

    def add(self, cls: type) -> None:
        name = cls.kind
        if name in self._kinds and self._kinds[name] is not cls:
            raise TypeError(f"{self.what} {name!r} is already provided by {self._kinds[name].__name__}")
        self._kinds[name] = cls

    def discard(self, name: str) -> None:
        """Forget a kind (a plug-in defined for one test)."""
        self._kinds.pop(name, None)

    def __getitem__(self, name: str) -> type:
        return self._kinds[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def lookup(self, name: str) -> type:
        """The kind of this name, or ValueError naming the known ones."""
        try:
            return self._kinds[name]
        except KeyError:
            raise ValueError(unknown_name(self.what, name, self._kinds)) from None

    def describe(self) -> list[tuple[str, str]]:
        """(name, one line) per kind: its `label` (a short name), else `description`, else its docstring's first line."""
        return [(name, getattr(cls, "label", "") or getattr(cls, "description", "")
                 or (cls.__doc__ or "").strip().split("\n")[0]) for name, cls in self._kinds.items()]


class Plugin:
    """Base of every plug-in family: a subclass that sets `kind` joins its family's registry."""
    kind: ClassVar[str] = ""
    registry: ClassVar[Registry]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("kind"):
            cls.registry.add(cls)


def describe(registry: Mapping[str, type]) -> str:
    """A registry as help text: one `name — line` per kind."""
    rows = registry.describe() if isinstance(registry, Registry) else [(n, "") for n in registry]
    width = max((len(n) for n, _ in rows), default=0)
    return "\n".join(f"  {name:<{width}}  {line}" for name, line in rows)
