"""What the Excel, Word, chat and picture forms print the same way.

The unit ranking (单位排名), the open and closed problem rows, the short
"main problems" phrase and Chinese numbering are derived here once from the
PeriodReport, so the forms can never disagree about who is worst: the ranking
is the model's (PeriodReport.places), and every list of units with problems
is that ranking reversed.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import FindingRow, PeriodReport, UnitRow


@dataclass(frozen=True)
class RankRow:
    """One line of the ranking: a unit, its 名次 and its counts of open problems."""
    rank: int          # 名次 1, 2, 2, 4 …: units of equal standing share one
    unit: UnitRow

    @property
    def name(self) -> str:
        return self.unit.name

    @property
    def problems(self) -> int:
        return self.unit.problem_count

    @property
    def vetoes(self) -> int:
        return self.unit.veto_count

    @property
    def deductions(self) -> int:
        return sum(1 for f in self.unit.problems if f.severity == "deduction")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.unit.problems if f.severity == "warning")

    @property
    def main_problems(self) -> str:
        return main_problems(self.unit)

    @property
    def score(self) -> float | None:
        return self.unit.score

    @property
    def score_label(self) -> str | None:
        """单项否决 where a veto decided, else the score (no 100 beside 不合格)."""
        return self.unit.score_label

    @property
    def verdict(self) -> str | None:
        return self.unit.verdict


def has_verdicts(rows: tuple[RankRow, ...]) -> bool:
    """True when the model carries 合格/不合格 for the units (see RankRow.verdict)."""
    return any(r.verdict for r in rows)


def ranking(report: PeriodReport, with_clean: bool = True) -> tuple[RankRow, ...]:
    """The units in the one ranking order (PeriodReport.places), best first, with their 名次.

    Nothing here decides pass or fail or re-sorts: the rules' verdict does
    (rules/verdict.py), and without one the model ranks by open problems.
    `with_clean=False` leaves out units without open problems, keeping their places.
    """
    return tuple(RankRow(rank, unit) for rank, unit in report.places if with_clean or unit.has_problems)


def ranking_basis(report: PeriodReport) -> str:
    """How the ranking is ordered, in the words a heading uses."""
    if report.has_verdicts:
        return "按得分排序，单项否决的单位排在最后"
    return "按单项否决数、问题数排序，问题少的在前"


def worst_first(report: PeriodReport) -> tuple[RankRow, ...]:
    """The units with problems, worst first (PeriodReport.units_with_problems), each with its 名次."""
    place = {id(unit): rank for rank, unit in report.places}
    return tuple(RankRow(place[id(u)], u) for u in report.units_with_problems)


def main_problems(unit: UnitRow, most: int | None = None) -> str:
    """栏目更新不及时、空白栏目: the unit's kinds of open problem, worst first."""
    kinds = list(dict.fromkeys(f.problem_type for f in unit.problems))
    if most is not None and len(kinds) > most:
        return "、".join(kinds[:most]) + "等"
    return "、".join(kinds)


def open_rows(report: PeriodReport) -> list[tuple[UnitRow, FindingRow]]:
    """Every open problem (new or not yet rectified), unit by unit, worst first."""
    return [(u, f) for u in report.units_with_problems for f in u.problems]


def closed_rows(report: PeriodReport) -> list[tuple[UnitRow, FindingRow]]:
    """Rectified and waived findings, kept apart so progress stays visible."""
    return [(u, f) for u in report.worst_first for f in u.closed]


_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五: numbering as in 公文 (一、 (一))."""
    if n < 0:
        raise ValueError("no Chinese numeral for a negative number")
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = _DIGITS[n // 100] + "百"
        if not rest:
            return head
        if rest < 10:
            return head + "零" + _DIGITS[rest]
        return head + (_DIGITS[1] + cn_numeral(rest) if rest < 20 else cn_numeral(rest))
    return str(n)   # a county has no thousand units; Arabic digits are fine then
