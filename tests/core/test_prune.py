"""The prune job, on a frozen clock: form claims and clock marks older than ONCE_KEEP_DAYS go, younger ones stay,
and an alert whose mark was pruned is still not raised twice (its keyed notification is kept)."""
from datetime import timedelta

from sqlmodel import select

from app.channels.models import Delivery
from app.core.clock import ClockMark, run_due
from app.core.db import utcnow
from app.core.notifications import Notification
from app.core.once import PostOnce
from app.repairs.models import Ticket
from tests import factories

NOW = utcnow()


def test_claims_older_than_the_keeping_age_are_pruned_and_younger_ones_kept(app, db):
    keep = app.config["ONCE_KEEP_DAYS"]
    assert keep == 120  # longer than a remembered login (30 days) and the outbox's oldest record (90 days)
    for days, name in ((keep + 1, "old"), (keep - 1, "young")):
        db.add(PostOnce(client_id=f"00000000-0000-4000-8000-00000000000{len(name)}", path="/x", location="/y",
                        status=303, created_at=NOW - timedelta(days=days)))
        db.add(ClockMark(key=f"testing.{name}:1", at=NOW - timedelta(days=days)))
    db.commit()
    [outcome] = run_due(app, NOW, names=["core.prune"], force=True)
    assert outcome.error == "" and outcome.result == 2
    db.expire_all()
    assert db.exec(select(ClockMark.key)).all() == ["testing.young:1"]
    assert [p.created_at.date() for p in db.exec(select(PostOnce))] == [(NOW - timedelta(days=keep - 1)).date()]
    assert run_due(app, NOW, names=["core.prune"], force=True)[0].result == 0  # nothing more


def test_an_alert_whose_mark_was_pruned_is_not_raised_again(app, world, db):
    factories.channel(db, world.p1, "wecom")
    ticket = db.get(Ticket, world.tickets["p1"].id)
    reported = ticket.created_at
    run_due(app, reported + timedelta(hours=1), names=["repairs.overdue"], force=True)  # undispatched: alerted
    later = reported + timedelta(days=app.config["ONCE_KEEP_DAYS"] + 2)
    run_due(app, later, names=["core.prune"], force=True)
    assert not db.exec(select(ClockMark).where(ClockMark.key.startswith("repairs."))).all()
    run_due(app, later, names=["repairs.overdue"], force=True)  # still undispatched, four months on
    notices = db.exec(select(Notification).where(Notification.event == "repairs.overdue_dispatch")).all()
    assert sorted(n.user_id for n in notices) == sorted({n.user_id for n in notices}) and notices
    assert len(db.exec(select(Delivery).where(Delivery.event == "repairs.overdue_dispatch")).all()) == 1
