"""The registers' rules, called directly with a session: what each register keeps, and what it refuses whole."""
from datetime import timedelta

import pytest
from sqlmodel import select

from app.core.db import get_session, utcnow
from app.core.notifications import Notification
from app.core.photos import Photo
from app.core.storage import storage
from app.registers import services
from app.registers.models import Found, Gift, KeyLoan, Visit
from app.registers.services import RegisterError
from tests.registers.helpers import BLANK, FOUND, GIFT, SHANGHAI, SIGNATURE, VISIT, person, wall

NOW = utcnow().replace(second=0, microsecond=0) - timedelta(days=2)
HOUR = timedelta(hours=1)


def _processed(raw):
    from app.core.photos import process

    return process(raw, max_bytes=15_000_000)


def _count(model) -> int:
    return len(get_session().exec(select(model)).all())


@pytest.fixture
def post(ctx, world):
    return world.shifts["p1"].post


@pytest.fixture
def guard(ctx, world):
    return person(world.users["guard"])


def visit(guard, post, at=NOW, **changes):
    return services.record_visit(get_session(), actor=guard, post=post, data={**VISIT, **changes}, at=at, tz=SHANGHAI)


def test_a_visit_comes_in_at_the_records_time_unless_a_time_is_typed(guard, post):
    first = visit(guard, post)
    second = visit(guard, post, in_at=wall(NOW - 2 * HOUR), out_at=wall(NOW - HOUR))
    assert (first.in_at, first.out_at, first.plate) == (NOW, None, "鄂A12345")
    assert (second.in_at, second.out_at) == (NOW - 2 * HOUR, NOW - HOUR)


@pytest.mark.parametrize("changes, message, field", [
    ({"visitor_name": " "}, "请填写来访人姓名。", "visitor_name"),
    ({"id_number": "", "phone": ""}, "请填写证件号或联系电话(至少一项)。", "id_number"),
    ({"in_at": wall(NOW), "out_at": wall(NOW - HOUR)}, "离开时间不能早于进入时间。", "out_at"),
    ({"in_at": wall(NOW + 2 * HOUR)}, "进入时间不能晚于现在。", "in_at"),
    ({"in_at": "yesterday"}, "进入时间格式不对。", "in_at"),
    ({"phone": "call me"}, "电话“call me”不是有效的号码。", "phone"),
])
def test_a_visit_is_refused_whole_with_the_field_at_fault(guard, post, changes, message, field):
    with pytest.raises(RegisterError) as refused:
        visit(guard, post, **changes)
    assert refused.value.message == message and field in refused.value.fields
    assert _count(Visit) == 0


def test_a_visitor_leaves_once_and_never_before_coming_in(guard, post):
    row = visit(guard, post)
    with pytest.raises(RegisterError, match="离开时间不能早于进入时间"):
        services.sign_out(get_session(), actor=guard, visit=row, at=NOW - HOUR)
    services.sign_out(get_session(), actor=guard, visit=row, at=NOW + HOUR)
    services.sign_out(get_session(), actor=guard, visit=row, at=NOW + 2 * HOUR)  # a second tap changes nothing
    assert get_session().get(Visit, row.id).out_at == NOW + HOUR
    assert services.open_entries(get_session(), "visitors", post.id) == []


def _found(guard, post, at=NOW):
    return services.record_found(get_session(), storage=storage(), actor=guard, post=post, data=dict(FOUND), photos=[],
                                 at=at, tz=SHANGHAI, prefix="t/found")


@pytest.mark.parametrize("data, signature, message", [
    ({"receiver_phone": "13800138000"}, SIGNATURE, "请填写领取人姓名。"),
    ({"receiver_name": "黄女士", "receiver_phone": "13800138000"}, None, "缺少领取人的签名。"),
    ({"receiver_name": "黄女士", "receiver_phone": "13800138000"}, BLANK, "缺少领取人的签名。"),
    ({"receiver_name": "黄女士"}, SIGNATURE, "请填写领取人联系电话。"),
])
def test_a_lost_item_is_never_returned_without_the_receivers_name_phone_and_signature(guard, post, data, signature,
                                                                                      message):
    item = _found(guard, post)
    get_session().commit()
    with pytest.raises(RegisterError) as refused:
        services.return_found(get_session(), storage=storage(), actor=guard, found=item, data=data,
                              signature=_processed(signature) if signature else None, at=NOW + HOUR, prefix="t/r")
    assert refused.value.message == message
    get_session().rollback()
    assert get_session().get(Found, item.id).returned_at is None
    assert get_session().exec(select(Photo).where(Photo.owner_type == "register_found_sign")).all() == []


def test_a_lost_item_returned_keeps_the_receiver_and_signature_and_is_returned_only_once(guard, post):
    item = _found(guard, post)
    data = {"receiver_name": "黄女士", "receiver_phone": "13800138000"}
    services.return_found(get_session(), storage=storage(), actor=guard, found=item, data=data,
                          signature=_processed(SIGNATURE), at=NOW + HOUR, prefix="t/r")
    row = get_session().get(Found, item.id)
    assert (row.receiver_name, row.returned_at, row.returned_by) == ("黄女士", NOW + HOUR, guard.id)
    assert len(get_session().exec(select(Photo).where(Photo.owner_type == "register_found_sign")).all()) == 1
    with pytest.raises(RegisterError) as again:
        services.return_found(get_session(), storage=storage(), actor=guard, found=row, data={**data, "receiver_name": "某人"},
                              signature=_processed(SIGNATURE), at=NOW + 2 * HOUR, prefix="t/r2")
    assert again.value.status == 409 and "黄女士" in again.value.message


def test_an_item_handed_to_the_police_needs_the_station_and_its_officers_name_phone_and_signature(guard, post):
    item = _found(guard, post, at=NOW - timedelta(days=31))
    get_session().commit()
    officer = {"returned_to": "police", "receiver_name": "刘警官", "receiver_phone": "027-85551234"}
    for data, message in [(officer, "请填写派出所名称。"), ({**officer, "returned_to": "fire"}, "无法识别物品的去向。")]:
        with pytest.raises(RegisterError) as refused:
            services.return_found(get_session(), storage=storage(), actor=guard, found=item, data=data,
                                  signature=_processed(SIGNATURE), at=NOW, prefix="t/p")
        assert refused.value.message == message
        get_session().rollback()
    with pytest.raises(RegisterError, match="缺少接收民警的签名。"):
        services.return_found(get_session(), storage=storage(), actor=guard, found=item,
                              data={**officer, "police_station": "民意派出所"}, signature=None, at=NOW, prefix="t/p")
    get_session().rollback()
    assert get_session().get(Found, item.id).returned_at is None
    services.return_found(get_session(), storage=storage(), actor=guard, found=item,
                          data={**officer, "police_station": "民意派出所"}, signature=_processed(SIGNATURE), at=NOW,
                          prefix="t/p")
    row = get_session().get(Found, item.id)
    assert (row.returned_to, row.police_station, row.receiver_name) == ("police", "民意派出所", "刘警官")
    assert services.unclaimed(get_session(), [post.project_id], NOW) == []  # no longer kept: off the list
    with pytest.raises(RegisterError) as again:
        services.return_found(get_session(), storage=storage(), actor=guard, found=row, data=officer,
                              signature=_processed(SIGNATURE), at=NOW + HOUR, prefix="t/p2")
    assert again.value.status == 409 and "民意派出所" in again.value.message


def test_an_item_kept_a_month_is_unclaimed(guard, post):
    old, new = _found(guard, post, at=NOW - timedelta(days=31)), _found(guard, post)
    assert [f.id for f in services.unclaimed(get_session(), [post.project_id], NOW)] == [old.id]
    assert new.id not in [f.id for f in services.unclaimed(get_session(), [post.project_id], NOW)]


def test_a_gift_handed_in_tells_the_projects_supervisors(guard, post, world):
    gift = services.record_gift(get_session(), storage=storage(), actor=guard, post=post, data=dict(GIFT), photos=[],
                                at=NOW, tz=SHANGHAI, prefix="t/gift")
    assert (gift.value, gift.handed_to) == (200, "孙主管")
    told = get_session().exec(select(Notification).where(Notification.event == "registers.gift_handed_in")).all()
    assert [n.user_id for n in told] == [world.users["supervisor"].id]
    assert told[0].params["item"] == "月饼一盒"


def test_a_gifts_value_is_whole_yuan_or_nothing(guard, post):
    with pytest.raises(RegisterError, match="估价须为整数"):
        services.record_gift(get_session(), storage=storage(), actor=guard, post=post, data={**GIFT, "value": "八十"},
                             photos=[], at=NOW, tz=SHANGHAI, prefix="t/gift")
    gift = services.record_gift(get_session(), storage=storage(), actor=guard, post=post, data={**GIFT, "value": ""},
                                photos=[], at=NOW, tz=SHANGHAI, prefix="t/gift")
    assert gift.value is None and _count(Gift) == 1


def lend(guard, post, at=NOW, **changes):
    data = {"key_name": "配电房钥匙", "borrower": "赵工程", "due_at": wall(at + 2 * HOUR), **changes}
    return services.lend_key(get_session(), actor=guard, post=post, data=data, at=at, tz=SHANGHAI)


def test_a_key_is_due_after_it_is_lent_and_not_lent_twice_while_out(guard, post):
    with pytest.raises(RegisterError, match="应还时间须晚于借出时间"):
        lend(guard, post, due_at=wall(NOW - HOUR))
    with pytest.raises(RegisterError, match="请填写应还时间"):
        lend(guard, post, due_at="")
    loan = lend(guard, post)
    with pytest.raises(RegisterError, match="这把钥匙还没有归还"):
        lend(guard, post, at=NOW + HOUR)
    services.return_key(get_session(), actor=guard, loan=loan, at=NOW + HOUR)
    assert lend(guard, post, at=NOW + 2 * HOUR).id != loan.id
    assert _count(KeyLoan) == 2


def test_a_key_out_past_its_due_time_is_overdue_until_returned(guard, post):
    loan = lend(guard, post)
    assert services.overdue_keys(get_session(), [post.project_id], NOW + HOUR) == []
    assert [k.id for k in services.overdue_keys(get_session(), [post.project_id], NOW + 3 * HOUR)] == [loan.id]
    assert services.overdue_counts(get_session(), [post.project_id], NOW + 3 * HOUR) == {post.project_id: 1}
    with pytest.raises(RegisterError, match="归还时间不能早于借出时间"):
        services.return_key(get_session(), actor=guard, loan=loan, at=NOW - HOUR)
    services.return_key(get_session(), actor=guard, loan=loan, at=NOW + 4 * HOUR)
    assert services.overdue_keys(get_session(), [post.project_id], NOW + 5 * HOUR) == []


@pytest.mark.parametrize("value, shown", [("420106199001011234", "420***********1234"), ("13800138000", "138****8000"),
                                          ("123456", "12**56"), ("", "")])
def test_id_numbers_and_phones_show_only_their_ends(value, shown):
    assert services.masked(value) == shown
