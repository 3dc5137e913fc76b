"""The score-sheet fields of the template format: caps, veto ceiling, per occurrence, N/A, last time."""
import pytest

from app.checklists.definition import TemplateError, validate_definition
from tests.factories import checklist_definition, score_sheet_definition


def refusals(definition) -> list[str]:
    with pytest.raises(TemplateError) as refused:
        validate_definition(definition)
    return refused.value.errors


def test_a_score_sheet_is_normalised_with_its_own_fields():
    definition = validate_definition(score_sheet_definition())
    assert definition["category_caps"] == {} and definition["veto_ceiling"] == 0
    floor, bins = definition["sections"][0]["items"]
    assert (floor["per_occurrence"], floor["na_allowed"], floor["last_time"]) == (1, True, False)
    assert bins["per_occurrence"] is None


def test_a_plain_checklist_keeps_its_old_shape_and_refuses_score_fields():
    definition = validate_definition(checklist_definition())
    assert "category_caps" not in definition and "per_occurrence" not in definition["sections"][0]["items"][0]
    assert refusals(checklist_definition(veto_ceiling=0)) == ["“veto_ceiling”只用于评分表(score_sheet 为 true)。"]


def test_bad_score_fields_are_refused_with_where_they_are():
    sheet = score_sheet_definition(category_caps={"不存在类": 3, "环境展示类": 0}, veto_ceiling=10)
    sheet["sections"][0]["items"][1]["per_occurrence"] = 1
    sheet["sections"][0]["items"][0]["per_occurrence"] = 5
    assert refusals(sheet) == [
        "第 1 节第 1 项(key=floor):per_occurrence 须大于 0 且不超过 points。",
        "第 1 节第 2 项(key=bins):per_occurrence 只用于可重复扣分的项(repeatable 为 true)。",
        "category_caps 的类别“不存在类”没有任何项。",
        "类别“环境展示类”的扣分上限须为正数。",
        "veto_ceiling 须为不小于 0、小于基础分的数字。",
    ]


def test_a_sheet_whose_points_do_not_add_up_is_refused_with_the_numbers():
    assert refusals(score_sheet_definition(base_score=12)) == ["扣分项合计 10 分,与基础分 12 分不符。"]
