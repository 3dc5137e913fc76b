"""The supervisor's daily digest: yesterday's missed rounds, overdue tickets, handover discrepancies and open
rectification items in one message, once a day at the channel's hour."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app.channels import digest, jobs, services
from app.channels.models import Channel, Delivery
from app.core.db import get_session
from app.handovers.models import HandoverLine
from app.patrols.models import Round
from tests import factories

TZ = ZoneInfo("Asia/Shanghai")
# The digests are sent the day after tomorrow: the world's own round, made around the real now, then belongs to
# no "yesterday" of these tests, whatever the hour they run at (before 06:00 it belongs to the day before).
DAY = datetime.now(TZ).date() + timedelta(days=2)

pytestmark = pytest.mark.usefixtures("handover_world")  # yesterday's handover discrepancy


def queue(app, now) -> int:
    with app.app_context():
        return digest.send_digests(get_session(), now, tz="Asia/Shanghai")


def yesterday_went_badly(db, world, now: datetime) -> None:
    """A round missed yesterday, a ticket undispatched for an hour, an item missing at yesterday's handover."""
    slot = datetime.combine(now.astimezone(TZ).date() - timedelta(days=1), time(10), tzinfo=TZ)
    template = world.rounds["p1"]
    db.add(Round(project_id=world.p1.id, route_id=template.route_id, schedule_id=template.schedule_id,
                 slot_start=slot, window_end=slot + timedelta(hours=1), deadline=slot + timedelta(hours=1, minutes=15),
                 closes_at=slot + timedelta(hours=2), stops=template.stops))
    ticket = world.tickets["p1"]
    ticket.created_at = now - timedelta(hours=1)
    handover = world.handovers["p1"]
    handover.counted_at = slot
    line = db.exec(select(HandoverLine).where(HandoverLine.handover_id == handover.id)).first()
    line.status, line.found = "missing", 0
    db.add_all([ticket, handover, line])
    db.commit()


def test_the_digest_lists_yesterday_in_one_message_once_a_day(app, world, db, robot):
    now = datetime.combine(DAY, time(9), tzinfo=TZ)
    yesterday_went_badly(db, world, now)
    receiver = robot("wecom")
    factories.channel(db, world.p1, "wecom", receiver.url, digest_hour=8)
    factories.channel(db, world.p1, "wecom", receiver.url, digest_hour=None)  # no digest asked
    assert queue(app, now) == 1
    assert queue(app, now + timedelta(hours=1)) == 0  # today's is done
    with app.app_context():
        assert services.deliver_due(get_session(), now, **{**jobs.delivery_settings(), "timeout": 2})["sent"] == 1
    [message] = receiver.received
    lines = message["body"]["markdown"]["content"].splitlines()
    day = (now.date() - timedelta(days=1)).isoformat()
    assert lines[0] == f"**{world.p1.name}**" and lines[2] == f"{day} 日报"
    assert "漏巡 1 次" in lines and f"- {world.routes['p1'].name} 10:00" in lines
    assert "超时工单 1 张" in lines and any(world.tickets["p1"].number in line for line in lines)
    assert "交接差异 1 项" in lines and f"- {world.rooms['p1'].name}:{world.handover_lines['p1'].name}" in lines
    assert "未完成整改 1 项(逾期 0 项)" in lines


def test_no_digest_before_its_hour_and_a_new_one_the_next_day(app, world, db):
    now = datetime.combine(DAY, time(7, 59), tzinfo=TZ)
    channel = factories.channel(db, world.p1, "wecom", digest_hour=8)
    assert queue(app, now) == 0
    assert queue(app, now + timedelta(minutes=1)) == 1
    assert queue(app, now + timedelta(days=1, minutes=1)) == 1
    keys = db.exec(select(Delivery.alert_key).where(Delivery.channel_id == channel.id)).all()
    assert sorted(keys) == [f"digest:{(now.date() - timedelta(days=1)).isoformat()}", f"digest:{now.date().isoformat()}"]
    db.expire_all()
    assert db.get(Channel, channel.id).digest_sent_on == now.date() + timedelta(days=1)


def test_a_quiet_day_says_so(app, world, db):
    now = datetime.combine(DAY, time(9), tzinfo=TZ)
    rect = world.rectifications["p1"]
    rect.status = "verified"
    db.add(rect)
    db.commit()
    channel = factories.channel(db, world.p1, "wecom", digest_hour=6, locale="zh_Hans")
    world.tickets["p1"].created_at = now
    db.add(world.tickets["p1"])
    db.commit()
    queue(app, now)
    body = db.exec(select(Delivery.body).where(Delivery.channel_id == channel.id)).one()
    assert body.splitlines()[1] == "无漏巡、超时工单、交接差异或未完成整改。"
