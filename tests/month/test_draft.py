"""The months not final yet: counted by the clock every few minutes, read by the month page with the time."""
from datetime import timedelta

from sqlmodel import select

from app.core import clock
from app.core.db import get_session
from app.month import figures
from app.month.jobs import count_months, freeze_months
from app.month.models import MonthDraft
from app.month.services import month_matrix
from tests.html import soup
from tests.month.helpers import at, ticket
from tests.queries import read_while_writing, statements_for

CONFIG = {"TIMEZONE": "Asia/Shanghai", "MONTH_FREEZE_DAYS": 7}
SOON = at("2026-04-05")  # March ended 4 days ago: not final yet, February is
RECORDS = ("FROM ticket", "FROM patrol_round", "FROM complaint")


def _matrix(session, world, now=SOON):
    return month_matrix(session, organisation_id=world.org_a.id, year=2026, month=3, tz="Asia/Shanghai", now=now)


def _p1_completion(matrix, world) -> float | None:
    return next(s for s in matrix.sites if s.project_id == world.p1.id).now("repair_completion")


def _drafted(session, world) -> list[str]:
    return sorted(session.exec(select(MonthDraft.month).where(MonthDraft.organisation_id == world.org_a.id)).all())


def test_the_clock_counts_the_open_months_and_the_page_shows_those_counts_with_their_time(app, march):
    with app.app_context():
        session = get_session()
        freeze_months(session, SOON, CONFIG)
        live = _matrix(session, march)
        assert live.counted_at is None
        assert count_months(session, SOON, CONFIG) == 4  # March and April, of both companies
        assert _drafted(session, march) == ["2026-03", "2026-04"]
        drafted = _matrix(session, march, SOON + timedelta(minutes=1))
        assert drafted.counted_at == SOON
        assert [(s.project_id, s.series) for s in [*drafted.sites, drafted.company]] == \
            [(s.project_id, s.series) for s in [*live.sites, live.company]]
        # A March ticket closed after the count shows at the next count, not before.
        before = _p1_completion(drafted, march)
        ticket(session, march.p1, at("2026-03-20"), "closed", finish=timedelta(hours=2), due=timedelta(days=7))
        session.commit()
        assert _p1_completion(_matrix(session, march, SOON + timedelta(minutes=2)), march) == before == 0.75
        count_months(session, SOON + timedelta(minutes=5), CONFIG)
        later = _matrix(session, march, SOON + timedelta(minutes=6))
        assert _p1_completion(later, march) == 0.8
        assert later.counted_at == SOON + timedelta(minutes=5)


def test_the_count_reads_every_site_before_it_writes(app, march):
    """SQLite has one writer: an upload beside the clock waits while the count holds the lock, not while it reads."""
    with app.app_context():
        session = get_session()
        count_months(session, SOON, CONFIG)
        assert read_while_writing(session, lambda: count_months(session, SOON + timedelta(minutes=5), CONFIG)) == []


def test_the_page_of_counted_months_reads_no_record_and_says_when_they_were_counted(app, march, login_as,
                                                                                   monkeypatch):
    monkeypatch.setattr("app.month.routes.utcnow", lambda: SOON + timedelta(minutes=1))
    client = login_as("manager")
    url = f"/organisations/{march.org_a.id}/month?month=2026-03"
    assert any(table in s for s in statements_for(app, client, url) for table in RECORDS)  # March counted live
    assert "统计于" not in client.get(url).get_data(as_text=True)
    with app.app_context():
        freeze_months(get_session(), SOON, CONFIG)
        count_months(get_session(), SOON, CONFIG)
    assert not any(table in s for s in statements_for(app, client, url) for table in RECORDS)
    note = soup(client.get(url)).select_one(".counted-at").get_text()
    assert "统计于" in note and "12:00" in note  # SOON, on the company's clock


def test_a_draft_the_clock_left_standing_is_not_read(app, march):
    with app.app_context():
        session = get_session()
        count_months(session, SOON, CONFIG)
        ticket(session, march.p1, at("2026-03-20"), "closed", finish=timedelta(hours=2), due=timedelta(days=7))
        session.commit()
        stale = _matrix(session, march, SOON + figures.DRAFT_FRESH + timedelta(minutes=1))
        assert stale.counted_at is None  # the clock stopped: March counted live
        assert _p1_completion(stale, march) == 0.8


def test_a_month_stored_as_final_loses_its_draft(app, march):
    with app.app_context():
        session = get_session()
        count_months(session, SOON, CONFIG)
        assert "2026-03" in _drafted(session, march)
        final = at("2026-04-15")
        freeze_months(session, final, CONFIG)
        count_months(session, final, CONFIG)
        assert _drafted(session, march) == ["2026-04"]
        assert _matrix(session, march, final).counted_at is None  # March read as stored


def test_the_count_is_a_clock_job_every_five_minutes():
    assert clock.JOBS["month.count"].run is count_months
    assert clock.JOBS["month.count"].every == timedelta(minutes=5) == figures.DRAFT_EVERY
