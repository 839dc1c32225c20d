"""The Chinese words a problem list uses for rule ids, severities and states.

One table per concept, so a new rule is one new line here and nothing else in
the reports package changes. Order matters: it is the display order of the
per-rule breakdown and the tie-break when sorting a unit's problems.
"""
from __future__ import annotations

# 问题类型 shown in the 问题清单, per rule id (the ids are the project-wide
# contract in ARCHITECTURE.md; the wording follows 国办秘函〔2019〕19号).
RULE_LABELS: dict[str, str] = {
    "site_unreachable": "网站无法访问",
    "site_blocked": "反爬虫验证拦截",
    "homepage_stale": "首页更新不及时",
    "column_stale": "栏目更新不及时",
    "column_empty": "空白栏目",
    "column_unreachable": "栏目无法访问",
    "column_unverifiable": "栏目无法核验",
    "dead_link": "链接无法打开",
    "guide_missing": "公开指南缺失",
    "guide_missing_element": "公开指南要素缺失",
    "annual_report_missing": "年度报告未按时发布",
}

# The required contents of a disclosure guide, 《政府信息公开条例》第十二条.
ELEMENT_LABELS: dict[str, str] = {
    "classification": "分类",
    "catalogue_system": "编排体系",
    "access_method": "获取方式",
    "agency_name": "工作机构名称",
    "address": "办公地址",
    "office_hours": "办公时间",
    "phone": "联系电话",
    "fax": "传真号码",
    "online_contact": "互联网联系方式",
}

# Worst first: a veto (单项否决) fails the whole site, a deduction costs points.
SEVERITY_LABELS: dict[str, str] = {
    "veto": "单项否决",
    "deduction": "扣分",
    "warning": "提醒",
}

# Finding states from the findings ledger; the default for a finding without
# one is "new" (the export contract makes `state` optional).
STATE_LABELS: dict[str, str] = {
    "new": "新发现",
    "open": "未整改",
    "rectified": "已整改",
    "waived": "已豁免",
}
DEFAULT_STATE = "new"
# States that still count as a problem. An unknown state counts too: better
# to show one problem too many than to hide one.
CLOSED_STATES = frozenset({"rectified", "waived"})

KIND_LABELS: dict[str, str] = {
    "department": "部门",
    "town": "乡镇",
    "government": "政府",
}


def rule_label(rule: str) -> str:
    """问题类型 for a rule id; an id this table does not know yet is shown as is."""
    return RULE_LABELS.get(rule, rule or "其他问题")


def element_label(element: str | None) -> str | None:
    if not element:
        return None
    return ELEMENT_LABELS.get(element, element)


def severity_label(severity: str) -> str:
    return SEVERITY_LABELS.get(severity, severity)


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def _rank(table: dict[str, str], key: str) -> int:
    """Position in a table; unknown keys sort after all known ones."""
    try:
        return list(table).index(key)
    except ValueError:
        return len(table)


def severity_rank(severity: str) -> int:
    return _rank(SEVERITY_LABELS, severity)


def rule_rank(rule: str) -> int:
    return _rank(RULE_LABELS, rule)
