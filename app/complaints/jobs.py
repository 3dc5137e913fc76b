"""The complaints clock: past a deadline a complaint climbs 班组 → 主管 → 经理, once per level, whoever looks."""
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.complaints import deadlines, notices, workflow
from app.complaints.models import Complaint
from app.complaints.services import escalation_recipients, settings_for
from app.core.clock import batches, job
from app.core.db import update_if
from app.core.notifications import link, notify
from app.projects.services import get_project


def _candidates(session: Session, now: datetime) -> list[Complaint]:
    """Open complaints with a deadline passed unmet and a level still to climb."""
    late = ((Complaint.first_replied_at.is_(None) & (Complaint.reply_due_at < now))
            | (Complaint.replied_at.is_(None) & (Complaint.resolve_due_at < now)))
    return session.exec(select(Complaint).where(Complaint.status.in_(workflow.OPEN), Complaint.escalation < 3, late)
                        .order_by(Complaint.id)).all()


def escalate(session: Session, now: datetime, config) -> int:
    """Raise each late complaint to the level it is owed and tell that level; the level is claimed with
    compare-and-set, so two clocks never tell anyone twice."""
    raised, settings, projects = 0, {}, {}
    for chunk in batches(_candidates(session, now), 100):
        for complaint in chunk:
            if complaint.project_id not in settings:
                settings[complaint.project_id] = settings_for(session, complaint.project_id)
                projects[complaint.project_id] = get_project(session, complaint.project_id)
            late = deadlines.missed(complaint, now)
            owed = deadlines.level(settings[complaint.project_id], late.due, now) if late else 0
            current = complaint.escalation
            if owed <= current or not update_if(session, complaint, Complaint.escalation == current, escalation=owed):
                continue
            recipients = escalation_recipients(session, complaint, projects[complaint.project_id], owed)
            notify(session, user_ids=[u for u in recipients if u], event=notices.ESCALATED,
                   project_id=complaint.project_id, params={"number": complaint.number, "what": late.what,
                                                           "level": owed},
                   link=link("complaints.complaint", complaint_id=complaint.id),
                   key=f"complaint-escalated:{complaint.id}:{owed}")
            raised += 1
        session.commit()
    return raised


job("complaints.escalate", every=timedelta(minutes=5), run=escalate)
