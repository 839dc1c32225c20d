"""Which elements of 条例 Art. 12 a disclosure guide (公开指南) states: read from its sentences.

A word alone is not an element.  Each element of the rule file names the words guides use
for it (``synonyms``); a word counts only in a sentence that is about that element:

* ``not_with``: a sentence holding one of these words is about something else —
  "索引号由…信息类别…组成" says how index numbers are built, not how information is classified;
* ``value``: a field label counts only with its value right after it — 联系电话 needs a number,
  办公地址 some text after the colon, 办公时间 days or hours, an online contact an e-mail or
  web address (the "申请人的姓名、通信地址、联系电话" of an application form gives none).

Pure functions; the words live in the rule file (rules/*.yaml), the value shapes here.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

# What follows a field label, looked for in the next _WINDOW characters of the same passage.
_WINDOW = 40
VALUE_KINDS: dict[str, re.Pattern[str]] = {
    # 0591-23165385, (0311)1234567, 13812345678, 0591 - 2316 5385: seven digits or more.
    "number": re.compile(r"\d(?:[-—()（）\s]{0,2}\d){6}"),
    # Some text after the label (after a colon, 为/位于/设在, or a table cell's gap), not a list
    # comma or a word joining it to the next field ("通信地址、联系电话", "地址等信息").
    "text": re.compile(r"^\s*(?:[:：]|为|是|位于|设在)?\s*(?![等和及或与的])[^\s:：,，、。；;]{2}"),
    # Days or clock times: 周一至周五, 工作日, 上午8:00, 9时.
    "hours": re.compile(r"周[一二三四五六日]|星期|工作日|节假日|上午|下午|\d{1,2}\s*[:：时点]\s*\d{0,2}"),
    # An e-mail or web address, or the site / form a request is sent through.
    "online": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://|www\.|\.gov\.cn|网站|平台|系统|申请表|栏目"),
}
# Sentence ends: a reader's sentence, a list item's semicolon, a line of its own.
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_SPACES = re.compile(r"[ \t\r\f\v\u3000]+")


def _fold(text: str) -> str:
    """Full-width to half-width, lower case, no spaces, line breaks kept (they end sentences)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text).lower())


def _fold_words(words: Any) -> list[str]:
    return [w for w in (_fold(str(x)) for x in (words or [])) if w]


def _sentence_at(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)), default=max(0, start - 300))
    m = _SENTENCE_END.search(text, end, end + 300)
    return text[left:m.start() if m else min(len(text), end + 300)]


def _value_after(text: str, end: int, kind: re.Pattern[str]) -> bool:
    # The value may sit on the next line (label and value in two cells); a full stop ends it.
    window = text[end:end + _WINDOW].split("。", 1)[0].replace("\n", " ")
    return kind.search(window) is not None


def states_element(text: str, spec: dict) -> bool:
    """Does the guide text state this element (one rule-file entry: synonyms, not_with, value)?"""
    folded = _fold(text)
    avoid = _fold_words(spec.get("not_with"))
    kind = VALUE_KINDS.get(str(spec.get("value") or ""))
    for word in _fold_words(spec.get("synonyms")):
        start = folded.find(word)
        while start >= 0:
            end = start + len(word)
            sentence = _sentence_at(folded, start, end)
            if not any(a in sentence for a in avoid) and (kind is None or _value_after(folded, end, kind)):
                return True
            start = folded.find(word, end)
    return False


def missing_elements(text: str, elements: dict[str, dict]) -> list[str]:
    """Keys of the elements (rule-file order) that the guide text does not state."""
    return [key for key, spec in elements.items() if not states_element(text, spec)]
