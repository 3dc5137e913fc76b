"""Builders for the pages that list projects or records: a company of many busy projects."""
from datetime import timedelta

from sqlmodel import Session, select

from app.accounts.models import Membership, User
from app.core.db import utcnow
from app.handovers.models import HandoverLine
from app.projects.models import Organisation
from tests import factories
from tests.handovers import builders

MEMBER_ROLES = ("guard", "attendant", "engineer", "inspector", "supervisor")


def busy_projects(session: Session, organisation: Organisation, member: User, count: int, start: int = 0) -> None:
    """`count` projects, each with what every home card reads (a checkpoint, a round due now, a ticket waiting
    for dispatch and one assigned to `member`, a shift post with a matter and a restock request, an inspection
    with an objection and a rectification item, a sample room whose last handover found damage), `member`
    holding every project role in each."""
    for n in range(start, start + count):
        project = factories.project(session, organisation, f"连锁项目{n:03d}", "residential")
        session.add_all([Membership(user_id=member.id, project_id=project.id, role=role) for role in MEMBER_ROLES])
        session.commit()
        records(session, project, member, 1)
        factories.shift_objects(session, project, member)
        room = builders.room(session, project, f"连锁项目{n:03d}的样板间")
        handover = builders.handover(session, room, member, member)
        line = session.exec(select(HandoverLine).where(HandoverLine.handover_id == handover.id)).first()
        line.status, handover.discrepancies = "damaged", 1
        session.commit()


def records(session: Session, project, member: User, count: int) -> None:
    """`count` of each record the project's lists show: checkpoints with a round due, tickets (one waiting for
    dispatch, one with `member`, one awaiting its callback), inspections with objections and rectifications."""
    for n in range(count):
        point = factories.checkpoint(session, factories.area(session, project, f"区域{n}-{utcnow():%f}"), f"点{n}")
        factories.route(session, point, f"路线{point.id}")
        for status in ("reported", "dispatched", "awaiting_callback"):
            ticket, _photo, _record = factories.ticket(session, project, member, f"漏水{n}")
            ticket.status = status
            ticket.assignee_id = member.id if status != "reported" else None
            ticket.dispatched_at = utcnow() - timedelta(hours=1) if status != "reported" else None
        inspection, *_ = factories.inspection(session, project, f"扣分项{n}")
        inspection.status = "effective" if n % 2 else "provisional"
        session.commit()
