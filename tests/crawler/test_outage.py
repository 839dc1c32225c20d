"""An outage of the office's own network is not an outage of every unit."""
import json
import socket

from crawler.outage import suspected_outage
from mockserver import MockServer, html
from test_spider import govfresh


def down(error="连接超时"):
    return {"reachable": 0, "error": error, "http_status": None}


def up():
    return {"reachable": 1, "error": None, "http_status": 200}


def test_most_units_failing_alike_is_suspect():
    s = suspected_outage([down()] * 9 + [up()])
    assert (s.units, s.failed, s.error) == (10, 9, "连接超时")


def test_units_failing_in_different_ways_are_not_an_outage():
    assert suspected_outage([down("连接超时")] * 5 + [down("HTTP 503")] * 5) is None


def test_a_few_units_are_never_taken_for_an_outage():
    assert suspected_outage([down()] * 3) is None
    assert suspected_outage([down()] * 3, min_units=3) is not None


def refused_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def sites(tmp_path, names, base, reference=None):
    lines = ["county: 测试县", "units:"] + [f"  - name: {n}\n    url: {base}/{i}/" for i, n in enumerate(names)]
    if reference:
        lines += ["crawl:", f"  reference_url: {reference}"]
    path = tmp_path / "sites.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


NAMES = [f"单位{i}" for i in range(6)]


def test_a_whole_county_down_fails_the_crawl_and_vetoes_no_one(tmp_path):
    db = tmp_path / "o.db"
    result = govfresh("crawl", "--config", str(sites(tmp_path, NAMES, refused_url())), "--db", str(db),
                      "--crawl-date", "2026-11-27")
    assert result.returncode == 1
    assert "疑似本机网络故障：6个单位中6个以同样方式无法访问（连接被拒绝）" in result.stderr
    export = json.loads(govfresh("export", "--db", str(db), "--as-of", "2026-11-27").stdout)
    assert export["units"] == [] and export["run"] is None
    assert export["unfinished_runs"][0]["note"].startswith("疑似本机网络故障")


def test_when_the_reference_answers_the_units_really_are_down(tmp_path):
    db = tmp_path / "o.db"
    with MockServer({"/": html("<p>县门户</p>")}) as portal:
        path = sites(tmp_path, NAMES, refused_url(), reference=portal.url + "/")
        result = govfresh("crawl", "--config", str(path), "--db", str(db), "--crawl-date", "2026-11-27")
    assert result.returncode == 0, result.stderr
    export = json.loads(govfresh("export", "--db", str(db), "--as-of", "2026-11-27").stdout)
    assert {f["rule"] for u in export["units"] for f in u["findings"]} == {"site_unreachable"}
    assert len(export["units"]) == 6


def test_status_says_why_a_crawl_did_not_count(tmp_path):
    path = sites(tmp_path, NAMES, refused_url())
    db = tmp_path / "o.db"
    govfresh("crawl", "--config", str(path), "--db", str(db), "--crawl-date", "2026-11-27")
    status = govfresh("status", "--config", str(path), "--db", str(db))
    assert "failed" in status.stdout and "疑似本机网络故障" in status.stdout


def not_read(error):
    return {"reachable": 1, "state": "unverifiable", "error": error, "http_status": 200}


def test_most_units_answered_alike_by_something_else_is_suspect():
    """A captive portal or a proxy of the office answers for every site: its login page, or a redirect to itself."""
    portal = "跳转到站点范围外，未跟随（http://10.1.1.1:8080 不在该单位的站点范围内）"
    s = suspected_outage([not_read(portal)] * 9 + [up()])
    assert (s.failed, s.error) == (9, portal)
    # units each unreadable in their own way, or all behind one platform's anti-bot wall, are no outage
    assert suspected_outage([not_read(f"页面显示“页面不存在”（标题：{i}）") for i in range(9)] + [up()]) is None
    blocked = {"reachable": 1, "state": "blocked", "error": "反爬虫验证页（HTTP 412）", "http_status": 412}
    assert suspected_outage([blocked] * 9 + [up()]) is None


def test_a_captive_portal_fails_the_crawl_and_fixes_no_one(tmp_path):
    db = tmp_path / "o.db"
    with MockServer({"/login": html("<form>上网认证<input type=password></form>")}, host="127.0.0.2") as portal, \
            MockServer() as county:
        for i in range(len(NAMES)):
            county.routes[f"/{i}/"] = (302, {"Location": f"{portal.url}/login?from={i}"}, b"")
        result = govfresh("crawl", "--config", str(sites(tmp_path, NAMES, county.url)), "--db", str(db),
                          "--crawl-date", "2026-11-27")
    assert result.returncode == 1, result.stderr
    assert "疑似本机网络故障：6个单位中6个以同样方式无法访问（跳转到站点范围外" in result.stderr
    assert portal.hits == []
