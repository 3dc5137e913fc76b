"""A key still out past its due time is told by the clock once — to the supervisors and whoever lent it, and to
the project's channels that take the registers' alerts — whether or not anyone opens a page."""
from datetime import timedelta

from flask_babel import force_locale
from sqlmodel import select

from app.channels.models import Delivery
from app.core.clock import run_due
from app.core.db import utcnow
from app.core.notifications import Notification, text_of
from app.registers.models import KeyLoan
from tests import factories

HOUR = timedelta(hours=1)


def tick(app, at):
    [outcome] = run_due(app, at, names=["registers.keys_overdue"], force=True)
    assert not outcome.error, outcome.error


def notices(db) -> list[Notification]:
    db.expire_all()
    return db.exec(select(Notification).where(Notification.event == "registers.key_overdue")
                   .order_by(Notification.id)).all()


def loan(db, world, *, lent_at, due_at, **fields) -> KeyLoan:
    obj = KeyLoan(project_id=world.p1.id, post_id=world.shifts["p1"].post.id, key_name="3栋机房", borrower="王师傅",
                  lent_at=lent_at, due_at=due_at, lent_by=world.users["guard"].id, **fields)
    db.add(obj)
    db.commit()
    return obj


def test_a_key_out_past_its_due_time_is_told_once_to_the_supervisors_the_lender_and_the_channel(app, world, db):
    factories.channel(db, world.p1, events=["registers"])
    factories.channel(db, world.p1, events=["repairs"])  # takes no register alerts
    now = utcnow().replace(microsecond=0)
    key = loan(db, world, lent_at=now - 3 * HOUR, due_at=now - HOUR)
    loan(db, world, lent_at=now - 3 * HOUR, due_at=now + HOUR)  # not due yet
    loan(db, world, lent_at=now - 3 * HOUR, due_at=now - HOUR, returned_at=now - 2 * HOUR)  # back in time
    tick(app, now)
    tick(app, now + timedelta(minutes=1))
    told = notices(db)
    assert sorted(n.user_id for n in told) == sorted([world.users["supervisor"].id, world.users["guard"].id])
    assert told[0].link == {"endpoint": "registers.post_register",
                            "args": {"post_id": key.post_id, "register": "keys"}}
    with app.test_request_context():
        assert text_of(told[0]).startswith("钥匙逾期未还(") and "3栋机房,借用人 王师傅" in text_of(told[0])
        with force_locale("en"):
            assert "王师傅" in text_of(told[0]) and "钥匙" not in text_of(told[0])
    deliveries = db.exec(select(Delivery).where(Delivery.event == "registers.key_overdue")).all()
    assert len(deliveries) == 1


def test_a_key_returned_before_the_clock_looks_is_never_told(app, world, db):
    now = utcnow().replace(microsecond=0)
    key = loan(db, world, lent_at=now - 3 * HOUR, due_at=now - HOUR)
    key.returned_at = now - timedelta(minutes=5)
    db.add(key)
    db.commit()
    tick(app, now)
    assert notices(db) == []
