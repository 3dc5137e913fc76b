"""The month's clock: a closed month's figures of every site are stored once final (`app.month.figures`)."""
from datetime import datetime, timedelta

from sqlmodel import Session

from app.core.clock import job
from app.month import figures
from app.projects.services import organisations


def freeze_months(session: Session, now: datetime, config) -> int:
    """Store, for each organisation, the closed months that have become final (how many were stored)."""
    grace = timedelta(days=config["MONTH_FREEZE_DAYS"])
    return sum(len(figures.freeze(session, organisation_id=o.id, now=now, tz=config["TIMEZONE"], grace=grace))
               for o in organisations(session))


job("month.freeze", every=timedelta(minutes=10), run=freeze_months)
