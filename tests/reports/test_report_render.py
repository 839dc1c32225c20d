import pytest

from reports import FORMATS, Renderer, build_period, render
from reports.formats import FORMATS
from report_exports import has_cjk_font, load, require


@pytest.fixture
def week():
    return build_period(load("export_two_units.json"), "week")


def test_every_form_the_office_hands_out():
    assert {name: cls.suffix for name, cls in FORMATS.items()} == {
        "html": ".html", "md": ".md", "xlsx": ".xlsx", "docx": ".docx", "chat": ".txt", "png": ".png"}
    for cls in FORMATS.values():
        assert cls.description, cls


def test_all_formats_from_one_model(week, tmp_path):
    require(has_cjk_font(), "a Chinese font for the png format (Debian's fonts-noto-cjk)")
    paths = render(week, ["html", "md", "xlsx", "docx", "chat", "png"], tmp_path)
    assert [p.name for p in paths] == [f"weekly-2026-11-27{s}" for s in
                                       (".html", ".md", ".xlsx", ".docx", ".txt", ".png")]
    assert paths[2].read_bytes()[:2] == paths[3].read_bytes()[:2] == b"PK"      # zip containers
    assert paths[5].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "清河县教育局" in paths[4].read_text(encoding="utf-8")


def test_options_reach_the_renderer(week, tmp_path):
    [path] = render(week, ["docx"], tmp_path, options={"docx": {"doc_number": "清政务办〔2026〕12号"}})
    from docx import Document
    assert Document(str(path)).paragraphs[0].text == "清政务办〔2026〕12号"


def test_a_misspelt_option_names_itself_and_writes_nothing(week, tmp_path):
    with pytest.raises(ValueError, match=r"format 'docx' has no option 'doc_numbr'; its options: .*doc_number"):
        render(week, ["html", "docx"], tmp_path, options={"docx": {"doc_numbr": "12"}})
    with pytest.raises(ValueError, match=r"unknown report format 'dox'"):
        render(week, ["html"], tmp_path, options={"dox": {}})
    with pytest.raises(ValueError, match=r"format 'html' has no option 'x'; its options: none"):
        render(week, ["html"], tmp_path, options={"html": {"x": 1}})
    assert list(tmp_path.iterdir()) == []


def test_files_written_where_asked(week, tmp_path):
    out = tmp_path / "reports" / "2026"            # created on demand
    paths = render(week, ["md", "html"], out)
    assert paths == [out / "weekly-2026-11-27.md", out / "weekly-2026-11-27.html"]
    assert paths[0].read_text(encoding="utf-8").startswith("# 清河县")
    assert sorted(p.name for p in out.iterdir()) == ["weekly-2026-11-27.html", "weekly-2026-11-27.md"]


def test_monthly_file_name(tmp_path):
    month = build_period(load("export_two_units.json"), "month")
    assert render(month, ["html"], tmp_path) == [tmp_path / "monthly-2026-11.html"]


def test_comma_list_case_and_duplicates(week, tmp_path):
    paths = render(week, "HTML, md,html", tmp_path)
    assert [p.suffix for p in paths] == [".html", ".md"]


def test_unknown_format_names_it_and_writes_nothing(week, tmp_path):
    with pytest.raises(ValueError, match=r"'xslx'.*known formats: chat, docx, html, md, png, xlsx"):
        render(week, ["html", "xslx"], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_no_format_is_an_error(week, tmp_path):
    with pytest.raises(ValueError, match="no report format"):
        render(week, [], tmp_path)


def test_a_new_renderer_registers_itself(week, tmp_path):
    class Plain(Renderer):
        kind = "txt-test"
        suffix = ".txt"

        def render(self, report):
            return report.title.encode("utf-8")
    try:
        [path] = render(week, ["txt-test"], tmp_path)
        assert path.name == "weekly-2026-11-27.txt"
        assert path.read_text(encoding="utf-8") == week.title
    finally:
        FORMATS.discard("txt-test")


def test_a_format_cannot_be_claimed_twice():
    with pytest.raises(TypeError, match="'html' is already provided"):
        class AnotherHtml(Renderer):
            kind = "html"
            suffix = ".htm"
