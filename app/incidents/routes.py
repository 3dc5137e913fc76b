"""Incident pages: reporting one (offline too, through the outbox), the project's list, one incident with its
follow-ups and the actions this user may take."""
import uuid

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.services import users_by_id
from app.core import attention, home
from app.core.db import get_session, local, utcnow
from app.core.permissions import load_or_404, logged_in, project_required, project_roles
from app.core.photos import FORM_PHOTOS, PhotoError, photos_by_owner, photos_of, pixel_budget, process_all
from app.core.refusal import Refusal
from app.core.storage import storage
from app.core.views import back_to, render
from app.incidents import bp, records, services, workflow  # noqa: F401  (records registers the sync kinds)
from app.incidents.labels import KIND_HINTS
from app.incidents.models import KINDS, SEVERITIES, Incident
from app.patrols.services import round_title
from app.projects.models import Project
from app.projects.services import areas_of, checkpoints_of, get_project
from app.sync.services import RecordRefused, accept

REPORTERS = workflow.REPORTERS
FIELDS = ("kind", "severity", "occurred_at", "place", "location", "people", "description", "action_taken",
          "round_id", "source")


@home.register
def _home_tasks(session, user, projects, roles):
    """Everyone on duty: report an incident; supervisors: the incidents not closed, urgent while a severe one is."""
    tasks = {i: [home.Task(title=_("特殊事件上报"), url=url_for("incidents.new", project_id=i))]
             for i in home.holding(roles, {*REPORTERS, "admin"})}
    leads = home.holding(roles, {"supervisor", "admin"})
    counts, severe = services.open_counts(session, leads), services.open_counts(session, leads, ("serious", "critical"))
    for i in leads:
        tasks.setdefault(i, []).append(home.Task(
            title=_("特殊事件"), url=url_for("incidents.incidents", project_id=i), urgent=bool(severe.get(i)),
            detail=_("%(n)d 条未关闭", n=counts.get(i, 0))))
    return tasks


@attention.register
def _attention(session, project_ids, now):
    """Incidents not closed, critical first: one tap to the incident, whose first action is the follow-up."""
    urgency = {"critical": attention.CRITICAL, "serious": attention.HIGH, "minor": attention.NORMAL}
    kinds = services.labels()["kind_labels"]
    return [attention.Item(key=f"incidents.open:{i.id}", project_id=i.project_id, since=i.occurred_at,
                           title=_("特殊事件未关闭:%(kind)s %(number)s", kind=kinds[i.kind], number=i.number),
                           url=url_for("incidents.incident", incident_id=i.id), urgency=urgency[i.severity],
                           place=i.location, action=_("跟进"), level=i.severity)
            for i in services.not_closed(session, project_ids)]


def _form_page(project: Project, status: int = 200, **extra):
    """The report form, filled from the link it was opened by (a round's checkpoint, a post) or the refused post."""
    db = get_session()
    points = {}
    for checkpoint, area in checkpoints_of(db, project):
        points.setdefault(area.id, []).append(checkpoint)
    return render_template(
        "incidents/new.html", project=project, kinds=KINDS, severities=SEVERITIES, form=extra.pop("form", request.args),
        hints={k: str(v) for k, v in KIND_HINTS.items()}, places=[(a, points.get(a.id, [])) for a in areas_of(db, project)],
        rules=services.phone_rules(current_app.config["TIMEZONE"]), now=local(utcnow()).strftime("%Y-%m-%dT%H:%M"),
        **services.labels(), **extra), status


@bp.get("/projects/<int:project_id>/incidents/new")
@project_required(*REPORTERS)
def new(project: Project):
    """The report form; it works offline: the page queues the report in the outbox."""
    return _form_page(project)


@bp.post("/projects/<int:project_id>/incidents/new")
@project_required(*REPORTERS)
def report(project: Project):
    """The same report without JavaScript: one multipart post, idempotent by its client_id."""
    form = request.form
    try:
        client_id = str(uuid.UUID(form.get("client_id", "")))
    except ValueError:
        client_id = str(uuid.uuid4())
    envelope = {"kind": "incident_report", "project_id": project.id, "client_time": utcnow().isoformat(),
                "data": {key: form.get(key, "") for key in FIELDS}}
    files = [(f.filename, f.read()) for f in request.files.getlist("photos") if f.filename]
    try:
        answer, _replayed = accept(get_session(), storage(), user=current_user, client_id=client_id,
                                   envelope=envelope, files=files, photo_max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    except RecordRefused as exc:
        return _form_page(project, exc.status, error=exc.message, fields=exc.fields, form=form)
    flash(_("已上报特殊事件 %(number)s。", number=answer["number"]), "success")
    return redirect(answer["url"])


FILTERS = {"open": workflow.OPEN, "closed": ("closed",), "all": None}


@bp.get("/projects/<int:project_id>/incidents")
@project_required(*REPORTERS)
def incidents(project: Project):
    """The project's incidents, those not closed first by default."""
    show = request.args.get("show", "open")
    rows = get_session().exec(services.incidents_stmt(project.id, statuses=FILTERS.get(show, workflow.OPEN))
                              .limit(200)).all()
    return render("incidents/list.html", "incidents/_rows.html", project=project, rows=rows, show=show,
                  **services.labels())


def _load(incident_id: int) -> tuple[Incident, Project, set]:
    incident = load_or_404(Incident, incident_id, *REPORTERS)
    project = get_project(get_session(), incident.project_id)
    return incident, project, project_roles(project)


def incident_context(incident: Incident, project: Project) -> dict:
    """What the page and the PDF show."""
    db = get_session()
    steps = services.followups_of(db, incident.id)
    return {"incident": incident, "project": project, "steps": steps, "place": services.place_text(db, incident),
            "people": users_by_id(db, [incident.reporter_id, incident.closed_by, *(s.author_id for s in steps)]),
            "photos": photos_of(db, "incident", incident.id), "round_title": round_title(db, incident.round_id),
            "step_photos": photos_by_owner(db, "incident_followup", [s.id for s in steps]),
            "generated_at": utcnow(), **services.labels()}


def incident_page(incident: Incident, project: Project, roles: set, status: int = 200, **extra):
    return render_template("incidents/incident.html", **incident_context(incident, project),
                           actions=services.allowed_actions(incident, roles), severities=SEVERITIES, **extra), status


@bp.get("/incidents/<int:incident_id>")
@logged_in
def incident(incident_id: int):
    """One incident: what, when, where, who, its photos and follow-ups, and the actions this user may take."""
    return incident_page(*_load(incident_id))


def _photos(project: Project) -> list:
    return process_all([f.read() for f in request.files.getlist("photos") if f.filename],
                       max_bytes=current_app.config["PHOTO_MAX_BYTES"], keep_location=project.keep_photo_location,
                       max_pixels=pixel_budget(FORM_PHOTOS))


@bp.post("/incidents/<int:incident_id>/act")
@logged_in
def act(incident_id: int):
    """Follow up, close or reopen (the page without JavaScript posts here; a follow-up also goes offline)."""
    incident_, project, roles = _load(incident_id)
    db, form = get_session(), request.form
    try:
        services.act(db, storage=storage(), actor=current_user, incident=incident_, action=form.get("action", ""),
                     now=utcnow(), text=form.get("text", ""), severity=form.get("severity", ""),
                     photos=_photos(project))
    except (services.IncidentError, PhotoError) as exc:
        db.rollback()
        db.refresh(incident_)
        return incident_page(incident_, project, roles, exc.status, error=exc.message, form=form)
    db.commit()
    flash(_("特殊事件 %(number)s:%(status)s。", number=incident_.number,
            status=services.labels()["status_labels"][incident_.status]), "success")
    return back_to("incidents.incident", incident_id=incident_.id)


@bp.post("/incidents/<int:incident_id>/ticket")
@logged_in
def open_ticket(incident_id: int):
    """Open a repair ticket for the damage the incident left, linked to it."""
    incident_, project, roles = _load(incident_id)
    db = get_session()
    try:
        ticket_id = services.open_ticket(db, storage=storage(), actor=current_user, incident=incident_, now=utcnow())
    except services.IncidentError as exc:
        db.rollback()
        db.refresh(incident_)
        return incident_page(incident_, project, roles, exc.status, error=exc.message)
    db.commit()
    flash(_("已开报修单。"), "success")
    return back_to("repairs.ticket", ticket_id=ticket_id)


@bp.post("/incidents/<int:incident_id>/complaint")
@logged_in
def open_complaint(incident_id: int):
    """Receive a complaint from the incident (the complainant's phone is needed for the callback), linked to it."""
    incident_, project, roles = _load(incident_id)
    db = get_session()
    try:
        complaint_id = services.open_complaint(db, storage=storage(), actor=current_user, incident=incident_,
                                               data=request.form, now=utcnow(), tz=current_app.config["TIMEZONE"])
    except Refusal as exc:  # the incident's, or the complaint's own (the complainant's phone)
        db.rollback()
        db.refresh(incident_)
        return incident_page(incident_, project, roles, exc.status, error=exc.message, form=request.form)
    db.commit()
    flash(_("已转投诉。"), "success")
    return back_to("complaints.complaint", complaint_id=complaint_id)
