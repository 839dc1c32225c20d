"""The rule kinds. Each declares its parameters; rule files are checked against them.

A rule is a pure function of one unit's facts, the rule set and the as-of date.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Iterator
from urllib.parse import urlsplit

from plugins import Plugin, Registry, unknown_name
from rules import annual_report
from rules.facts import BLOCKED, NOT_CHECKED, READ, UNREACHABLE, UNVERIFIABLE, ColumnFacts, UnitFacts
from rules.guide import VALUE_KINDS, missing_elements
from rules.report_content import parse_report_cached

if TYPE_CHECKING:   # rule files (rules/ruleset.py) are checked against these kinds: types only here
    from rules.ruleset import Category, RuleSet, RuleSpec


@dataclass(frozen=True)
class Finding:
    """One problem of one unit, with the evidence that decided it."""
    unit: str
    rule: str
    severity: str
    message: str
    column: str | None = None
    url: str | None = None
    element: str | None = None
    newest_date: date | None = None
    newest_title: str | None = None
    key: str | None = None          # what else tells it apart from the rule's other findings (a link's path)

    @property
    def target(self) -> str:
        """What the finding is about, for its identity in the ledger (unit + rule + target).

        Never a scheme, host or port: a site that moves to https or a new domain keeps its history.
        """
        return "|".join(x for x in (self.column, self.element, self.key) if x)


def url_path(url: str, home: str | None = None) -> str:
    """A URL without scheme, host and port, relative to the unit's page `home` when given: how a
    page is named across a site move (to https, a new port, from /jyj/ on the county portal to
    its own jyj. host)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if home is not None:
        base = urlsplit(home).path or "/"
        base = base if base.endswith("/") else base.rsplit("/", 1)[0] + "/"
        path = posixpath.relpath(path, base) + ("/" if path.endswith("/") and path != "/" else "")
    return path + (f"?{parts.query}" if parts.query else "")


class Rule(Plugin):
    """Base of the rule kinds; a subclass that sets kind (and label, params, check()) is registered."""
    registry = Registry("rule kind")
    label: ClassVar[str]              # 问题类型: the Chinese name every report shows
    # What the rule checks and why, in Chinese, for `govfresh rules explain`: a clerk must
    # be able to tell a unit why it lost points without reading the code.
    description: ClassVar[str]
    params: ClassVar[dict[str, str]] = {}
    # Judged from a page's content: a crawl that could not read the page neither sees
    # the problem nor shows it fixed (rules/ledger.py). Reachability rules set False.
    needs_content: ClassVar[bool] = True
    # Its finding says nothing of the unit could be checked (blocked, unverifiable, not reached):
    # the unit then gets no score and no 合格 (rules/verdict.py), only 待核验.
    unchecked: ClassVar[bool] = False

    @classmethod
    def check_params(cls, params: dict[str, Any], categories: dict[str, Category]) -> None:
        """Raise ValueError naming the bad parameter."""

    def __init__(self, spec: RuleSpec, ruleset: RuleSet):
        self.spec = spec
        self.ruleset = ruleset

    def finding(self, unit: UnitFacts, message: str, **kw: Any) -> Finding:
        return Finding(unit=unit.name, rule=self.kind, severity=self.spec.severity, message=message, **kw)

    def check(self, unit: UnitFacts, as_of: date) -> Iterator[Finding]:
        raise NotImplementedError

    def abstains(self, unit: UnitFacts, as_of: date) -> bool:
        """The rule cannot judge this unit in this crawl although its page was read (what it
        looks at was not all read): it makes no finding, and fixes none (rules/ledger.py)."""
        return False

    def undecided(self, unit: UnitFacts, as_of: date) -> Iterable[str]:
        """Targets (Finding.target) this rule could not judge in this crawl although it judged the
        rest (a link shown but not checked): their problems stay open, neither seen nor fixed."""
        return ()

    def findings(self, unit: UnitFacts, as_of: date) -> Iterator[Finding]:
        """check(), but never about content that was not read (UnitFacts.read, abstains())."""
        if (self.needs_content and not unit.read) or self.abstains(unit, as_of):
            return iter(())
        return self.check(unit, as_of)


# Every rule kind by id, in definition order (the display order of the reports).
RULE_KINDS = Rule.registry


def _column_evidence(col: ColumnFacts) -> dict[str, Any]:
    return dict(column=col.name, url=col.url, newest_date=col.newest_date, newest_title=col.newest_title)


class SiteUnreachable(Rule):
    """The disclosure page does not load in the crawl, or fails too many availability probes in a week."""
    kind, label = "site_unreachable", "网站无法访问"
    description = "政府信息公开页面在抓取时打不开（拒绝连接、超时、返回4xx/5xx），或近一周可用性监测中打不开的比例达到阈值（2019年指标：每天监测20次以上，15秒内打不开计为失败，累计超过5%）。"
    needs_content = False
    params = {"max_failure_ratio": "share of failed probes in the week that fails the site (0.05 = 5%)",
              "min_probes": "fewer probes than this in the week: judge by the crawl alone"}

    @classmethod
    def check_params(cls, params, categories):
        ratio = params.get("max_failure_ratio", 0.05)
        if not isinstance(ratio, (int, float)) or not 0 < ratio <= 1:
            raise ValueError("max_failure_ratio: must be a number in (0, 1]")

    def check(self, unit, as_of):
        # Blocked, unverifiable or not checked: the site answered (or was not asked);
        # site_blocked and site_unverifiable say so without a veto.
        if unit.page_state == UNREACHABLE:
            why = unit.error or (f"HTTP {unit.http_status}" if unit.http_status else "无响应")
            yield self.finding(unit, f"政府信息公开页面无法访问（{why}）", url=unit.url)
            return
        if unit.page_state != READ:
            return
        ratio = self.spec.params.get("max_failure_ratio", 0.05)
        total, failed = unit.probes_total, unit.probes_failed
        if total >= self.spec.params.get("min_probes", 20) and failed / total >= ratio:
            yield self.finding(unit, f"近一周可用性监测{total}次，{failed}次无法访问（{failed / total:.0%}），"
                                     f"超过{ratio:.0%}", url=unit.url)


class _UnitInState(Rule):
    """Base: one finding when the disclosure page was recorded in one of the states of `messages`."""
    needs_content = False
    unchecked = True
    messages: ClassVar[dict[str, str]]

    def check(self, unit, as_of):
        message = self.messages.get(unit.page_state)
        if message:
            yield self.finding(unit, message.format(error=unit.error or "内容无法识别"), url=unit.url)


class SiteBlocked(_UnitInState):
    """The site answered with an anti-bot challenge (HTTP 412…): not an outage, but nothing could be checked."""
    kind, label = "site_blocked", "反爬虫验证拦截"
    description = "网站返回反爬虫验证页面（HTTP 412等）：网站在线，但无法自动检查任何内容，需人工核验或请网站运维放行；只作提醒，不算无法访问。"
    messages = {BLOCKED: "网站返回反爬虫验证页面，无法自动检查，请人工复核或联系网站运维放行"}


class SiteUnverifiable(_UnitInState):
    """The disclosure page answered but could not be read (a file, binary, an off-site redirect…), or the crawl's deadline came first."""
    kind, label = "site_unverifiable", "页面无法核验"
    description = "政府信息公开页面有应答但无法读取（文件、乱码、跳转到站外等），或本次巡检在时限内未检查到该单位：无法自动检查，需人工核验。"
    messages = {UNVERIFIABLE: "政府信息公开页面无法读取（{error}），无法自动检查，请人工复核",
                NOT_CHECKED: "本次巡检在时限内未检查到该单位，请人工复核或延长巡检时限（crawl.max_duration）"}


class HomepageStale(Rule):
    """Nothing new reachable from the disclosure page for too long (首页不更新)."""
    kind, label = "homepage_stale", "首页更新不及时"
    description = "政府信息公开页面及其全部栏目中，最新一条注明日期的信息已超过规定天数（首页不更新）；没有任何注明日期的信息也视为不更新。"
    params = {"max_age_days": "the newest dated item on the page or in its columns may be this old"}

    @classmethod
    def check_params(cls, params, categories):
        age = params.get("max_age_days", 14)
        if isinstance(age, bool) or not isinstance(age, int) or not 0 < age <= 366:
            raise ValueError(f"max_age_days: must be a whole number of days from 1 to 366, got {age!r}")

    @staticmethod
    def _newest(unit: UnitFacts) -> date | None:
        dates = [d for d in [unit.homepage_newest, *(c.newest_date for c in unit.columns)] if d]
        return max(dates) if dates else None

    def abstains(self, unit, as_of):
        # The newest items may sit in a column that could not be read: no claim, no fix.
        newest, limit = self._newest(unit), self.spec.params.get("max_age_days", 14)
        return (newest is None or (as_of - newest).days > limit) and not unit.all_columns_read

    def check(self, unit, as_of):
        newest = self._newest(unit)
        limit = self.spec.params.get("max_age_days", 14)
        if newest is None:
            yield self.finding(unit, "政府信息公开页面及其栏目均无注明日期的信息，视为未更新", url=unit.url)
        elif (as_of - newest).days > limit:
            yield self.finding(unit, f"政府信息公开页面已{(as_of - newest).days}天无新信息"
                                     f"（最新信息发布于{newest.isoformat()}，要求{limit}天内更新）",
                               url=unit.url, newest_date=newest)


class ColumnStale(Rule):
    """A column whose newest item is older than its category allows, or whose items carry no date."""
    kind, label = "column_stale", "栏目更新不及时"
    description = "栏目最新一条信息的发布日期超过其栏目类别允许的天数（见“栏目分类”）；栏目信息未注明发布日期的，视为不更新。"
    params = {"categories": "which column categories are judged (each category's max_age_days applies)"}

    @classmethod
    def check_params(cls, params, categories):
        for key in params.get("categories", []):
            if key not in categories:
                raise ValueError(f"categories: {unknown_name('category', key, categories)}")
            if categories[key].max_age_days is None:
                raise ValueError(f"categories: category {key!r} has no max_age_days")

    def check(self, unit, as_of):
        judged = set(self.spec.params.get("categories", []))
        for col in unit.columns:
            cat_key = self.ruleset.category_of(col.name)
            if cat_key not in judged or not col.read or col.state != "list":
                continue
            cat = self.ruleset.categories[cat_key]
            if col.newest_date is None:
                # 未注明发布时间的视为不更新 (2015 census rule, kept by the 2019 indicators).
                yield self.finding(unit, f"{col.name}栏目信息未注明发布日期，视为未更新", **_column_evidence(col))
                continue
            age = (as_of - col.newest_date).days
            if age > cat.max_age_days:
                yield self.finding(
                    unit, f"{col.name}栏目已{age}天未更新（最新信息发布于{col.newest_date.isoformat()}，"
                          f"{cat.label}栏目要求{cat.max_age_days}天内更新）", **_column_evidence(col))


class _ColumnInState(Rule):
    """Base: one finding per column the crawl recorded in a given state."""
    state: ClassVar[str]

    def message(self, col: ColumnFacts) -> str:
        raise NotImplementedError

    def check(self, unit, as_of):
        for col in unit.columns:
            if col.state == self.state:
                yield self.finding(unit, self.message(col), column=col.name, url=col.url)


class ColumnEmpty(_ColumnInState):
    """A column that shows no information at all (空白栏目)."""
    kind, label, state = "column_empty", "空白栏目", "empty"
    description = "栏目中没有任何信息（空白栏目，包括只有“暂无信息”之类占位文字的栏目）。"

    def message(self, col):
        return f"{col.name}栏目为空白栏目，无任何信息"


class ColumnUnreachable(_ColumnInState):
    """A column linked from the disclosure page that does not load."""
    kind, label, state = "column_unreachable", "栏目无法访问", "unreachable"
    description = "政府信息公开页面上链接的栏目打不开（拒绝连接、超时、返回4xx/5xx）。"
    needs_content = False

    def message(self, col):
        why = col.error or (f"HTTP {col.http_status}" if col.http_status else "无响应")
        return f"{col.name}栏目无法打开（{why}）"


class ColumnUnverifiable(_ColumnInState):
    """A column whose list is filled by a script govfresh cannot read: a person must look."""
    kind, label, state = "column_unverifiable", "栏目无法核验", "unverifiable"
    description = "栏目列表由脚本加载，无法自动读取，不能判断是否更新，需人工核验。"
    needs_content = False

    def message(self, col):
        why = col.error or "内容由脚本加载"
        return f"{col.name}栏目无法自动核验更新情况（{why}），请人工复核"


class DeadLink(Rule):
    """A link on the disclosure page that does not open."""
    kind, label = "dead_link", "链接无法打开"
    description = "政府信息公开页面上的链接打不开（错链、断链）。"

    def undecided(self, unit, as_of):
        return (url_path(link.url, unit.url) for link in unit.links if not link.checked)

    def check(self, unit, as_of):
        for link in unit.links:
            if link.broken:
                why = link.error or f"HTTP {link.http_status}"
                text = link.text or link.url
                yield self.finding(unit, f"链接“{text}”无法打开（{why}）", url=link.url,
                                   key=url_path(link.url, unit.url))


class GuideMissing(Rule):
    """No disclosure guide (公开指南) was found on a disclosure page that was read."""
    kind, label = "guide_missing", "公开指南缺失"
    description = "已读取的政府信息公开页面上找不到政府信息公开指南（条例第12条要求编制并公布）。"

    def abstains(self, unit, as_of):
        # A guide column that could not be read may well hold the guide.
        guide_columns = [c for c in unit.columns if self.ruleset.category_of(c.name) == "guide"]
        return not unit.complete or any(not c.read for c in guide_columns)

    def check(self, unit, as_of):
        if unit.guide_text is not None or unit.guide_url is not None:
            return  # a guide was read, or found but could not be read (a challenge, a file…)
        yield self.finding(unit, "未找到政府信息公开指南", url=unit.url)


class GuideMissingElement(Rule):
    """The disclosure guide (公开指南) lacks an element that 条例 Art. 12 requires."""
    kind, label = "guide_missing_element", "公开指南要素缺失"
    description = "公开指南缺少条例第12条规定的要素之一（见参数 elements）；要素词须出现在说明该要素的句子里，字段名须带有取值（如“联系电话”后有号码）。"
    params = {"elements": "element key → {label, synonyms, not_with, value}: the words real guides use for "
                          "it, words of sentences about something else, and the value a field label needs "
                          f"({', '.join(VALUE_KINDS)})"}

    @classmethod
    def check_params(cls, params, categories):
        elements = params.get("elements")
        if not isinstance(elements, dict) or not elements:
            raise ValueError("elements: needs a mapping of element key → {label, synonyms}")
        for key, spec in elements.items():
            if not isinstance(spec, dict) or not spec.get("synonyms"):
                raise ValueError(f"elements.{key}: needs a non-empty 'synonyms' list")
            unknown = set(spec) - {"label", "synonyms", "not_with", "value"}
            if unknown:
                raise ValueError(f"elements.{key}: unknown key {sorted(unknown)[0]!r}")
            if "value" in spec and spec["value"] not in VALUE_KINDS:
                raise ValueError(f"elements.{key}.value: {spec['value']!r} is not one of {', '.join(VALUE_KINDS)}")

    def abstains(self, unit, as_of):
        # No guide read (none found is guide_missing's finding; one found may have been unreadable).
        return unit.guide_text is None

    def check(self, unit, as_of):
        elements = self.spec.params["elements"]
        for key in self._missing(unit.guide_text):
            yield self.finding(unit, f"政府信息公开指南缺少“{elements[key].get('label', key)}”",
                               column=None, url=unit.guide_url, element=key)


    def _missing(self, text: str) -> list[str]:
        # A unit's guide is the same text week after week (stored once per content):
        # a report over a year of crawls reads it once.
        memo = self.__dict__.setdefault("_memo", {})
        if text not in memo:
            if len(memo) > 4096:
                memo.clear()
            memo[text] = missing_elements(text, self.spec.params["elements"])
        return memo[text]


class AnnualReportMissing(Rule):
    """Last year's annual report is not published after its deadline (条例 Art. 49)."""
    kind, label = "annual_report_missing", "年度报告未按时发布"
    description = "过了截止日期仍未发布上一年度政府信息公开工作年度报告（条例第49条；截止日期见参数 deadlines）。"
    params = {"deadlines": "unit kind → MM-DD by which last year's report must be out"}

    @classmethod
    def check_params(cls, params, categories):
        for kind, md in (params.get("deadlines") or {}).items():
            try:
                date(2000, *map(int, str(md).split("-")))
            except (TypeError, ValueError):
                raise ValueError(f"deadlines.{kind}: {md!r} is not a MM-DD date") from None

    def due_year(self, kind: str, as_of: date) -> int:
        """The newest year whose report must be out on as_of."""
        md = self.spec.params.get("deadlines", {}).get(kind, "01-31")
        month, day = map(int, str(md).split("-"))
        return as_of.year - 1 if as_of > date(as_of.year, month, day) else as_of.year - 2

    def abstains(self, unit, as_of):
        # The report column could not be read (column_unverifiable/unreachable say so), or none was
        # read before the crawl's deadline.
        report_cols = [c for c in unit.columns if self.ruleset.category_of(c.name) == "report"]
        return not any(c.read for c in report_cols) and (bool(report_cols) or not unit.complete)

    def check(self, unit, as_of):
        year = self.due_year(unit.kind, as_of)
        report_cols = [c for c in unit.columns
                       if self.ruleset.category_of(c.name) == "report" and c.read]
        if not report_cols:
            yield self.finding(unit, f"未找到政府信息公开年报栏目，无法确认{year}年度报告已发布", url=unit.url)
            return
        if any(year in c.report_years for c in report_cols):
            return
        col = report_cols[0]
        yield self.finding(unit, f"{year}年政府信息公开工作年度报告未按期发布", column=col.name, url=col.url)


# ---- annual report content (rules/annual_report.py) ----------------------------------------------



class _ReportContent(Rule):
    """Base of the report-content rules: the newest fetched report, parsed once for all of them."""
    params = {"from_year": "first report year in the 2019/2021 format (six sections, 表三, 表四); "
                           "earlier reports are free text and get only the text-vs-附表 check"}
    problem_kinds: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def check_params(cls, params, categories):
        year = params.get("from_year", annual_report.FORMAT_FROM_YEAR)
        if not isinstance(year, int) or not 2008 <= year <= 2100:
            raise ValueError("from_year: must be a year such as 2019")

    def problems(self, unit: UnitFacts, report, content) -> list:
        return annual_report.check_report(content, report.year,
                               from_year=self.spec.params.get("from_year", annual_report.FORMAT_FROM_YEAR))

    def abstains(self, unit, as_of):
        return not unit.reports       # no report page read this crawl

    def check(self, unit, as_of):
        report = unit.reports[0]
        content = parse_report_cached(report.html)
        year = f"{report.year}年度" if report.year else ""
        for p in self.problems(unit, report, content):
            if p.kind in self.problem_kinds:
                yield self.finding(unit, f"{year}政府信息公开工作年度报告：{p.message}", url=report.url,
                                   element=f"{report.year or '?'}:{p.key}")


class AnnualReportSectionMissing(_ReportContent):
    """The newest annual report lacks one of the six sections of the national format (条例第50条)."""
    kind, label = "annual_report_section_missing", "年度报告内容缺项"
    description = "最新年度报告缺少国家格式规定的六部分之一：总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
    problem_kinds = ("section_missing",)


class AnnualReportTableMismatch(_ReportContent):
    """The newest annual report's 表三/表四 do not add up, or its 上年结转 differs from last year's 结转下年度."""
    kind, label = "annual_report_table_mismatch", "年度报告表格数据不符"
    description = "最新年度报告的表三、表四数字对不上（各行总计、（七）总计、“一＋二＝（七）＋四”、表四总计），或“上年结转”与上一年报告的“结转下年度继续办理”不一致。"
    problem_kinds = ("table_mismatch", "carry_over_mismatch")

    def problems(self, unit, report, content):
        out = super().problems(unit, report, content)
        if len(unit.reports) > 1 and report.year and unit.reports[1].year == report.year - 1:
            last = parse_report_cached(unit.reports[1].html)
            p = annual_report.carry_over_mismatch(content, last)
            if p is not None:
                out.append(p)
        return out


class AnnualReportTextMismatch(_ReportContent):
    """A number stated in the newest annual report's text disagrees with its own statistics table."""
    kind, label = "annual_report_text_mismatch", "年度报告正文与表格不符"
    description = "最新年度报告正文所述数字（收到申请件数、予以公开件数、行政复议和诉讼件数等）与其统计表格不一致。"
    problem_kinds = ("text_mismatch",)


class AnnualReportUnreadable(_ReportContent):
    """The newest annual report's statistics tables cannot be read (pictures, attachments): a person must look."""
    kind, label = "annual_report_unreadable", "年度报告表格无法读取"
    description = "最新年度报告的统计表格无法读取（图片或附件形式），需人工核验。"
    problem_kinds = ("tables_unreadable",)
