"""The template format: what validate_definition fills in, what it refuses and how it says where;
the same errors from a JSON file, each with its line."""
import json

import pytest

from app.checklists.services import TemplateError, parse_template_json, validate_definition
from tests.factories import checklist_definition

pytestmark = pytest.mark.usefixtures("ctx")


def _refusals(definition) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        validate_definition(definition)
    return caught.value.errors


def _changed(change) -> dict:
    definition = checklist_definition()
    change(definition, definition["sections"][0]["items"], definition["sections"][1]["items"])
    return definition


def test_defaults_are_filled_in():
    definition = validate_definition({"key": "k", "name": "检查", "sections": [{"title": "一", "items": [
        {"key": "a", "label": "门窗关闭", "type": "pass_fail"},
        {"key": "b", "label": "温度", "type": "number"}]}]})
    assert definition["purpose"] == "other" and definition["score_sheet"] is False and definition["base_score"] is None
    first, number = definition["sections"][0]["items"]
    assert first == {"key": "a", "label": "门窗关闭", "type": "pass_fail", "required": True, "photo_when_failed": False,
                     "creates_ticket": False, "help": "", "points": 0, "repeatable": False, "veto": False, "category": ""}
    assert (number["unit"], number["min"], number["max"]) == ("", None, None)


def test_a_normalised_definition_normalises_to_itself():
    once = validate_definition(checklist_definition())
    assert validate_definition(once) == once


def test_labels_and_titles_are_trimmed():
    definition = checklist_definition()
    definition["sections"][0]["title"] = "  消防设施 "
    definition["sections"][0]["items"][0]["label"] = " 灭火器齐全 "
    section = validate_definition(definition)["sections"][0]
    assert section["title"] == "消防设施" and section["items"][0]["label"] == "灭火器齐全"


RULES = [
    ("unknown type", lambda d, s1, s2: s1[0].update(type="checkbox"),
     "第 1 节第 1 项(key=extinguisher):未知类型“checkbox”,可用的类型:pass_fail、yes_no、number、choice、text、photo、signature。"),
    ("missing type", lambda d, s1, s2: s1[1].pop("type"), "第 1 节第 2 项(key=exits):缺少 type。"),
    ("duplicate key", lambda d, s1, s2: s2[0].update(key="extinguisher"), "第 2 节第 1 项(key=extinguisher):key 与第 1 节第 1 项重复。"),
    ("key characters", lambda d, s1, s2: s1[1].update(key="Exits 2"), "第 1 节第 2 项(key=Exits 2):key“Exits 2”只能包含小写字母、数字、- 和 _。"),
    ("key length", lambda d, s1, s2: s1[1].update(key="k" * 41), f"第 1 节第 2 项(key={'k' * 41}):key 不能超过 40 字。"),
    ("missing key", lambda d, s1, s2: s1[1].pop("key"), "第 1 节第 2 项:缺少 key。"),
    ("missing label", lambda d, s1, s2: s1[1].pop("label"), "第 1 节第 2 项(key=exits):缺少 label。"),
    ("blank label", lambda d, s1, s2: s1[1].update(label="  "), "第 1 节第 2 项(key=exits):缺少 label。"),
    ("label length", lambda d, s1, s2: s1[1].update(label="长" * 201), "第 1 节第 2 项(key=exits):label 不能超过 200 字。"),
    ("min above max", lambda d, s1, s2: s2[2].update(min=50), "第 2 节第 3 项(key=temp):min 大于 max。"),
    ("max not a number", lambda d, s1, s2: s2[2].update(max="40"), "第 2 节第 3 项(key=temp):max 须为数字。"),
    ("negative points", lambda d, s1, s2: s1[1].update(points=-1), "第 1 节第 2 项(key=exits):points 须为不小于 0 的数字。"),
    ("points not a number", lambda d, s1, s2: s1[1].update(points="2"), "第 1 节第 2 项(key=exits):points 须为数字。"),
    ("required not a boolean", lambda d, s1, s2: s1[1].update(required="yes"), "第 1 节第 2 项(key=exits):required 须为 true 或 false。"),
    ("veto not a boolean", lambda d, s1, s2: s1[1].update(veto=1), "第 1 节第 2 项(key=exits):veto 须为 true 或 false。"),
    ("photo_when_failed off pass_fail", lambda d, s1, s2: s2[2].update(photo_when_failed=True),
     "第 2 节第 3 项(key=temp):photo_when_failed 只用于 pass_fail 类型。"),
    ("creates_ticket on text", lambda d, s1, s2: s2[5].update(creates_ticket=True),
     "第 2 节第 6 项(key=notes):creates_ticket 只用于 pass_fail、yes_no、number 类型。"),
    ("choice without options", lambda d, s1, s2: s2[3].pop("options"), "第 2 节第 4 项(key=weather):choice 类型须有 options:至少两个选项的列表。"),
    ("choice with one option", lambda d, s1, s2: s2[3].update(options=["晴"]), "第 2 节第 4 项(key=weather):choice 类型须有 options:至少两个选项的列表。"),
    ("duplicate option", lambda d, s1, s2: s2[3].update(options=["晴", "晴 "]), "第 2 节第 4 项(key=weather):选项“晴”重复。"),
    ("empty option", lambda d, s1, s2: s2[3].update(options=["晴", ""]), "第 2 节第 4 项(key=weather):options 的每一项须为非空文字。"),
    ("unit off number", lambda d, s1, s2: s1[1].update(unit="℃"), "第 1 节第 2 项(key=exits):“unit”只用于 number 类型。"),
    ("unknown item field", lambda d, s1, s2: s1[1].update(requred=False), "第 1 节第 2 项(key=exits):未知字段“requred”。"),
    ("item not an object", lambda d, s1, s2: s1.__setitem__(1, "消防通道畅通"), "第 1 节第 2 项:须为一个对象。"),
    ("section without title", lambda d, s1, s2: d["sections"][0].pop("title"), "第 1 节:缺少 title。"),
    ("section without items", lambda d, s1, s2: d["sections"][0].update(items=[]), "第 1 节:items 须为至少有一项的列表。"),
    ("no sections", lambda d, s1, s2: d.update(sections=[]), "sections 须为至少有一节的列表。"),
    ("missing name", lambda d, s1, s2: d.pop("name"), "缺少 name。"),
    ("name length", lambda d, s1, s2: d.update(name="名" * 121), "name 不能超过 120 字。"),
    ("template key characters", lambda d, s1, s2: d.update(key="夜巡"), "key“夜巡”只能包含小写字母、数字、- 和 _。"),
    ("unknown purpose", lambda d, s1, s2: d.update(purpose="patroll"),
     "purpose“patroll”无效,可用:patrol、opening、closing、inspection、engineering、other。"),
    ("base_score without score sheet", lambda d, s1, s2: d.update(base_score=100), "base_score 只用于评分表(score_sheet 为 true)。"),
    ("score sheet without base_score", lambda d, s1, s2: d.update(score_sheet=True), "评分表(score_sheet 为 true)须有 base_score:一个正整数。"),
    ("unknown template field", lambda d, s1, s2: d.update(description="夜班用"), "未知字段“description”。"),
]


@pytest.mark.parametrize(("rule", "change", "error"), RULES, ids=[rule for rule, _change, _error in RULES])
def test_it_refuses_a_broken_rule_and_says_where(rule, change, error):
    assert _refusals(_changed(change)) == [error]


def test_it_lists_every_problem_and_sums_them_up_in_the_message():
    definition = _changed(lambda d, s1, s2: (s1[0].update(type="checkbox"), s2[2].update(min=50)))
    with pytest.raises(TemplateError) as caught:
        validate_definition(definition)
    assert caught.value.errors == [
        "第 1 节第 1 项(key=extinguisher):未知类型“checkbox”,可用的类型:pass_fail、yes_no、number、choice、text、photo、signature。",
        "第 2 节第 3 项(key=temp):min 大于 max。"]
    assert caught.value.message.startswith("模板有 2 处错误,第一处:第 1 节第 1 项(key=extinguisher)")


def test_a_definition_must_be_an_object():
    assert _refusals(["not", "an", "object"]) == ["模板须为一个 JSON 对象。"]


# -- score sheets -----------------------------------------------------------------------------------

def _score_sheet(points: list, base: int = 100) -> dict:
    items = [{"key": f"i{n}", "label": f"第{n}条", "type": "pass_fail", "points": p, "category": "环境展示类"}
             for n, p in enumerate(points)]
    return {"key": "sales-site", "name": "销售案场检查表", "purpose": "inspection", "score_sheet": True,
            "base_score": base, "sections": [{"title": "销售大厅", "items": items}]}


def test_a_score_sheet_whose_points_do_not_add_up_is_refused_with_both_numbers():
    assert _refusals(_score_sheet([50, 48])) == ["扣分项合计 98 分,与基础分 100 分不符。"]
    assert _refusals(_score_sheet([60, 44.5])) == ["扣分项合计 104.5 分,与基础分 100 分不符。"]


def test_a_score_sheet_whose_points_add_up_is_accepted():
    definition = validate_definition(_score_sheet([50, 47.5, 2.5]))
    assert definition["score_sheet"] is True and definition["base_score"] == 100
    assert definition["sections"][0]["items"][0]["category"] == "环境展示类"


def test_inspection_fields_are_kept():
    sheet = _score_sheet([90, 10])
    sheet["sections"][0]["items"][1].update(repeatable=True, veto=True)
    item = validate_definition(sheet)["sections"][0]["items"][1]
    assert (item["points"], item["repeatable"], item["veto"]) == (10, True, True)


# -- JSON files --------------------------------------------------------------------------------------

FILE = """\
{
  "key": "night-patrol",
  "name": "夜间安全巡逻",
  "purpose": "patrol",
  "sections": [
    {"title": "消防设施", "items": [
      {"key": "extinguisher", "label": "灭火器{齐全}、压力\\"正常\\"", "type": "pass_fail"},
      {
        "key": "temp",
        "label": "配电房温度",
        "type": "number", "unit": "℃", "min": 0, "max": 40
      }
    ]}
  ]
}
"""


def _file_errors(text: str) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        parse_template_json(text)
    return caught.value.errors


def test_a_valid_file_parses_to_the_normalised_definition():
    assert parse_template_json(FILE) == validate_definition(json.loads(FILE))


def test_a_syntax_error_is_reported_on_its_line():
    broken = FILE.replace('"name": "夜间安全巡逻",', '"name": "夜间安全巡逻"')
    (error,) = _file_errors(broken)
    assert error.startswith("第 4 行:JSON 语法错误(第 3 列:Expecting ',' delimiter)")


def test_an_unknown_type_is_reported_on_the_line_where_its_item_starts():
    (error,) = _file_errors(FILE.replace('"type": "number"', '"type": "thermometer"'))
    assert error.startswith("第 8 行:第 1 节第 2 项(key=temp):未知类型“thermometer”")


def test_braces_and_quotes_inside_strings_do_not_shift_the_lines():
    (error,) = _file_errors(FILE.replace('"type": "pass_fail"', '"type": "tick"'))
    assert error.startswith("第 7 行:第 1 节第 1 项(key=extinguisher):未知类型“tick”")


def test_a_duplicate_item_key_is_reported_on_the_second_items_line():
    assert _file_errors(FILE.replace('"key": "temp"', '"key": "extinguisher"')) == [
        "第 8 行:第 1 节第 2 项(key=extinguisher):key 与第 1 节第 1 项重复。"]


def test_min_above_max_and_a_missing_label_each_get_their_line():
    text = FILE.replace('"min": 0', '"min": 50').replace('"label": "灭火器{齐全}、压力\\"正常\\"", ', "")
    assert _file_errors(text) == ["第 7 行:第 1 节第 1 项(key=extinguisher):缺少 label。",
                                  "第 8 行:第 1 节第 2 项(key=temp):min 大于 max。"]


def test_a_template_level_error_points_at_the_first_line():
    assert _file_errors(FILE.replace('"name": "夜间安全巡逻",\n', "")) == ["第 1 行:缺少 name。"]


def test_a_field_written_twice_in_one_object_is_reported():
    text = FILE.replace('"type": "number",', '"type": "number", "type": "text",')
    assert "第 8 行:第 1 节第 2 项(key=temp):字段“type”重复出现。" in _file_errors(text)


def test_a_byte_order_mark_is_ignored():
    assert parse_template_json("\ufeff" + FILE)["key"] == "night-patrol"


def test_a_number_item_may_allow_not_applicable_outside_score_sheets():
    definition = checklist_definition()
    definition["sections"][1]["items"][2]["na_allowed"] = True  # temp
    items = [item for section in validate_definition(definition)["sections"] for item in section["items"]]
    assert [i["na_allowed"] for i in items if i["type"] == "number"] == [True]
    assert validate_definition(checklist_definition())["sections"][1]["items"][2]["na_allowed"] is False
    definition["sections"][0]["items"][1]["na_allowed"] = True  # a pass_fail item: still score sheets only
    assert _refusals(definition) == ["第 1 节第 2 项(key=exits):“na_allowed”只用于评分表(score_sheet 为 true)。"]
