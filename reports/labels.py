"""The Chinese words a problem list uses for rule ids, severities and states.

One table per concept. Order matters: it is the display order of the per-rule
breakdown and the tie-break when sorting a unit's problems.
"""
from __future__ import annotations

from rules.registry import RULE_KINDS

# 问题类型 shown in the 问题清单, per rule id: each rule kind declares its own
# Chinese name (rules/registry.py), so a new rule needs nothing here. The
# registry's order is the display order.
RULE_LABELS: dict[str, str] = {kind: cls.label for kind, cls in RULE_KINDS.items()}

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

# Shown where a score would be when a veto item decided the verdict: a vetoed
# unit fails whatever it scored, so no form prints 100 beside 不合格.
VETOED = "单项否决"
# The verdict of a unit whose page could not be read at all (rules/verdict.py): no score, not 合格.
UNCHECKED = "待核验"

# Finding states from the findings ledger; the default for a finding without
# one is "new" (the export contract makes `state` optional).
STATE_LABELS: dict[str, str] = {
    "new": "新发现",
    "recurred": "复发",
    "open": "未整改",
    "rectified": "已整改",
    "waived": "已豁免",
}
DEFAULT_STATE = "new"
# States that still count as a problem. An unknown state counts too: better
# to show one problem too many than to hide one.
CLOSED_STATES = frozenset({"rectified", "waived"})
OPEN_STATES = frozenset({"new", "recurred", "open"})

KIND_LABELS: dict[str, str] = {
    "department": "部门",
    "town": "乡镇",
    "government": "政府",
}


def rule_label(rule: str) -> str:
    """问题类型 for a rule id; an id this table does not know yet is shown as is."""
    return RULE_LABELS.get(rule, rule or "其他问题")


def state_text(state: str, recurrences: int = 0, overdue: bool = False) -> str:
    """状态 as every form prints it, with 复发 and 逾期: 未整改（复发1次，逾期）, 复发（第2次）.

    One wording for every form, so the HTML, the Excel filter and the chat text agree.
    """
    label = state_label(state)
    extra = []
    if recurrences and state == "recurred":
        extra.append(f"第{recurrences}次")
    elif recurrences:
        extra.append(f"复发{recurrences}次")
    if overdue:
        extra.append("逾期")
    return f"{label}（{'，'.join(extra)}）" if extra else label


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
