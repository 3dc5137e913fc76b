"""A closed month's figures are stored once final (the clock), read back as they were counted, and only then."""
from datetime import timedelta
from types import SimpleNamespace

from sqlmodel import select

from app.core import clock
from app.core.db import get_session
from app.inspections.models import Inspection, InspectionSheet, RankingSnapshot
from app.month import figures
from app.month.jobs import freeze_months
from app.month.models import MonthFigures
from app.month.services import month_matrix
from app.repairs.models import Ticket
from tests.month.helpers import NOW, at, inspected, ticket
from tests.queries import statements_for

CONFIG = {"TIMEZONE": "Asia/Shanghai", "MONTH_FREEZE_DAYS": 7}


def _matrix(session, world, now=NOW, month=3):
    return month_matrix(session, organisation_id=world.org_a.id, year=2026, month=month, tz="Asia/Shanghai", now=now)


def _figures(matrix) -> list:
    return [(s.project_id, s.name, s.series) for s in [*matrix.sites, matrix.company]]


def _stored(session, world) -> list[str]:
    return sorted(session.exec(select(MonthFigures.month).where(MonthFigures.organisation_id == world.org_a.id)).all())


def test_a_final_month_is_stored_with_the_figures_counted_live(app, march):
    with app.app_context():
        session = get_session()
        counted = _figures(_matrix(session, march))
        assert freeze_months(session, NOW, CONFIG) == 2 * figures.HORIZON  # March and the 17 before, of both companies
        assert _stored(session, march)[-1] == "2026-03" and len(_stored(session, march)) == figures.HORIZON
        assert session.exec(select(RankingSnapshot).where(RankingSnapshot.organisation_id == march.org_a.id,
                                                          RankingSnapshot.month == "2026-03")).one()  # its ranking too
        assert _figures(_matrix(session, march)) == counted  # read back: every site, every month, the company
        # A March ticket closed afterwards does not move the stored month (the figures people were given).
        late = session.exec(select(Ticket).where(Ticket.status == "reported", Ticket.project_id == march.p1.id,
                                                 Ticket.created_at < at("2026-03-31"))).first()
        late.status, late.finished_at = "closed", NOW
        session.commit()
        assert _figures(_matrix(session, march)) == counted
        assert freeze_months(session, NOW + timedelta(minutes=10), CONFIG) == 0  # nothing left to store


def test_the_page_reads_the_stored_months_and_counts_none_of_their_records(app, march, login_as, monkeypatch):
    monkeypatch.setattr("app.month.routes.utcnow", lambda: NOW)
    client = login_as("manager")
    url = f"/organisations/{march.org_a.id}/month?month=2026-03"
    live = statements_for(app, client, url)
    assert any("FROM ticket" in s for s in live)
    with app.app_context():
        freeze_months(get_session(), NOW, CONFIG)
    stored = statements_for(app, client, url)
    assert not any(table in s for s in stored for table in ("FROM ticket", "FROM patrol_round", "FROM complaint"))
    assert len(stored) < len(live)


def test_a_month_within_its_grace_period_is_counted_live(app, march):
    soon = at("2026-04-05")  # March ended 4 days ago: not final yet, February is
    with app.app_context():
        session = get_session()
        freeze_months(session, soon, CONFIG)
        assert _stored(session, march)[-1] == "2026-02"
        before = _matrix(session, march, soon)
        p1 = next(s for s in before.sites if s.project_id == march.p1.id)
        assert p1.now("repair_completion") == 0.75
        ticket(session, march.p1, at("2026-03-20"), "closed", finish=timedelta(hours=2), due=timedelta(days=7))
        ticket(session, march.p1, at("2026-02-20"), "reported", due=timedelta(days=7))
        session.commit()
        after = next(s for s in _matrix(session, march, soon).sites if s.project_id == march.p1.id)
        assert after.now("repair_completion") == 0.8  # March counted live: 4 of 5
        assert after.before("repair_completion") == p1.before("repair_completion") == 1.0  # February as stored


def test_a_month_whose_ranking_is_not_final_is_not_stored(app, march):
    with app.app_context():
        session = get_session()
        sheet = session.exec(select(InspectionSheet)).first()
        inspected(session, march.p2, SimpleNamespace(id=sheet.version_id, template_id=sheet.template_id), 5,
                  at("2026-03-30"))
        waiting = session.exec(select(Inspection).order_by(Inspection.id.desc())).first()
        waiting.status, waiting.objection_deadline = "provisional", NOW + timedelta(days=3)  # its window still open
        session.commit()
        freeze_months(session, NOW, CONFIG)
        assert "2026-03" not in _stored(session, march) and "2026-02" in _stored(session, march)


def test_two_processes_freezing_at_once_leave_one_row_a_month(app, march, monkeypatch):
    with app.app_context():
        session = get_session()
        first = figures.freeze(session, organisation_id=march.org_a.id, now=NOW, tz="Asia/Shanghai",
                               grace=timedelta(days=7))
        # The second process read "not stored" before the first committed: its insert finds the rows there.
        monkeypatch.setattr(figures, "unstored", lambda session, organisation_id, labels: labels)
        second = figures.freeze(session, organisation_id=march.org_a.id, now=NOW, tz="Asia/Shanghai",
                                grace=timedelta(days=7))
        assert len(first) == figures.HORIZON and second == []
        assert len(_stored(session, march)) == figures.HORIZON == len(set(_stored(session, march)))


def test_the_freeze_is_a_clock_job():
    assert clock.JOBS["month.freeze"].run is freeze_months
    assert clock.JOBS["month.freeze"].every == timedelta(minutes=10)
