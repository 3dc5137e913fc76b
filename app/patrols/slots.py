"""When rounds are due: the days a schedule's rhythm names, and its slots on such a day, in local time.

A daily schedule is due every day; a weekly one on its weekdays; a monthly one on a day of the month (the 31st,
or the 30th, means the last day of a shorter month: a monthly check is never skipped) or on the nth weekday
("the first Monday", -1 for the last). On a day it is due, a schedule runs from `start` to `end` on the local
clock; an `end` at or before `start` means the next morning (20:00 → 08:00). Slots start at `start` and every
`interval_minutes` after it, `end` excluded (that is when the next shift takes over). Asia/Shanghai has no
daylight saving, but the arithmetic is done on local wall-clock times and converted once, so it would stay right
where there is.
"""
import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    window_end: datetime  # started after this: late
    deadline: datetime  # not started by this: missed
    closes: datetime  # not finished by this: incomplete


def due_on(day: date, *, rhythm: str, weekdays=(), month_day: int | None = None,
           month_week: int | None = None) -> bool:
    """Whether a schedule of this rhythm has slots starting on `day`."""
    if rhythm == "weekly":
        return day.weekday() in weekdays
    if rhythm != "monthly":
        return True
    if month_week is None:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(month_day or 1, last)
    if day.weekday() != (weekdays[0] if weekdays else 0):
        return False
    if month_week == -1:
        return day.month != (day + timedelta(days=7)).month
    return (day.day - 1) // 7 + 1 == month_week


def slots_for_day(*, day: date, start: time, end: time, interval_minutes: int, window_minutes: int,
                  grace_minutes: int, tz: str) -> list[Slot]:
    zone = ZoneInfo(tz)
    first = datetime.combine(day, start, tzinfo=zone)
    last = datetime.combine(day if end > start else day + timedelta(days=1), end, tzinfo=zone)
    if interval_minutes <= 0:
        starts = [first]
    else:
        step = timedelta(minutes=interval_minutes)
        starts, moment = [], first
        while moment < last:
            starts.append(moment)
            moment = (moment.replace(tzinfo=None) + step).replace(tzinfo=zone)  # wall-clock steps
    window, grace = timedelta(minutes=window_minutes), timedelta(minutes=grace_minutes)
    slots = []
    for moment in starts:
        begin = moment.astimezone(timezone.utc)
        deadline = begin + window + grace
        next_slot = begin + timedelta(minutes=interval_minutes) if interval_minutes > 0 else deadline
        slots.append(Slot(start=begin, window_end=begin + window, deadline=deadline, closes=max(deadline, next_slot)))
    return slots


def service_day(moment: datetime, tz: str, day_starts: time = time(6, 0)) -> date:
    """The working day a moment belongs to: a 02:00 round belongs to the night that began the day before."""
    local = moment.astimezone(ZoneInfo(tz))
    return (local - timedelta(hours=day_starts.hour, minutes=day_starts.minute)).date()
