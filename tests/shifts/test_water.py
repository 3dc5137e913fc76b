"""The water bar: the variance arithmetic by hand-computed cases, negative stock, restock requests."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlmodel import select

from app.core.db import get_session, utcnow
from app.core.notifications import Notification, text_of
from app.shifts import services, water
from app.shifts.models import RestockRequest, WaterCount, WaterEntry
from app.sync.services import RecordRefused
from tests.shifts.helpers import DAY, at, send

D1, D2, D3, D4 = (DAY - timedelta(days=n) for n in (6, 5, 4, 3))


def _item(sc, name="矿泉水", initial=24, minimum=6):
    return water.save_item(get_session(), actor=sc.supervisor, project=sc.project, name=name, unit="瓶",
                           min_stock=minimum, initial_stock=initial)


def _use(sc, item, moment, used=0, restocked=0):
    water.record_usage(get_session(), user=sc.li, project=sc.project, at=moment,
                       used={str(item.id): str(used)} if used else {},
                       restocked={str(item.id): str(restocked)} if restocked else {})
    get_session().commit()


def _count(sc, item, moment, counted):
    water.record_count(get_session(), user=sc.li, project=sc.project, at=moment, counts={str(item.id): str(counted)})
    get_session().commit()


def _line(sc, item, day):
    return {i.id: line for i, line in water.day_sheet(get_session(), sc.project, day)}[item.id]


def test_variance_is_opening_minus_used_plus_restocked_minus_counted(ctx, sc):
    item = _item(sc)
    _use(sc, item, at(10, day=D1), used=3)
    _use(sc, item, at(15, day=D1), used=2)       # D1: opening 24, used 5 → book 19
    _count(sc, item, at(17, 15, day=D1), 18)     # counted 18 → variance 19 − 18 = 1 (one bottle short)
    _use(sc, item, at(11, day=D2), used=3, restocked=12)  # D2 opens at the count: 18 − 3 + 12 = 27
    _count(sc, item, at(17, 15, day=D2), 27)     # variance 0
    _use(sc, item, at(11, day=D3), used=2)       # D3 not counted: closes at the book, 25
    _use(sc, item, at(12, day=D4), used=1)       # D4: 25 − 1 = 24, counted 25 → variance −1 (one over)
    _count(sc, item, at(17, 15, day=D4), 25)

    one, two, three, four = (_line(sc, item, d) for d in (D1, D2, D3, D4))
    assert (one.opening, one.used, one.restocked, one.expected, one.counted, one.variance) == (24, 5, 0, 19, 18, 1)
    assert (two.opening, two.used, two.restocked, two.expected, two.counted, two.variance) == (18, 3, 12, 27, 27, 0)
    assert (three.opening, three.expected, three.counted, three.variance) == (27, 25, None, None)
    assert (four.opening, four.expected, four.counted, four.variance) == (25, 24, 25, -1)
    assert water.stock_levels(get_session(), sc.project)[item.id] == 25


def test_a_day_without_records_opens_and_closes_at_the_book_stock(ctx, sc):
    item = _item(sc)
    _use(sc, item, at(10, day=D1), used=4)
    quiet = _line(sc, item, D2)
    assert (quiet.opening, quiet.used, quiet.expected, quiet.counted) == (20, 0, 20, None)


def test_usage_recorded_after_the_count_changes_that_days_variance(ctx, sc):
    item = _item(sc)
    _count(sc, item, at(17, 15, day=D1), 24)
    _use(sc, item, at(17, 20, day=D1), used=2)  # the last coffee after the count
    line = _line(sc, item, D1)
    assert (line.expected, line.counted, line.variance) == (22, 24, -2)
    assert water.stock_levels(get_session(), sc.project)[item.id] == 24


def test_a_recount_replaces_the_days_count(ctx, sc):
    item = _item(sc)
    _count(sc, item, at(17, 15, day=D1), 20)
    _count(sc, item, at(17, 25, day=D1), 22)
    assert get_session().exec(select(WaterCount.counted).where(WaterCount.item_id == item.id)).all() == [22]


def test_it_refuses_usage_that_takes_stock_below_zero_and_saves_nothing(rctx, sc):
    item = _item(sc, initial=3)
    other = _item(sc, name="纸杯", initial=100)
    with pytest.raises(RecordRefused) as refused:
        send(sc.li, sc.project, "water_usage", {f"used-{item.id}": "5", f"used-{other.id}": "10"}, at(10, day=D1))
    assert refused.value.message == "矿泉水库存不足:账面只有 3 瓶,不能用掉 5 瓶。"
    assert get_session().exec(select(WaterEntry)).all() == []
    send(sc.li, sc.project, "water_usage", {f"used-{item.id}": "2", f"restocked-{item.id}": "0"}, at(10, day=D1))
    assert water.stock_levels(get_session(), sc.project)[item.id] == 1


@pytest.mark.parametrize("data, message", [
    ({"count-{id}": "-1"}, "矿泉水的盘点数量须在 0 到 100000 之间。"),
    ({"count-{id}": "三"}, "矿泉水的盘点数量须为整数。"),
    ({"count-{id}": ""}, "请至少填写一项盘点数量。"),
    ({"count-999999": "4"}, "物品清单已更改,请刷新页面后重新填写。"),
])
def test_it_refuses_a_bad_count(ctx, sc, data, message):
    item = _item(sc)
    with pytest.raises(RecordRefused) as refused:
        send(sc.li, sc.project, "water_count", {k.format(id=item.id): v for k, v in data.items()}, at(17, 15))
    assert refused.value.message == message
    assert get_session().exec(select(WaterCount)).all() == []


def test_a_count_of_zero_is_a_count(rctx, sc):
    item = _item(sc, minimum=0)
    send(sc.li, sc.project, "water_count", {f"count-{item.id}": "0"}, at(17, 15, day=D1))
    assert _line(sc, item, D1).variance == 24


def test_falling_under_the_minimum_asks_the_supervisor_once(ctx, sc):
    item = _item(sc, initial=10, minimum=6)
    _use(sc, item, at(10, day=D1), used=4)   # 6: not under the minimum
    assert get_session().exec(select(RestockRequest).where(RestockRequest.item_id == item.id)).all() == []
    _use(sc, item, at(11, day=D1), used=1)   # 5: under
    _count(sc, item, at(17, 15, day=D1), 4)  # still under: the request is already pending
    requests = get_session().exec(select(RestockRequest).where(RestockRequest.item_id == item.id)).all()
    assert [(r.stock, r.status, r.requested_by) for r in requests] == [(5, "pending", sc.li.id)]
    notes = get_session().exec(select(Notification).where(Notification.user_id == sc.supervisor.id)).all()
    assert [text_of(n) for n in notes] == ["补货申请:矿泉水 账面库存 5 瓶,低于最低库存 6 瓶。"]
    assert [n.link for n in notes] == [{"endpoint": "shifts.board", "args": {"project_id": sc.project.id}}]


def test_a_restock_notice_reads_in_the_readers_language(ctx, sc):
    item = _item(sc, initial=2, minimum=6)
    _count(sc, item, at(17, 15, day=D1), 2)
    notice = get_session().exec(select(Notification).where(Notification.user_id == sc.supervisor.id)).one()
    assert (notice.event, notice.text) == ("shifts.restock_requested", "")  # the event, not a finished sentence
    with force_locale("en"):
        assert text_of(notice).startswith("Restock request: the book stock of 矿泉水 is 2 瓶")


def test_declining_needs_a_reason_and_the_attendant_is_told(ctx, sc):
    item = _item(sc, initial=2, minimum=6)
    _count(sc, item, at(17, 15, day=D1), 2)
    session = get_session()
    request = session.exec(select(RestockRequest).where(RestockRequest.item_id == item.id)).one()
    with pytest.raises(services.ShiftError, match="请填写不批准的原因"):
        water.decide(session, actor=sc.supervisor, restock=request, approve=False, reason=" ", at=at(18, day=D1))
    water.decide(session, actor=sc.supervisor, restock=request, approve=False, reason="下周统一采购", at=at(18, day=D1))
    assert session.get(RestockRequest, request.id).status == "declined"
    with pytest.raises(services.ShiftError, match="已经处理过"):
        water.decide(session, actor=sc.supervisor, restock=request, approve=True, reason="", at=at(19, day=D1))
    told = [text_of(n) for n in session.exec(select(Notification).where(Notification.user_id == sc.li.id))]
    assert told == ["补货申请未批准:矿泉水。原因:下周统一采购"]
    _count(sc, item, at(17, 15, day=D2), 1)  # still short: a new request, since none is pending
    assert len(session.exec(select(RestockRequest).where(RestockRequest.item_id == item.id)).all()) == 2


def test_the_month_sums_usage_restocking_and_variance(ctx, sc):
    item = _item(sc)
    _use(sc, item, at(10, day=D1), used=5)
    _count(sc, item, at(17, 15, day=D1), 18)
    _use(sc, item, at(10, day=D2), used=3, restocked=10)
    _count(sc, item, at(17, 15, day=D2), 26)
    by_item = {ln.item.id: ln for ln in water.month_summary(get_session(), sc.project, D1.year, D1.month)}
    line = by_item[item.id]
    in_month = [d for d in (D1, D2) if (d.year, d.month) == (D1.year, D1.month)]
    if len(in_month) == 2:  # both days in one calendar month (not when D1 is the month's last day)
        assert (line.used, line.restocked, line.counted_days, line.variance) == (8, 10, 2, 1 + (-1))
    else:
        assert (line.used, line.restocked, line.counted_days, line.variance) == (5, 0, 1, 1)


def test_a_refusal_names_the_stock_the_attendant_saw_and_what_they_typed(rctx, sc):
    item = _item(sc, initial=5)
    send(sc.li, sc.project, "water_usage", {f"used-{item.id}": "2"}, at(10, day=D1))  # the page now says 账面 3 瓶
    with pytest.raises(RecordRefused) as refused:
        send(sc.li, sc.project, "water_usage", {f"used-{item.id}": "4"}, at(11, day=D1))
    assert refused.value.message == "矿泉水库存不足:账面只有 3 瓶,不能用掉 4 瓶。"  # not the day's 5 and 6


def test_usage_and_counts_from_the_phone_answer_with_the_book_stock_and_the_servers_time(rctx, sc):
    """The my-shift page shows the newer of its own figure and such an answer (static/js/shifts.js)."""
    item = _item(sc, initial=10)
    other = _item(sc, name="纸杯", initial=100)
    used, _replayed = send(sc.li, sc.project, "water_usage", {f"used-{item.id}": "3", f"restocked-{other.id}": "5"},
                           at(10, day=D1))
    assert (used["stock"][str(item.id)], used["stock"][str(other.id)]) == (7, 105)  # and the world's own item
    assert abs(used["at"] / 1000 - utcnow().timestamp()) < 60  # by the server's clock, as the page's rendered time
    counted, _replayed = send(sc.li, sc.project, "water_count", {f"count-{item.id}": "6"}, at(17, 15, day=D1))
    assert counted["stock"][str(item.id)] == 6
