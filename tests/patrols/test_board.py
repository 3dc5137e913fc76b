"""The supervisor's board, round detail, reports and CSV."""
import io
from datetime import timedelta

from pypdf import PdfReader

from tests.html import soup, text
from tests.patrols.helpers import NIGHT, NIGHT_DAY
from tests.patrols.test_visits import GOOD, _visit


def _pdf_text(response) -> str:
    assert response.mimetype == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).replace("\n", "")


def test_the_board_counts_rounds_and_refreshes_itself(login_as, patrol):
    guard = login_as("guard")
    _visit(guard, patrol, 1, answers=GOOD)
    _visit(guard, patrol, 2, at=NIGHT + timedelta(minutes=10), method="manual")
    _visit(guard, patrol, 3, at=NIGHT + timedelta(minutes=15))
    response = login_as("supervisor").get(
        f"/projects/{patrol.round.project_id}/patrols?date={NIGHT_DAY}&route={patrol.route.id}")
    page = soup(response)
    board = page.select_one("#patrol-board")
    assert board["hx-trigger"] == "every 30s"
    counts = {el.get_text(" ", strip=True).split(" ", 1)[1]: int(el.strong.get_text()) for el in board.select(".board-counts div")}
    assert counts["已完成"] == 1
    assert counts["漏巡"] + counts["待巡"] + counts["已完成"] + counts["进行中"] + counts["未完成"] + counts["迟到"] == 6
    fragment = login_as("supervisor").get(f"/projects/{patrol.round.project_id}/patrols?date={NIGHT_DAY}",
                                          headers={"HX-Request": "true"})
    assert soup(fragment).select_one("div")["id"] == "patrol-board" and soup(fragment).select_one("h1") is None


def test_round_detail_shows_the_timeline_with_flags(login_as, patrol):
    guard = login_as("guard")
    _visit(guard, patrol, 1, answers=GOOD)
    _visit(guard, patrol, 3, at=NIGHT + timedelta(minutes=5, seconds=20), method="manual")
    page = login_as("supervisor").get(f"/rounds/{patrol.round.id}")
    rows = text(page, ".timeline > li")
    assert "手动输入" in rows[1] and "间隔过短" in rows[1]
    assert "未完成" in text(page, "p.muted span")[0]  # the night is over: one checkpoint was never visited
    assert any("消防通道" in row and "漏巡" in row for row in rows)


def test_the_round_report_pdf_names_checkpoints_and_flags(login_as, patrol):
    guard = login_as("guard")
    _visit(guard, patrol, 1, answers={"item-extinguisher": "pass", "item-temp": "45"})
    _visit(guard, patrol, 2, at=NIGHT + timedelta(minutes=9), method="manual")
    content = _pdf_text(login_as("supervisor").get(f"/rounds/{patrol.round.id}/report.pdf"))
    for expected in ("巡更报告", "夜间巡逻", patrol.checkpoints[0].name, "消防通道", "手动输入", "配电房温度:45 ℃"):
        assert expected in content


def test_a_daily_report_for_a_day_without_rounds_says_so(login_as, world):
    content = _pdf_text(login_as("supervisor").get(f"/projects/{world.p1.id}/patrols/daily.pdf?date=2026-01-01"))
    assert "这一天没有排班的巡更轮次" in content


def test_the_daily_report_lists_the_rounds(login_as, patrol):
    _visit(login_as("guard"), patrol, 1, answers=GOOD)
    content = _pdf_text(login_as("supervisor").get(f"/projects/{patrol.round.project_id}/patrols/daily.pdf?date={NIGHT_DAY}"))
    assert "巡更日报" in content and "夜间巡逻" in content and "22:00" in content


def test_visits_export_as_csv_for_excel(login_as, patrol):
    _visit(login_as("guard"), patrol, 2, method="manual")
    response = login_as("supervisor").get(f"/projects/{patrol.round.project_id}/patrols/visits.csv?date={NIGHT_DAY}")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff路线,轮次,巡更点")
    assert "消防通道" in body and "手动" in body


def test_guards_do_not_see_the_board(login_as, patrol):
    assert login_as("guard").get(f"/projects/{patrol.round.project_id}/patrols").status_code == 403


def test_a_visit_before_the_window_opens_is_flagged_early_on_the_board_the_round_page_and_the_pdfs(login_as, patrol):
    guard = login_as("guard")
    assert _visit(guard, patrol, 1, answers=GOOD, at=NIGHT - timedelta(minutes=104)).status_code == 201
    supervisor = login_as("supervisor")
    board = supervisor.get(f"/projects/{patrol.round.project_id}/patrols?date={NIGHT_DAY}&route={patrol.route.id}")
    assert "有标记" in " ".join(text(board, "#patrol-board .badge.flag"))
    rows = text(supervisor.get(f"/rounds/{patrol.round.id}"), ".timeline > li")
    assert "提前" in rows[0]
    assert "提前" in _pdf_text(supervisor.get(f"/rounds/{patrol.round.id}/report.pdf"))
    daily = supervisor.get(f"/projects/{patrol.round.project_id}/patrols/daily.pdf?date={NIGHT_DAY}")
    assert "提前(1)" in _pdf_text(daily)


def test_the_daily_report_lists_only_the_patrols_exceptions(app, login_as, world, db, patrol):
    """未处理的异常: what the guards found (a failed item, a guard's own report), not the residents' requests or
    the inspection's deductions, which have their own lists."""
    from tests import factories

    project = db.get(type(world.p1), world.p1.id)
    for reporter, source, description in (("guard", "front_desk", "门岗报告:围墙灯不亮"),
                                          ("guard", "patrol", "巡更不合格:消防通道堵塞"),
                                          ("attendant", "resident", "业主报修:厨房漏水"),
                                          ("supervisor", "inspection", "检查扣分:地面污渍")):
        ticket, _photo, _record = factories.ticket(db, project, world.users[reporter], description)
        ticket.source = source
        db.add(ticket)
    db.commit()
    content = _pdf_text(login_as("supervisor").get(f"/projects/{project.id}/patrols/daily.pdf?date={NIGHT_DAY}"))
    assert "围墙灯不亮" in content and "消防通道堵塞" in content
    assert "厨房漏水" not in content and "地面污渍" not in content


def test_the_daily_report_keeps_route_and_checkpoint_names_whole(app, login_as, db, patrol):
    """A route name, a status and a missed checkpoint's name are not broken across lines in their narrow cells."""
    from app.patrols.models import Round, Route

    route = db.get(Route, patrol.route.id)
    route.name = "夜间安全巡逻路线"
    round_ = db.get(Round, patrol.round.id)  # the missed points fill the last column, squeezing the others
    round_.stops = [{**stop, "name": f"{stop['name']}东北角地下二层消防通道"} for stop in round_.stops]
    db.add_all([route, round_])
    db.commit()
    response = login_as("supervisor").get(f"/projects/{patrol.round.project_id}/patrols/daily.pdf?date={NIGHT_DAY}")
    lines = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)  # line breaks kept
    assert "夜间安全巡逻路线" in lines and "已巡" in lines and "标记" in lines and "漏巡" in lines
