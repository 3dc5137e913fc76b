"""Demo repair ticket: what last night's patrol found at the sales centre, still waiting to be dispatched in the
morning (past its 3-minute dispatch target), so the supervisor's home shows an overdue ticket."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.accounts.services import user_named
from app.core.db import utcnow, zone
from app.projects.models import Project
from app.projects.services import area_named
from app.repairs.models import Ticket
from app.repairs.services import open_ticket

DESCRIPTION = "车场东侧消防通道应急照明灯不亮,通道夜间昏暗"


def seed(session: Session, project: Project) -> None:
    """The ticket, reported by guard1 at 22:40 last night; only if the project does not have it yet."""
    guard = user_named(session, "guard1")
    if guard is None or session.exec(select(Ticket.id).where(Ticket.project_id == project.id,
                                                             Ticket.description == DESCRIPTION)).first():
        return
    local_now = utcnow().astimezone(zone())
    night = local_now.date() - timedelta(days=1 if local_now.hour >= 6 else 2)
    reported = datetime.combine(night, time(22, 40), tzinfo=zone())
    area = area_named(session, project.id, "车场")
    ticket = open_ticket(session, storage=None, user=guard, project_id=project.id, description=DESCRIPTION,
                         source="patrol", reported_at=reported, photos=[], photo_prefix="demo",
                         area_id=area.id if area else None, location="车场东侧消防通道", category="电")
    # As if it reached the server then: its dispatch target passed in the night.
    session.exec(sa.update(Ticket).where(Ticket.id == ticket.id).values(created_at=reported))
    session.commit()
