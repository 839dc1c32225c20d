"""Telling an outage of the office from an outage of the units. Pure.

When the office's own network is down every site fails the same way, and a
crawl that counted would veto every unit for 网站无法访问. A captive portal or a
proxy of the office answers for every site alike (a redirect to its login page,
its own page): such a crawl read nothing of any unit, and counting it would
call last week's outages fixed. So a crawl in which most units failed alike is
suspect (all behind one anti-bot wall is not: a county's sites often share one): unless a reference address (sites.yaml
`crawl.reference_url`, e.g. the county portal or a public site the office can
always reach) answers, the crawl is recorded as failed and counts for nothing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping


@dataclass(frozen=True)
class Suspicion:
    """Most units unreachable in the same way."""
    units: int
    failed: int
    error: str

    @property
    def note(self) -> str:
        return f"{self.units}个单位中{self.failed}个以同样方式无法访问（{self.error}）"


def _failure(check: Mapping) -> str | None:
    """How a unit's check failed in a way the office's own network could cause; None if it did not."""
    if not check.get("reachable"):
        return check.get("error") or f"HTTP {check.get('http_status')}"
    if check.get("state") == "unverifiable" and check.get("error"):
        return check["error"]        # answered by something else than the unit, maybe the same for all
    return None


def suspected_outage(checks: Iterable[Mapping], share: float = 0.8, min_units: int = 5) -> Suspicion | None:
    """A Suspicion when at least `share` of the (at least `min_units`) units failed with one error."""
    checks = list(checks)
    if len(checks) < min_units:
        return None
    errors = Counter(error for error in map(_failure, checks) if error)
    if not errors:
        return None
    error, failed = errors.most_common(1)[0]
    return Suspicion(len(checks), failed, error) if failed >= share * len(checks) else None
