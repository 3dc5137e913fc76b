"""The complaint state machine: every state × every action × every role, against a table written by hand."""
from datetime import datetime, timezone

import pytest
from sqlmodel import select

from app.complaints import services
from app.complaints.models import Complaint, ComplaintNote
from app.core.audit import AuditLog
from app.core.db import get_session
from tests.complaints.helpers import complaint, handler, security

STATES = ("received", "assigned", "processing", "replied", "called_back", "closed")
ACTIONS = ("assign", "start", "note", "on_site", "reply", "callback", "close")
PERSONAS = ("guard", "attendant", "engineer", "inspector", "supervisor", "frontdesk", "handler", "admin", "outsider")

# Written out by hand from the issue and the seeds, not derived from the code under test. "handler" is a guard
# responsible for the security department the complaint is assigned to (none while it is only received).
DESK = {"frontdesk", "supervisor", "admin"}
WORKERS = DESK | {"handler"}
ALLOWED = {
    **{("assign", s): DESK for s in ("received", "assigned", "processing")},
    ("start", "assigned"): {"supervisor", "admin", "handler"},
    **{("note", s): WORKERS for s in ("assigned", "processing")},
    **{("on_site", s): {"supervisor", "admin", "handler"} for s in ("assigned", "processing")},
    ("reply", "received"): DESK,  # answered at the desk on the spot; no department yet, so no handler
    **{("reply", s): WORKERS for s in ("assigned", "processing")},
    ("callback", "replied"): DESK,
    **{("close", s): DESK for s in ("replied", "called_back")},
}
RESULT = {"assign": "assigned", "start": "processing", "note": "processing", "on_site": "processing",
          "reply": "replied", "callback": "called_back", "close": "closed"}


@pytest.fixture
def people(world, db):
    world.users["handler"] = handler(db, world)
    return world.users


@pytest.mark.parametrize("state", STATES)
def test_every_action_from_every_state_by_every_role(app, world, db, people, state):
    department = security(db, world.p1)
    for action in ACTIONS:
        for who in PERSONAS:
            made = complaint(db, world.p1, status=state, owner=people["frontdesk"],
                             department=None if state == "received" else department)
            allowed = who in ALLOWED.get((action, state), set())
            with app.app_context():
                session = get_session()
                mine = session.get(Complaint, made.id)
                try:
                    services.act(session, storage=app.extensions["storage"],
                                 actor=session.get(type(people[who]), people[who].id), complaint=mine,
                                 action=action, now=datetime.now(timezone.utc), tz="Asia/Shanghai",
                                 department_id=department.id, text="已到现场协调", satisfaction=5)
                    session.commit()
                    outcome = mine.status
                except services.ComplaintError as exc:
                    session.rollback()
                    outcome = exc.status
            where = f"{who} {action} from {state}"
            db.expire_all()
            if allowed:
                assert outcome == RESULT[action], where
                entry = db.exec(select(AuditLog).where(AuditLog.object_type == "complaint",
                                                       AuditLog.object_id == made.id)).one()
                assert (entry.action, entry.before["status"]) == (f"complaint.{action}", state), where
                assert db.get(Complaint, made.id).owner_id == people["frontdesk"].id, where  # 首问负责制
            else:
                expected = 409 if (action, state) not in ALLOWED else 403
                assert outcome == expected, where
                assert db.get(Complaint, made.id).status == state, where
                assert db.exec(select(ComplaintNote).where(ComplaintNote.complaint_id == made.id)).all() == [], where
