"""Above minor an incident reaches the project's supervisors once, through the bell and the channels."""
import json
import uuid

import pytest
from sqlmodel import select

from app.channels.models import Delivery
from app.core.db import get_session, utcnow
from app.core.notifications import Notification, text_in
from app.core.storage import storage
from app.incidents import services
from app.sync.services import accept
from tests import factories
from tests.incidents.helpers import form, report

pytestmark = pytest.mark.usefixtures("ctx")


def _alerts(db) -> list[Notification]:
    return db.exec(select(Notification).where(Notification.event.like("incidents.%"))
                   .order_by(Notification.id)).all()


def test_a_minor_incident_alerts_nobody(world):
    db = get_session()
    report(db, world, severity="minor")
    assert _alerts(db) == []


def test_a_serious_incident_alerts_each_supervisor_of_its_project_at_once(world):
    db = get_session()
    second = factories.user(db, world.org_a, "supervisor_b", roles=[(world.p1, "supervisor")])
    incident = report(db, world, severity="serious")
    alerts = _alerts(db)
    assert sorted(a.user_id for a in alerts) == sorted([world.users["supervisor"].id, second.id])
    assert {a.event for a in alerts} == {"incidents.serious"} and alerts[0].project_id == world.p1.id
    assert alerts[0].link == {"endpoint": "incidents.incident", "args": {"incident_id": incident.id}}
    text = text_in(alerts[0], "zh_Hans")
    assert incident.number in text and "可疑人员" in text and "车场东北角" in text


def test_the_supervisor_reporting_is_not_told_of_their_own_incident(world):
    db = get_session()
    report(db, world, "supervisor", severity="critical")
    assert _alerts(db) == []


def test_the_same_report_arriving_twice_makes_one_incident_and_one_alert(app, world):
    db = get_session()
    client_id = str(uuid.uuid4())
    envelope = {"kind": "incident_report", "project_id": world.p1.id, "client_time": utcnow().isoformat(),
                "data": form(world, severity="critical")}
    with app.test_request_context():  # the handler builds the answer's URL
        first, replayed_first = accept(db, storage(), user=world.users["guard"], client_id=client_id,
                                       envelope=json.loads(json.dumps(envelope)), files=[])
        second, replayed = accept(db, storage(), user=world.users["guard"], client_id=client_id, envelope=envelope,
                                  files=[])
    assert (replayed_first, replayed) == (False, True) and first == second
    assert [(a.user_id, a.event) for a in _alerts(db)] == [(world.users["supervisor"].id, "incidents.critical")]


def test_follow_ups_alert_again_only_when_it_rises_to_critical(world):
    db = get_session()
    incident = report(db, world, severity="serious")
    guard = world.users["guard"]
    services.act(db, storage=None, actor=guard, incident=incident, action="follow_up", now=utcnow(), text="仍在徘徊")
    services.act(db, storage=None, actor=guard, incident=incident, action="follow_up", now=utcnow(), severity="critical")
    services.act(db, storage=None, actor=world.users["supervisor"], incident=incident, action="follow_up",
                 now=utcnow(), severity="serious")
    services.act(db, storage=None, actor=guard, incident=incident, action="follow_up", now=utcnow(), severity="critical")
    db.commit()
    assert [a.event for a in _alerts(db)] == ["incidents.serious", "incidents.critical"]


def test_a_minor_incident_raised_later_reaches_the_supervisors_then(world):
    db = get_session()
    incident = report(db, world, severity="minor")
    services.act(db, storage=None, actor=world.users["guard"], incident=incident, action="follow_up", now=utcnow(),
                 severity="serious", text="对方返回并与保安争执")
    db.commit()
    assert [a.event for a in _alerts(db)] == ["incidents.serious"]


def test_a_channel_listening_to_incidents_queues_the_alert_once(world):
    db = get_session()
    channel = factories.channel(db, world.p1, events=["incidents"])
    factories.channel(db, world.p1, name="报修群", events=["repairs"])
    report(db, world, severity="critical")
    deliveries = db.exec(select(Delivery)).all()
    assert [(d.channel_id, d.event) for d in deliveries] == [(channel.id, "incidents.critical")]
