"""Crawled text is made safe once, on its way into the store."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.sanitize import MAX_TITLE, safe_item, safe_text

NASTY = "A\ufffeB\uffffC\ud800D\udfffE\x00F\x1bG\x85H\ufdd0I\U0010ffffJ\r\nK"


def test_unsafe_code_points_go_and_text_stays():
    clean = safe_text(NASTY)
    assert clean == "ABCDEFGHIJ\nK"
    # What failed before: XML (Word/Excel), UTF-8 (SQLite, JSON senders).
    clean.encode("utf-8")
    json.dumps(clean, ensure_ascii=False).encode("utf-8")


def test_chinese_emoji_and_whitespace_are_kept():
    text = "关于印发《2026年工作要点》的通知 🎉\t第二行\n第三行"
    assert safe_text(text) == text


def test_lengths_are_capped_by_field():
    item = {"type": "column", "name": "栏" * 5000, "url": "http://a/" + "x" * 10_000,
            "observation": {"newest_title": "题" * 5000, "error": "e" * 10_000},
            "items": [{"url": "http://a/1", "title": "\ud800" + "长" * 3000, "date": None}]}
    clean = safe_item(item)
    assert len(clean["name"]) == MAX_TITLE
    assert len(clean["url"]) == 4096
    assert len(clean["observation"]["newest_title"]) == MAX_TITLE
    assert clean["items"][0]["title"] == "长" * MAX_TITLE
    assert clean["items"][0]["date"] is None and clean["type"] == "column"


def test_every_code_point_a_consumer_refuses_goes_wherever_it_stands():
    # Each code point, alone in an otherwise plain title: the unsafe ones (C0/C1 controls but
    # tab and newline, surrogates, noncharacters) go, CR becomes a newline, all else stays.
    def unsafe(cp: int) -> bool:
        return (cp < 0x20 and cp not in (0x09, 0x0A, 0x0D)) or 0x7F <= cp <= 0x9F or 0xD800 <= cp <= 0xDFFF \
            or 0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE

    for cp in range(0x110000):
        expected = "关于" + ("\n" if cp == 0x0D else "" if unsafe(cp) else chr(cp)) + "的通知"
        assert safe_text("关于" + chr(cp) + "的通知") == expected, hex(cp)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=50) | st.text(alphabet="长x\r\ud800", min_size=990, max_size=4100),
       key=st.sampled_from(["title", "url", "text", "error", "", 7]))
def test_an_item_field_is_made_safe_as_safe_text_makes_it(text, key):
    from crawler.sanitize import _LIMITS, MAX_OTHER
    expected = safe_text(text, _LIMITS.get(key, MAX_OTHER))
    clean = safe_item({key: text, "n": None, "year": 2025, "items": [{key: text}], "pair": (text, 1)})
    assert clean[key] == expected and clean["items"][0][key] == expected
    assert clean["n"] is None and clean["year"] == 2025
    assert clean["pair"] == (safe_text(text, MAX_OTHER), 1)
