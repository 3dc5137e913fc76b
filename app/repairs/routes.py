"""Reporting repair tickets (also offline, through the outbox) and reading them."""
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import func, select

from app.core import home
from app.core.db import get_session, utcnow
from app.core.permissions import load_or_404, logged_in, project_required
from app.core.storage import storage
from app.projects.models import Area, Project
from app.projects.services import areas_of
from app.repairs import bp, services
from app.repairs.models import Ticket
from app.sync.services import RecordRefused, accept

READERS = ("supervisor", "engineer")


@home.register
def _home_tasks(session, user, project, roles):
    tasks = [home.Task(title=_("报修 / 异常上报"), url=url_for("repairs.report_form", project_id=project.id))]
    if roles & {"supervisor", "engineer", "admin"}:
        open_count = session.exec(select(func.count()).select_from(Ticket).where(
            Ticket.project_id == project.id, Ticket.status == "reported")).one()
        tasks.append(home.Task(title=_("报修工单"), url=url_for("repairs.tickets", project_id=project.id),
                               detail=_("%(n)d 个待处理", n=open_count), urgent=bool(open_count)))
    return tasks


def _form_page(project, status: int = 200, **extra):
    return render_template("repairs/report.html", project=project, areas=areas_of(get_session(), project),
                           client_id=str(uuid.uuid4()), **extra), status


@bp.get("/projects/<int:project_id>/report")
@project_required()
def report_form(project):
    """The report form; it works offline: the page queues the report in the outbox."""
    return _form_page(project)


@bp.post("/projects/<int:project_id>/report")
@project_required()
def report(project):
    """The same report without JavaScript: one multipart post, idempotent by its client_id."""
    form = request.form
    client_id = form.get("client_id", "")
    try:
        uuid.UUID(client_id)
    except ValueError:
        client_id = str(uuid.uuid4())
    envelope = {"kind": "ticket_report", "project_id": project.id, "client_time": utcnow().isoformat(),
                "data": {key: form.get(key, "") for key in ("description", "location", "area_id")}}
    files = [(f.filename, f.read()) for f in request.files.getlist("photos") if f.filename]
    try:
        answer, _replayed = accept(get_session(), storage(), user=current_user, client_id=client_id,
                                   envelope=envelope, files=files)
    except RecordRefused as exc:
        return _form_page(project, exc.status, error=exc.message, form=form)
    flash(_("已提交报修 %(number)s。", number=answer["number"]), "success")
    return redirect(answer["url"])


@bp.get("/projects/<int:project_id>/tickets")
@project_required(*READERS)
def tickets(project):
    """The project's tickets, newest first."""
    rows = get_session().exec(services.tickets_stmt(project).limit(200)).all()
    return render_template("repairs/tickets.html", project=project, tickets=rows)


@bp.get("/tickets/<int:ticket_id>")
@logged_in
def ticket(ticket_id: int):
    """One ticket with its photos."""
    ticket = load_or_404(Ticket, ticket_id)
    db = get_session()
    return render_template("repairs/ticket.html", ticket=ticket, project=db.get(Project, ticket.project_id),
                           area=db.get(Area, ticket.area_id) if ticket.area_id else None,
                           photos=services.ticket_photos(db, ticket))

