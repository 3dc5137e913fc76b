"""Units and owners through the same importer, from XLSX (the front desk's own rules and registry)."""
from sqlmodel import func, select

from app.core.db import get_session
from app.frontdesk.models import Occupant, Unit
from app.imports import services
from tests.imports.helpers import xlsx

KIND = services.kind_of("units")


def test_units_and_owners_from_a_workbook(ctx, world):
    rows = [["楼栋", "单元", "房号", "业主", "电话"], [3, 2, 1201, "王先生", "13800138000"],
            [3, 2, 1201, "李女士", "13912345678"], [3, 2, "", "无房号", ""], ["３", "２", "１２０２", "赵先生", ""]]
    call = dict(kind=KIND, actor=world.users["frontdesk"], project=world.p1, raw=xlsx(rows), filename="u.xlsx")
    plan = services.preview(get_session(), **call)
    assert [(line.line, line.outcome) for line in plan.lines] == [(2, "created"), (4, "refused"), (5, "created")]
    assert plan.refused[0].reason == "第 4 行:请填写房号。"
    rows.pop(3)
    call["raw"] = xlsx(rows)
    services.apply(get_session(), **call)
    db = get_session()
    assert db.exec(select(func.count()).select_from(Unit)).one() == 2
    assert db.exec(select(func.count()).select_from(Occupant)).one() == 3
    assert db.exec(select(Unit.key).order_by(Unit.key)).all() == ["3-2-1201", "3-2-1202"]
