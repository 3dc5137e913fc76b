"""Slot generation on Asia/Shanghai wall-clock time, across midnight."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from app.patrols.slots import service_day, slots_for_day

SH = ZoneInfo("Asia/Shanghai")


def _local(slot):
    return slot.start.astimezone(SH).strftime("%m-%d %H:%M")


def test_every_two_hours_from_eight_pm_to_eight_am_crosses_midnight():
    slots = slots_for_day(day=date(2026, 11, 23), start=time(20), end=time(8), interval_minutes=120,
                          window_minutes=60, grace_minutes=15, tz="Asia/Shanghai")
    assert [_local(s) for s in slots] == ["11-23 20:00", "11-23 22:00", "11-24 00:00", "11-24 02:00",
                                          "11-24 04:00", "11-24 06:00"]
    first = slots[0]
    assert first.start == datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # stored in UTC
    assert first.window_end - first.start == timedelta(minutes=60)
    assert first.deadline - first.start == timedelta(minutes=75)
    assert first.closes - first.start == timedelta(hours=2)


def test_a_daily_check_is_one_slot():
    [slot] = slots_for_day(day=date(2026, 11, 23), start=time(8, 15), end=time(8, 15), interval_minutes=0,
                           window_minutes=30, grace_minutes=15, tz="Asia/Shanghai")
    assert _local(slot) == "11-23 08:15" and slot.closes == slot.deadline


def test_a_daytime_schedule_ends_the_same_day():
    slots = slots_for_day(day=date(2026, 11, 23), start=time(9), end=time(17), interval_minutes=180,
                          window_minutes=60, grace_minutes=15, tz="Asia/Shanghai")
    assert [_local(s) for s in slots] == ["11-23 09:00", "11-23 12:00", "11-23 15:00"]


def test_across_the_year_end_and_a_month_end():
    slots = slots_for_day(day=date(2026, 12, 31), start=time(23), end=time(1), interval_minutes=60,
                          window_minutes=30, grace_minutes=15, tz="Asia/Shanghai")
    assert [_local(s) for s in slots] == ["12-31 23:00", "01-01 00:00"]


def test_a_two_am_moment_belongs_to_the_night_before():
    night = datetime(2026, 11, 24, 2, 0, tzinfo=SH)
    assert service_day(night, "Asia/Shanghai") == date(2026, 11, 23)
    assert service_day(datetime(2026, 11, 24, 9, 0, tzinfo=SH), "Asia/Shanghai") == date(2026, 11, 24)
