"""The handover state machine: every state × every event, in the table and through the services."""
from datetime import timedelta

import pytest
from sqlmodel import select

from app.core.audit import AuditLog
from app.core.db import get_session, utcnow
from app.core.photos import process
from app.core.storage import storage
from app.handovers import inventory, services, workflow
from app.handovers.inventory import HandoverError
from app.handovers.models import Amendment, HandoverLine
from tests import images
from tests.handovers.helpers import SIGNATURE

# What each event does in each state; None: refused. Written out in full so that a change to the table shows.
EXPECTED = {
    ("draft", "count"): "draft", ("draft", "sign_outgoing"): "draft", ("draft", "sign_incoming"): "signed",
    ("draft", "lock"): None, ("draft", "amend"): None,
    ("signed", "count"): None, ("signed", "sign_outgoing"): None, ("signed", "sign_incoming"): None,
    ("signed", "lock"): "locked", ("signed", "amend"): None,
    ("locked", "count"): None, ("locked", "sign_outgoing"): None, ("locked", "sign_incoming"): None,
    ("locked", "lock"): None, ("locked", "amend"): "amended",
    ("amended", "count"): None, ("amended", "sign_outgoing"): None, ("amended", "sign_incoming"): None,
    ("amended", "lock"): None, ("amended", "amend"): "amended",
}


@pytest.mark.parametrize("state,event", sorted(EXPECTED))
def test_the_table(state, event):
    assert workflow.next_state(state, event) == EXPECTED[(state, event)]


def test_the_table_covers_every_state_and_event():
    assert {s for s, _e in EXPECTED} == set(workflow.STATES)
    assert {e for _s, e in EXPECTED} == set(workflow.TRANSITIONS)
    assert workflow.next_state("draft", "teleport") is None


def _photo():
    return process(images.image(), max_bytes=15_000_000)


def _signature():
    return process(SIGNATURE, max_bytes=15_000_000)


COUNTS = {"i1": {"status": "present", "found": "1"}, "i2": {"status": "damaged", "found": "4", "note": "裂纹"},
          "i3": {"status": "present", "found": "2"}}


def _draft(world, room):
    session = get_session()
    version = inventory.version_of(session, room)
    return session, services.start(session, room=room, version=version, outgoing=world.users["attendant"],
                                   counted_at=utcnow())


def _walk_to(world, room, target: str):
    """A handover driven through the services up to `target`."""
    session, handover = _draft(world, room)
    now = utcnow()
    services.count(session, storage=storage(), handover=handover, counts=COUNTS, photos={"i2": [_photo()]},
                   uploaded_by=None, prefix="t")
    services.sign(session, storage=storage(), handover=handover, side="outgoing", signer=world.users["attendant"],
                  image=_signature(), at=now, prefix="t")
    if target == "draft":
        return session, handover
    services.sign(session, storage=storage(), handover=handover, side="incoming", signer=world.users["attendant_b"],
                  image=_signature(), at=now, prefix="t")
    if target == "signed":
        return session, handover
    services.lock(session, storage=storage(), handover=handover, actor=world.users["attendant"], photos={}, prior={},
                  now=now, prefix="t")
    session.commit()
    if target == "locked":
        return session, handover
    services.amend(session, storage=storage(), handover=handover, actor=world.users["supervisor"], reason="复核后确认杯子完好",
                   counts={"i2": {"status": "present", "found": "4"}}, photos={}, now=now + timedelta(minutes=5))
    return session, handover


@pytest.fixture
def room(app, world):
    """A room, inside an app context: the services are called directly, as the clock would."""
    from tests.handovers import builders

    with app.app_context():
        yield builders.room(get_session(), world.p1, "样板间A")


@pytest.mark.parametrize("target", ["draft", "signed", "locked", "amended"])
def test_the_services_follow_the_table(world, room, target):
    session, handover = _walk_to(world, room, target)
    assert handover.state == target
    refused = {event for (state, event), to in EXPECTED.items() if state == target and to is None}
    for event in refused:
        with pytest.raises((workflow.StateError, HandoverError)):
            _attempt(session, world, handover, event)
        assert handover.state == target


def _attempt(session, world, handover, event):
    if event == "count":
        services.count(session, storage=storage(), handover=handover, counts=COUNTS, photos={"i2": [_photo()]},
                       uploaded_by=None, prefix="x")
    elif event == "sign_outgoing":
        services.sign(session, storage=storage(), handover=handover, side="outgoing", signer=world.users["attendant"],
                      image=_signature(), at=utcnow(), prefix="x")
    elif event == "sign_incoming":
        services.sign(session, storage=storage(), handover=handover, side="incoming", signer=world.users["attendant_b"],
                      image=_signature(), at=utcnow(), prefix="x")
    elif event == "lock":
        services.lock(session, storage=storage(), handover=handover, actor=world.users["attendant"], photos={},
                      prior={}, now=utcnow(), prefix="x")
    else:
        services.amend(session, storage=storage(), handover=handover, actor=world.users["supervisor"], reason="再改",
                       counts={"i1": {"status": "moved", "found": "1"}}, photos={}, now=utcnow())


def test_locking_a_draft_says_the_second_signature_is_missing(world, room):
    session, handover = _walk_to(world, room, "draft")
    with pytest.raises(HandoverError, match="双方签名"):
        services.lock(session, storage=storage(), handover=handover, actor=world.users["attendant"], photos={},
                      prior={}, now=utcnow(), prefix="x")


def test_an_amendment_keeps_before_after_and_reason_and_is_audited(world, room):
    session, handover = _walk_to(world, room, "amended")
    [amendment] = session.exec(select(Amendment).where(Amendment.handover_id == handover.id)).all()
    assert amendment.reason == "复核后确认杯子完好" and amendment.actor_id == world.users["supervisor"].id
    assert amendment.changes == [{"key": "i2", "name": "骨瓷咖啡杯", "before": {"status": "damaged", "found": 4, "note": "裂纹"},
                                  "after": {"status": "present", "found": 4, "note": "裂纹"}}]
    line = session.exec(select(HandoverLine).where(HandoverLine.handover_id == handover.id,
                                                   HandoverLine.item_key == "i2")).one()
    assert line.status == "present" and handover.discrepancies == 0
    [entry] = session.exec(select(AuditLog).where(AuditLog.action == "handover.amend")).all()
    assert entry.before["lines"][0]["status"] == "damaged" and entry.after["reason"] == "复核后确认杯子完好"


def test_an_amendment_without_reason_or_change_or_over_the_count_is_refused(world, room):
    session, handover = _walk_to(world, room, "locked")
    for reason, counts, message in (("", {"i1": {"status": "moved", "found": "1"}}, "请填写更正原因"),
                                    ("没变", {"i1": {"status": "present", "found": "1"}}, "没有任何更改"),
                                    ("多了", {"i3": {"status": "present", "found": "3"}}, "超过清单数量"),
                                    ("丢了", {"i3": {"status": "missing", "found": "1"}}, "须拍照")):
        with pytest.raises(HandoverError, match=message):
            services.amend(session, storage=storage(), handover=handover, actor=world.users["supervisor"],
                           reason=reason, counts=counts, photos={}, now=utcnow())
        session.rollback()
    session.refresh(handover)
    assert handover.state == "locked"
    assert session.exec(select(Amendment)).all() == []
