"""Nothing failed goes unseen: a round's failed items reach the project's supervisors once, ticket or not."""
import json
import uuid
from datetime import timedelta

from flask_babel import force_locale
from sqlmodel import select

from app.core.notifications import Notification, text_of
from app.repairs.models import Ticket
from tests import images
from tests.patrols.helpers import NIGHT
from tests.patrols.test_visits import _visit


def _told(db) -> list[Notification]:
    db.expire_all()
    return db.exec(select(Notification).where(Notification.event == "patrols.failed").order_by(Notification.id)).all()


def _replay(client, patrol, client_id: str, answers: dict):
    """The same outbox entry sent again (the phone lost the answer): the server counts it once."""
    data = {"round_id": str(patrol.round.id), "position": "1", "code": patrol.checkpoints[0].code, **answers}
    record = {"kind": "patrol_visit", "project_id": patrol.round.project_id,
              "client_time": (NIGHT + timedelta(minutes=5)).isoformat(), "data": data}
    token = client.get("/api/v1/session").json["csrf_token"]
    return client.post(f"/api/v1/records/{client_id}", data={"record": json.dumps(record), "photos": []},
                       headers={"X-CSRFToken": token})


def test_a_failed_item_without_a_ticket_reaches_the_supervisors_once(app, login_as, world, patrol, db):
    guard = login_as("guard")
    hot = {"item-extinguisher": "pass", "item-temp": "55"}  # out of range: failed, and this item opens no ticket
    client_id = str(uuid.uuid4())
    assert _replay(guard, patrol, client_id, hot).status_code == 201
    assert _replay(guard, patrol, client_id, hot).status_code in (200, 201)  # the same entry again
    assert _visit(guard, patrol, 1, answers=hot, at=NIGHT + timedelta(minutes=8)).status_code == 201  # a correction
    [told] = _told(db)
    assert told.user_id == world.users["supervisor"].id and told.project_id == world.p1.id
    assert told.link == {"endpoint": "patrols.round_detail", "args": {"round_id": patrol.round.id}}
    assert db.exec(select(Ticket).where(Ticket.source == "patrol")).all() == []
    with app.test_request_context(), force_locale("zh_Hans"):
        assert text_of(told) == f"夜间巡逻 · {patrol.checkpoints[0].name} 发现 1 项不合格:配电房温度"
    assert "配电房温度" in login_as("supervisor").get("/notifications").get_data(as_text=True)


def test_a_failed_item_with_a_ticket_is_told_too_and_another_failure_is_told_again(login_as, world, patrol, db):
    guard = login_as("guard")
    broken = {"item-extinguisher": "fail", "item-temp": "26"}
    photo = [("photo-extinguisher", images.image())]
    assert _visit(guard, patrol, 1, answers=broken, photos=photo).status_code == 201
    assert len(db.exec(select(Ticket).where(Ticket.source == "patrol")).all()) == 1
    worse = {"item-extinguisher": "fail", "item-temp": "55"}
    assert _visit(guard, patrol, 1, answers=worse, photos=photo, at=NIGHT + timedelta(minutes=9)).status_code == 201
    assert [n.params["items"] for n in _told(db)] == [["灭火器齐全"], ["灭火器齐全", "配电房温度"]]


def test_a_visit_with_nothing_failed_tells_no_one(login_as, patrol, db):
    assert _visit(login_as("guard"), patrol, 1, answers={"item-extinguisher": "pass", "item-temp": "26"}
                  ).status_code == 201
    assert _told(db) == []


def test_no_supervisor_no_notice_and_no_error(login_as, world, patrol, db):
    from app.accounts.models import Membership

    for membership in db.exec(select(Membership).where(Membership.role == "supervisor")).all():
        db.delete(membership)
    db.commit()
    assert _visit(login_as("guard"), patrol, 1, answers={"item-extinguisher": "pass", "item-temp": "55"}
                  ).status_code == 201
    assert _told(db) == []




def test_a_failed_item_stays_on_the_supervisors_attention_list_for_a_week(app, login_as, world, patrol, db):
    from sqlalchemy import event

    from app.core import attention
    from app.core.db import get_session
    from app.patrols.routes import _failed_items

    assert _visit(login_as("guard"), patrol, 1, answers={"item-extinguisher": "pass", "item-temp": "55"}
                  ).status_code == 201
    assert _visit(login_as("guard"), patrol, 2, at=NIGHT + timedelta(minutes=10)).status_code == 201  # nothing failed
    with app.test_request_context():
        session = get_session()
        queries = []

        def note(_conn, _cursor, statement, *_args):
            queries.append(statement)

        event.listen(app.extensions["engine"], "before_cursor_execute", note)
        try:  # one statement, whatever the number of projects
            items = _failed_items(session, [world.p1.id, world.p2.id], NIGHT + timedelta(days=1))
        finally:
            event.remove(app.extensions["engine"], "before_cursor_execute", note)
        assert len(queries) == 1
        [item] = items
        assert item.project_id == world.p1.id and item.place == patrol.checkpoints[0].name
        assert item.title == f"巡查不合格:夜间巡逻 · {patrol.checkpoints[0].name}(1 项)"
        assert item.url == f"/rounds/{patrol.round.id}"
        later = attention.collect(session, [world.p1.id], NIGHT + timedelta(days=8))
        assert not [i for i in later if i.key.startswith("patrols.failed:")]
        assert not [i for i in attention.collect(session, [world.p2.id], NIGHT + timedelta(days=1))
                    if i.key.startswith("patrols.failed:")]
