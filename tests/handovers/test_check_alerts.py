"""A failed item of an opening or closing check reaches the project's supervisors once, ticket or not."""
import uuid

from flask_babel import force_locale
from sqlmodel import select

from app.core.notifications import Notification, text_of
from app.repairs.models import Ticket
from tests.handovers.helpers import post
from tests.handovers.test_checks import _record, _starters


def _told(db) -> list[Notification]:
    db.expire_all()
    return db.exec(select(Notification).where(Notification.event == "handovers.check_failed")).all()


def test_a_failed_item_of_an_opening_check_without_a_ticket_is_told_once(app, login_as, world, db, sample_room):
    versions = _starters(app, world)
    record = _record(world, sample_room, versions["opening"], {"curtains-open": "fail"}, **{"item-room-temp": "24"})
    attendant, client_id = login_as("attendant"), str(uuid.uuid4())
    assert post(attendant, record, client_id=client_id).status_code == 201
    assert post(attendant, record, client_id=client_id).status_code in (200, 201)  # the phone sent it again
    [told] = _told(db)
    assert told.user_id == world.users["supervisor"].id and told.link["endpoint"] == "handovers.check"
    assert db.exec(select(Ticket).where(Ticket.source == "handover")).all() == []  # this item opens no ticket
    with app.test_request_context(), force_locale("zh_Hans"):
        assert text_of(told) == "样板间A开场检查发现不合格:打开窗帘,保持样板间光照效果"


def test_a_check_with_nothing_failed_tells_no_one(app, login_as, world, db, sample_room):
    versions = _starters(app, world)
    record = _record(world, sample_room, versions["opening"], {}, **{"item-room-temp": "24"})
    assert post(login_as("attendant"), record).status_code == 201
    assert _told(db) == []
