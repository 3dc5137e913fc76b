"""The shift log: clocking in and out, the visitor counter, events and open matters, through the outbox."""
from datetime import timedelta

import pytest
from sqlmodel import select

from app.core.audit import AuditLog
from app.core.db import get_session
from app.core.photos import Photo
from app.shifts import services
from app.shifts.models import Attendance, Matter, ShiftEvent
from app.sync.services import RecordRefused
from tests import images
from tests.html import text
from tests.shifts.helpers import DAY, at, send


def _clock_in(sc, user, moment):
    return send(user, sc.project, "shift_clock_in", {"post_id": sc.post.id, "pattern_id": sc.pattern.id}, moment)


def _attendance(user) -> Attendance:
    session = get_session()
    session.expire_all()
    return session.exec(select(Attendance).where(Attendance.user_id == user.id)).one()


def test_clock_in_and_out_record_the_device_times(rctx, sc):
    _clock_in(sc, sc.li, at(7, 58))
    send(sc.li, sc.project, "shift_clock_out", {}, at(17, 3))
    shift = _attendance(sc.li)
    assert (shift.post_id, shift.pattern_id) == (sc.post.id, sc.pattern.id)
    assert (shift.started_at, shift.ended_at) == (at(7, 58), at(17, 3))
    actions = get_session().exec(select(AuditLog.action).where(AuditLog.object_type == "attendance").order_by(AuditLog.id)).all()
    assert actions == ["shift.clock_in", "shift.clock_out"]


def test_it_refuses_a_second_clock_in_while_on_shift(rctx, sc):
    _clock_in(sc, sc.li, at(8))
    with pytest.raises(RecordRefused) as refused:
        _clock_in(sc, sc.li, at(9, 30))
    assert refused.value.__cause__.status == 409  # the service's answer: a state conflict …
    assert refused.value.status == 422  # … which reaches the phone as 422 (its 409 means "UUID taken")
    assert "您已在“江城壹号销售中心的水吧岗”上岗" in refused.value.message
    assert len(get_session().exec(select(Attendance).where(Attendance.user_id == sc.li.id)).all()) == 1


def test_it_refuses_a_clock_in_inside_a_shift_already_ended(rctx, sc):
    _clock_in(sc, sc.li, at(8))
    send(sc.li, sc.project, "shift_clock_out", {}, at(17))
    with pytest.raises(RecordRefused) as refused:  # a record made offline at noon, arriving after the shift
        _clock_in(sc, sc.li, at(12))
    assert "重叠" in refused.value.message
    _clock_in(sc, sc.li, at(17, 30))  # after the end: a new shift is fine
    assert len(get_session().exec(select(Attendance).where(Attendance.user_id == sc.li.id)).all()) == 2


def test_a_forgotten_clock_out_ends_at_the_scheduled_end_when_she_clocks_in_next_morning(rctx, sc):
    _clock_in(sc, sc.li, at(8))  # 早班 08:00-17:00, never clocked out
    next_day = DAY + timedelta(days=1)
    _clock_in(sc, sc.li, at(7, 55, next_day))
    session = get_session()
    session.expire_all()
    shifts = session.exec(select(Attendance).where(Attendance.user_id == sc.li.id).order_by(Attendance.started_at)).all()
    assert [(s.started_at, s.ended_at, s.closed_unclocked) for s in shifts] == [
        (at(8), at(17), True), (at(7, 55, next_day), None, False)]
    assert "shift.closed_unclocked" in session.exec(select(AuditLog.action)).all()


def test_a_shift_still_open_after_its_end_shows_on_the_board_as_not_clocked_out(rctx, sc, login_as):
    _clock_in(sc, sc.li, at(8))
    page = login_as("supervisor").get(f"/projects/{sc.project.id}/shifts")
    assert "已过下班时间,未打卡下班" in " ".join(text(page, "#occupancy li span"))


def test_it_refuses_a_shift_that_ends_before_it_starts(rctx, sc):
    _clock_in(sc, sc.li, at(9))
    with pytest.raises(RecordRefused) as refused:
        send(sc.li, sc.project, "shift_clock_out", {}, at(8, 30))
    assert refused.value.message.startswith("下班时间(")
    assert _attendance(sc.li).ended_at is None


def test_taps_add_up_and_a_repeated_record_counts_once(rctx, sc):
    _clock_in(sc, sc.li, at(8))
    tap = "aaaaaaaa-0000-4000-8000-000000000000"
    first, _ = send(sc.li, sc.project, "shift_visitors", {"count": "1"}, at(9), client_id=tap)
    send(sc.li, sc.project, "shift_visitors", {"count": "3"}, at(10))
    again, replayed = send(sc.li, sc.project, "shift_visitors", {"count": "1"}, at(9), client_id=tap)
    assert replayed and again == first == {"attendance_id": _attendance(sc.li).id, "visitors": 1}
    assert _attendance(sc.li).visitors == 4


def test_a_tap_outside_any_shift_is_refused(ctx, sc):
    with pytest.raises(RecordRefused) as refused:
        send(sc.li, sc.project, "shift_visitors", {"count": "1"}, at(9))
    assert "您不在岗" in refused.value.message


def test_an_event_keeps_its_photo(rctx, sc):
    _clock_in(sc, sc.li, at(8))
    send(sc.li, sc.project, "shift_event", {"text": "客户打翻咖啡,已清理"}, at(11),
         files=[("photo~1.jpg", images.image())])
    event = get_session().exec(select(ShiftEvent)).one()
    assert event.text == "客户打翻咖啡,已清理" and event.attendance_id == _attendance(sc.li).id
    assert len(get_session().exec(select(Photo).where(Photo.owner_type == "shift_event")).all()) == 1


def test_a_matter_waits_for_the_next_shift_and_stays_open_until_closed(rctx, sc):
    _clock_in(sc, sc.li, at(8))
    send(sc.li, sc.project, "shift_matter", {"text": "样板间B 台灯不亮,已报修"}, at(16))
    matter = get_session().exec(select(Matter).where(Matter.raised_by == sc.li.id)).one()
    with pytest.raises(RecordRefused, match="不能确认自己交出的事项"):
        send(sc.li, sc.project, "shift_matter_ack", {"matter_id": matter.id}, at(16, 5))
    session = get_session()
    with pytest.raises(services.ShiftError, match="须先由接班人确认"):
        services.close_matter(session, user=sc.wang, matter=matter, note="", at=at(16, 10), supervising=False)
    send(sc.li, sc.project, "shift_clock_out", {}, at(17))

    send(sc.wang, sc.project, "shift_clock_in", {"post_id": sc.post.id, "pattern_id": sc.pattern.id}, at(17, 1))
    send(sc.wang, sc.project, "shift_matter_ack", {"matter_id": matter.id}, at(17, 2))
    session.expire_all()
    assert matter.acknowledged_by == sc.wang.id and matter.acknowledged_at == at(17, 2)
    assert matter in services.open_matters(session, sc.project)  # acknowledged, still open
    services.close_matter(session, user=sc.wang, matter=matter, note="工程已修好", at=at(17, 30), supervising=False)
    assert matter not in services.open_matters(session, sc.project)


def test_a_supervisor_closes_a_matter_nobody_acknowledged(rctx, sc, world):
    _clock_in(sc, sc.li, at(8))
    send(sc.li, sc.project, "shift_matter", {"text": "门禁卡丢失"}, at(9))
    session = get_session()
    matter = session.exec(select(Matter).where(Matter.text == "门禁卡丢失")).one()
    services.close_matter(session, user=sc.supervisor, matter=matter, note="已补办", at=at(10), supervising=True)
    assert session.get(Matter, matter.id).closed_by == sc.supervisor.id


def test_a_pattern_ending_when_it_starts_is_refused_and_one_ending_earlier_crosses_midnight(ctx, sc):
    session = get_session()
    with pytest.raises(services.ShiftError) as refused:
        services.save_pattern(session, actor=sc.supervisor, project=sc.project, name="全天", start="08:00", end="08:00")
    assert refused.value.message == "下班时间不能与上班时间相同(都是 08:00);跨夜的班次如夜班填 20:00 至 08:00。"
    night = services.save_pattern(session, actor=sc.supervisor, project=sc.project, name="夜班", start="17:30",
                                  end="09:30")
    assert night.overnight and not sc.pattern.overnight
    pattern = services.save_pattern(session, actor=sc.supervisor, project=sc.project, name="中班", start="09:30",
                                    end="17:30")
    assert (pattern.start.hour, pattern.end.minute) == (9, 30)


def test_only_attendants_send_shift_records(ctx, sc, world):
    with pytest.raises(RecordRefused) as refused:
        send(world.users["guard"], sc.project, "shift_clock_in", {"post_id": sc.post.id, "pattern_id": sc.pattern.id},
             at(8))
    assert refused.value.status == 403


@pytest.mark.parametrize("count, message", [("0", "接待人数须在 1 到 100 之间。"), ("500", "接待人数须在 1 到 100 之间。"),
                                            ("很多", "接待人数须为整数。")])
def test_a_batch_of_taps_is_a_small_whole_number(rctx, sc, count, message):
    _clock_in(sc, sc.li, at(8))
    with pytest.raises(RecordRefused) as refused:
        send(sc.li, sc.project, "shift_visitors", {"count": count}, at(9))
    assert refused.value.message == message
    assert _attendance(sc.li).visitors == 0


def test_a_clock_in_needs_a_post_and_shift_of_this_project(ctx, sc, world):
    other = world.shifts["p2"]
    with pytest.raises(RecordRefused, match="请选择本项目的岗位"):
        send(sc.li, sc.project, "shift_clock_in", {"post_id": other.post.id, "pattern_id": sc.pattern.id}, at(8))
    with pytest.raises(RecordRefused, match="请选择班次"):
        send(sc.li, sc.project, "shift_clock_in", {"post_id": sc.post.id, "pattern_id": other.pattern.id}, at(8))
