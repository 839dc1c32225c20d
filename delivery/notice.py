"""What one delivery carries: a notice already rendered and split by the reports package."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Notice:
    """One notice (a weekly 问题清单, a 督办通知…), identified by a stable id.

    The id is what the delivery log keys on: the same id is never posted to the
    same target twice, so rebuild a notice under a new id only when it says
    something new (e.g. ``weekly-2026-11-27``).
    """
    id: str
    parts: tuple[str, ...]
    title: str = ""
    markdown_parts: tuple[str, ...] = ()
    png: bytes | None = None
    files: tuple[Path, ...] = field(default=())

    def __post_init__(self) -> None:
        # Accept lists from callers but keep the notice immutable and hashable-ish.
        object.__setattr__(self, "parts", tuple(self.parts))
        object.__setattr__(self, "markdown_parts", tuple(self.markdown_parts))
        object.__setattr__(self, "files", tuple(Path(f) for f in self.files))
        if not self.id or not self.id.strip():
            raise ValueError("a notice needs an id, e.g. 'weekly-2026-11-27'")
        if not any(p.strip() for p in self.parts) and self.png is None and not self.files:
            raise ValueError(f"notice {self.id}: nothing to send (no text, picture or file)")

    @property
    def subject(self) -> str:
        return self.title or self.id

    @property
    def picture_name(self) -> str:
        return f"{self.id}.png"

    @property
    def attachments(self) -> tuple[str, ...]:
        """The file names the notice carries besides its text: the picture, then the files."""
        return ((self.picture_name,) if self.png is not None else ()) + tuple(f.name for f in self.files)
