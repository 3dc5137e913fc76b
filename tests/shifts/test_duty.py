"""Guards' duty: night shifts across midnight, the clock-in attached to the right night, the duty and
monitoring logs, the hand-over of equipment and matters and its acknowledgement, and what reaches supervisors."""
from datetime import timedelta

import pytest
from sqlmodel import select

from app.core import attention
from app.core.db import get_session
from app.core.notifications import Notification
from app.shifts import duty, services
from app.shifts.models import Attendance, DutyHandover, DutyHandoverItem, Matter, ShiftEvent
from app.sync.services import RecordRefused
from tests.shifts.helpers import DAY, at, clock_in, send

NEXT = DAY + timedelta(days=1)


def _shift(user) -> Attendance:
    session = get_session()
    session.expire_all()
    return session.exec(select(Attendance).where(Attendance.user_id == user.id)).one()


def _hand_over(estate, moment, **data):
    return send(estate.zhang, estate.project, "duty_handover", data, moment)[0]["handover_id"]


def _items(handover_id) -> dict:
    return {i.name: i for i in get_session().exec(select(DutyHandoverItem).where(
        DutyHandoverItem.handover_id == handover_id))}


# -- a night crossing midnight ---------------------------------------------------------------------

@pytest.mark.parametrize("hour, minute, day", [(20, 0, DAY), (19, 45, DAY), (2, 0, NEXT)])
def test_a_clock_in_belongs_to_the_night_that_began_at_20_00(estate, hour, minute, day):
    clock_in(estate.zhang, estate.lobby, estate.night, at(hour, minute, day))
    shift = _shift(estate.zhang)
    assert shift.shift_day == DAY  # 02:00 on the next day is still the night of DAY
    assert services.scheduled_end(shift, estate.night) == at(8, day=NEXT)


def test_a_night_shift_takes_records_after_midnight_and_clocks_out_the_next_morning(estate):
    clock_in(estate.zhang, estate.lobby, estate.night, at(20))
    send(estate.zhang, estate.project, "shift_event", {"text": "地下车库B1 灯不亮"}, at(2, day=NEXT))
    send(estate.zhang, estate.project, "shift_clock_out", {}, at(8, 5, NEXT))
    shift = _shift(estate.zhang)
    assert shift.ended_at == at(8, 5, NEXT) and not shift.closed_unclocked
    event = get_session().exec(select(ShiftEvent)).one()
    assert (event.attendance_id, event.at) == (shift.id, at(2, day=NEXT))
    day_of = {d: [r.attendance.id for r in services.shifts_of_day(get_session(), estate.project, d)] for d in (DAY, NEXT)}
    assert day_of == {DAY: [shift.id], NEXT: [shift.id]}


def test_a_night_shift_never_clocked_out_ends_at_08_00_when_he_next_clocks_in(estate):
    clock_in(estate.zhang, estate.lobby, estate.night, at(20))
    with pytest.raises(RecordRefused, match="您不在岗"):  # the afternoon after: no longer his night
        send(estate.zhang, estate.project, "shift_event", {"text": "迟到的记录"}, at(13, day=NEXT))
    clock_in(estate.zhang, estate.lobby, estate.night, at(20, day=NEXT))
    shifts = get_session().exec(select(Attendance).where(Attendance.user_id == estate.zhang.id)
                                .order_by(Attendance.started_at)).all()
    assert [(s.shift_day, s.ended_at, s.closed_unclocked) for s in shifts] == [
        (DAY, at(8, day=NEXT), True), (NEXT, None, False)]


def test_the_clock_in_form_offers_the_shift_on_now(estate):
    patterns = [estate.day, estate.night]
    assert [services.pattern_now(patterns, moment).name for moment in (at(20, 5), at(2), at(9), at(7, 50))] == [
        "夜班", "夜班", "白班", "夜班"]


def test_a_guard_clocks_in_only_at_a_guard_post_and_an_attendant_only_at_a_sales_post(estate, world):
    with pytest.raises(RecordRefused) as refused:
        clock_in(estate.zhang, world.shifts["p1"].post, estate.day, at(8))
    assert refused.value.status == 403 and "不是您的岗位" in refused.value.message
    with pytest.raises(RecordRefused) as refused:
        clock_in(world.users["attendant"], estate.lobby, estate.day, at(8))
    assert refused.value.status == 403
    assert get_session().exec(select(Attendance).where(Attendance.post_id == estate.lobby.id)).first() is None


def test_the_monitoring_post_logs_the_camera_and_what_was_done(estate):
    clock_in(estate.zhang, estate.monitoring, estate.night, at(21))
    send(estate.zhang, estate.project, "shift_event",
         {"text": "两名陌生人翻越南围墙", "camera": "南门 03 号", "action": "通知巡逻岗前往,已离开"}, at(23, 40))
    event = get_session().exec(select(ShiftEvent)).one()
    assert (event.camera, event.text, event.action) == ("南门 03 号", "两名陌生人翻越南围墙", "通知巡逻岗前往,已离开")


# -- the hand-over -----------------------------------------------------------------------------------

def test_the_morning_guard_takes_over_the_radio_and_the_open_matters(estate):
    clock_in(estate.zhang, estate.lobby, estate.night, at(20))
    send(estate.zhang, estate.project, "shift_matter", {"text": "3 栋电梯 22:00 后停用,已挂牌"}, at(22))
    equipment = {e.name: e for e in duty.equipment_of(get_session(), [estate.lobby.id])[estate.lobby.id]}
    handover_id = _hand_over(estate, at(7, 50, NEXT), note="夜间无异常", **{f"count-{equipment['钥匙'].id}": "2"})
    with pytest.raises(RecordRefused, match="不能确认自己的交班"):
        send(estate.zhang, estate.project, "duty_handover_ack", {"handover_id": handover_id}, at(7, 55, NEXT))
    answer, _replayed = send(estate.chen, estate.project, "duty_handover_ack", {"handover_id": handover_id},
                             at(7, 55, NEXT))
    assert answer["status"] == "received"
    handover = get_session().get(DutyHandover, handover_id)
    assert (handover.received_by, handover.received_at, handover.note) == (estate.chen.id, at(7, 55, NEXT), "夜间无异常")
    assert {n: (i.handed, i.received) for n, i in _items(handover_id).items()} == {"对讲机": (1, 1), "钥匙": (2, 2)}
    matter = get_session().exec(select(Matter).where(Matter.text == "3 栋电梯 22:00 后停用,已挂牌")).one()
    assert matter.acknowledged_by == estate.chen.id
    assert duty.waiting_of(get_session(), [estate.project.id]) == []
    assert get_session().exec(select(Notification).where(  # nothing differs: nobody is bothered
        Notification.event == "shifts.handover_differs")).all() == []


def test_a_second_hand_over_of_the_same_shift_is_refused(estate):
    clock_in(estate.zhang, estate.lobby, estate.night, at(20))
    _hand_over(estate, at(7, 50, NEXT))
    with pytest.raises(RecordRefused, match="已经交过班"):
        _hand_over(estate, at(7, 52, NEXT))


def test_a_difference_needs_words_then_reaches_the_supervisors_once_and_stays_until_settled(estate, world):
    clock_in(estate.zhang, estate.lobby, estate.night, at(20))
    handover_id = _hand_over(estate, at(7, 50, NEXT))
    radio = _items(handover_id)["对讲机"]
    with pytest.raises(RecordRefused) as refused:
        send(estate.chen, estate.project, "duty_handover_ack",
             {"handover_id": handover_id, f"received-{radio.id}": "0"}, at(7, 55, NEXT))
    assert refused.value.message == "数量与交班不符(对讲机 1→0),请写明差异。"
    session = get_session()
    session.expire_all()
    assert (session.get(DutyHandover, handover_id).status, _items(handover_id)["对讲机"].received) == ("handed", None)

    data = {"handover_id": handover_id, f"received-{radio.id}": "0", "note": "对讲机不在岗亭"}
    client_id = "1b6a3b2e-6d0f-4c39-9a49-3f3f0d6c2a11"
    send(estate.chen, estate.project, "duty_handover_ack", data, at(7, 56, NEXT), client_id=client_id)
    send(estate.chen, estate.project, "duty_handover_ack", data, at(7, 56, NEXT), client_id=client_id)  # replayed
    send(estate.chen, estate.project, "duty_handover_ack", data | {"note": "再确认"}, at(7, 58, NEXT))
    session.expire_all()
    assert session.get(DutyHandover, handover_id).status == "differs"
    notes = session.exec(select(Notification).where(Notification.event == "shifts.handover_differs")).all()
    assert [(n.user_id, n.params["note"]) for n in notes] == [(estate.supervisor.id, "对讲机不在岗亭")]

    items = attention.collect(session, [estate.project.id], at(8, day=NEXT))
    assert [i.key for i in items if i.key.startswith("shifts.handover")] == [f"shifts.handover-differs:{handover_id}"]
    duty.settle(session, actor=estate.supervisor, handover=session.get(DutyHandover, handover_id),
                note="对讲机在车场岗,已取回", at=at(9, day=NEXT))
    assert not [i for i in attention.collect(session, [estate.project.id], at(9, day=NEXT))
                if i.key.startswith("shifts.handover")]


def test_a_hand_over_nobody_takes_over_and_a_round_the_clock_post_left_empty_need_attention(estate, app):
    minutes = app.config["DUTY_ATTENTION_MINUTES"]
    clock_in(estate.zhang, estate.lobby, estate.night, at(20))
    handover_id = _hand_over(estate, at(8, day=NEXT))
    send(estate.zhang, estate.project, "shift_clock_out", {}, at(8, 1, NEXT))
    session = get_session()

    def keys(moment):
        return sorted(i.key.split(":")[0] for i in attention.collect(session, [estate.project.id], moment)
                      if i.key.startswith(("shifts.handover", "shifts.post")))  # not the world's restock request

    assert keys(at(8, minutes - 1, NEXT)) == []  # a change of shift, not yet a gap
    assert keys(at(8, minutes + 2, NEXT)) == ["shifts.handover-unreceived", "shifts.post-uncovered"]
    clock_in(estate.chen, estate.lobby, estate.day, at(8, minutes + 2, NEXT))
    send(estate.chen, estate.project, "duty_handover_ack", {"handover_id": handover_id}, at(8, minutes + 3, NEXT))
    assert keys(at(8, minutes + 4, NEXT)) == []
