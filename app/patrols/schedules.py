"""Schedules: when a route's rounds are due (daily, weekly, monthly), for whom, and how a schedule reads."""
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, delete, select
from werkzeug.datastructures import MultiDict

from app.accounts.models import User
from app.accounts.services import is_member, posted_user
from app.core import audit
from app.core.db import utcnow
from app.core.i18n import role_label
from app.core.refusal import Refusal
from app.core.validation import clock, required_text, whole
from app.patrols.models import RHYTHMS, Round, Route, Schedule, Visit

WEEKDAYS = (_l("周一"), _l("周二"), _l("周三"), _l("周四"), _l("周五"), _l("周六"), _l("周日"))
MONTH_WEEKS = {1: _l("第一个"), 2: _l("第二个"), 3: _l("第三个"), 4: _l("第四个"), -1: _l("最后一个")}
WINDOW_UNITS = {"minute": 1, "hour": 60, "day": 24 * 60}
# The longest a round of each rhythm may stay open to be started: no longer than the time to the next one.
LONGEST_WINDOW = {"daily": 24 * 60, "weekly": 7 * 24 * 60, "monthly": 28 * 24 * 60}


class ScheduleError(Refusal):
    """A schedule set up wrongly."""


def schedules_of(session: Session, route: Route) -> list[Schedule]:
    return session.exec(select(Schedule).where(Schedule.route_id == route.id).order_by(Schedule.start)).all()


def _days(raw_days, rhythm: str) -> list[int]:
    days = sorted({int(d) for d in raw_days or [] if str(d).strip() in {str(n) for n in range(7)}})
    if rhythm == "weekly" and not days:
        raise ScheduleError(_("每周的班次请至少选择一天(星期几)。"))
    return days if rhythm == "weekly" else []


def _month(rhythm: str, month_day, month_week, month_weekday) -> tuple[int | None, int | None, list[int]]:
    """(month_day, month_week, weekdays) of a monthly schedule: a day of the month, or the nth weekday."""
    if rhythm != "monthly":
        return None, None, []
    if str(month_week or "").strip():
        week = whole(month_week, _("第几个星期"), -1, 4, error=ScheduleError)
        if week == 0:
            raise ScheduleError(_("第几个星期须为第一到第四个,或最后一个。"))
        return None, week, [whole(month_weekday, _("星期几"), 0, 6, error=ScheduleError)]
    if not str(month_day or "").strip():
        raise ScheduleError(_("每月的班次请填写几号(1-31),或选择第几个星期几。"))
    return whole(month_day, _("每月几号"), 1, 31, error=ScheduleError), None, []


def _walkers(session: Session, route: Route, raw_ids) -> list[int]:
    """The people named, each holding the route's role in its project."""
    chosen = []
    for raw in raw_ids or []:
        user = posted_user(session, raw)
        if user is None or not is_member(session, user.id, route.project_id, (route.role,)):
            if route.role == "guard":
                raise ScheduleError(_("请选择本项目的保安。"))
            raise ScheduleError(_("请选择本项目的%(role)s。", role=role_label(route.role)))
        chosen.append(user.id)
    return chosen


def save_schedule(session: Session, *, actor: User, route: Route, schedule: Schedule | None = None, name: str,
                  start: str, end: str, interval_minutes, window_minutes=60, window_unit: str = "minute",
                  grace_minutes=15, rhythm: str = "daily", weekdays=(), month_day=None, month_week=None,
                  month_weekday=None, guard_ids: list | None = None, now: datetime | None = None) -> Schedule:
    """Add (or change) a schedule; `window_minutes` counts in `window_unit` (minute, hour, day).

    A change takes effect from now: the rounds of this schedule not yet begun (their slot after `now`, no visit)
    are dropped in the same transaction and the clock makes the new plan's; a round under way stays as it is, so
    nothing a guard walked (or is walking offline) is lost."""
    name = required_text(name, _("班次名称"), error=ScheduleError)
    if rhythm not in RHYTHMS:
        raise ScheduleError(_("请选择巡查频次:每天、每周或每月。"))
    begin = clock(start, _("开始时间"), example="20:00", error=ScheduleError)
    finish = clock(end, _("结束时间"), example="20:00", error=ScheduleError)
    interval = whole(interval_minutes, _("间隔(分钟)"), 0, 24 * 60, error=ScheduleError)
    unit = WINDOW_UNITS.get(window_unit, 1)
    window = whole(window_minutes, _("可开始时长(分钟)") if unit == 1 else _("可开始时长"), 5 if unit == 1 else 1,
                   LONGEST_WINDOW["monthly"] // unit, error=ScheduleError) * unit
    if window > LONGEST_WINDOW[rhythm]:
        raise ScheduleError(_("可开始时长太长:每天的班次最长 1 天,每周的 7 天,每月的 28 天,否则两轮会重叠。"))
    grace = whole(grace_minutes, _("宽限(分钟)"), 0, 240, error=ScheduleError)
    if interval and window > interval:
        raise ScheduleError(_("可开始时长不能超过间隔,否则两轮会重叠。"))
    days = _days(weekdays, rhythm)
    day_of_month, week_of_month, nth_weekday = _month(rhythm, month_day, month_week, month_weekday)
    walkers = _walkers(session, route, guard_ids)
    creating = schedule is None
    schedule = schedule or Schedule(route_id=route.id, name=name, start=begin, end=finish)
    schedule.name, schedule.start, schedule.end = name, begin, finish
    schedule.interval_minutes, schedule.window_minutes, schedule.grace_minutes = interval, window, grace
    schedule.rhythm, schedule.weekdays = rhythm, days or nth_weekday
    schedule.month_day, schedule.month_week = day_of_month, week_of_month
    schedule.guard_ids = walkers
    session.add(schedule)
    if not creating:
        _drop_unbegun_rounds(session, schedule, now or utcnow())
    audit.record(session, actor=actor, action="schedule.create" if creating else "schedule.update", obj=schedule,
                 project_id=route.project_id, after={"name": name, "start": begin.isoformat(), "end": finish.isoformat(),
                                                     "interval": interval, "window": window, "grace": grace,
                                                     "rhythm": rhythm, "weekdays": schedule.weekdays,
                                                     "month_day": day_of_month, "month_week": week_of_month})
    session.commit()
    return schedule


def _drop_unbegun_rounds(session: Session, schedule: Schedule, now: datetime) -> None:
    walked = select(Visit.round_id).where(Visit.round_id == Round.id)
    session.execute(delete(Round).where(Round.schedule_id == schedule.id, Round.slot_start > now,
                                        ~walked.exists()))


def as_form(schedule: Schedule) -> MultiDict:
    """A schedule as the route page's form shows it, to change it."""
    window, unit = schedule.window_minutes, "minute"
    if window % (24 * 60) == 0:
        window, unit = window // (24 * 60), "day"
    elif window % 60 == 0:
        window, unit = window // 60, "hour"
    monthly_weekday = schedule.rhythm == "monthly" and schedule.month_week is not None
    fields = {"name": schedule.name, "start": f"{schedule.start:%H:%M}", "end": f"{schedule.end:%H:%M}",
              "interval_minutes": str(schedule.interval_minutes), "window_minutes": str(window), "window_unit": unit,
              "grace_minutes": str(schedule.grace_minutes), "rhythm": schedule.rhythm,
              "month_day": str(schedule.month_day or ""), "month_week": str(schedule.month_week or ""),
              "month_weekday": str(schedule.weekdays[0]) if monthly_weekday else ""}
    days = [] if monthly_weekday else [str(d) for d in schedule.weekdays]
    return MultiDict([*fields.items(), *(("weekdays", d) for d in days),
                      *(("guard_ids", str(g)) for g in schedule.guard_ids)])


def stop_schedule(session: Session, *, actor: User, schedule: Schedule) -> None:
    """No more rounds from this schedule; those already generated stay."""
    schedule.active = False
    session.add(schedule)
    route = session.get(Route, schedule.route_id)
    audit.record(session, actor=actor, action="schedule.stop", obj=schedule, project_id=route.project_id,
                 before={"active": True}, after={"active": False})
    session.commit()


def rhythm_text(schedule: Schedule) -> str:
    """How often, as the route page says it: 每天, 每周一、周四, 每月 31 日, 每月第一个周一."""
    if schedule.rhythm == "weekly":
        return _("每%(days)s", days="、".join(str(WEEKDAYS[d]) for d in schedule.weekdays))
    if schedule.rhythm == "monthly" and schedule.month_week is not None:
        return _("每月%(nth)s%(day)s", nth=MONTH_WEEKS[schedule.month_week], day=WEEKDAYS[schedule.weekdays[0]])
    if schedule.rhythm == "monthly":
        return _("每月 %(n)d 日", n=schedule.month_day)
    return _("每天")
