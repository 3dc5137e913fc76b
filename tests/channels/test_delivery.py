"""Alerts reach the channels: queued with the change that raised them, sent by the clock once per channel, in the
platform's JSON, retried after a failure, never twice."""
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from flask_babel import gettext as _
from sqlmodel import Session, select

from app import create_app
from app.channels import jobs, services
from app.channels.models import Delivery
from app.core.clock import run_due
from app.core.db import get_session, utcnow
from app.core.notifications import Notification, event, link, notify
from tests import factories

OVERDUE = event("testing.overdue", lambda p: _("工单 %(number)s 超时未派单", **p))
OTHER = event("testing.other", lambda p: _("工单 %(number)s 已超过完成期限", **p))


def deliver(app, now=None, **overrides) -> dict:
    with app.app_context():
        settings = {**jobs.delivery_settings(), "timeout": 2, **overrides}
        return services.deliver_due(get_session(), now or utcnow(), **settings)


def alert(app, world, key="overdue-dispatch:1", users=("supervisor", "admin"), event_=OVERDUE, number="BX-1"):
    with app.app_context():
        session = get_session()
        added = notify(session, user_ids=[world.users[u].id for u in users], event=event_, params={"number": number},
                       link=link("repairs.ticket", ticket_id=world.tickets["p1"].id), project_id=world.p1.id, key=key)
        session.commit()
        return added


def deliveries(db) -> list[Delivery]:
    db.expire_all()
    return db.exec(select(Delivery).order_by(Delivery.id)).all()


def test_an_alert_to_two_people_is_one_message_per_channel_sent_by_the_clock(app, world, db, robot, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://wuye.example.com")
    wecom, dingtalk, feishu = robot("wecom"), robot("dingtalk"), robot("feishu")
    for receiver in (wecom, dingtalk, feishu):
        factories.channel(db, world.p1, receiver.kind, receiver.url)
    factories.channel(db, world.p2, "wecom", wecom.url)  # another project's channel hears nothing of P1
    alert(app, world)
    assert len(deliveries(db)) == 3 and wecom.requests == 0  # queued in the request, nothing sent yet
    assert deliver(app) == {"sent": 3, "retry": 0, "failed": 0}
    ticket_url = f"https://wuye.example.com/tickets/{world.tickets['p1'].id}"
    content = wecom.received[0]["body"]["markdown"]["content"]
    assert content.startswith(f"**{world.p1.name}**") and "工单 BX-1 超时未派单" in content
    assert f"[查看]({ticket_url})" in content
    md = dingtalk.received[0]["body"]["markdown"]
    assert md["title"] == world.p1.name and "工单 BX-1 超时未派单" in md["text"] and ticket_url in md["text"]
    post = feishu.received[0]["body"]["content"]["post"]["zh_cn"]
    assert post["content"] == [[{"tag": "text", "text": "工单 BX-1 超时未派单"}],
                               [{"tag": "a", "text": "查看", "href": ticket_url}]]
    assert [d.status for d in deliveries(db)] == ["sent"] * 3 and deliveries(db)[0].answer == '{"errcode": 0, "errmsg": "ok"}'
    assert deliver(app) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(wecom.received) == 1


def test_the_same_alert_is_never_queued_twice(app, world, db, robot):
    receiver = robot("wecom")
    factories.channel(db, world.p1, "wecom", receiver.url)
    alert(app, world, users=("supervisor",))
    alert(app, world, users=("supervisor", "admin"))  # a new recipient of the same alert: a bell, no new message
    assert alert(app, world, users=("supervisor", "admin")) == []
    assert len(deliveries(db)) == 1
    deliver(app)
    assert len(receiver.received) == 1


def test_a_channel_hears_only_its_events(app, world, db, robot):
    receiver = robot("wecom")
    factories.channel(db, world.p1, "wecom", receiver.url, events=["testing.other"])
    alert(app, world, key="a")
    alert(app, world, key="b", event_=OTHER, number="BX-2")
    deliver(app)
    assert ["工单 BX-2 已超过完成期限" in r["body"]["markdown"]["content"] for r in receiver.received] == [True]


def test_a_channel_speaks_its_own_language(app, world, db, robot):
    receiver = robot("feishu")
    factories.channel(db, world.p1, "feishu", receiver.url, locale="en")
    alert(app, world)
    deliver(app)
    post = receiver.received[0]["body"]["content"]["post"]
    assert list(post) == ["en_us"] and "BX-1" in post["en_us"]["content"][0][0]["text"]
    assert "超时未派单" not in post["en_us"]["content"][0][0]["text"]


def test_a_failing_target_is_retried_with_a_growing_wait_then_sent(app, world, db, robot):
    receiver = robot("wecom", fail_times=2)
    factories.channel(db, world.p1, "wecom", receiver.url)
    alert(app, world)
    now = utcnow()
    assert deliver(app, now, retry_seconds=60) == {"sent": 0, "retry": 1, "failed": 0}
    row = deliveries(db)[0]
    assert (row.status, row.attempts) == ("pending", 1) and row.answer.startswith("HTTP 500")
    assert row.next_attempt_at == now + timedelta(seconds=60)
    assert deliver(app, now + timedelta(seconds=30)) == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    assert deliver(app, now + timedelta(seconds=60), retry_seconds=60)["retry"] == 1
    assert deliveries(db)[0].next_attempt_at == now + timedelta(seconds=180)  # 60 s after the first, then 120 s
    assert deliver(app, now + timedelta(seconds=180))["sent"] == 1
    assert len(receiver.received) == 1 and deliveries(db)[0].attempts == 3


def test_a_target_that_keeps_failing_is_given_up_and_the_supervisors_are_told(app, world, db, robot):
    receiver = robot("wecom", fail_times=99)
    channel = factories.channel(db, world.p1, "wecom", receiver.url, name="主管群")
    alert(app, world)
    now = utcnow()
    for step in range(3):
        deliver(app, now + timedelta(hours=step), max_attempts=3)
    row = deliveries(db)[0]
    assert (row.status, row.attempts) == ("failed", 3) and "HTTP 500" in row.answer
    bell = db.exec(select(Notification).where(Notification.event == "channels.gave_up")).all()
    assert [n.user_id for n in bell] == [world.users["supervisor"].id]
    assert bell[0].params["channel"] == "主管群" and bell[0].link["args"] == {"project_id": channel.project_id}
    assert len(deliveries(db)) == 1  # the notice about the channel is not itself sent to the channel


def test_a_hanging_target_times_out_and_the_others_are_still_sent(app, world, db, robot):
    stuck, good = robot("wecom", hang=True), robot("dingtalk")
    factories.channel(db, world.p1, "wecom", stuck.url)
    factories.channel(db, world.p1, "dingtalk", good.url)
    alert(app, world)
    assert deliver(app, timeout=0.3) == {"sent": 1, "retry": 1, "failed": 0}
    assert len(good.received) == 1
    assert "no answer within 0.3 s" in [d for d in deliveries(db) if d.status == "pending"][0].answer


def test_an_unreachable_target_is_recorded_with_the_reason(app, world, db):
    factories.channel(db, world.p1, "wecom", "http://127.0.0.1:9/cgi-bin/webhook/send?key=k")
    factories.channel(db, world.p1, "wecom", "ftp://127.0.0.1/robot")  # stored before the check, say
    alert(app, world)
    deliver(app)
    answers = sorted(d.answer for d in deliveries(db))
    assert answers[0].startswith("the target is not an http(s) URL") and answers[1].startswith("unreachable")


def test_no_duplicate_after_a_restart(app, world, db, robot, test_config):
    receiver = robot("wecom")
    factories.channel(db, world.p1, "wecom", receiver.url)
    alert(app, world)
    deliver(app)
    restarted = create_app(test_config)  # a new process: same database, nothing in memory
    deliver(restarted)
    alert(restarted, world)  # the clock raising the same alert again after the restart
    deliver(restarted)
    assert len(receiver.received) == 1


def test_two_tickers_at_once_send_each_message_exactly_once(app, world, db, robot):
    receiver = robot("wecom")
    factories.channel(db, world.p1, "wecom", receiver.url)
    for number in range(8):
        alert(app, world, key=f"k{number}", number=f"BX-{number}")
    start = threading.Barrier(2)
    results = []

    def ticker():
        start.wait()
        results.append(deliver(app))

    threads = [threading.Thread(target=ticker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["sent"] for r in results) == 8
    assert sorted(r["body"]["markdown"]["content"].split("BX-")[1][0] for r in receiver.received) == list("01234567")


def test_a_claim_left_by_a_ticker_that_died_is_sent_later(app, world, db, robot):
    receiver = robot("wecom")
    factories.channel(db, world.p1, "wecom", receiver.url)
    alert(app, world)
    now = utcnow()
    with Session(app.extensions["engine"]) as session:
        row = session.exec(select(Delivery)).one()
        assert services.claim(session, row, now)  # claimed, then the process died before sending
    assert deliver(app, now + timedelta(minutes=1))["sent"] == 0
    assert deliver(app, now + timedelta(minutes=11))["sent"] == 1
    assert len(receiver.received) == 1


def test_a_channel_switched_off_after_the_alert_sends_nothing(app, world, db, robot):
    receiver = robot("wecom")
    channel = factories.channel(db, world.p1, "wecom", receiver.url)
    alert(app, world, key="before")
    channel.active = False
    db.add(channel)
    db.commit()
    alert(app, world, key="after")  # not even queued
    deliver(app)
    assert receiver.requests == 0
    assert [(d.status, d.answer) for d in deliveries(db)] == [("failed", "the channel is switched off")]


def test_an_overdue_ticket_raised_by_the_clock_reaches_the_group_once(app, world, db, robot, monkeypatch):
    """The clock raises the overdue alert (no bell needs to poll); it goes out once, with its link."""
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://wuye.example.com")
    receiver = robot("wecom")
    factories.channel(db, world.p1, "wecom", receiver.url)
    ticket = world.tickets["p1"]
    ticket.created_at = utcnow() - timedelta(minutes=10)
    db.add(ticket)
    db.commit()
    for _tick in range(2):
        run_due(app, names=["repairs.overdue"], force=True)
    assert receiver.requests == 0  # the clock only queued it
    deliver(app)
    deliver(app)
    [message] = receiver.received
    content = message["body"]["markdown"]["content"]
    assert f"工单 {ticket.number} 超时未派单" in content
    assert f"(https://wuye.example.com/tickets/{ticket.id})" in content


def test_two_processes_delivering_at_once_send_each_message_exactly_once(app, world, db, robot, database_url,
                                                                         tmp_path):
    receiver = robot("wecom", meet=2)  # the first two requests are held until both processes are sending
    channel = factories.channel(db, world.p1, "wecom", receiver.url)
    db.add_all([Delivery(channel_id=channel.id, alert_key=f"k{n}", body=f"BX-{n}", next_attempt_at=utcnow())
                for n in range(6)])  # ready text: the test's own events are not registered in those processes
    db.commit()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test", "INSTANCE_DIR": str(tmp_path),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "CHANNEL_TIMEOUT": "30"}
    tickers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "channels", "deliver"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [ticker.communicate(timeout=120)[0] for ticker in tickers]
    assert all(ticker.returncode == 0 for ticker in tickers), outputs
    sent = sorted(int(r["body"]["markdown"]["content"].split("BX-")[1][0]) for r in receiver.received)
    assert sent == list(range(6)), outputs
    assert all("sent 0," not in out for out in outputs)  # both took part


def test_the_same_alert_raised_by_two_requests_at_once_is_stored_and_queued_once(app, world, db):
    """Two sessions on two threads raise one keyed alert at the same instant: neither fails, one bell notice per
    reader, one delivery per channel (a check-then-insert would let both in, or fail the second's commit)."""
    factories.channel(db, world.p1, "wecom")
    users = [world.users[u].id for u in ("supervisor", "admin")]
    for attempt in range(5):
        key, start, failures = f"overdue-dispatch:race-{attempt}", threading.Barrier(2, timeout=30), []

        def raise_alert():
            try:
                with app.app_context(), Session(factories.engine_of(app)) as session:
                    start.wait()
                    notify(session, user_ids=users, event=OVERDUE, params={"number": "BX-9"}, project_id=world.p1.id,
                           link=link("repairs.ticket", ticket_id=world.tickets["p1"].id), key=key)
                    session.commit()
            except Exception as exc:  # noqa: BLE001  (the test reports it)
                failures.append(exc)

        threads = [threading.Thread(target=raise_alert) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        db.expire_all()
        assert sorted(db.exec(select(Notification.user_id).where(Notification.key == key)).all()) == sorted(users)
        assert len(db.exec(select(Delivery).where(Delivery.alert_key == f"{OVERDUE}:{key}")).all()) == 1
