"""The portal over real HTTP on loopback: statuses, headers, encodings, sites.yaml."""
from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
import yaml

from demo.county import CHALLENGE_COOKIE
from demo.server import DemoPortal, free_port

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(TODAY) as p:
        yield p


def fetch(url: str, method: str = "GET", data: bytes | None = None, cookie: str | None = None):
    """(status, headers, body) without raising on HTTP errors."""
    request = urllib.request.Request(url, method=method, data=data, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


# The challenged unit's cookie, as its challenge's script sets it in a browser.
PASSED = "=".join(CHALLENGE_COOKIE)


def test_the_challenged_unit_answers_every_page_with_its_challenge_until_the_cookie_is_set(portal):
    url = unit_fact(portal, "清河县水利局")["url"]
    status, _, body = fetch(url)
    assert status == 412 and b"document.cookie" in body and b"location.reload()" in body
    assert b"<a " not in body                       # nothing of the site until the cookie is set
    assert fetch(url + "index.html")[0] == 412 and fetch(url, cookie=PASSED)[0] == 200


def test_list_api_answers_the_channels_first_page_with_epoch_dates(portal):
    county = portal.site.county
    column = county.unit("slj").column("tzgg")
    api = portal.url("/slj/api/xxgk/list")
    status, headers, body = fetch(api, "POST", f"channelId={column.cms_id}&pageNo=1&pageSize=15".encode(), PASSED)
    rows = json.loads(body)["data"]["list"]
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert [r["title"] for r in rows] == [i.title for i in column.pages[0]]
    newest = datetime.fromtimestamp(rows[0]["publishTime"] / 1000, timezone(timedelta(hours=8))).date()
    assert newest == column.items[0].date
    # Only for a column whose page calls it, only for the unit's own channels.
    other = county.unit("rsj").column("tzgg")
    assert json.loads(fetch(api, "POST", f"channelId={other.cms_id}".encode(), PASSED)[2])["code"] == 404


def unit_fact(portal, name: str) -> dict:
    return next(u for u in portal.expected()["facts"] if u["name"] == name)


def test_start_sets_base_url_and_stop_frees_the_port():
    p = DemoPortal(TODAY)
    assert p.start().startswith("http://127.0.0.1:") and p.start() == p.base_url
    port = p.port
    assert fetch(p.url("/"))[0] == 200
    p.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    with pytest.raises(RuntimeError):
        DemoPortal(TODAY).expected()


def test_every_reachable_unit_serves_its_disclosure_page(portal):
    for u in portal.expected(browser=True)["facts"]:
        if not u["reachable"]:
            continue
        status, headers, body = fetch(u["url"], cookie=PASSED)
        assert status == 200, u["name"]
        assert headers["Content-Type"].startswith("text/html")
        assert fetch(u["url"] + "index.html", cookie=PASSED)[2] == body
        for c in u["columns"]:
            if c["state"] != "error":
                assert fetch(c["url"], "HEAD", cookie=PASSED)[0] == 200, (u["name"], c["name"])


def test_gbk_units(portal):
    no_header = unit_fact(portal, "清河县教育局")
    with_header = unit_fact(portal, "清河县民政局")
    for fact, ctype in [(no_header, "text/html"), (with_header, "text/html; charset=gb2312")]:
        leaders = next(c for c in fact["columns"] if c["name"] == "领导信息")
        status, headers, body = fetch(leaders["url"])
        assert status == 200 and headers["Content-Type"] == ctype
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        with pytest.raises(UnicodeDecodeError):
            body.decode("gb2312")               # the declared charset cannot hold 堃 / 玥
        html = body.decode("gb18030")
        assert '<meta charset="gb2312">' in html and "堃" in html and "玥" in html


def test_hanweb_page_keeps_its_list_in_a_script(portal):
    fact = unit_fact(portal, "新兴镇")
    column = next(c for c in fact["columns"] if c["name"] == "乡镇动态")
    html = fetch(column["url"])[2].decode("utf-8")
    before, script = html.split('<script type="text/xml">', 1)
    script, after = script.split("</script>", 1)
    assert "<li" not in before and "<li" not in after
    assert script.count("<record><![CDATA[") == column["item_count"]
    assert "/xxz/art/" in script and re.search(r"<span>\[\d\d-\d\d\]</span>", script)


def test_hanweb_dataproxy_answers_post(portal):
    fact = unit_fact(portal, "新兴镇")
    column = next(c for c in fact["columns"] if c["name"] == "乡镇动态")
    columnid = urlsplit(column["url"]).path.split("/col/col")[1].split("/")[0]
    status, headers, body = fetch(portal.url("/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=3"),
                                  "POST", f"col=1&columnid={columnid}".encode())
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    assert body.decode().count("<record>") == 3


def test_unknown_paths_404(portal):
    for path in ["/nope.html", "/jyj/xxgk/nope/", "/ybj/xxgk/"]:
        status, headers, _ = fetch(portal.url(path))
        assert status == 404
    dead = next(f for f in portal.expected()["findings"] if f[1] == "dead_link")
    assert fetch(dead[2])[0] == 404
    assert fetch(dead[2], "HEAD")[0] == 404


def test_broken_column_answers_500(portal):
    broken = [(u["name"], c) for u in portal.expected()["facts"] for c in u["columns"] if c["state"] == "error"]
    assert [(n, c["name"]) for n, c in broken] == [("清河县市场监督管理局", "规划计划")]
    assert broken[0][1]["status"] == 500
    assert fetch(broken[0][1]["url"])[0] == 500
    assert fetch(broken[0][1]["url"], "HEAD")[0] == 500


def test_outage_unit_answers_503_everywhere(portal):
    url = unit_fact(portal, "清河县文化广电和旅游局")["url"]
    for u in [url, url + "index.html", url + "anything/at/all.html"]:
        status, headers, body = fetch(u)
        assert status == 503 and headers["Retry-After"]
    status, _, body = fetch(url, "HEAD")
    assert status == 503 and body == b""


def test_unreachable_unit_refuses_connections(portal):
    url = unit_fact(portal, "清河县医疗保障局")["url"]
    assert urlsplit(url).port != portal.port
    with pytest.raises(urllib.error.URLError) as e:
        urllib.request.urlopen(url, timeout=2)
    assert isinstance(e.value.reason, ConnectionRefusedError)


def test_head_has_headers_but_no_body(portal):
    status, headers, body = fetch(portal.url("/jyj/xxgk/"), "HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def test_same_today_same_bytes_on_any_port(portal):
    paths = ["/jyj/xxgk/", "/nyncj/xxgk/index.html", "/czj/xxgk/index.html", "/xzf/xxgk/zwyw/index_1.html"]
    with DemoPortal(TODAY) as other:
        assert other.port != portal.port
        for path in paths:
            assert fetch(portal.url(path))[2] == fetch(other.url(path))[2], path


def test_sites_yaml(portal, tmp_path):
    path = portal.sites(tmp_path / "sites.yaml")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["county"] == "清河县"
    assert len(doc["units"]) == len(portal.expected()["facts"]) >= 20
    first = doc["units"][0]
    assert set(first) == {"name", "kind", "url"}
    assert first["url"].startswith(portal.base_url) and first["url"].endswith("/xxgk/")
    assert {u["kind"] for u in doc["units"]} == {"government", "department", "town"}
    assert [u["url"] for u in doc["units"]] == [u["url"] for u in portal.expected()["facts"]]


def test_free_port_is_refused():
    port = free_port()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
