"""A score sheet kept in Excel becomes an inspection template; exported again, it imports unchanged elsewhere."""
import pytest
from sqlmodel import select

from app.checklists.models import ChecklistTemplate
from app.checklists.services import current_version, import_starters
from app.core.db import get_session
from app.imports import services, workbooks
from app.imports.reading import ImportRefused
from tests.imports.helpers import SCORE_HEADER, xlsx

KIND = services.kind_of("scoresheet")
GOOD = [SCORE_HEADER,
        ["销售大厅", "环境展示类", "地面干净无杂物", 3, 1, 5, "否", "是", "否", "否", "每发现一处扣1分", "floor"],
        ["销售大厅", "环境展示类", "接待台整洁", 2, None, None, "否", "是", "否", "否", "", ""],
        ["", "风险管理类", "客户资料妥善保管", 5, None, None, "是", "否", "否", "否", "", ""]]


def _run(world, raw, apply=False, project=None, name="案场月检表", who="admin"):
    call = services.apply if apply else services.preview
    return call(get_session(), kind=KIND, actor=world.users[who], project=project or world.p1, raw=raw,
                filename="sheet.xlsx", options={"name": name})


def _definition(organisation_id, name):
    db = get_session()
    template = db.exec(select(ChecklistTemplate).where(ChecklistTemplate.organisation_id == organisation_id,
                                                       ChecklistTemplate.name == name)).one()
    return current_version(db, template).definition


def test_a_score_sheet_becomes_an_inspection_template(ctx, world):
    plan, outcome = _run(world, xlsx(GOOD), apply=True)
    assert outcome.message == "检查表“案场月检表”已导入(第 1 版,基础分 10)。"
    definition = _definition(world.org_a.id, "案场月检表")
    assert definition["score_sheet"] and definition["base_score"] == 10
    assert definition["category_caps"] == {"环境展示类": 5}
    assert [s["title"] for s in definition["sections"]] == ["销售大厅", "风险管理类"]
    floor, desk = definition["sections"][0]["items"]
    assert (floor["key"], floor["repeatable"], floor["per_occurrence"], floor["points"]) == ("floor", True, 1, 3)
    assert (desk["key"], desk["repeatable"], desk["photo_when_failed"]) == ("i2", False, True)
    assert definition["sections"][1]["items"][0]["veto"] is True


def test_importing_it_again_changed_adds_a_version(ctx, world):
    _run(world, xlsx(GOOD), apply=True)
    changed = [row[:] for row in GOOD]
    changed[2][3] = 4
    plan, outcome = _run(world, xlsx(changed), apply=True)
    assert [line.outcome for line in plan.lines] == ["unchanged", "updated", "unchanged"]
    assert "第 2 版,基础分 12" in outcome.message


@pytest.mark.parametrize("column, value, reason", [
    (4, 5, "第 2 行 E 列:每次扣分不能大于分值"),
    (3, "三分", "第 2 行 D 列:分值须为数字"),
    (6, "也许", "第 2 行 G 列:一票否决须填“是”或“否”"),
    (5, 9, "第 3 行 F 列:与同类别的上限 5 不一致"),
    (11, "地面 一", "第 2 行 L 列:编号只能用小写字母、数字、- 和 _"),
])
def test_a_bad_cell_is_named(ctx, world, column, value, reason):
    rows = [row[:] for row in GOOD]
    rows[2 if "第 3 行" in reason else 1][column] = value
    assert [line.reason for line in _run(world, xlsx(rows)).refused] == [reason]


def test_a_sheet_without_a_name_is_refused(ctx, world):
    with pytest.raises(ImportRefused, match="请填写检查表名称"):
        _run(world, xlsx(GOOD), name="")


def test_the_sheet_s_name_is_the_template_s_when_none_is_given(ctx, world):
    _run(world, xlsx(GOOD, sheet="工程月检"), name="", apply=True)
    assert _definition(world.org_a.id, "工程月检")["base_score"] == 10


def test_the_starter_sheet_exported_imports_unchanged_into_another_company(ctx, world):
    import_starters(get_session(), organisation_id=world.org_a.id)
    source = _definition(world.org_a.id, "物业案场检查表")
    template = get_session().exec(select(ChecklistTemplate).where(ChecklistTemplate.key == "property-inspection",
                                                                  ChecklistTemplate.organisation_id == world.org_a.id)).one()
    rows, title = KIND.export_rows(get_session(), project=world.p1, options={"template_id": template.id})
    _run(world, workbooks.workbook(KIND, rows, title), project=world.q, name="", who="other_admin", apply=True)
    copied = _definition(world.org_b.id, "物业案场检查表")
    assert copied["base_score"] == 144
    assert {k: v for k, v in copied.items() if k != "key"} == {k: v for k, v in source.items() if k != "key"}

