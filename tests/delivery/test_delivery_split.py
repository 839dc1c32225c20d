"""Cutting text to byte limits: at line boundaries, never inside a character."""
import pytest

from delivery import split_text, utf8_len

ROW = "清河县教育局 · 工作动态 · 最新信息 2026-10-02 · 超过 14 天未更新"   # mostly 3-byte characters


def test_short_text_is_one_piece():
    assert split_text("一条短消息", 2048) == ["一条短消息"]


def test_lines_are_kept_whole_and_every_piece_fits():
    text = "\n".join(f"{i}. {ROW}" for i in range(1, 80))
    pieces = split_text(text, 2048)
    assert len(pieces) > 1
    assert all(utf8_len(p) <= 2048 for p in pieces)
    assert "\n".join(pieces) == text            # only the split newlines are gone


def test_a_line_longer_than_the_limit_is_cut_between_characters():
    line = "汉" * 1000                            # 3000 bytes, no newline at all
    pieces = split_text(line, 2048)
    assert [utf8_len(p) for p in pieces] == [2046, 954]   # 682 whole characters, not 2048 bytes
    assert "".join(pieces) == line


@pytest.mark.parametrize("limit", [4, 5, 7, 100])
def test_mixed_widths_never_exceed_the_limit(limit):
    text = "a汉😀b\n" * 20
    pieces = split_text(text, limit)
    assert all(utf8_len(p) <= limit for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_blank_only_pieces_are_dropped():
    assert split_text("甲" * 10 + "\n\n\n\n" + "乙" * 10, 30) == ["甲" * 10, "乙" * 10]
