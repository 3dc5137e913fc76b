"""Areas and checkpoints from a workbook: previewed row by row, applied whole or not at all, exported again."""
import pytest
from sqlmodel import func, select

from app.core.db import get_session
from app.imports import services
from app.imports.reading import ImportRefused
from app.patrols.models import Route, RouteStop
from app.projects.models import Area, Checkpoint
from tests.imports.helpers import CHECKPOINT_HEADER, checkpoints, xlsx

KIND = services.kind_of("checkpoints")


def _run(world, raw, apply=False, project=None, who="admin"):
    call = services.apply if apply else services.preview
    return call(get_session(), kind=KIND, actor=world.users[who], project=project or world.p1, raw=raw,
                filename="points.xlsx")


def _count(model, **where):
    db = get_session()
    db.expire_all()
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.exec(stmt).one()


def test_a_good_file_is_previewed_without_writing_then_applied(ctx, world):
    raw = xlsx([CHECKPOINT_HEADER, ["销售大厅", "消防通道", "检查灭火器", 24.51, 117.65, "夜间巡逻", "night-patrol"],
                ["车场", "东门", "", None, None, "夜间巡逻", ""], ["车场", "西门", "", None, None, "", ""]])
    from app.checklists.services import import_starters
    import_starters(get_session(), organisation_id=world.org_a.id)
    plan = _run(world, raw)
    assert [(line.line, line.outcome) for line in plan.lines] == [(2, "created"), (3, "created"), (4, "created")]
    assert _count(Checkpoint, project_id=world.p1.id) == 1  # the world's own; nothing written by a preview
    plan, outcome = _run(world, raw, apply=True)
    assert outcome.message == "已导入 3 个巡更点。"
    assert _count(Checkpoint, project_id=world.p1.id) == 4 and _count(Area, project_id=world.p1.id) == 3
    route = get_session().exec(select(Route).where(Route.name == "夜间巡逻")).one()
    stops = get_session().exec(select(RouteStop).where(RouteStop.route_id == route.id)
                               .order_by(RouteStop.position)).all()
    assert len(stops) == 2 and stops[0].template_id is not None and stops[1].template_id is None
    point = get_session().exec(select(Checkpoint).where(Checkpoint.name == "消防通道")).one()
    assert (point.note, point.latitude, point.longitude) == ("检查灭火器", 24.51, 117.65)
    assert [line.outcome for line in _run(world, raw).lines] == ["unchanged"] * 3  # routes and checklists too


def test_importing_the_same_file_again_updates_and_doubles_nothing(ctx, world):
    raw = xlsx(checkpoints(3))
    _run(world, raw, apply=True)
    changed = xlsx(checkpoints(3)[:3] + [["区域3", "巡更点3", "新的说明", None, None, "", ""]])
    assert [line.outcome for line in _run(world, changed).lines] == ["unchanged", "unchanged", "updated"]
    _run(world, changed, apply=True)
    assert _count(Checkpoint, project_id=world.p1.id) == 4


@pytest.mark.parametrize("row, reason", [
    (["大厅", "", "", None, None, "", ""], "第 3 行 B 列:巡更点不能为空"),
    (["大厅", "门", "", 24.5, None, "", ""], "第 3 行 E 列:经纬度须同时填写或同时留空"),
    (["大厅", "门", "", 124.5, 117, "", ""], "第 3 行 D 列:纬度须在 -90 到 90 之间"),
    (["大厅", "门", "", "北纬", 117, "", ""], "第 3 行 D 列:纬度须为数字"),
    (["大厅", "门", "", None, None, "", "no-such"], "第 3 行 F 列:填写检查表时须同时填写路线"),
    (["大厅", "门", "", None, None, "夜巡", "no-such"], "第 3 行 G 列:没有编号为“no-such”的检查表"),
    (["大厅", "一号门", "", None, None, "", ""], "第 3 行 B 列:与第 2 行重复"),
])
def test_a_bad_row_is_named_by_line_and_column(ctx, world, row, reason):
    raw = xlsx([CHECKPOINT_HEADER, ["大厅", "一号门", "", None, None, "", ""], row])
    plan = _run(world, raw)
    assert [line.reason for line in plan.refused] == [reason]
    with pytest.raises(ImportRefused, match="文件未导入"):
        _run(world, raw, apply=True)
    assert _count(Checkpoint, project_id=world.p1.id) == 1


def test_full_width_digits_spaces_extra_columns_and_empty_rows_are_handled(ctx, world):
    raw = xlsx([CHECKPOINT_HEADER + ["负责人"], ["　大厅　", "１号门", "", "２４.５", "１１７", "", "", "老王"], [],
                [None, None], ["大厅", "2号门", "", None, None, "", "", ""]])
    plan = _run(world, raw)
    assert [(line.line, line.label) for line in plan.lines] == [(2, "大厅 · 1号门"), (5, "大厅 · 2号门")]
    assert plan.notes == ["H 列“负责人”不认识,已忽略。"]
    _run(world, raw, apply=True)
    point = get_session().exec(select(Checkpoint).where(Checkpoint.name == "1号门")).one()
    assert (point.latitude, point.longitude) == (24.5, 117.0)


def test_a_file_without_the_required_columns_is_refused(ctx, world):
    with pytest.raises(ImportRefused, match="表头缺少“区域、巡更点”列"):
        _run(world, xlsx([["位置", "内容"], ["a", "b"]]))


def test_nothing_is_written_when_row_9999_is_bad(ctx, world):
    rows = checkpoints(10_000)
    rows[9_999 - 1][3] = "abc"  # the spreadsheet's line 9,999
    plan = _run(world, xlsx(rows))
    assert [line.reason for line in plan.refused] == ["第 9999 行 D 列:纬度须为数字"]
    with pytest.raises(ImportRefused):
        _run(world, xlsx(rows), apply=True)
    assert _count(Checkpoint, project_id=world.p1.id) == 1 and _count(Area, project_id=world.p1.id) == 1


def test_a_failure_while_writing_rolls_back_the_whole_file(ctx, world, monkeypatch):
    from app.patrols import services as patrols

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(patrols, "place_on_routes", broken)
    with pytest.raises(RuntimeError):
        _run(world, xlsx(checkpoints(50, route="夜间巡逻")), apply=True)
    assert _count(Checkpoint, project_id=world.p1.id) == 1 and _count(Route, name="夜间巡逻") == 0


def test_the_export_imports_into_another_project(ctx, world):
    _run(world, xlsx([CHECKPOINT_HEADER, ["大厅", "正门", "看门", 24.5, 117.6, "日巡", ""]]), apply=True)
    rows, title = KIND.export_rows(get_session(), project=world.p1, options={})
    from app.imports import workbooks
    raw = workbooks.workbook(KIND, rows, title)
    plan, _outcome = _run(world, raw, apply=True, project=world.p2)
    assert plan.count("created") == 2  # the world's own checkpoint of P1 and the one imported
    names = set(get_session().exec(select(Checkpoint.name).where(Checkpoint.project_id == world.p2.id)))
    assert {"正门", f"{world.p1.name}的入口"} <= names
    assert _count(Route, project_id=world.p2.id, name="日巡") == 1
