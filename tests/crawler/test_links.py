"""Column discovery from a disclosure page's own navigation."""
from pathlib import Path

from crawler.extract.links import clean_url, discover_columns, extract_links

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "links"
PAGE = "http://www.qinghe.gov.cn/jyj/xxgk/index.html"


def test_columns_are_the_navigation_entries_with_names_as_shown():
    html = (FIXTURES / "disclosure_left_nav.html").read_text(encoding="utf-8")
    columns = discover_columns(html, PAGE, {"www.qinghe.gov.cn"})
    assert [c.text for c in columns] == ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "工作动态",
                                         "通知公告", "政府信息公开年报"]
    assert columns[2].url == "http://www.qinghe.gov.cn/jyj/xxgk/fdzdgknr/"
    assert columns[3].url == "http://www.qinghe.gov.cn/jyj/xxgk/gzdt/index.html"


def test_items_site_chrome_other_hosts_and_scripts_are_not_columns():
    html = (FIXTURES / "disclosure_left_nav.html").read_text(encoding="utf-8")
    names = {c.text for c in discover_columns(html, PAGE, {"www.qinghe.gov.cn"})}
    assert not names & {"首页", "网站地图", "政务公开", "互动交流", "更多", "联系我们", "外站栏目", "展开",
                        "全县教育工作会议召开", "关于开展秋季学期安全检查的通知"}


def test_extract_links_keeps_only_http_and_drops_fragments():
    html = '<a href="a.html#x">A</a><a href="javascript:alert(1)">J</a><a href="mailto:x@y">M</a><a href="a.html">A2</a><a href="file:///etc/passwd">F</a>'
    links = extract_links(html, "http://h.gov.cn/d/")
    assert [(l.text, l.url) for l in links] == [("A", "http://h.gov.cn/d/a.html")]


def test_clean_url():
    assert clean_url("  ../b/?q=1#top ", "https://h.gov.cn/a/c.html") == "https://h.gov.cn/b/?q=1"
    assert clean_url("data:text/html,x", "https://h.gov.cn/") is None


def test_column_boxes_are_found_through_their_more_links():
    html = """<div class="gk-box"><div class="hd"><h3>机构职能</h3><a class="more" href="/wjj/xxgk/jgzn/">更多&gt;&gt;</a></div>
      <ul><li><a href="/wjj/xxgk/jgzn/content_1.html">青山县卫生健康局主要职责</a><span>2024/9/18</span></li></ul></div>
      <div class="gk-box"><div class="hd"><h3>部门动态</h3><a class="more" href="/wjj/xxgk/bmdt/">更多&gt;&gt;</a></div></div>
      <nav><a href="/wjj/bsfw/">办事服务</a><a href="/wjj/xxgk/">政务公开</a><a href="/dl/downfile.jsp?f=sqb.doc">申请表.doc</a></nav>"""
    columns = discover_columns(html, "http://h.gov.cn/wjj/xxgk/index.html", {"h.gov.cn"})
    assert [(c.text, c.url) for c in columns] == [("机构职能", "http://h.gov.cn/wjj/xxgk/jgzn/"),
                                                  ("部门动态", "http://h.gov.cn/wjj/xxgk/bmdt/")]
