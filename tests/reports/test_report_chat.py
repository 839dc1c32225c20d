import dataclasses
import re

import pytest

from reports import build_period, chat_parts, render_bytes
from reports.renderers.chat import SEPARATOR
from reports.text import cut_line
from reports.text import clean_text, utf8_len
from report_exports import (FORMULA, INVISIBLE, JS_URL, SCRIPT, export, finding, generated_export,
                            hostile_export, load, states_export, unit, with_verdicts)

HEADER = re.compile(r"^(\*\*)?清河县周问题清单（(\d+)/(\d+)）(\*\*)?$")
CONTINUED = re.compile(r"^(\*\*)?([一二三四五六七八九十百]+、.*（续）|未发现问题的单位（续）：|得分排名（续）：)(\*\*)?$")


def parts_of(data, **kw):
    return chat_parts(build_period(data, "week"), **kw)


def numbered(parts):
    """(k, n) of each problem-list part, from its first line; the summary
    (one part, or more under a small limit) comes before them all."""
    headers = [HEADER.match(p.split("\n", 1)[0]) for p in parts]
    first = next((i for i, h in enumerate(headers) if h), len(parts))
    assert first >= 1 and all(headers[first:]), "summary first, then only numbered parts"
    return [tuple(int(g) for g in h.group(2, 3)) for h in headers[first:]]


def test_summary_first_then_numbered_parts():
    parts = parts_of(load("export_two_units.json"))
    summary = parts[0].split("\n")
    assert summary[0] == "【清河县政府信息公开检查周问题清单（2026年11月21日—11月27日）】"
    assert ("本期共检查2个单位，其中1个单位存在问题，共发现问题3个（其中单项否决1个）；"
            "0个单位网站无法访问。") in summary
    assert "按问题类型：栏目更新不及时1个、空白栏目1个、公开指南要素缺失1个。" in summary
    assert summary[-1] == "具体问题清单分1条发送，请各单位对照整改。"
    body = parts[1].split("\n")
    assert body[:3] == ["清河县周问题清单（1/1）", "一、清河县教育局（问题3个，单项否决1个）",
                        "1.【单项否决】栏目更新不及时：工作动态栏目已 30 天未更新（最新信息 2026-10-28）"]
    assert "　链接：http://www.qinghe.gov.cn/jyj/xxgk/gzdt/" in body
    assert body[-2:] == ["未发现问题的单位（1个）：", "清河县文化和旅游局"]


def test_states_and_progress_are_reported():
    parts = parts_of(states_export())
    assert "整改进展：此前发现的问题已整改2个，已豁免1个。" in parts[0]
    text = "\n".join(parts[1:])
    assert "　状态：未整改（首次发现 2026-11-20）；整改期限 2026-12-04" in text
    assert "通知公告" not in text     # rectified: not in the list of open problems
    assert "清河县文化和旅游局（已整改1个）" in text


def test_nothing_found_is_one_short_message():
    parts = parts_of(export(unit("甲乡"), unit("乙镇")))
    assert len(parts) == 1 and parts[0].endswith("本期共检查2个单位，均未发现问题。")


def test_numbering_counts_the_parts():
    data = export(*[unit(f"清河县第{n}局", *[finding(message="栏目长期未更新" * 8) for _ in range(4)])
                    for n in range(12)])
    parts = parts_of(data)
    n = len(parts) - 1
    assert n > 3
    assert numbered(parts) == [(k, n) for k in range(1, n + 1)]
    assert f"具体问题清单分{n}条发送" in parts[0]


def test_a_unit_entry_that_fits_is_never_cut():
    # each entry is ~800 bytes: two fit in 2048, never one and a half
    data = export(*[unit(f"清河县第{n}局", *[finding(message="栏目长期未更新" * 10) for _ in range(2)])
                    for n in range(9)])
    parts = parts_of(data)
    for n in range(9):
        holding = [p for p in parts[1:] if f"清河县第{n}局" in p]
        assert len(holding) == 1, n
        assert holding[0].count("栏目长期未更新" * 10) == 2 * sum(
            1 for m in range(9) if f"清河县第{m}局" in holding[0])


def test_an_oversized_unit_is_split_between_problems_with_a_continued_heading():
    data = export(unit("清河县教育局", *[finding(column=f"栏目{n}", message=f"第{n}个问题" + "未更新" * 40)
                                       for n in range(12)]))
    parts = parts_of(data)
    assert len(parts) > 3
    for part in parts[2:-1]:
        assert part.split("\n")[1] == "一、清河县教育局（续）"
    for n in range(12):
        block = [p for p in parts[1:] if f"第{n}个问题" in p]
        assert len(block) == 1, n                        # a problem's lines stay together
        assert f"　栏目：栏目{n}" in block[0]
    assert all(utf8_len(p) <= 2048 for p in parts)


def test_a_line_longer_than_a_part_is_cut_between_characters():
    long_message = "县" * 290 + "末"
    parts = parts_of(export(unit("甲局", finding(message=long_message))), limit_bytes=512)
    assert all(utf8_len(p) <= 512 for p in parts)
    rejoined = "".join(line for p in parts[1:] for line in p.split("\n")[1:]
                       if not CONTINUED.match(line))
    assert long_message in rejoined


def test_a_link_too_long_for_a_part_is_left_out_not_cut():
    url = "http://www.qinghe.gov.cn/" + "a" * 700
    text = "\n".join(parts_of(export(unit("甲局", finding(url=url))), limit_bytes=600))
    assert "http://www.qinghe.gov.cn/aaa" not in text
    assert "链接：（地址过长，未列出，请见 Excel 问题清单）" in text


def test_plain_text_is_plain():
    parts = parts_of(hostile_export())
    text = "\n".join(parts)
    assert "\\" not in text                          # no Markdown escapes in chat text
    assert SCRIPT in text and FORMULA in text       # shown as written, a chat runs nothing
    assert JS_URL not in [line.split("链接：")[-1] for line in text.split("\n") if "链接：" in line]
    assert "　链接：（不是网页地址，已省略）" in text
    assert '　链接：http://ok.example/a b<c>"d' in text


def test_invisible_characters_are_gone():
    data = export(unit(f"甲{INVISIBLE}局", finding(column=f"工作{INVISIBLE}动态", message=f"a{INVISIBLE}b",
                                                    newest_title=f"\u202e{INVISIBLE}exe.txt")))
    for kind in ("text", "markdown"):
        text = "\n".join(parts_of(data, kind=kind))
        assert not set(INVISIBLE) & set(text), kind
        assert "甲局" in text and "工作动态" in text


def test_markdown_kind_keeps_crawled_text_out_of_the_markup():
    parts = parts_of(hostile_export(), kind="markdown", limit_bytes=4096)
    text = "\n".join(parts)
    # the only link is ours, to the one http(s) URL
    assert re.findall(r"\[([^\]\n]*)\]\(([^)\n]*)\)", text) == [("打开页面", "http://ok.example/a%20b%3Cc%3E%22d")]
    # the only tags are our colour tags
    assert set(re.findall(r"</?[a-z][^>\n]*>", text)) <= {'<font color="warning">', "</font>"}
    assert "＜script＞alert(1)＜/script＞" in text and "［点此查看］(javascript:alert(1))" in text
    assert "＝" not in text and "=HYPERLINK" in text     # '=' means nothing in markdown
    assert parts[1].startswith("**清河县周问题清单（1/1）**\n**一、清河县安全局**")


def test_cut_line_never_splits_a_character():
    line = "县a😀" * 50
    pieces = cut_line(line, 10)
    assert "".join(pieces) == line
    assert all(utf8_len(p) <= 10 for p in pieces)


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "html"}, "unknown chat kind 'html'; known kinds: text, markdown"),
    ({"limit_bytes": 100}, "limit_bytes must be at least 512"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parts_of(load("export_two_units.json"), **kwargs)


def test_chat_file_is_the_text_parts_between_separators():
    report = build_period(states_export(), "week")
    text = render_bytes(report, "chat").decode("utf-8")
    expected = chat_parts(report)
    assert text.startswith(f"（共{len(expected)}条消息，请逐条复制发送；分隔线不要复制）")
    pieces = re.split(r"\n\n━+ 第\d+条，共\d+条 ━+\n", text.rstrip("\n"))
    assert pieces[1:] == expected
    assert SEPARATOR.format(k=1, n=len(expected)) in text
    assert render_bytes(report, "chat", kind="markdown").decode("utf-8").count("**") > 4


# Property check without hypothesis: many reproducible random counties, with
# text and URLs up to the model's own limits, at every limit a sender uses.
@pytest.mark.parametrize("kind, limit", [("text", 2048), ("markdown", 4096), ("text", 4000),
                                         ("text", 512), ("markdown", 700)])
@pytest.mark.parametrize("seed", range(12))
def test_every_part_fits_its_limit(seed, kind, limit):
    long = seed % 3 == 0
    data = generated_export(seed, units=6 if long else 25, most_findings=10, long=long)
    report = build_period(data, "week")
    if seed % 2:         # with the rules' verdicts (a ranking part) and a stale-data note and footnotes
        report = dataclasses.replace(with_verdicts(report, {
            u.name: (100.0, "不合格", ["站点无法访问"]) if i % 3 == 0 else (90.0 + i % 7, "合格")
            for i, u in enumerate(report.units)}), data_note="本期未检查，数据截至2026-11-20 09:05（最近一次完成的检查）",
            data_source="2026-11-20 09:05 完成的检查", notes=("2026-11-27的检查未完成（本机网络故障），未计入本期结果。",))
    parts = chat_parts(report, limit_bytes=limit, kind=kind)
    sizes = [utf8_len(p) for p in parts]
    assert max(sizes) <= limit, (sizes, limit)
    assert all(p.strip() for p in parts)
    if report.units_with_problems:
        counted = numbered(parts)
        n = len(counted)
        assert counted == [(k, n) for k in range(1, n + 1)]
        assert f"具体问题清单分{n}条发送" in "".join(parts[:len(parts) - n])
    if kind == "text":
        # a part that carries on an entry repeats its heading with （续）: drop those
        rejoined = "".join(line for p in parts if HEADER.match(p.split("\n", 1)[0])
                           for line in p.split("\n")[1:] if not CONTINUED.match(line))
        for u in report.units_with_problems:
            assert clean_text(u.name) in rejoined
            for f in u.problems:
                assert f.description in rejoined
        if report.has_verdicts and report.units_with_problems:
            ranking = rejoined[rejoined.index("得分排名"):]
            positions = [ranking.find(f"{rank}. {clean_text(u.name)} {u.score_label}") for rank, u in report.places]
            assert -1 not in positions and positions == sorted(positions)
    if report.data_note:
        assert report.data_note in parts[0]
