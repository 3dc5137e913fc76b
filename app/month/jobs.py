"""The month's clock: a closed month's figures of every site are stored once final, and the months not final yet
are counted every few minutes for the page (`app.month.figures`)."""
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


def count_months(session: Session, now: datetime, config) -> int:
    """Count, for each organisation, the months not final yet for the month page (how many months were counted)."""
    return sum(len(figures.count_open(session, organisation_id=o.id, now=now, tz=config["TIMEZONE"]))
               for o in organisations(session))


job("month.count", every=figures.DRAFT_EVERY, run=count_months)
