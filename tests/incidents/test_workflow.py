"""The follow-up / close state machine: every state × action × role against a hand-written table."""
import pytest
from sqlmodel import select

from app.accounts.models import PROJECT_ROLES
from app.core.db import get_session, utcnow
from app.core.notifications import Notification
from app.incidents import services, workflow
from app.incidents.models import FollowUp, Incident
from tests.incidents.helpers import report

pytestmark = pytest.mark.usefixtures("ctx")

ON_DUTY = {"guard", "attendant", "engineer", "cleaner", "supervisor", "frontdesk", "admin"}
# action: {state it may start from: roles that may}; any other pair is refused
ALLOWED = {
    "follow_up": {"open": ON_DUTY, "following": ON_DUTY},
    "close": {"open": {"supervisor", "admin"}, "following": {"supervisor", "admin"}},
    "reopen": {"closed": {"supervisor", "admin"}},
    "ticket": {"open": ON_DUTY, "following": ON_DUTY},
    "complaint": {"open": {"supervisor", "frontdesk", "admin"}, "following": {"supervisor", "frontdesk", "admin"}},
}
ROLES = (*PROJECT_ROLES, "admin")


@pytest.mark.parametrize("status", workflow.STATUSES)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_who_may_do_what_in_each_state(status, action):
    for role in ROLES:
        allowed = role in ALLOWED[action].get(status, set())
        code = workflow.refusal(action, status, {role})
        assert (code is None) == allowed, (status, action, role, code)
        if not allowed:
            assert code == ("state" if status not in ALLOWED[action] else "role")


def test_a_follow_up_moves_it_to_following_and_records_who_when_what(world):
    db = get_session()
    incident = report(db, world)
    services.act(db, storage=None, actor=world.users["guard"], incident=incident, action="follow_up", now=utcnow(),
                 text="03:00 复查,人员已离开")
    db.commit()
    db.expire_all()
    step = db.exec(select(FollowUp).where(FollowUp.incident_id == incident.id)).one()
    assert db.get(Incident, incident.id).status == "following"
    assert (step.kind, step.text, step.author_id) == ("note", "03:00 复查,人员已离开", world.users["guard"].id)


def test_an_empty_follow_up_is_refused(world):
    db = get_session()
    incident = report(db, world)
    with pytest.raises(services.IncidentError, match="请填写跟进情况"):
        services.act(db, storage=None, actor=world.users["guard"], incident=incident, action="follow_up",
                     now=utcnow(), text="  ")


def test_a_supervisor_closes_it_with_the_outcome_and_the_reporter_hears(world):
    db = get_session()
    incident = report(db, world)
    supervisor = world.users["supervisor"]
    with pytest.raises(services.IncidentError, match="请填写处理结果再关闭。"):
        services.act(db, storage=None, actor=supervisor, incident=incident, action="close", now=utcnow())
    db.rollback()
    services.act(db, storage=None, actor=supervisor, incident=incident, action="close", now=utcnow(), text="已处理完毕")
    db.commit()
    db.expire_all()
    closed = db.get(Incident, incident.id)
    assert (closed.status, closed.closed_by) == ("closed", supervisor.id) and closed.closed_at is not None
    told = db.exec(select(Notification).where(Notification.event == "incidents.closed")).one()
    assert told.user_id == world.users["guard"].id


def test_a_guard_may_not_close_nor_lower_the_severity(world):
    db = get_session()
    incident = report(db, world, severity="serious")
    guard = world.users["guard"]
    with pytest.raises(services.IncidentError) as refused:
        services.act(db, storage=None, actor=guard, incident=incident, action="close", now=utcnow(), text="好了")
    assert refused.value.status == 403
    db.rollback()
    with pytest.raises(services.IncidentError, match="只有主管可以降低事件级别。"):
        services.act(db, storage=None, actor=guard, incident=incident, action="follow_up", now=utcnow(),
                     severity="minor")


def test_a_closed_incident_takes_no_follow_up_until_reopened(world):
    db = get_session()
    incident = report(db, world)
    supervisor = world.users["supervisor"]
    services.act(db, storage=None, actor=supervisor, incident=incident, action="close", now=utcnow(), text="已处理")
    db.commit()
    with pytest.raises(services.IncidentError, match="已关闭") as refused:
        services.act(db, storage=None, actor=world.users["guard"], incident=incident, action="follow_up",
                     now=utcnow(), text="又来了")
    assert refused.value.status == 409
    db.rollback()
    services.act(db, storage=None, actor=supervisor, incident=incident, action="reopen", now=utcnow(), text="又出现")
    db.commit()
    db.expire_all()
    assert db.get(Incident, incident.id).status == "following" and db.get(Incident, incident.id).closed_at is None
