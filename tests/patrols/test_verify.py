"""Each verification flag and each round status, on hand-made visits."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from app.patrols.verify import assess, distance_metres

SLOT = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)  # 22:00 in Shanghai


def _round(stops=3, finished=None):
    return SimpleNamespace(slot_start=SLOT, window_end=SLOT + timedelta(minutes=60),
                           deadline=SLOT + timedelta(minutes=75), closes_at=SLOT + timedelta(hours=2),
                           stops=[{"position": p} for p in range(1, stops + 1)], finished_at=finished)


def _visit(position, minutes, method="qr", lat=None, lon=None, accuracy=None, id_=None):
    return SimpleNamespace(id=id_ or position * 100 + minutes, position=position,
                           scanned_at=SLOT + timedelta(minutes=minutes), method=method, latitude=lat, longitude=lon,
                           accuracy=accuracy)


def _assess(visits, now_minutes=200, round_=None, positions=None):
    return assess(round_=round_ or _round(), visits=visits, positions=positions or {}, min_walk_seconds=30,
                  max_gps_metres=150, now=SLOT + timedelta(minutes=now_minutes))


def _flags(assessment):
    return {(v.visit.position, v.visit.scanned_at.minute): v.flags for v in assessment.visits}


def test_a_clean_round_is_done_without_flags():
    result = _assess([_visit(1, 5), _visit(2, 10), _visit(3, 15)])
    assert result.status == "done" and not result.flagged
    assert all(v.flags == [] for v in result.visits)


def test_a_round_not_started_by_window_end_plus_grace_is_missed():
    assert _assess([], now_minutes=74).status == "due"
    result = _assess([], now_minutes=76)
    assert result.status == "missed" and result.missed_positions == [1, 2, 3]
    assert _assess([], now_minutes=-5).status == "upcoming"


def test_a_started_round_left_unfinished_becomes_incomplete_when_the_next_slot_begins():
    visits = [_visit(1, 5), _visit(2, 10)]
    assert _assess(visits, now_minutes=100).status == "in_progress"
    result = _assess(visits, now_minutes=121)
    assert result.status == "incomplete" and result.missed_positions == [3]


def test_finishing_with_a_checkpoint_missing_is_incomplete_at_once():
    result = _assess([_visit(1, 5), _visit(3, 15)], now_minutes=20, round_=_round(finished=SLOT))
    assert result.status == "incomplete" and result.missed_positions == [2]


def test_late_visits_and_a_late_round():
    result = _assess([_visit(1, 80), _visit(2, 85), _visit(3, 90)])
    assert result.status == "late"
    assert all("late" in v.flags for v in result.visits)


def test_a_visit_before_the_window_opens_is_flagged_early():
    result = _assess([_visit(1, -104), _visit(2, -100), _visit(3, 1)])  # the 22:00 round walked from 20:16
    assert _flags(result) == {(1, 16): ["early"], (2, 20): ["early"], (3, 1): []}
    assert result.flagged


def test_scanned_on_time_but_uploaded_late_counts_as_on_time():
    visit = _visit(1, 5)
    visit.received_at = SLOT + timedelta(hours=6)  # the guard was in a basement
    result = _assess([visit, _visit(2, 10), _visit(3, 15)])
    assert result.status == "done" and not result.flagged


def test_out_of_order():
    result = _assess([_visit(1, 5), _visit(3, 10), _visit(2, 15)])
    assert _flags(result)[(2, 15)] == ["out_of_order"] and result.status == "done"


def test_too_fast_between_two_checkpoints():
    visits = [_visit(1, 5), SimpleNamespace(**{**vars(_visit(2, 5)), "scanned_at": SLOT + timedelta(minutes=5, seconds=20)}),
              _visit(3, 15)]
    result = _assess(visits)
    assert result.visits[1].flags == ["too_fast"]


def test_duplicate_scan():
    result = _assess([_visit(1, 5), _visit(1, 8, id_=999), _visit(2, 10), _visit(3, 15)])
    assert _flags(result)[(1, 8)] == ["duplicate"]


def test_manual_entry():
    result = _assess([_visit(1, 5, method="manual"), _visit(2, 10), _visit(3, 15)])
    assert _flags(result)[(1, 5)] == ["manual"]


@pytest.mark.parametrize("lat, accuracy, far", [(30.5930, 10, False), (30.6000, 10, True), (30.5960, 400, False)])
def test_gps_far_from_the_checkpoint(lat, accuracy, far):
    visits = [_visit(1, 5, lat=lat, lon=114.3050, accuracy=accuracy), _visit(2, 10), _visit(3, 15)]
    result = _assess(visits, positions={1: (30.5928, 114.3052)})
    assert ("gps_far" in result.visits[0].flags) is far


def test_no_gps_flag_when_a_position_is_unknown():
    result = _assess([_visit(1, 5, lat=31.0, lon=121.0), _visit(2, 10), _visit(3, 15)])
    assert result.visits[0].flags == []


def test_distance_is_about_right():
    assert 770 < distance_metres(30.5928, 114.3052, 30.6, 114.3052) < 830
