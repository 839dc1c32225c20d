"""plugins.py: a class that sets `kind` joins its family; the registry looks kinds up, refuses a
second holder of a name, and describes its kinds for --help and the README."""
import pytest

from plugins import LISTED, Plugin, Registry, describe, unknown_name


def _family(what: str = "widget kind"):
    class Widget(Plugin):
        registry = Registry(what)
    return Widget


def test_setting_kind_registers_the_class_in_definition_order():
    Widget = _family()

    class Beta(Widget):
        kind = "beta"

    class Alpha(Widget):
        kind = "alpha"

    assert list(Widget.registry) == ["beta", "alpha"]
    assert Widget.registry["alpha"] is Alpha and Widget.registry.lookup("beta") is Beta
    assert len(Widget.registry) == 2 and "alpha" in Widget.registry


def test_base_without_kind_is_not_registered():
    Widget = _family()

    class HttpWidget(Widget):
        """A shared helper for the kinds below: no kind of its own."""

    class Json(HttpWidget):
        kind = "json"

    class JsonV2(Json):
        """Inherits `kind` but does not set it: must not take over "json"."""

    assert list(Widget.registry) == ["json"]
    assert Widget.registry["json"] is Json


def test_families_do_not_share_kinds():
    Rule, Format = _family("rule kind"), _family("report format")

    class Stale(Rule):
        kind = "stale"

    assert "stale" in Rule.registry and "stale" not in Format.registry


def test_duplicate_kind_is_refused_with_the_name_of_its_holder():
    Widget = _family()

    class ColumnStale(Widget):
        kind = "column_stale"

    with pytest.raises(TypeError, match=r"widget kind 'column_stale' is already provided by ColumnStale"):
        class Copy(Widget):
            kind = "column_stale"

    assert Widget.registry["column_stale"] is ColumnStale
    Widget.registry.add(ColumnStale)   # the same class again is no conflict


def test_discard_frees_the_name():
    Widget = _family()

    class Temp(Widget):
        kind = "temp"

    Widget.registry.discard("temp")
    Widget.registry.discard("never-there")
    assert "temp" not in Widget.registry

    class Again(Widget):
        kind = "temp"

    assert Widget.registry["temp"] is Again


def test_lookup_error_names_the_known_kinds():
    Widget = _family("report format")
    for name in ("html", "xlsx", "notice"):
        type(name, (Widget,), {"kind": name})
    with pytest.raises(ValueError) as e:
        Widget.registry.lookup("htm")
    assert str(e.value) == "unknown report format 'htm'; did you mean 'html'? (valid: html, xlsx, notice)"
    with pytest.raises(ValueError, match=r"^unknown report format 'pdf' \(valid: html, xlsx, notice\)$"):
        Widget.registry.lookup("pdf")


def test_lookup_in_an_empty_family():
    with pytest.raises(ValueError, match=r"unknown sender 'wecom' \(there are none yet\)"):
        _family("sender").registry.lookup("wecom")


def test_unknown_name_summarises_a_long_list_but_keeps_close_matches():
    units = [f"unit{i:02d}" for i in range(LISTED + 4)] + ["工作动态"]
    text = unknown_name("column", "工作动", units)
    assert "did you mean '工作动态'?" in text   # the close match is named although it is not listed
    assert text.endswith(f"unit{LISTED - 1:02d}, … ({LISTED + 5} in all))")
    assert f"unit{LISTED:02d}" not in text


def test_unknown_name_lists_each_choice_once():
    assert unknown_name("column", "x", ["工作动态", "工作动态", "通知公告"]).endswith("(valid: 工作动态, 通知公告)")


def test_describe_prefers_label_then_description_then_docstring():
    Widget = _family()
    type("A", (Widget,), {"kind": "a", "label": "short name", "description": "long text", "__doc__": "doc"})
    type("B", (Widget,), {"kind": "b", "description": "what it checks", "__doc__": "doc"})
    type("C", (Widget,), {"kind": "c", "__doc__": "\n    First line of the docstring.\n\n    More.\n"})
    type("D", (Widget,), {"kind": "d", "__doc__": None})
    assert Widget.registry.describe() == [("a", "short name"), ("b", "what it checks"),
                                          ("c", "First line of the docstring."), ("d", "")]


def test_describe_as_help_text_aligns_names():
    Widget = _family()
    type("S", (Widget,), {"kind": "stale", "label": "column not updated"})
    type("E", (Widget,), {"kind": "empty_column", "label": "column with no items"})
    assert describe(Widget.registry) == ("  stale         column not updated\n"
                                         "  empty_column  column with no items")
    assert describe({"json_api": object}) == "  json_api  "
    assert describe(_family().registry) == ""
