"""Complaint pages: the list, receiving one, the complaint with its actions, departments and deadlines."""

from flask import abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.services import users_by_id
from app.complaints import bp, deadlines, jobs, records, services, settings, workflow  # noqa: F401  (registration)
from app.complaints.departments import departments_of, users_by_department
from app.complaints.models import CATEGORIES, Complaint
from app.core import attention, home, today
from app.core.db import day_end, get_session, utcnow
from app.core.permissions import load_or_404, logged_in, project_required, project_roles
from app.core.photos import FORM_PHOTOS, PhotoError, photos_by_owner, pixel_budget, process_all
from app.core.storage import storage
from app.core.views import back_to, render
from app.frontdesk.services import CHANNELS  # the desk's channels: 来电 / 来访 / 微信 / 巡查转来
from app.incidents import services as incidents
from app.projects.models import Project
from app.projects.services import get_project

DESK = workflow.DESK


@home.register
def _home_tasks(session, user, projects, roles):
    """The desk: complaints due today; a department's responsible user: the complaints assigned to it."""
    tasks = {}
    for c in services.for_department_user(session, [p.id for p in projects], user.id):
        tasks.setdefault(c.project_id, []).append(home.Task(
            title=_("投诉 %(number)s", number=c.number), detail=c.description[:30], urgent=True,
            url=url_for("complaints.complaint", complaint_id=c.id)))
    desk = home.holding(roles, {"frontdesk", "supervisor", "admin"})
    due = services.count_due(session, desk, day_end(utcnow()))
    for i in desk:
        n = due.get(i, 0)
        tasks.setdefault(i, []).insert(0, home.Task(title=_("投诉处理"), url=url_for("complaints.complaints", project_id=i),
                                                    detail=_("%(n)d 条今日到期", n=n), urgent=bool(n)))
    return tasks


DEADLINE_ACTIONS = {"reply": "reply", "resolve": "start", "callback": "callback"}


@attention.register
def _attention(session, project_ids, now):
    """Complaints with a deadline today (first reply, handling, callback) or one already passed: one line each in a
    project with at most `fold_at` of them (read whole), else one line that counts them (counted in the database)."""
    end = day_end(now)
    counts = services.deadline_summaries(session, project_ids, end, now)
    alone = [i for i, (n, _late, _first) in counts.items() if n <= attention.fold_at(project_ids)]
    rows = [(c, due) for c in services.due_by(session, alone, end) if (due := services.next_deadline(c))]
    people = users_by_id(session, {c.handler_id or c.owner_id for c, _due in rows} - {None})
    folded = [i for i in counts if i not in alone]
    numbers = services.first_due_numbers(session, folded, end, 4)

    def one(row):  # made only when shown
        c, (what, when) = row
        return attention.later(f"complaints.deadline:{c.id}", c.project_id, when if when < now else c.received_at,
                               attention.HIGH if when < now else attention.NORMAL,
                               f"{'past' if when < now else 'near'}:{what}:{c.escalation}", lambda: item(c, what, when))

    def item(c, what, when):
        holder = people.get(c.handler_id or c.owner_id)
        return attention.Item(
            key=f"complaints.deadline:{c.id}", project_id=c.project_id, since=when if when < now else c.received_at,
            title=(_("投诉 %(number)s 已超时", number=c.number) if when < now
                   else _("投诉 %(number)s 今日到期", number=c.number)),
            detail=c.description[:60], place=c.unit_label, holder=holder.display_name if holder else "",
            url=url_for("complaints.complaint", complaint_id=c.id),
            action=str(services.ACTION_LABELS[DEADLINE_ACTIONS[what]]),
            level=f"{'past' if when < now else 'near'}:{what}:{c.escalation}",
            urgency=attention.HIGH if when < now else attention.NORMAL)

    def many(project_id):  # made only when shown
        n, late, first = counts[project_id]
        return attention.later(f"complaints.deadline:project:{project_id}", project_id, first,
                               attention.HIGH if late else attention.NORMAL, f"{n}:{late}", lambda: count(project_id))

    def count(project_id):
        n, late, first = counts[project_id]
        return attention.Item(
            key=f"complaints.deadline:project:{project_id}", project_id=project_id,
            title=ngettext("%(num)d 条投诉今日到期或已超时", "%(num)d 条投诉今日到期或已超时", n),
            detail="、".join(numbers.get(project_id, [])[:4]) + ("…" if n > 4 else ""),
            since=first, level=f"{n}:{late}", url=url_for("complaints.complaints", project_id=project_id),
            urgency=attention.HIGH if late else attention.NORMAL)

    return [one(row) for row in rows] + [many(i) for i in folded]


@today.register(today.Column("complaints", _l("投诉"), 30, _l("未关闭 / 超时")))
def _today_figures(session, project_ids, now):
    late = services.late_counts(session, project_ids, now)
    return {i: {"complaints": today.Cell(f"{n}/{late.get(i, 0)}", sort=late.get(i, 0) * 1000 + n,
                                         alert=bool(late.get(i)))}
            for i, n in services.open_counts(session, project_ids).items()}


def labels() -> dict:
    return {"status_labels": {k: str(v) for k, v in services.STATUS_LABELS.items()},
            "channel_labels": {k: str(v) for k, v in services.CHANNEL_LABELS.items()},
            "action_labels": {k: str(v) for k, v in services.ACTION_LABELS.items()}}


FILTERS = {"open": workflow.OPEN, "callback": ("replied",), "closed": ("closed",), "all": None}


@bp.get("/projects/<int:project_id>/complaints")
@project_required(*DESK)
def complaints(project: Project):
    """The project's complaints, open ones first by default; those due today stand out."""
    db = get_session()
    show = request.args.get("show", "open")
    if show == "due":
        rows = services.due_today(db, project.id, day_end(utcnow()), limit=200)
    else:
        rows = db.exec(services.complaints_stmt(project.id, statuses=FILTERS.get(show, workflow.OPEN)).limit(200)).all()
    names = {d.id: d.name for d in departments_of(db, project.id, active_only=False)}
    late = {c.id for c in rows if deadlines.missed(c, utcnow())}
    return render("complaints/list.html", "complaints/_rows.html", project=project, rows=rows, show=show,
                  departments=names, late=late, **labels())


def _form_page(project: Project, status: int = 200, **extra):
    return render_template("complaints/new.html", project=project, categories=CATEGORIES, channels=CHANNELS,
                           **labels(), **extra), status


@bp.route("/projects/<int:project_id>/complaints/new", methods=["GET", "POST"])
@project_required(*DESK)
def new_complaint(project: Project):
    """Receive a complaint directly (a call or visit not logged as an intake first)."""
    if request.method == "GET":
        return _form_page(project)
    db = get_session()
    try:
        photos = _photos(project)
        complaint = services.open_complaint(db, storage=storage(), actor=current_user, project=project,
                                            data=request.form, received_at=utcnow(), photos=photos,
                                            tz=current_app.config["TIMEZONE"])
    except (services.ComplaintError, PhotoError) as exc:
        db.rollback()
        return _form_page(project, getattr(exc, "status", 422), error=str(exc), form=request.form)
    db.commit()
    flash(_("已受理投诉 %(number)s。", number=complaint.number), "success")
    return back_to("complaints.complaint", complaint_id=complaint.id)


def _photos(project: Project) -> list:
    return process_all([f.read() for f in request.files.getlist("photos") if f.filename],
                       max_bytes=current_app.config["PHOTO_MAX_BYTES"], keep_location=project.keep_photo_location,
                       max_pixels=pixel_budget(FORM_PHOTOS))


def _load(complaint_id: int) -> tuple[Complaint, Project, set]:
    """The complaint, for the desk, supervisors, admins and its department's users (else 403)."""
    complaint = load_or_404(Complaint, complaint_id)
    db = get_session()
    project = get_project(db, complaint.project_id)
    roles = project_roles(project)
    if not (roles & {"admin", *DESK} or services.is_handler(db, complaint, current_user.id)):
        abort(403)
    return complaint, project, roles


def complaint_page(complaint: Complaint, project: Project, roles: set, status: int = 200, **extra):
    db = get_session()
    notes = services.notes_of(db, complaint.id)
    by_department = users_by_department(db, project.id)
    people = users_by_id(db, [complaint.owner_id, complaint.handler_id, *(n.author_id for n in notes)])
    return render_template(
        "complaints/complaint.html", complaint=complaint, project=project, notes=notes, people=people,
        photos=photos_by_owner(db, "complaint_note", [n.id for n in notes]),
        actions=services.allowed_actions(db, complaint, current_user, roles),
        departments=[(d, by_department.get(d.id, [])) for d in departments_of(db, project.id)],
        department_names={d.id: d.name for d in departments_of(db, project.id, active_only=False)},
        missed=deadlines.missed(complaint, utcnow()), now=utcnow(),
        repeat=db.get(Complaint, complaint.repeat_of_id) if complaint.repeat_of_id else None,
        incident=incidents.linked_to(db, complaint_id=complaint.id), incident_link=incidents.may_read(roles),
        can_open_ticket=not complaint.ticket_id and complaint.status in workflow.OPEN and
        bool(roles & {"admin", *DESK} or services.is_handler(db, complaint, current_user.id)),
        **labels(), **extra), status


@bp.get("/complaints/<int:complaint_id>")
@logged_in
def complaint(complaint_id: int):
    """One complaint: who, what, its deadlines, its history, and the actions this user may take."""
    return complaint_page(*_load(complaint_id))


@bp.post("/complaints/<int:complaint_id>/act")
@logged_in
def act(complaint_id: int):
    """Assign, start, note, on site, reply or close (the page without JavaScript posts here)."""
    complaint, project, roles = _load(complaint_id)
    db, form = get_session(), request.form
    try:
        services.act(db, storage=storage(), actor=current_user, complaint=complaint, action=form.get("action", ""),
                     now=utcnow(), tz=current_app.config["TIMEZONE"], department_id=form.get("department_id"),
                     text=form.get("text", ""), photos=_photos(project))
    except (services.ComplaintError, PhotoError) as exc:
        db.rollback()
        db.refresh(complaint)
        return complaint_page(complaint, project, roles, getattr(exc, "status", 422), error=str(exc), form=form)
    db.commit()
    flash(_("投诉 %(number)s:%(status)s。", number=complaint.number,
            status=str(services.STATUS_LABELS[complaint.status])), "success")
    return back_to("complaints.complaint", complaint_id=complaint.id)


@bp.post("/complaints/<int:complaint_id>/ticket")
@logged_in
def open_ticket(complaint_id: int):
    """Open a repair ticket for what the complaint is about, linked to it."""
    complaint, project, roles = _load(complaint_id)
    db = get_session()
    try:
        ticket_id = services.open_repair(db, storage=storage(), actor=current_user, complaint=complaint, now=utcnow())
    except services.ComplaintError as exc:
        db.rollback()
        db.refresh(complaint)
        return complaint_page(complaint, project, roles, exc.status, error=exc.message)
    db.commit()
    flash(_("已开报修单。"), "success")
    return back_to("repairs.ticket", ticket_id=ticket_id)
