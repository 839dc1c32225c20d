"""A second simulated county portal (青山县), written without looking at the crawler.

The site lives in tests/fixtures/portal_unseen/site/ as HTML files that look like
the output of ten different CMSes.  Dates in the pages are written relative to
"today" so the portal works for any crawl date: a page contains expressions such
as ``{= D(3) =}`` (the date 3 days before today, ``YYYY-MM-DD``) or
``{= D(30, '%Y年%m月%d日') =}``, rendered with Jinja2 when the page is served.
truth.yaml (rendered the same way) says what a correct crawl must observe.

    with UnseenPortal(today=date(2026, 11, 27)) as portal:
        portal.sites(tmp_path / "sites.yaml")
        truth = portal.truth()
        ...crawl with as-of 2026-11-27, compare with truth...

Template context (pages and truth.yaml):
    D(n, fmt='%Y-%m-%d')   today minus n days, formatted with strftime
    B                      the "report base year": today's year once January is
                           over, else last year.  "Last year's annual report"
                           (the one that is due, 31 Jan / 31 Mar) is for B-1.
    R(k, 'MM-DD', fmt=...) publication day of the annual report for year B-k
                           (published in year B-k+1 on MM-DD; every report in the
                           portal is published in January, so never in the future)
    Y                      today's year;  TODAY = D(0)
    TODAY_CN               e.g. 2026年11月27日;   WEEK  e.g. 星期五
    BASE                   http://127.0.0.1:PORT (used by one <base href>)

Server behaviour (declared under ``server:`` in truth.yaml):
    * a directory path serves its index.html / index.shtml; a directory without
      the trailing slash is redirected (301) to the slash form, like Apache;
    * ``P?Q`` is served from the file named ``P@Q`` when it exists
      (list.jsp?channelId=1205 -> list.jsp@channelId=1205), else from ``P``;
    * files are decoded as UTF-8 (a BOM is kept) or, failing that, GB18030, and
      sent back in the same encoding;
    * ``content_types``: Content-Type overrides keyed by request path or by the
      file's path under site/ (default
      ``text/html; charset=utf-8`` or ``...; charset=gbk`` for GBK files);
    * ``status``: paths answering a fixed status (500, 404) with an error page;
    * ``redirects``: path -> Location (301);
    * ``aliases``: path -> file under site/ (for articles whose URL carries a
      relative date, e.g. TRS ./202611/t20261120_1.html, but whose text matters);
    * ``article_patterns``: regexes (path with query) answered with a generic
      article page, so that every article linked from a list opens;
    * ``asset_suffixes``: .css/.js/.png/... answer 200 with a tiny body;
    * everything else: 404.
The unit whose URL uses ``{refused}`` points to a port nobody listens on.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
import yaml

from demo.loopback import LoopbackServer, Request, free_port

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "portal_unseen"
SITE_DIR = FIXTURE_DIR / "site"
TRUTH_FILE = FIXTURE_DIR / "truth.yaml"
ARTICLE_TEMPLATE = FIXTURE_DIR / "article.html"

WEEKDAYS = "一二三四五六日"
BOM = b"\xef\xbb\xbf"

DYNAMIC_WORDS = ("动态", "要闻")
NOTICE_NAMES = ("通知公告", "公示公告", "政策文件", "规范性文件")


def column_category(name: str) -> str:
    """dynamic / notice / other, by the brief's naming rule."""
    if any(word in name for word in DYNAMIC_WORDS):
        return "dynamic"
    if any(word in name for word in NOTICE_NAMES):
        return "notice"
    return "other"


STALE_AFTER = {"dynamic": 14, "notice": 183}


def _as_date(today) -> dt.date:
    if today is None:
        return dt.date.today()
    if isinstance(today, dt.datetime):
        return today.date()
    if isinstance(today, dt.date):
        return today
    return dt.date.fromisoformat(str(today))


class _Context:
    """Builds the Jinja2 environment and variables for one 'today'."""

    def __init__(self, today: dt.date, base: str):
        self.today = today
        self.base = base
        self.env = jinja2.Environment(
            variable_start_string="{=",
            variable_end_string="=}",
            block_start_string="{%",
            block_end_string="%}",
            comment_start_string="{##",
            comment_end_string="##}",
            keep_trailing_newline=True,
            autoescape=False,
            undefined=jinja2.StrictUndefined,
        )
        self.report_base = today.year if today > dt.date(today.year, 1, 31) else today.year - 1
        self.vars = {
            "D": self.D,
            "R": self.R,
            "B": self.report_base,
            "Y": today.year,
            "TODAY": today.isoformat(),
            "TODAY_CN": f"{today.year}年{today.month}月{today.day}日",
            "WEEK": "星期" + WEEKDAYS[today.weekday()],
            "BASE": base,
        }

    def D(self, days: int, fmt: str = "%Y-%m-%d") -> str:
        return (self.today - dt.timedelta(days=days)).strftime(fmt)

    def R(self, years_ago: int, mmdd: str, fmt: str = "%Y-%m-%d") -> str:
        month, day = (int(part) for part in mmdd.split("-"))
        return dt.date(self.report_base - years_ago + 1, month, day).strftime(fmt)

    def render(self, text: str, **extra) -> str:
        return self.env.from_string(text).render(**self.vars, **extra)


def _decode(raw: bytes) -> tuple[str, str, bool]:
    """(text, encoding, had_bom)."""
    if raw.startswith(BOM):
        return raw[len(BOM):].decode("utf-8"), "utf-8", True
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        return raw.decode("gb18030"), "gbk", False


def _load_truth_text(ctx: _Context, refused_base: str) -> str:
    text = ctx.render(TRUTH_FILE.read_text(encoding="utf-8"))
    return text.replace("{base}", ctx.base).replace("{refused}", refused_base)


class _Answer:
    """One request to the portal, answered from the site folder and truth.yaml's server spec."""

    def __init__(self, request: Request):
        self.request = request
        self.path = request.path

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              headers: dict | None = None) -> None:
        self.request.reply(status, {**({"Content-Type": ctype} if ctype else {}), **(headers or {})}, body)

    def _route(self, portal: "UnseenPortal") -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path) or "/"
        query = parts.query
        full = path + ("?" + query if query else "")
        spec = portal._server_spec

        if full in spec["status"] or path in spec["status"]:
            status = spec["status"].get(full, spec["status"].get(path))
            body = _ERROR_PAGES.get(status, _ERROR_PAGES[404]).encode("utf-8")
            self._send(status, body)
            return
        if full in spec["redirects"] or path in spec["redirects"]:
            location = spec["redirects"].get(full, spec["redirects"].get(path))
            self._send(301, b"", ctype="text/html", headers={"Location": location})
            return
        if "/_" in path or ".." in path.split("/"):
            self._send(404, _ERROR_PAGES[404].encode("utf-8"))
            return

        target = SITE_DIR / path.lstrip("/")
        alias = spec["aliases"].get(full) or spec["aliases"].get(path)
        if alias:
            target = SITE_DIR / alias
        elif query:
            with_query = SITE_DIR / (path.lstrip("/") + "@" + query)
            if with_query.is_file():
                target = with_query
        if target.is_dir():
            if not path.endswith("/"):
                self._send(301, b"", ctype="text/html", headers={"Location": path + "/"})
                return
            for index in ("index.html", "index.shtml", "index.htm"):
                if (target / index).is_file():
                    target = target / index
                    break
        if target.is_file():
            self._serve_file(portal, path, target)
            return
        for pattern in portal._article_res:
            if pattern.search(full):
                self._serve_article(portal, full)
                return
        if path.lower().endswith(tuple(spec["asset_suffixes"])):
            self._send(200, b"/* */", ctype="application/octet-stream")
            return
        self._send(404, _ERROR_PAGES[404].encode("utf-8"))

    def _serve_file(self, portal: "UnseenPortal", path: str, target: Path) -> None:
        raw = target.read_bytes()
        text, encoding, bom = _decode(raw)
        body = portal._ctx.render(text, PATH=path).encode(encoding)
        if bom:
            body = BOM + body
        default = f"text/html; charset={'gbk' if encoding == 'gbk' else 'utf-8'}"
        types = portal._server_spec["content_types"]
        rel = "/" + target.relative_to(SITE_DIR).as_posix()
        ctype = types.get(path, types.get(rel, default))
        self._send(200, body, ctype=ctype)

    def _serve_article(self, portal: "UnseenPortal", full: str) -> None:
        text = ARTICLE_TEMPLATE.read_text(encoding="utf-8")
        body = portal._ctx.render(text, PATH=full).encode("utf-8")
        self._send(200, body)


_ERROR_PAGES = {
    404: "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>"
         "<p>The requested URL was not found on this server.</p></body></html>",
    500: "<!doctype html><html lang=\"en\"><head><title>HTTP Status 500 – Internal Server Error"
         "</title></head><body><h1>HTTP Status 500 – Internal Server Error</h1><hr class=\"line\" />"
         "<p><b>Type</b> Exception Report</p><p><b>Message</b> java.lang.NullPointerException</p>"
         "<hr class=\"line\" /><h3>Apache Tomcat/8.5.31</h3></body></html>",
    502: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
         "</center><hr><center>nginx</center></body></html>",
}


class UnseenPortal:
    """Serve the 青山县 portal on 127.0.0.1 (port 0) for a given 'today'."""

    county = "青山县"

    def __init__(self, today: dt.date | str | None = None, host: str = "127.0.0.1"):
        self.today = _as_date(today)
        self._server = LoopbackServer(self._answer, host=host, server_name="Apache-Coyote/1.1")
        self.port = self._server.port
        self.base_url = f"http://{host}:{self.port}"
        self.refused_port = free_port()
        while self.refused_port == self.port:  # pragma: no cover - paranoia
            self.refused_port = free_port()
        self.refused_url = f"http://{host}:{self.refused_port}"
        self._ctx = _Context(self.today, self.base_url)
        raw_truth = yaml.safe_load(_load_truth_text(self._ctx, self.refused_url))
        spec = raw_truth.get("server", {}) or {}
        self._server_spec = {
            "content_types": dict(spec.get("content_types") or {}),
            "status": {k: int(v) for k, v in (spec.get("status") or {}).items()},
            "redirects": dict(spec.get("redirects") or {}),
            "asset_suffixes": list(spec.get("asset_suffixes") or []),
            "aliases": dict(spec.get("aliases") or {}),
        }
        self._article_res = [re.compile(p) for p in spec.get("article_patterns") or []]

    def _answer(self, request: Request) -> None:
        try:
            _Answer(request)._route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    @property
    def hits(self) -> list[tuple[str, str]]:
        return self._server.hits

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> "UnseenPortal":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> "UnseenPortal":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests use ----------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path

    def sites(self, path) -> Path:
        """Write a sites.yaml listing every unit (name, kind, url); return its path."""
        truth = self.truth()
        data = {
            "county": truth["county"],
            "units": [{"name": u["name"], "kind": u["kind"], "url": u["url"]} for u in truth["units"]],
        }
        path = Path(path)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def truth(self) -> dict:
        """truth.yaml for this 'today', with {base}/{refused} filled in and derived keys added.

        Added per column: ``category`` (checked against the naming rule),
        ``newest_date`` and ``newest_age_days`` (whichever was missing),
        ``stale`` (bool).  Per unit: ``annual_reports.years`` from ``years_ago``
        (counted from B, see the module docstring).  At the top: ``today`` and
        ``report_year`` (B-1, the year whose report must be listed).
        """
        truth = yaml.safe_load(_load_truth_text(self._ctx, self.refused_url))
        today = self.today
        truth["today"] = today.isoformat()
        truth["report_year"] = self._ctx.report_base - 1
        for unit in truth["units"]:
            for column in unit.get("columns") or []:
                category = column_category(column["name"])
                declared = column.setdefault("category", category)
                if declared != category:
                    raise ValueError(f"truth.yaml: {unit['name']}/{column['name']}: "
                                     f"category {declared} but naming rule says {category}")
                age = column.get("newest_age_days")
                date = column.get("newest_date")
                if age is not None and date is None:
                    column["newest_date"] = (today - dt.timedelta(days=int(age))).isoformat()
                elif date is not None and age is None:
                    column["newest_age_days"] = (today - dt.date.fromisoformat(str(date))).days
                elif age is None:
                    column["newest_date"] = None
                limit = STALE_AFTER.get(category)
                column["stale"] = bool(
                    limit is not None and column["state"] == "list"
                    and column["newest_age_days"] is not None and column["newest_age_days"] > limit
                )
            reports = unit.get("annual_reports")
            if reports and "years_ago" in reports:
                reports["years"] = [self._ctx.report_base - k for k in reports["years_ago"]]
        truth["findings"] = truth.get("findings") or []
        truth["optional_findings"] = truth.get("optional_findings") or []
        truth["must_not_report"] = truth.get("must_not_report") or []
        return truth
