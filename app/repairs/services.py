"""Reporting a repair ticket, online or from the offline outbox."""
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.accounts.models import PROJECT_ROLES
from app.core import audit
from app.core.photos import Photo, attach, photos_of
from app.core.permissions import visible_projects_stmt
from app.core.storage import storage
from app.projects.models import Area, Project
from app.repairs.models import Ticket
from app.sync.services import Kind, RecordRefused, Submission, register

MAX_DESCRIPTION = 2000
MAX_LOCATION = 200


def _ticket_number(ticket: Ticket) -> str:
    day = ticket.created_at.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return f"BX-{day:%Y%m%d}-{ticket.id:04d}"


def open_ticket(session: Session, *, user, project_id: int, description: str, source: str, reported_at,
                photos: list, photo_prefix: str, area_id: int | None = None, checkpoint_id: int | None = None,
                location: str = "") -> Ticket:
    """A new ticket in status "reported", with its before-photos; every capability reports through here."""
    ticket = Ticket(project_id=project_id, area_id=area_id, checkpoint_id=checkpoint_id, location=location[:MAX_LOCATION],
                    description=description[:MAX_DESCRIPTION], source=source, reporter_id=user.id,
                    reported_at=reported_at)
    session.add(ticket)
    session.flush()
    ticket.number = _ticket_number(ticket)
    attach(session, storage(), photos, project_id=project_id, owner_type="ticket", owner_id=ticket.id,
           uploaded_by=user.id, taken_at=reported_at, prefix=photo_prefix)
    audit.record(session, actor=user, action="ticket.report", obj=ticket,
                 after={"number": ticket.number, "source": source, "description": ticket.description,
                        "photos": len(photos)})
    return ticket


def report(session: Session, submission: Submission) -> dict:
    """The `ticket_report` record kind: a ticket in status "reported", with its before-photos."""
    data, project = submission.data, submission.project
    description = str(data.get("description", "")).strip()
    location = str(data.get("location", "")).strip()
    fields = {}
    if not description:
        fields["description"] = _("请描述问题。")
    elif len(description) > MAX_DESCRIPTION:
        fields["description"] = _("描述不能超过 %(n)d 字。", n=MAX_DESCRIPTION)
    if len(location) > MAX_LOCATION:
        fields["location"] = _("位置不能超过 %(n)d 字。", n=MAX_LOCATION)
    area_id = data.get("area_id") or None
    if area_id is not None:
        area = session.get(Area, int(area_id)) if str(area_id).isdigit() else None
        if area is None or area.project_id != project.id:
            fields["area_id"] = _("所选区域已不存在,请重新选择。")
    if fields:
        raise RecordRefused(" ".join(fields.values()), fields)

    ticket = open_ticket(session, user=submission.user, project_id=project.id, description=description,
                         source="front_desk", reported_at=submission.client_time, photos=submission.photos,
                         photo_prefix=f"tickets/{project.id}/{submission.client_id}",
                         area_id=area_id and int(area_id), location=location)
    return {"id": ticket.id, "number": ticket.number, "status": ticket.status,
            "url": url_for("repairs.ticket", ticket_id=ticket.id)}


def _offline_pages(session: Session, user) -> list[str]:
    projects = session.exec(visible_projects_stmt(user).where(Project.archived == False)).all()  # noqa: E712
    return [url_for("repairs.report_form", project_id=p.id) for p in projects]


register(Kind(name="ticket_report", roles=PROJECT_ROLES, handle=report, max_photos=6, label="报修",
              offline_pages=_offline_pages))


def tickets_stmt(project: Project):
    return select(Ticket).where(Ticket.project_id == project.id).order_by(Ticket.created_at.desc())


def ticket_photos(session: Session, ticket: Ticket) -> list[Photo]:
    return photos_of(session, "ticket", ticket.id)
