"""The daily digest ends with what needs attention in the project now: the supervisor's home's lines, unacknowledged."""
from datetime import timedelta

from sqlmodel import select

from app.channels import digest
from app.channels.models import Delivery
from app.core.db import get_session
from tests import factories


def test_the_digest_sends_the_projects_needs_attention_lines(app, world, db):
    ticket = world.tickets["p1"]
    now = ticket.created_at + timedelta(hours=2)  # past its dispatch target
    channel = factories.channel(db, world.p1, "wecom", digest_hour=0, locale="zh_Hans")
    with app.app_context():  # the clock's context: no request
        assert digest.send_digests(get_session(), now, tz="Asia/Shanghai") == 1
    body = db.exec(select(Delivery.body).where(Delivery.channel_id == channel.id)).one().splitlines()
    start = body.index(next(line for line in body if line.startswith("需要关注")))
    listed = body[start + 1:]
    assert any(f"工单 {ticket.number} 超时未派单" in line for line in listed)
    assert not any(world.tickets["p2"].number in line for line in body)  # another project's stay out
