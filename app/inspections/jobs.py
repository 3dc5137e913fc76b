"""The inspections clock: objection windows close (the result becomes effective), rectification items fall
overdue (their owner is told once), and a closed month's ranking is frozen, whether or not anyone reads them."""
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.core.clock import job, once, unmarked
from app.core.db import zone
from app.core.notifications import link, notify
from app.inspections import notices, ranking
from app.inspections.models import Inspection, Rectification
from app.inspections.objections import settle
from app.inspections.services import settings_for
from app.projects.services import organisations


def close_windows(session: Session, now: datetime, config) -> int:
    """Make effective (and lock) each inspection whose objection window has closed with nothing pending."""
    return settle(session, session.exec(select(Inspection).where(Inspection.status == "provisional",
                                                                 Inspection.objection_deadline <= now)).all(), now)


def alert_rectifications(session: Session, now: datetime, config) -> int:
    """Tell each owner once about each of their open rectification items past its due date."""
    items = session.exec(select(Rectification).where(
        Rectification.status == "open", Rectification.due_at < now, Rectification.owner_id.is_not(None),
        unmarked("inspections.rectification-overdue:", Rectification.id))).all()
    for item in items:
        if once(session, f"inspections.rectification-overdue:{item.id}", now):
            notify(session, user_ids=[item.owner_id], event=notices.RECTIFICATION_OVERDUE, project_id=item.project_id,
                   params={"label": item.label}, link=link("inspections.rectifications", project_id=item.project_id),
                   key=f"rectification-overdue:{item.id}")
        session.commit()
    return len(items)


def freeze_rankings(session: Session, now: datetime, config) -> int:
    """Freeze the ranking of the month that closed last, for each organisation (once its inspections settled)."""
    frozen = 0
    for organisation_id in [o.id for o in organisations(session)]:
        close_day = settings_for(session, organisation_id).close_day
        month = ranking.previous_month(ranking.month_of(now, close_day, zone()))
        frozen += ranking.freeze(session, organisation_id=organisation_id, month=month, now=now).frozen
    return frozen


job("inspections.windows", every=timedelta(minutes=1), run=close_windows)
job("inspections.rectifications", every=timedelta(minutes=1), run=alert_rectifications)
job("inspections.ranking", every=timedelta(minutes=10), run=freeze_rankings)
