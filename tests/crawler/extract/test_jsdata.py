"""The JS/JSON literal reader (chompjs on one balanced literal) used for script list data."""
import pytest

from crawler.extract.jsdata import dict_lists, parse_literal, script_literals


def test_js_object_literal_extras():
    src = "{articleList: [{title: 'a\\'b', url: \"/x\", n: 1.5, ok: true, no: null,}, /* c */ {title: 'c'}], // tail\n}"
    value, end = parse_literal(src)
    assert end == len(src)
    assert value == {"articleList": [{"title": "a'b", "url": "/x", "n": 1.5, "ok": True, "no": None}, {"title": "c"}]}


@pytest.mark.parametrize("src", ["{a: 1", "[1, 2", "{'a' 1}", "{" * 100_000, "[" * 61 + "]" * 61, "{a: 'x}",
                                 "{a: 1 /* }"])
def test_not_a_literal(src):
    with pytest.raises(ValueError):
        parse_literal(src)


def test_script_literals_finds_assignments_and_lists():
    script = "var x = 3; var listData = {articleList:[{title:'t',pubDate:'2026-11-20'}]}; window.cfg = [1,2];"
    lits = list(script_literals(script))
    assert {"articleList": [{"title": "t", "pubDate": "2026-11-20"}]} in lits
    lists = [l for v in lits for l in dict_lists(v)]
    assert lists == [[{"title": "t", "pubDate": "2026-11-20"}]]


def test_long_tokens_are_fast():
    # A long base64-like token must not make the scanner quadratic.
    import time
    script = "var a = '" + "A" * 200_000 + "'; " + "x" * 200_000
    t = time.perf_counter()
    list(script_literals(script))
    assert time.perf_counter() - t < 1.0


def test_literals_passed_to_calls_are_read_once():
    # The $.ajax options of a list loader, inside a function body: the call a page makes for its list.
    script = ("$(function(){ $.ajax({url: '/api/list', type: 'post', data: {channelId: 12, page: cur}}); });"
              " var d = {list: [{title: 'a'}]};")
    assert list(script_literals(script)) == [
        {"url": "/api/list", "type": "post", "data": {"channelId": 12, "page": "cur"}},
        {"list": [{"title": "a"}]}]


def test_brackets_inside_strings_and_comments_do_not_end_a_literal():
    value, end = parse_literal("{t: '}]', u: \"[{\", /* } */ v: `a]`} trailing")
    assert value == {"t": "}]", "u": "[{", "v": "a]"}
    assert end == len("{t: '}]', u: \"[{\", /* } */ v: `a]`}")
