"""Cut text to a platform's byte limit at line boundaries, never inside a character.

Chat limits are UTF-8 bytes, and a Chinese character is 3 of them: 2048 bytes
of WeCom text is only about 680 汉字.
"""
from __future__ import annotations

from reports.text import cut_line, utf8_len


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` bytes each, split at newlines where possible.

    The newline a split falls on is dropped; joining the pieces with "\\n" gives
    the text back whenever no single line was over the limit.
    """
    if limit < 4:
        raise ValueError("limit must leave room for one character (4 bytes)")
    if utf8_len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in ([line] if utf8_len(line) <= limit else cut_line(line, limit)):
            n = utf8_len(piece)
            # +1 for the newline that joins it to the chunk so far.
            if current and size + 1 + n > limit:
                chunks.append("\n".join(current))
                current, size = [], 0
            size += n + (1 if current else 0)
            current.append(piece)
    if current:
        chunks.append("\n".join(current))
    # A split may leave a chunk of blank lines only; it would post an empty message.
    return [c for c in chunks if c.strip()]
