"""Pages only read: a window that has passed shows as effective before the clock has recorded it, and a closed
month's ranking shows as final before the clock has stored it; the clock then writes what the pages showed."""
from datetime import timedelta

from sqlmodel import select

from app.core.audit import AuditLog
from app.core.clock import run_due
from app.inspections.models import Inspection, RankingSnapshot
from tests import factories
from tests.html import soup
from tests.inspections.helpers import VISIT, visit_month
from tests.queries import writes_for

AFTER = VISIT + timedelta(days=3, minutes=5)  # the window closed five minutes ago; the clock has not run since


def _stored(db, inspection_id):
    db.expire_all()
    inspection = db.get(Inspection, inspection_id)
    audited = db.exec(select(AuditLog).where(AuditLog.action == "inspection.effective",
                                             AuditLog.object_id == inspection_id)).all()
    return inspection.status, len(audited)


def test_a_closed_window_reads_as_effective_on_every_page_without_a_write(app, login_as, scored, db, monkeypatch):
    from app.inspections import routes

    monkeypatch.setattr(routes, "_now", lambda: AFTER)
    project_id = db.get(Inspection, scored).project_id
    lead = login_as("supervisor")
    for url in (f"/inspections/{scored}", f"/projects/{project_id}/inspections", f"/inspections/{scored}/report.pdf"):
        assert not [s for s in writes_for(app, lead, url) if "inspection" in s or "audit" in s], url
    page = soup(lead.get(f"/inspections/{scored}"))
    assert page.select_one(".inspection-status").get_text(strip=True) == "已生效"
    assert not page.select(".object-form")  # nothing left to object to
    row = soup(lead.get(f"/projects/{project_id}/inspections")).select_one(f"#inspection-{scored} .inspection-status")
    assert row.get_text(strip=True) == "已生效"
    home = lead.get(f"/projects/{project_id}/today").get_data(as_text=True)  # the card moved there (issue 20)
    assert "1 个在异议期内" in home  # the world's inspection with a pending objection; not this one any more
    assert _stored(db, scored) == ("provisional", 0)  # the pages wrote nothing

    run_due(app, AFTER, names=["inspections.windows"], force=True)  # the clock's next minute
    assert _stored(db, scored) == ("effective", 1)
    assert db.get(Inspection, scored).effective_at == AFTER


def test_inside_the_window_the_pages_still_offer_the_objection(app, login_as, scored, db, monkeypatch):
    from app.inspections import routes

    monkeypatch.setattr(routes, "_now", lambda: VISIT + timedelta(days=2))
    page = soup(login_as("supervisor").get(f"/inspections/{scored}"))
    assert page.select_one(".inspection-status").get_text(" ", strip=True).startswith("暂定(异议期内)")
    assert page.select(".object-form")
    project_id = db.get(Inspection, scored).project_id  # the supervisor's card is on the project's page (issue 20)
    assert "2 个在异议期内" in login_as("supervisor").get(f"/projects/{project_id}/today").get_data(as_text=True)


def test_a_closed_month_reads_as_final_and_the_clock_stores_it(app, login_as, scored, world, db, monkeypatch):
    from app.inspections import ranking, routes

    later = ranking.period(visit_month(), 30, VISIT.tzinfo)[1] + timedelta(days=4)  # closed, every window passed
    monkeypatch.setattr(routes, "_now", lambda: later)
    admin = login_as("admin")
    url = f"/organisations/{world.org_a.id}/ranking?month={visit_month()}"
    assert not [s for s in writes_for(app, admin, url) if "inspection" in s or "ranking" in s or "audit" in s]
    page = soup(admin.get(url))
    assert page.select_one(".ranking-state").get_text(strip=True).startswith("已截止并冻结")
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select("#ranking tbody tr")]
    assert rows[0][:3] == ["1", world.p1.name, "6"]  # counted although the clock has not made it effective yet
    assert db.exec(select(RankingSnapshot)).all() == [] and _stored(db, scored) == ("provisional", 0)

    run_due(app, later, names=["inspections.windows", "inspections.ranking"], force=True)
    [snapshot] = db.exec(select(RankingSnapshot).where(RankingSnapshot.organisation_id == world.org_a.id,
                                                       RankingSnapshot.month == visit_month())).all()
    assert [(r["name"], r["rank"]) for r in snapshot.rows][0] == (world.p1.name, 1)
    assert soup(admin.get(url)).select_one("#ranking tbody tr td:nth-child(3)").get_text(strip=True) == "6"


def test_where_the_supervisor_objects_it_says_the_decided_objections_end_the_window(app, login_as, scored, db,
                                                                                    monkeypatch):
    from app.inspections import routes

    monkeypatch.setattr(routes, "_now", lambda: VISIT + timedelta(days=1))
    page = soup(login_as("supervisor").get(f"/inspections/{scored}"))
    hints = [form.select_one(".hint").get_text(strip=True) for form in page.select(".object-form")]
    assert hints and all("立即生效" in hint for hint in hints)  # one decided objection ends the window at once


def test_the_today_table_shows_each_projects_latest_inspection_scores_and_alerts_below_80_percent(app, world, db):
    """The home's 检查得分 column: the sheets of each project's latest inspection (the later of two at one time),
    by sheet name, in alert under 80 % of the points; a project never inspected has no figure."""
    from datetime import timedelta

    from app.core import today
    from app.core.db import utcnow
    from app.inspections.models import Inspection, InspectionSheet

    at = utcnow() + timedelta(minutes=5)  # after the world's own inspections

    def inspected(project, when, scores):
        row = Inspection(project_id=project.id, inspected_at=when, objection_deadline=when, status="effective")
        db.add(row)
        db.flush()
        for name, score, base in scores:
            db.add(InspectionSheet(inspection_id=row.id, project_id=project.id, name=name, base_score=base,
                                   original_score=score, score=score, percentage=0))
        db.commit()

    inspected(world.p1, at - timedelta(days=30), [("甲表", 10, 10)])
    inspected(world.p1, at, [("乙表", 30, 40), ("甲表", 70, 100)])  # 100 of 140: 71 %
    inspected(world.p2, at, [("甲表", 1, 10)])
    inspected(world.p2, at, [("甲表", 9, 10)])  # the same time: the later row wins
    never = factories.project(db, world.org_a, "未检查项目")
    with app.test_request_context():
        rows = {r.project.id: r.cells.get("inspection") for r in today.rows(db, [world.p1, world.p2, never], utcnow())}
    assert rows[world.p1.id].text == "30 · 70" and rows[world.p1.id].alert  # 乙表 (U+4E59) before 甲表
    assert rows[world.p2.id].text == "9" and not rows[world.p2.id].alert
    assert rows[never.id] is None
