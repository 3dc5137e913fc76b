"""Each platform as its robot endpoint checks it: DingTalk's and Feishu's signatures, e-mail through SMTP."""
from email import message_from_bytes
from email.policy import default

import pytest
from sqlmodel import select

from app.channels import jobs, services
from app.channels.models import Channel, Delivery
from app.channels.senders import Smtp
from app.core.db import get_session, utcnow
from tests import factories

DING_SECRET = "SEC" + "0a1b2c3d4e5f" * 5
FEISHU_SECRET = "nIMtb7r3N9pkXyXdtAbx6e"


def send_test(app, channel_id: int, **overrides) -> Delivery:
    with app.app_context():
        session = get_session()
        settings = {**jobs.delivery_settings(), "timeout": 2, **overrides}
        return services.send_now(session, session.get(Channel, channel_id), utcnow(), **settings)


@pytest.mark.parametrize("kind,secret", [("dingtalk", DING_SECRET), ("feishu", FEISHU_SECRET)])
def test_a_signed_robot_accepts_the_signature(app, world, db, robot, kind, secret):
    receiver = robot(kind, secret=secret)
    channel = factories.channel(db, world.p1, kind, receiver.url, secret=secret, name="主管群")
    delivery = send_test(app, channel.id)
    assert delivery.status == "sent", delivery.answer
    body = receiver.received[0]["body"]
    text = body["markdown"]["text"] if kind == "dingtalk" else body["content"]["post"]["zh_cn"]["content"][0][0]["text"]
    assert "渠道“主管群”已连通" in text
    if kind == "dingtalk":  # the access token stays, timestamp and sign are added
        assert receiver.received[0]["query"]["access_token"] == ["abcdef0123456789"]


@pytest.mark.parametrize("kind,secret,code", [("dingtalk", DING_SECRET, '"errcode": 310000'),
                                              ("feishu", FEISHU_SECRET, '"code": 19021')])
def test_a_wrong_secret_is_refused_by_the_robot_and_recorded_with_its_answer(app, world, db, robot, kind, secret,
                                                                             code):
    receiver = robot(kind, secret=secret)
    channel = factories.channel(db, world.p1, kind, receiver.url, secret=secret[:-2] + "zz")
    delivery = send_test(app, channel.id)
    assert delivery.status == "pending" and delivery.attempts == 1 and code in delivery.answer
    assert receiver.received == []


def test_a_robot_answering_an_error_code_is_a_failure(app, world, db, robot):
    receiver = robot("dingtalk", secret=DING_SECRET)
    channel = factories.channel(db, world.p1, "dingtalk", receiver.url)  # signing on in the group, not here
    assert "310000" in send_test(app, channel.id).answer


def test_an_email_channel_goes_through_the_smtp_server(app, world, db, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://wuye.example.com")
    mailbox, port = smtp_server()
    channel = factories.channel(db, world.p1, "email", "boss@example.com")
    delivery = send_test(app, channel.id, smtp=Smtp(host="127.0.0.1", port=port, sender="wuye@example.com",
                                                    starttls=False))
    assert delivery.status == "sent", delivery.answer
    envelope = mailbox.messages[0]
    assert envelope.rcpt_tos == ["boss@example.com"] and envelope.mail_from == "wuye@example.com"
    mail = message_from_bytes(envelope.content, policy=default)
    assert mail["Subject"] == world.p1.name and "已连通" in mail.get_content()


def test_a_refusing_smtp_server_is_recorded_with_its_reason(app, world, db, smtp_server):
    _mailbox, port = smtp_server(refuse="550 5.1.1 mailbox unavailable")
    channel = factories.channel(db, world.p1, "email", "nobody@example.com")
    delivery = send_test(app, channel.id, smtp=Smtp(host="127.0.0.1", port=port, sender="wuye@example.com",
                                                    starttls=False))
    assert delivery.status == "pending" and "550" in delivery.answer and "mailbox unavailable" in delivery.answer


def test_an_email_channel_without_an_smtp_server_says_so(app, world, db):
    channel = factories.channel(db, world.p1, "email", "boss@example.com")
    assert send_test(app, channel.id, smtp=Smtp()).answer == "SMTP_HOST is not set"
    assert send_test(app, channel.id, smtp=Smtp(host="127.0.0.1")).answer == "SMTP_FROM is not set"


def test_the_test_command_sends_only_the_channels_test(app, world, db, robot):
    one, other = robot("wecom"), robot("wecom")
    first = factories.channel(db, world.p1, "wecom", one.url)
    second = factories.channel(db, world.p1, "wecom", other.url)
    db.add(Delivery(channel_id=second.id, alert_key="waiting", body="别的消息"))
    db.commit()
    send_test(app, first.id)
    assert len(one.received) == 1 and other.requests == 0
    assert db.exec(select(Delivery.status).where(Delivery.alert_key == "waiting")).one() == "pending"
