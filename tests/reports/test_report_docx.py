import io
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from reports import build_period, render_bytes
from reports.renderers.docx import DEFAULT_WORDING, DocxRenderer, WordingError, load_wording
from report_exports import (FORMULA, IMG_ONERROR, JS_URL, MD_JS_LINK, SCRIPT, export, finding,
                            hostile_export, letterhead_docx, load, states_export, unit)


def docx_of(data, period="month", **options) -> bytes:
    return render_bytes(build_period(data, period), "docx", **options)


def lines(data: bytes) -> list[str]:
    """Every paragraph of the body in order, table cells included (row by row)."""
    doc = Document(io.BytesIO(data))
    out = []
    for element in doc.element.body.iterchildren():
        if element.tag == qn("w:p"):
            out.append("".join(t.text or "" for t in element.iter(qn("w:t"))))
        elif element.tag == qn("w:tbl"):
            for row in element.iter(qn("w:tr")):
                out.append(" | ".join("".join(t.text or "" for t in cell.iter(qn("w:t")))
                                      for cell in row.iter(qn("w:tc"))))
    return out


def tables(data: bytes) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in t.rows] for t in Document(io.BytesIO(data)).tables]


@pytest.fixture(scope="module")
def month():
    return docx_of(states_export(), "month", number="12")


def test_a_complete_notice_from_the_defaults(month):
    text = lines(month)
    assert text[0] == "清政务办〔2026〕12号"
    assert "关于2026年11月政府信息公开检查情况的通报" in text
    assert "各乡镇人民政府，县直各单位：" in text
    headings = [t for t in text if re.match(r"^[一二三四]、", t)]
    assert headings == ["一、总体情况", "二、各单位问题情况", "三、存在的主要问题", "四、整改要求"]
    body = "\n".join(text)
    assert "2026年11月1日—11月27日" in body
    assert ("本次共检查3个单位，其中2个单位存在问题，共发现问题3个，其中单项否决问题2个、扣分问题1个。"
            in body)
    assert "1个单位网站无法访问（城关镇人民政府）" in body
    assert "此前通报的问题已整改2个" in body
    # no crawl of this period found a problem first, so no new deadline: the list's own dates hold
    assert "请存在问题的单位对照问题清单逐项整改，在清单所列整改期限前完成，并将整改情况书面反馈" in body
    assert text[-2:] == ["清河县电子政务办公室", "2026年11月27日"]


def test_every_unit_with_problems_is_named_with_its_problems(month):
    text = "\n".join(lines(month))
    for name in ("清河县教育局", "城关镇人民政府"):
        assert re.search(rf"（[一二]）{name}（问题\d个", text), name
    ranking, *problem_tables = tables(month)
    assert ranking[0] == ["排名", "单位", "问题数", "单项否决", "扣分项", "提醒", "主要问题"]
    # the one ranking, best first (issue 9): without verdicts, fewer vetoes and problems rank higher
    assert [row[:4] for row in ranking[1:]] == [["1", "清河县文化和旅游局", "0", "0"],
                                                ["2", "城关镇人民政府", "1", "1"],
                                                ["3", "清河县教育局", "2", "1"]]
    assert [len(t) - 1 for t in problem_tables] == [2, 1]     # open problems only
    first = problem_tables[0][1]
    assert first[1:3] == ["工作动态", "栏目更新不及时"] and first[4:] == ["2026-10-28", "2026-12-04", "未整改"]
    assert first[3].startswith("【单项否决】") and "最新一条：秋季学期安全工作会议" in first[3]
    assert "链接：http://www.qinghe.gov.cn/x/" in first[3]


def test_week_title_and_blank_number_to_fill_by_hand():
    text = lines(docx_of(load("export_two_units.json"), "week"))
    assert text[0] == "清政务办〔2026〕　　号"
    assert "关于2026年11月21日—11月27日政府信息公开检查情况的通报" in text


def test_options_override_the_wording():
    text = lines(docx_of(load("export_two_units.json"), doc_number="清政务办〔2026〕7号",
                         office="清河县人民政府办公室", issued="2026-12-01"))
    body = "\n".join(text)
    assert text[0] == "清政务办〔2026〕7号"
    assert "并将整改情况书面反馈清河县人民政府办公室" in body
    assert text[-2:] == ["清河县人民政府办公室", "2026年12月1日"]


def test_no_problems_no_ranking_table():
    data = docx_of(export(unit("甲乡"), unit("乙镇")))
    body = "\n".join(lines(data))
    assert "本次共检查2个单位，均未发现问题。" in body and "本次检查未发现问题。" in body
    assert tables(data) == [] and "逐项整改" not in body


def test_hostile_text_is_plain_text():
    data = docx_of(hostile_export(), "week")
    body = "\n".join(lines(data))
    for payload in (SCRIPT, IMG_ONERROR, MD_JS_LINK, FORMULA, JS_URL):
        assert payload in body
    assert "<b onmouseover=alert(3)>人事</b>" in body
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))}
    document = xml["word/document.xml"]
    # no field codes (a crawled "{ HYPERLINK … }" must stay words) and no raw markup
    assert not re.search(r"<w:(fldSimple|fldChar|instrText)\b", document)
    assert "<script" not in document and "<img" not in document
    links = re.findall(r'Target="([^"]+)"[^>]*TargetMode="External"', xml["word/_rels/document.xml.rels"])
    assert links == ["http://ok.example/a%20b%3Cc%3E%22d"]


def test_the_only_field_is_the_page_number():
    with zipfile.ZipFile(io.BytesIO(docx_of(load("export_two_units.json")))) as z:
        fields = [(n, f) for n in z.namelist() if n.endswith(".xml")
                  for f in re.findall(r'w:instr="([^"]*)"', z.read(n).decode("utf-8"))]
    assert [f for _, f in fields] == ["PAGE"] and fields[0][0].startswith("word/footer")


def test_letterhead_body_goes_where_the_marker_is(tmp_path):
    template = letterhead_docx(tmp_path / "红头.docx")
    data = docx_of(load("export_two_units.json"), letterhead=str(template), number="3")
    text = lines(data)
    assert text[:2] == ["清河县电子政务办公室文件", "━" * 20]
    assert text[2] == "清政务办〔2026〕3号"
    assert text[-1] == "抄送：县政府办公室。" and text[-3:-1] == ["清河县电子政务办公室", "2026年11月27日"]
    assert "{{正文}}" not in "\n".join(text)
    doc = Document(io.BytesIO(data))
    assert doc.sections[0].footer.paragraphs[0].text == "清河县电子政务办公室印发"


def test_letterhead_without_marker_gets_the_body_appended(tmp_path):
    template = letterhead_docx(tmp_path / "红头.docx", marker=False)
    text = lines(docx_of(load("export_two_units.json"), letterhead=str(template)))
    assert text[:3] == ["清河县电子政务办公室文件", "━" * 20, "抄送：县政府办公室。"]
    assert text[-1] == "2026年11月27日"


def test_missing_letterhead_fails_before_rendering(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        DocxRenderer(letterhead=str(tmp_path / "nope.docx"))


def test_office_edits_the_wording(tmp_path):
    wording = tmp_path / "notice.yaml"
    text = DEFAULT_WORDING.read_text(encoding="utf-8")
    text = text.replace('recipients: "各乡镇人民政府，县直各单位："', 'recipients: "各有关单位："')
    text = text.replace("  - heading: 四、整改要求\n", "  - heading: 四、整改要求\n"
                        "  - text: 联系人：张三，电话：0000-1234567（{{ county }}）\n")
    wording.write_text(text, encoding="utf-8")
    body = lines(docx_of(load("export_two_units.json"), wording=str(wording)))
    assert "各有关单位：" in body
    assert body[body.index("四、整改要求") + 1] == "联系人：张三，电话：0000-1234567（清河县）"


@pytest.mark.parametrize("yaml_text, message", [
    ("title: x\n", r"missing key .*body"),
    ("titel: x\n", r"unknown key titel"),
    ('office: a\ndoc_number: b\ntitle: c\nrecipients: d\nno_problems: e\nbody:\n  - para: x\n',
     r"body item 1 must be one of heading, subheading, table, text"),
    ('office: a\ndoc_number: b\ntitle: c\nrecipients: d\nno_problems: e\nbody:\n  - table: chart\n',
     r"table: must be one of problems, ranking"),
], ids=["missing-body", "misspelt-key", "unknown-block", "unknown-table"])
def test_a_broken_wording_file_names_the_problem(tmp_path, yaml_text, message):
    path = tmp_path / "notice.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(WordingError, match=message):
        load_wording(path)


def test_a_misspelt_placeholder_is_an_error_not_a_blank(tmp_path):
    path = tmp_path / "notice.yaml"
    path.write_text(DEFAULT_WORDING.read_text(encoding="utf-8").replace("{{ office }}对全县", "{{ ofice }}对全县"),
                    encoding="utf-8")
    with pytest.raises(WordingError, match=r"notice.yaml: body item 1: 'ofice' is undefined"):
        docx_of(load("export_two_units.json"), wording=str(path))


def test_the_wording_cannot_reach_python(tmp_path):
    path = tmp_path / "notice.yaml"
    path.write_text(DEFAULT_WORDING.read_text(encoding="utf-8").replace(
        'recipients: "各乡镇人民政府，县直各单位："',
        "recipients: \"{{ county.__class__.__mro__[1].__subclasses__() }}\""), encoding="utf-8")
    with pytest.raises(Exception, match="unsafe|access"):
        docx_of(load("export_two_units.json"), wording=str(path))


def test_verdicts_appear_in_the_ranking_once_the_model_has_them():
    from report_exports import with_verdicts
    report = with_verdicts(build_period(states_export(), "month"), {
        "清河县教育局": (95.0, "合格"), "城关镇人民政府": (100.0, "不合格", ["站点无法访问"]),
        "清河县文化和旅游局": (100.0, "合格")})
    ranking = tables(render_bytes(report, "docx"))[0]
    assert ranking[0] == ["排名", "单位", "问题数", "单项否决", "扣分项", "得分", "结论", "主要问题"]
    # a vetoed unit shows 单项否决 where the others show a score, and ranks last (issue 9)
    assert [[row[1]] + row[5:7] for row in ranking[1:]] == [
        ["清河县文化和旅游局", "100.0", "合格"], ["清河县教育局", "95.0", "合格"], ["城关镇人民政府", "单项否决", "不合格"]]
    body = "\n".join(lines(render_bytes(report, "docx")))
    assert "城关镇人民政府（问题1个，其中单项否决1个；单项否决（站点无法访问），不合格）" in body
    assert "结论" not in tables(docx_of(states_export()))[0][0]


def test_the_notice_deadline_is_the_problem_lists_deadline():
    """The 整改期限 in the wording is the ledger's date for this crawl's new problems, as in the table."""
    data = export(unit("清河县教育局",
                       finding("column_empty", "deduction", column="人事信息", state="new",
                               first_seen="2026-11-27", deadline="2026-12-11"),
                       finding("column_stale", "veto", state="open", first_seen="2026-11-06",
                               deadline="2026-11-20", overdue=True, recurrences=1)))
    data["run"] = {"crawl_date": "2026-11-27", "finished": "2026-11-27T01:05:00+00:00"}
    data["timezone"] = "Asia/Shanghai"
    doc = docx_of(data, "week")
    body = "\n".join(lines(doc))
    assert "2026年11月27日检查新发现的问题于2026年12月11日前完成整改" in body
    assert "已逾期的1个问题立即整改" in body
    rows = tables(doc)[1][1:]
    assert [(r[2], r[5], r[6]) for r in rows] == [
        ("栏目更新不及时", "2026-11-20", "未整改（复发1次，逾期）"), ("空白栏目", "2026-12-11", "新发现")]
    assert "（注：数据来源：2026-11-27 09:05 完成的检查）" in body


def test_the_deadline_cannot_be_set_apart_from_the_list(tmp_path):
    with pytest.raises(ValueError, match="format 'docx' has no option 'deadline'"):
        DocxRenderer(deadline="2026-12-20")
    old = tmp_path / "notice.yaml"
    old.write_text(DEFAULT_WORDING.read_text(encoding="utf-8") + "deadline_days: 10\n", encoding="utf-8")
    with pytest.raises(WordingError, match="deadline_days is no longer used.*remove the line"):
        load_wording(old)


def test_stale_data_is_said_under_the_title():
    data = export(unit("清河县教育局", finding()))
    data["data_note"] = "本期未检查，数据截至2026-11-20 09:05（最近一次完成的检查）"
    text = lines(docx_of(data, "week"))
    title = text.index("关于2026年11月21日—11月27日政府信息公开检查情况的通报")
    assert text[title + 2] == "（本期未检查，数据截至2026-11-20 09:05（最近一次完成的检查））"
