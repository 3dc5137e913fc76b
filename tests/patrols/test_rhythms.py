"""Weekly and monthly schedules: which days are due (month ends, leap years, the 31st, the nth weekday), the rounds
the clock makes and misses across months, and the schedules refused."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.core.db import get_session
from app.core.notifications import Notification
from app.patrols import services
from app.patrols.jobs import generate_rounds, settle_rounds
from app.patrols.models import Round, Schedule
from app.patrols.slots import due_on, slots_for_day
from tests.html import soup
from tests.patrols.helpers import night_route, three_checkpoints

SH = ZoneInfo("Asia/Shanghai")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

# (rhythm settings, day, due?)
DUE = [
    # weekly on Monday and Thursday, across a month end and a year end
    ({"rhythm": "weekly", "weekdays": [MON, THU]}, date(2026, 11, 30), True),
    ({"rhythm": "weekly", "weekdays": [MON, THU]}, date(2026, 12, 1), False),
    ({"rhythm": "weekly", "weekdays": [MON, THU]}, date(2026, 12, 3), True),
    ({"rhythm": "weekly", "weekdays": [MON, THU]}, date(2026, 12, 31), True),
    ({"rhythm": "weekly", "weekdays": [MON, THU]}, date(2027, 1, 1), False),
    ({"rhythm": "weekly", "weekdays": [SUN]}, date(2028, 2, 27), True),
    # the 31st: every month, on its last day when it is shorter
    ({"rhythm": "monthly", "month_day": 31}, date(2026, 1, 31), True),
    ({"rhythm": "monthly", "month_day": 31}, date(2026, 1, 30), False),
    ({"rhythm": "monthly", "month_day": 31}, date(2026, 2, 28), True),
    ({"rhythm": "monthly", "month_day": 31}, date(2028, 2, 28), False),  # a leap year: the 29th is the last
    ({"rhythm": "monthly", "month_day": 31}, date(2028, 2, 29), True),
    ({"rhythm": "monthly", "month_day": 31}, date(2026, 4, 30), True),
    ({"rhythm": "monthly", "month_day": 31}, date(2026, 4, 29), False),
    ({"rhythm": "monthly", "month_day": 31}, date(2026, 12, 31), True),
    ({"rhythm": "monthly", "month_day": 31}, date(2026, 12, 30), False),
    # the 30th and the 29th
    ({"rhythm": "monthly", "month_day": 30}, date(2026, 1, 30), True),
    ({"rhythm": "monthly", "month_day": 30}, date(2026, 1, 31), False),
    ({"rhythm": "monthly", "month_day": 30}, date(2026, 2, 28), True),
    ({"rhythm": "monthly", "month_day": 29}, date(2027, 2, 28), True),
    ({"rhythm": "monthly", "month_day": 29}, date(2028, 2, 28), False),
    ({"rhythm": "monthly", "month_day": 29}, date(2028, 2, 29), True),
    ({"rhythm": "monthly", "month_day": 29}, date(2028, 3, 29), True),
    ({"rhythm": "monthly", "month_day": 1}, date(2027, 1, 1), True),
    ({"rhythm": "monthly", "month_day": 1}, date(2026, 12, 31), False),
    # the nth weekday
    ({"rhythm": "monthly", "month_week": 1, "weekdays": [MON]}, date(2026, 12, 7), True),  # 1 December is a Tuesday
    ({"rhythm": "monthly", "month_week": 1, "weekdays": [MON]}, date(2026, 11, 30), False),  # the fifth Monday
    ({"rhythm": "monthly", "month_week": 1, "weekdays": [MON]}, date(2026, 11, 2), True),
    ({"rhythm": "monthly", "month_week": 1, "weekdays": [MON]}, date(2026, 12, 1), False),
    ({"rhythm": "monthly", "month_week": 2, "weekdays": [TUE]}, date(2026, 12, 8), True),
    ({"rhythm": "monthly", "month_week": 4, "weekdays": [SUN]}, date(2026, 11, 22), True),
    ({"rhythm": "monthly", "month_week": -1, "weekdays": [FRI]}, date(2026, 12, 25), True),
    ({"rhythm": "monthly", "month_week": -1, "weekdays": [FRI]}, date(2026, 12, 18), False),
    ({"rhythm": "monthly", "month_week": -1, "weekdays": [TUE]}, date(2028, 2, 29), True),  # leap day, last Tuesday
    ({"rhythm": "monthly", "month_week": -1, "weekdays": [TUE]}, date(2027, 2, 23), True),
    ({"rhythm": "monthly", "month_week": -1, "weekdays": [MON]}, date(2028, 2, 28), True),
    ({"rhythm": "monthly", "month_week": -1, "weekdays": [MON]}, date(2028, 2, 21), False),
    # daily: every day
    ({"rhythm": "daily"}, date(2028, 2, 29), True),
]


@pytest.mark.parametrize(("rhythm", "day", "due"), DUE, ids=[f"{r['rhythm']}-{d}" for r, d, _due in DUE])
def test_which_days_a_schedule_is_due(rhythm, day, due):
    assert due_on(day, **rhythm) is due


@pytest.mark.parametrize(("year", "month_day", "days"), [
    (2026, 31, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]),
    (2028, 31, [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]),
    (2028, 30, [30, 29, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]),
    (2027, 15, [15] * 12),
])
def test_a_monthly_schedule_is_due_once_every_month_of_the_year(year, month_day, days):
    every_day = [date(year, 1, 1) + timedelta(days=n) for n in range(366 if year % 4 == 0 else 365)]
    due = [d for d in every_day if due_on(d, rhythm="monthly", month_day=month_day)]
    assert [d.month for d in due] == list(range(1, 13)) and [d.day for d in due] == days


def test_a_monthly_slot_with_a_week_to_do_it_ends_in_the_next_month():
    [slot] = slots_for_day(day=date(2028, 2, 29), start=time(9), end=time(9), interval_minutes=0,
                           window_minutes=7 * 24 * 60, grace_minutes=60, tz="Asia/Shanghai")
    assert slot.start == datetime(2028, 2, 29, 1, 0, tzinfo=timezone.utc)
    assert slot.window_end.astimezone(SH) == datetime(2028, 3, 7, 9, 0, tzinfo=SH)
    assert slot.deadline.astimezone(SH) == datetime(2028, 3, 7, 10, 0, tzinfo=SH) == slot.closes.astimezone(SH)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SH).astimezone(timezone.utc)


@pytest.fixture
def monthly(app, world, db):
    """A monthly check on the 31st at 09:00, three days to do it, made on 1 January 2028."""
    with app.app_context():
        session = get_session()
        _route, schedule, _t = night_route(session, world, three_checkpoints(db, world), name="消防月检",
                                           rhythm="monthly", month_day="31", start="09:00", end="09:00",
                                           interval_minutes="0", window_minutes="3", window_unit="day",
                                           grace_minutes="0")
        session.exec(sa.update(Schedule).where(Schedule.id == schedule.id).values(changed_at=_at(date(2028, 1, 1), 8)))
        session.commit()
        return schedule.id


def _slots(db, schedule_id) -> list[str]:
    db.expire_all()
    rounds = db.exec(select(Round).where(Round.schedule_id == schedule_id).order_by(Round.slot_start)).all()
    return [f"{r.slot_start.astimezone(SH):%m-%d %H:%M}" for r in rounds]


def test_the_clock_makes_a_monthly_round_on_the_31st_or_a_short_months_last_day(app, monthly, db):
    config = {**app.config, "CLOCK_CATCH_UP_DAYS": 45}
    with app.app_context():
        session = get_session()
        for day in (date(2028, 1, 15), date(2028, 1, 30), date(2028, 2, 28), date(2028, 3, 5), date(2028, 4, 29)):
            generate_rounds(session, _at(day), config)
            generate_rounds(session, _at(day), config)  # twice: nothing more
    # made on 1 January while December's round could still be started (until 3 January): that one too
    assert _slots(db, monthly) == ["12-31 09:00", "01-31 09:00", "02-29 09:00", "03-31 09:00", "04-30 09:00"]


def test_a_monthly_round_nobody_walked_is_missed_when_its_days_are_over_and_told_once(app, monthly, db, world):
    with app.app_context():
        session = get_session()
        session.exec(sa.update(Schedule).where(Schedule.id == monthly).values(changed_at=_at(date(2028, 2, 20))))
        session.commit()
        generate_rounds(session, _at(date(2028, 2, 28)), app.config)
        round_ = session.exec(select(Round).where(Round.schedule_id == monthly)).one()  # February's: the 29th
        assert round_.deadline.astimezone(SH) == datetime(2028, 3, 3, 9, 0, tzinfo=SH)
        settle_rounds(session, _at(date(2028, 3, 3), 8), app.config)  # still an hour to start it
        session.refresh(round_)
        assert round_.outcome is None
        [view] = services.assess_rounds(session, [round_], _at(date(2028, 3, 3), 8))
        assert view.assessment.status == "due"
        settle_rounds(session, _at(date(2028, 3, 3), 10), app.config)
        settle_rounds(session, _at(date(2028, 3, 4), 10), app.config)  # again: told once
    db.expire_all()
    assert db.get(Round, round_.id).outcome == "missed"
    told = db.exec(select(Notification).where(Notification.event == "patrols.missed",
                                              Notification.key == f"patrols.missed:{round_.id}")).all()
    assert [(n.user_id, n.params["count"]) for n in told] == [(world.users["supervisor"].id, 1)]


def test_a_weekly_schedule_makes_rounds_on_its_days_only(app, world, db):
    with app.app_context():
        session = get_session()
        _route, schedule, _t = night_route(session, world, three_checkpoints(db, world), name="周检",
                                           rhythm="weekly", weekdays=["0", "3"], start="20:00", end="08:00",
                                           interval_minutes="240", window_minutes="60")
        session.exec(sa.update(Schedule).where(Schedule.id == schedule.id)
                     .values(changed_at=_at(date(2026, 11, 28))))  # a Saturday
        session.commit()
        generate_rounds(session, _at(date(2026, 12, 3), 9), {**app.config, "CLOCK_CATCH_UP_DAYS": 10})
    # Monday 30 November and Thursday 3 December, each night into the next morning; Friday's is not yet due
    assert _slots(db, schedule.id) == ["11-30 20:00", "12-01 00:00", "12-01 04:00",
                                       "12-03 20:00", "12-04 00:00", "12-04 04:00"]


TOO_LONG = "可开始时长太长:每天的班次最长 1 天,每周的 7 天,每月的 28 天,否则两轮会重叠。"
FORM = {"name": "月检", "start": "09:00", "end": "09:00", "interval_minutes": "0", "window_minutes": "60"}


@pytest.mark.parametrize(("fields", "message"), [
    ({"rhythm": "weekly"}, "每周的班次请至少选择一天(星期几)。"),
    ({"rhythm": "monthly"}, "每月的班次请填写几号(1-31),或选择第几个星期几。"),
    ({"rhythm": "monthly", "month_day": "32"}, "每月几号须在 1 到 31 之间。"),
    ({"rhythm": "monthly", "month_day": "0"}, "每月几号须在 1 到 31 之间。"),
    ({"rhythm": "monthly", "month_week": "0", "month_weekday": "0"}, "第几个星期须为第一到第四个,或最后一个。"),
    ({"rhythm": "monthly", "month_week": "5", "month_weekday": "0"}, "第几个星期须在 -1 到 4 之间。"),
    ({"rhythm": "yearly"}, "请选择巡查频次:每天、每周或每月。"),
    ({"rhythm": "weekly", "weekdays": ["1"], "window_minutes": "8", "window_unit": "day"}, TOO_LONG),
    ({"rhythm": "daily", "window_minutes": "25", "window_unit": "hour"}, TOO_LONG),
    ({"rhythm": "monthly", "month_day": "1", "window_minutes": "29", "window_unit": "day"}, "可开始时长须在 1 到 28 之间。"),
])
def test_a_schedule_set_up_wrongly_is_refused_and_nothing_saved(login_as, world, db, fields, message):
    from tests.html import alert

    route_id = world.routes["p1"].id
    response = login_as("supervisor").post_form(f"/routes/{route_id}/schedules", {**FORM, **fields})
    assert response.status_code == 400 and alert(response) == message
    assert db.exec(select(Schedule).where(Schedule.route_id == route_id, Schedule.name == "月检")).all() == []


def test_a_monthly_schedule_on_the_31st_says_what_it_does_and_is_listed(login_as, world, db):
    supervisor = login_as("supervisor")
    route_id = world.routes["p1"].id
    page = supervisor.get(f"/routes/{route_id}").get_data(as_text=True)
    assert "没有这一天的月份在当月最后一天检查" in page
    response = supervisor.post_form(f"/routes/{route_id}/schedules", {**FORM, "rhythm": "monthly", "month_day": "31",
                                                                       "window_minutes": "7", "window_unit": "day"})
    assert response.status_code == 302
    schedule = db.exec(select(Schedule).where(Schedule.route_id == route_id, Schedule.name == "月检")).one()
    assert (schedule.rhythm, schedule.month_day, schedule.window_minutes) == ("monthly", 31, 7 * 24 * 60)
    assert "每月 31 日" in supervisor.get(f"/routes/{route_id}").get_data(as_text=True)
    response = supervisor.post_form(f"/routes/{route_id}/schedules", {**FORM, "name": "首周一", "rhythm": "monthly",
                                                                       "month_week": "1", "month_weekday": "0"})
    assert response.status_code == 302
    assert "每月第一个周一" in supervisor.get(f"/routes/{route_id}").get_data(as_text=True)


def test_the_board_lists_a_monthly_round_on_each_day_it_is_open(app, login_as, monthly, world, db):
    with app.app_context():
        session = get_session()
        session.exec(sa.update(Schedule).where(Schedule.id == monthly).values(changed_at=_at(date(2028, 2, 20))))
        session.commit()
        generate_rounds(session, _at(date(2028, 2, 28)), app.config)
        round_ = session.exec(select(Round).where(Round.schedule_id == monthly)).one()  # 29 February, 3 days
    supervisor = login_as("supervisor")
    for day, listed in (("2028-02-29", True), ("2028-03-02", True), ("2028-03-03", True), ("2028-03-04", False)):
        page = supervisor.get(f"/projects/{world.p1.id}/patrols?date={day}").get_data(as_text=True)
        assert (f'href="/rounds/{round_.id}"' in page) is listed, day
    page = supervisor.get(f"/projects/{world.p1.id}/patrols?date=2028-03-02")
    link = soup(page).select_one(f'a[href="/rounds/{round_.id}"]')
    assert link.get_text() == "夜间巡逻 · 02-29 09:00"  # begun on an earlier day: its date is shown
