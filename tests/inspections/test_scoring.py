"""The score arithmetic, with hand-computed cases: caps, veto, repeatable, N/A, the floor at 0, the percentage."""
import pytest

from app.checklists.definition import validate_definition
from app.inspections.scoring import ScoreError, max_count, score
from tests.factories import score_sheet_definition


def sheet(**changes):
    return validate_definition(score_sheet_definition(**changes))


def test_nothing_failed_keeps_the_base():
    result = score(sheet(), {"floor": ("pass", 0), "bins": ("na", 0)})
    assert (result.score, result.total_deduction, result.percentage) == (10, 0, 100.0)


def test_a_failed_item_deducts_its_points():
    # base 10 − bins 2 − badge 2 = 6 → 60 %
    result = score(sheet(), {"bins": ("fail", 1), "badge": ("fail", 1)})
    assert result.deductions == {"bins": 2, "badge": 2}
    assert result.by_category == {"环境展示类": 2, "职业表现类": 2}
    assert (result.score, result.percentage) == (6, 60.0)


def test_a_repeatable_item_deducts_per_occurrence_up_to_its_points():
    # floor: 1 point per occurrence, at most 3. Two occurrences: 10 − 2 = 8.
    assert score(sheet(), {"floor": ("fail", 2)}).score == 8
    assert score(sheet(), {"floor": ("fail", 3)}).score == 7
    definition = sheet()
    definition["sections"][0]["items"][0]["per_occurrence"] = 2  # 2 per occurrence, still at most 3
    assert max_count(definition["sections"][0]["items"][0]) == 2
    assert score(definition, {"floor": ("fail", 2)}).deductions == {"floor": 3}


def test_more_occurrences_than_the_item_allows_are_refused():
    with pytest.raises(ScoreError) as refused:
        score(sheet(), {"floor": ("fail", 4)})
    assert refused.value.fields == {"floor": "本项最多扣 3 分,最多记 3 处。"}
    with pytest.raises(ScoreError) as refused:
        score(sheet(), {"floor": ("fail", 0)})
    assert refused.value.fields == {"floor": "扣分次数须至少为 1。"}


def test_na_deducts_nothing_and_is_refused_where_the_sheet_forbids_it():
    assert score(sheet(), {"floor": ("na", 0), "promise": ("na", 0)}).score == 10  # N/A on a veto item: no veto
    with pytest.raises(ScoreError) as refused:
        score(sheet(), {"badge": ("na", 0)})
    assert refused.value.fields == {"badge": "本项不能选“不适用”。"}


def test_a_category_cap_limits_what_its_items_deduct_together():
    # 环境展示类: floor 3 + bins 2 = 5, capped at 4 → 10 − 4 = 6; the cap forgave 1.
    result = score(sheet(category_caps={"环境展示类": 4}), {"floor": ("fail", 3), "bins": ("fail", 1)})
    assert result.by_category == {"环境展示类": 4} and result.capped == {"环境展示类": 1}
    assert (result.total_deduction, result.score) == (4, 6)


def test_a_failed_veto_item_sets_the_score_to_zero_or_the_ceiling():
    assert score(sheet(), {"promise": ("fail", 1)}).score == 0
    ceiling = sheet(veto_ceiling=6)
    assert score(ceiling, {"promise": ("fail", 1)}).score == 6  # 10 − 1 = 9, at most 6
    assert score(ceiling, {"promise": ("fail", 1), "floor": ("fail", 3), "bins": ("fail", 1)}).score == 4  # 10−6 = 4 < 6
    assert score(ceiling, {"promise": ("fail", 1)}).vetoed == ["promise"]


def test_the_score_never_falls_below_zero():
    definition = sheet()
    # all but the veto item failed: 3 + 2 + 2 + 2 = 9 → 1, 10 %
    result = score(definition, {"floor": ("fail", 3), "bins": ("fail", 1), "badge": ("fail", 1), "last": ("fail", 2)})
    assert (result.score, result.percentage) == (1, 10.0)
    definition["base_score"] = 5  # a base smaller than the deductions (as after a sheet edit): floored
    assert score(definition, {"floor": ("fail", 3), "bins": ("fail", 1), "badge": ("fail", 1)}).score == 0


def test_the_percentage_of_a_144_sheet_is_rounded_to_one_decimal():
    definition = sheet()
    definition["base_score"] = 144  # sums are checked on save, not here
    assert score(definition, {"bins": ("fail", 1), "badge": ("fail", 1)}).percentage == 97.2  # 140 / 144
