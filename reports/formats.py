"""Output formats, urlwatch-style (plugins.py): a renderer declares its format
(`kind`) and suffix, and defining the class is what registers it.

Adding a format (xlsx, docx, chat text, png) is one new module in
reports/renderers/ imported from its __init__; nothing here changes.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, ClassVar, Iterable, Mapping

from plugins import Plugin, Registry

from .model import PeriodReport


class Renderer(Plugin):
    """Turns a PeriodReport into the bytes of one file; `kind` is the name users type (html, md, xlsx …)."""
    registry = Registry("report format")
    suffix: ClassVar[str] = ""         # file suffix including the dot
    description: ClassVar[str] = ""    # one line for --help
    # Options the renderer accepts, each with a one-line doc (urlwatch-style):
    # help text comes from here, and a misspelt option fails with its name.
    params: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(cls, **kwargs):
        if cls.__dict__.get("kind") and not cls.suffix.startswith("."):
            raise TypeError(f"renderer {cls.__name__} needs a suffix like '.html'")
        super().__init_subclass__(**kwargs)

    @property
    def format(self) -> str:
        return self.kind

    def __init__(self, **options: Any):
        unknown = sorted(set(options) - set(self.params))
        if unknown:
            known = ", ".join(sorted(self.params)) or "none"
            raise ValueError(f"format {self.format!r} has no option {', '.join(map(repr, unknown))}; "
                             f"its options: {known}")
        self.options = {k: v for k, v in options.items() if v is not None}

    def render(self, report: PeriodReport) -> bytes:
        raise NotImplementedError


# Format name -> renderer class; `--format` choices and help come from here.
FORMATS = Renderer.registry


def _lookup(fmt: str) -> type[Renderer]:
    try:
        return FORMATS[fmt.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"unknown report format {fmt!r}; known formats: {known}") from None


def renderer_for(fmt: str, **options: Any) -> Renderer:
    """The renderer for a format name; ValueError naming the known ones otherwise.

    `options` go to the renderer (e.g. docx: doc_number, letterhead); each
    format lists the ones it takes in its `params`.
    """
    return _lookup(fmt)(**options)


def render_bytes(report: PeriodReport, fmt: str, **options: Any) -> bytes:
    """One format in memory, for senders that post content rather than files."""
    return renderer_for(fmt, **options).render(report)


def render(report: PeriodReport, formats: Iterable[str], out_dir: Path,
           options: Mapping[str, Mapping[str, Any]] | None = None) -> list[Path]:
    """Write one file per format into out_dir; return their paths in the order asked.

    Every format name (and every option) is checked before anything is
    written, so a typo in `--format html,xslx` does not leave half a set of
    files behind. `options` maps a format to its renderer's options, e.g.
    {"docx": {"doc_number": "清政务办〔2026〕12号"}}.
    """
    if isinstance(formats, str):       # "html,md" straight from a command line
        formats = formats.split(",")
    wanted = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    if not wanted:
        raise ValueError(f"no report format given; known formats: {', '.join(sorted(FORMATS))}")
    options = {k.strip().lower(): v for k, v in (options or {}).items()}
    for fmt in options:
        _lookup(fmt)                   # options for a format that does not exist: a typo
    renderers = [renderer_for(f, **options.get(f, {})) for f in wanted]
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
        # mkstemp creates 0600; the process's umask decides (govfresh's own: 077, private).
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
