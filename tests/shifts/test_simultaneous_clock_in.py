"""Two phones of one attendant clocking in at the same moment give one open shift, on SQLite as on PostgreSQL."""
import threading

from sqlmodel import select

from app.core.refusal import Refusal
from app.shifts import services
from app.shifts.models import Attendance
from tests.shifts.helpers import at, send


def test_two_phones_clocking_one_attendant_in_at_once_give_one_open_shift(app, db, sc, monkeypatch):
    # Both requests are held just after the lock, until both are there (or a second has passed): without a lock
    # that holds on this backend, both then check before either writes.
    both_in = threading.Barrier(2, timeout=1)
    real_close = services.close_forgotten

    def held_close(session, **kwargs):
        try:
            both_in.wait()
        except threading.BrokenBarrierError:  # the other request waits for the lock: as it should
            pass
        return real_close(session, **kwargs)

    monkeypatch.setattr(services, "close_forgotten", held_close)
    outcomes = []

    def phone(minute: int):
        with app.test_request_context():
            try:
                send(sc.li, sc.project, "shift_clock_in", {"post_id": sc.post.id, "pattern_id": sc.pattern.id},
                     at(8, minute))
                outcomes.append("accepted")
            except Refusal as exc:
                outcomes.append(exc.message)

    phones = [threading.Thread(target=phone, args=(minute,)) for minute in (0, 1)]
    for thread in phones:
        thread.start()
    for thread in phones:
        thread.join(timeout=30)
    db.expire_all()
    shifts = db.exec(select(Attendance).where(Attendance.user_id == sc.li.id)).all()
    assert len(shifts) == 1 and shifts[0].ended_at is None
    assert sorted(outcomes, key=len)[0] == "accepted" and "上岗" in sorted(outcomes, key=len)[1], outcomes
