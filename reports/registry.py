"""Output formats, urlwatch-style: a renderer declares its format and suffix,
and defining the class is what registers it.

Adding a format (xlsx, docx, chat text, png) is one new module in
reports/renderers/ imported from its __init__; nothing here changes.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar, Iterable

from .model import PeriodReport

_REGISTRY: dict[str, type["Renderer"]] = {}

# Format name -> renderer class, read-only; `--format` choices and help come from here.
FORMATS = MappingProxyType(_REGISTRY)


class Renderer:
    """Turns a PeriodReport into the bytes of one file."""
    format: ClassVar[str] = ""         # the name users type: html, md, xlsx …
    suffix: ClassVar[str] = ""         # file suffix including the dot
    description: ClassVar[str] = ""    # one line for --help

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.format:             # an abstract helper base, not a format
            return
        if not cls.suffix.startswith("."):
            raise TypeError(f"renderer {cls.__name__} needs a suffix like '.html'")
        if cls.format in _REGISTRY:
            raise TypeError(f"format {cls.format!r} is already provided by "
                            f"{_REGISTRY[cls.format].__name__}")
        _REGISTRY[cls.format] = cls

    def render(self, report: PeriodReport) -> bytes:
        raise NotImplementedError


def renderer_for(fmt: str) -> Renderer:
    """The renderer for a format name; ValueError naming the known ones otherwise."""
    try:
        return _REGISTRY[fmt.strip().lower()]()
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"unknown report format {fmt!r}; known formats: {known}") from None


def render_bytes(report: PeriodReport, fmt: str) -> bytes:
    """One format in memory, for senders that post content rather than files."""
    return renderer_for(fmt).render(report)


def render(report: PeriodReport, formats: Iterable[str], out_dir: Path) -> list[Path]:
    """Write one file per format into out_dir; return their paths in the order asked.

    Every format name is checked before anything is written, so a typo in
    `--format html,xslx` does not leave half a set of files behind.
    """
    if isinstance(formats, str):       # "html,md" straight from a command line
        formats = formats.split(",")
    wanted = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    if not wanted:
        raise ValueError(f"no report format given; known formats: {', '.join(sorted(_REGISTRY))}")
    renderers = [renderer_for(f) for f in wanted]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for renderer in renderers:
        path = out_dir / f"{report.file_stem}{renderer.suffix}"
        _write_atomically(path, renderer.render(report))
        paths.append(path)
    return paths


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: a sender polling the output
    directory never picks up a half-written report."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
