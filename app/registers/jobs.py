"""The registers' clock: a key still out past its due time is told once to the project's supervisors and to
whoever lent it (a bell each, and the project's WeCom / DingTalk / Feishu / e-mail channels), whoever looks."""
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.accounts.services import member_ids
from app.core.clock import batches, job, once, unmarked
from app.core.db import local
from app.core.formatting import starter
from app.core.notifications import link, notify
from app.registers import notices
from app.registers.models import KeyLoan
from app.registers.services import STILL_OPEN
from app.shifts.services import posts_by_id


def alert_overdue_keys(session: Session, now: datetime, config) -> int:
    """Each key past its due time and not returned, once (a key returned in time is never told)."""
    loans = session.exec(select(KeyLoan).where(STILL_OPEN["keys"], KeyLoan.due_at < now,
                                               unmarked("registers.key-overdue:", KeyLoan.id))
                         .order_by(KeyLoan.due_at, KeyLoan.id)).all()
    alerted = 0
    for chunk in batches(loans, 100):
        posts = posts_by_id(session, {loan.post_id for loan in chunk})
        for loan in chunk:
            if not once(session, f"registers.key-overdue:{loan.id}", now):
                continue
            users = member_ids(session, loan.project_id, ("supervisor",)) + [loan.lent_by or 0]
            notify(session, user_ids=[u for u in users if u], event=notices.KEY_OVERDUE, project_id=loan.project_id,
                   params={"key": loan.key_name, "borrower": loan.borrower, "post": starter(posts[loan.post_id].name),
                           "due": f"{local(loan.due_at):%m-%d %H:%M}"},
                   link=link("registers.post_register", post_id=loan.post_id, register="keys"),
                   key=f"key-overdue:{loan.id}")
            alerted += 1
        session.commit()
    return alerted


job("registers.keys_overdue", every=timedelta(minutes=1), run=alert_overdue_keys)
