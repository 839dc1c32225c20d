"""What the Excel, Word, chat and picture forms print the same way.

The unit ranking (单位排名), the open and closed problem rows, the short
"main problems" phrase and Chinese numbering are derived here once from the
PeriodReport, so the four forms can never disagree about who is worst.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import FindingRow, PeriodReport, UnitRow


@dataclass(frozen=True)
class RankRow:
    """One line of the ranking: a unit and its counts of open problems."""
    rank: int          # 1, 1, 3 …: units with equal counts share a rank
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

    # The rules compute a score out of 100 and a verdict (rules/verdict.py) and
    # the export carries them; the forms show 得分 and 结论 as soon as the model
    # passes them on as UnitRow.score / UnitRow.verdict, and never invent one.
    @property
    def score(self) -> float | None:
        return getattr(self.unit, "score", None)

    @property
    def verdict(self) -> str | None:
        return getattr(self.unit, "verdict", None)


def has_verdicts(rows: tuple[RankRow, ...]) -> bool:
    """True when the model carries 合格/不合格 for the units (see RankRow.verdict)."""
    return any(r.verdict for r in rows)


def ranking(report: PeriodReport, with_clean: bool = True) -> tuple[RankRow, ...]:
    """Every unit, worst first (the model's order: vetoes, then problems).

    Nothing here decides pass or fail: without a verdict from the model the
    ranking is by counts only. Units without problems come last, sharing one rank.
    """
    units = report.units if with_clean else report.units_with_problems
    rows: list[RankRow] = []
    previous_key = None
    for position, unit in enumerate(units, start=1):
        key = (unit.veto_count, unit.problem_count)
        rank = rows[-1].rank if key == previous_key else position
        rows.append(RankRow(rank, unit))
        previous_key = key
    return tuple(rows)


def main_problems(unit: UnitRow, most: int | None = None) -> str:
    """栏目更新不及时、空白栏目: the unit's kinds of open problem, worst first."""
    kinds = list(dict.fromkeys(f.problem_type for f in unit.problems))
    if most is not None and len(kinds) > most:
        return "、".join(kinds[:most]) + "等"
    return "、".join(kinds)


def open_rows(report: PeriodReport) -> list[tuple[UnitRow, FindingRow]]:
    """Every open problem (new or not yet rectified), unit by unit, worst first."""
    return [(u, f) for u in report.units for f in u.problems]


def closed_rows(report: PeriodReport) -> list[tuple[UnitRow, FindingRow]]:
    """Rectified and waived findings, kept apart so progress stays visible."""
    return [(u, f) for u in report.units for f in u.closed]


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
