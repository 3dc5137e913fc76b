"""The arithmetic of a score sheet (评分表), as one plain function: deductions, caps, veto, floor, percentage.

An answer per item is `("pass" | "fail" | "na", count)`. A failed item deducts its `points`; a repeatable
one deducts `per_occurrence` × count, never more than its `points` ("每发现一处扣1分,本项最多扣3分").
Deductions add up per category, each category at most its cap (`category_caps`); the score is the base
minus the capped total, never below 0; a failed veto item (一票否决) leaves at most `veto_ceiling`.
不适用 deducts nothing and keeps the base: every site is scored out of the same 100 or 144, so the
monthly ranking compares like with like.
"""
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

from app.checklists.definition import format_points, iter_items
from app.core.refusal import Refusal

RESULTS = ("pass", "fail", "na")


class ScoreError(Refusal):
    """An answer the sheet does not allow; `fields` maps item keys to the problem."""


@dataclass
class Score:
    base: int
    deductions: dict[str, float] = field(default_factory=dict)  # item key → points deducted (failed items)
    by_category: dict[str, float] = field(default_factory=dict)  # category → deduction after its cap
    capped: dict[str, float] = field(default_factory=dict)  # category → points the cap forgave
    vetoed: list[str] = field(default_factory=list)  # failed veto items
    total_deduction: float = 0
    score: float = 0

    @property
    def percentage(self) -> float:
        return half_up(self.score * 100 / self.base) if self.base else 0.0


_STEPS = {places: Decimal(1).scaleb(-places) for places in range(4)}  # made once: half of half_up's time


def half_up(value: float, places: int = 1) -> float:
    """Rounded as people (and the tablet's Math.round) round, 四舍五入: 81.25 → 81.3. Python's round()
    rounds halves to even (81.2), so the result page and the running score on the tablet disagreed."""
    step = _STEPS.get(places) or Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def max_count(item: dict) -> int:
    """How many occurrences a repeatable item may record before it would deduct more than its points."""
    if not item.get("repeatable"):
        return 1
    return max(1, math.ceil(item["points"] / item["per_occurrence"]))


def item_deduction(item: dict, count: int) -> float:
    if item.get("repeatable"):
        return min(item["points"], item["per_occurrence"] * count)
    return item["points"]


def check_answer(item: dict, result: str, count: int) -> str | None:
    """What is wrong with one answer, or None."""
    if result not in RESULTS:
        return _("须选择合格、不合格或不适用。")
    if result == "na" and not item.get("na_allowed", True):
        return _("本项不能选“不适用”。")
    if result == "fail":
        if count < 1:
            return _("扣分次数须至少为 1。")
        if count > max_count(item):
            return _("本项最多扣 %(points)s 分,最多记 %(n)d 处。", points=format_points(item["points"]), n=max_count(item))
    return None


def _clean(value: float) -> float:
    """Points as people write them: 3 rather than 3.0000000004."""
    value = round(value, 2)
    return int(value) if value == int(value) else value


def score(definition: dict, answers: dict[str, tuple[str, int]]) -> Score:
    """Score a sheet; `answers` maps item keys to (result, count). Unanswered items deduct nothing."""
    result = Score(base=definition["base_score"])
    raw: dict[str, float] = {}
    problems = {}
    for _n, item in iter_items(definition):
        answer, count = answers.get(item["key"], ("pass", 0))
        problem = check_answer(item, answer, count)
        if problem:
            problems[item["key"]] = problem
            continue
        if answer != "fail":
            continue
        amount = item_deduction(item, count)
        result.deductions[item["key"]] = _clean(amount)
        raw[item["category"]] = raw.get(item["category"], 0) + amount
        if item.get("veto"):
            result.vetoed.append(item["key"])
    if problems:
        key, problem = next(iter(problems.items()))
        raise ScoreError(problem, problems)
    caps = definition.get("category_caps") or {}
    for category, amount in raw.items():
        cap = caps.get(category)
        kept = min(amount, cap) if cap is not None else amount
        result.by_category[category] = _clean(kept)
        if kept < amount:
            result.capped[category] = _clean(amount - kept)
    result.total_deduction = _clean(sum(result.by_category.values()))
    final = max(0, result.base - result.total_deduction)
    if result.vetoed:
        final = min(final, definition.get("veto_ceiling") or 0)
    result.score = _clean(final)
    return result
