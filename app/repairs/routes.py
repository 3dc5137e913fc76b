"""Reporting repair tickets (also offline, through the outbox) and reading them."""
import uuid

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.services import members, users_by_id
from app.core import attention, home, today
from app.core.db import get_session, utcnow
from app.core.permissions import load_or_404, logged_in, project_required, project_roles
from app.core.photos import FORM_PHOTOS, PhotoError, photos_of, pixel_budget, process_all
from app.core.storage import storage
from app.core.views import back_to, render
from app.incidents import services as incidents
from app.projects.services import areas_of, get_project
from app.repairs import bp, records, services, workflow  # noqa: F401  (records registers the sync kinds)
from app.repairs.models import Ticket
from app.sync.services import RecordRefused, accept

READERS = ("supervisor", "engineer", "frontdesk")


@home.register
def _home_tasks(session, user, projects, roles):
    leads, engineers = home.holding(roles, {"supervisor", "frontdesk", "admin"}), home.holding(roles, {"engineer"})
    to_dispatch = services.ticket_counts(session, leads, services.TO_DISPATCH)
    mine = services.ticket_counts(session, engineers, services.ENGINEER_STATES, assignee_id=user.id)
    waiting = services.ticket_counts(session, home.holding(roles, {"supervisor", "attendant", "admin"}),
                                     ("awaiting_callback",))
    tasks = {p.id: [home.Task(title=_("报修 / 异常上报"), url=url_for("repairs.report_form", project_id=p.id))]
             for p in projects}
    for i in leads:
        n = to_dispatch.get(i, 0)
        tasks[i].append(home.Task(title=_("报修工单"), url=url_for("repairs.tickets", project_id=i),
                                  detail=_("%(n)d 个待派单", n=n), urgent=bool(n)))
    for i in engineers:
        n = mine.get(i, 0)
        tasks[i].append(home.Task(title=_("我的工单"), url=url_for("repairs.my_tickets"),
                                  detail=_("%(n)d 个待处理", n=n), urgent=bool(n)))
    for i, n in waiting.items():
        tasks[i].append(home.Task(title=_("待回访"), url=url_for("repairs.callbacks", project_id=i),
                                  detail=_("%(n)d 个", n=n)))
    return tasks


def _overdue(session, project_ids, now) -> dict:
    """The page's overdue counts per project, read once for the list and the today table."""
    cached = g.setdefault("repairs_overdue", {})
    if (tuple(project_ids), now) not in cached:
        cached[(tuple(project_ids), now)] = services.overdue_counts(session, project_ids, now)
    return cached[(tuple(project_ids), now)]


@attention.register
def _attention(session, project_ids, now):
    """Tickets past their dispatch target (派单, one tap to the form) or their completion target: one line each in
    a project with at most `fold_at` of them (read whole), else one line that counts them (counted in the
    database)."""
    counts = _overdue(session, project_ids, now)
    alone = [i for i, n in counts.items() if n.count <= attention.fold_at(project_ids)]
    services.add_spans(session, {i: n for i, n in counts.items() if i not in alone}, now)
    rows = services.overdue_in(session, alone, now)
    people = users_by_id(session, {t.assignee_id for t, _c in rows if t.assignee_id})

    def one(t, state):  # made only when shown
        return attention.later(f"repairs.overdue:{t.id}", t.project_id, state.due,
                               attention.HIGH if t.urgent or state.what == "dispatch" else attention.NORMAL,
                               state.what, lambda: item(t, state))

    def item(t, state):
        return attention.Item(
            key=f"repairs.overdue:{t.id}", project_id=t.project_id, since=state.due, level=state.what,
            title=_("工单 %(number)s 超时未派单", number=t.number) if state.what == "dispatch"
            else _("工单 %(number)s 超时未完成", number=t.number),
            detail=t.description[:60], place=t.location or t.unit_label,
            holder=people[t.assignee_id].display_name if t.assignee_id in people else "",
            url=url_for("repairs.ticket", ticket_id=t.id) + ("#dispatch" if state.what == "dispatch" else ""),
            action=_("派单") if state.what == "dispatch" else "",
            urgency=attention.HIGH if t.urgent or state.what == "dispatch" else attention.NORMAL)

    def many(project_id, n):  # made only when shown
        return attention.later(f"repairs.overdue:project:{project_id}", project_id, n.first_due, attention.HIGH,
                               f"{n.count}:{n.last_due}", lambda: count(project_id, n))

    def count(project_id, n):
        shown = services.shown
        parts = ([ngettext("%(count)s 张超时未派单", "%(count)s 张超时未派单", n.dispatch, count=shown(n.dispatch))]
                 if n.dispatch else []) + \
                ([ngettext("%(count)s 张超时未完成", "%(count)s 张超时未完成", n.completion, count=shown(n.completion))]
                 if n.completion else [])
        return attention.Item(
            key=f"repairs.overdue:project:{project_id}", project_id=project_id, urgency=attention.HIGH,
            title=ngettext("超时工单 %(count)s 张", "超时工单 %(count)s 张", n.count, count=shown(n.count)),
            detail=" · ".join(parts),
            since=n.first_due, level=f"{n.count}:{n.last_due}", url=url_for("repairs.tickets", project_id=project_id, show="open"))

    return [one(t, state) for t, state in rows] + [many(i, n) for i, n in counts.items() if i not in alone]


@today.register(today.Column("tickets", _l("工单"), 20, _l("未关闭 / 超时")))
def _today_figures(session, project_ids, now):
    """Open / past a target, each counted to CAP + 1 ("999+")."""
    late = {i: n.count for i, n in _overdue(session, project_ids, now).items()}
    open_ = services.capped_counts(session, project_ids, workflow.OPEN)
    shown = services.shown
    return {i: {"tickets": today.Cell(f"{shown(n)}/{shown(late.get(i, 0))}", sort=late.get(i, 0) * 10000 + n,
                                      alert=bool(late.get(i)))}
            for i, n in open_.items()}


def _form_page(project, status: int = 200, **extra):
    return render_template("repairs/report.html", project=project, areas=areas_of(get_session(), project),
                           categories=services.settings_for(get_session(), project.id).categories, **extra), status


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
                "data": {key: form.get(key, "") for key in ("description", "location", "area_id", "category",
                                                            "severity", "urgent")}}
    files = [(f.filename, f.read()) for f in request.files.getlist("photos") if f.filename]
    try:
        answer, _replayed = accept(get_session(), storage(), user=current_user, client_id=client_id,
                                   envelope=envelope, files=files,
                                   photo_max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    except RecordRefused as exc:
        return _form_page(project, exc.status, error=exc.message, form=form)
    flash(_("已提交报修 %(number)s。", number=answer["number"]), "success")
    return redirect(answer["url"])


TICKET_FILTERS = {"open": workflow.OPEN, "callback": ("awaiting_callback",), "closed": ("closed",),
                  "cancelled": ("cancelled",)}
PAGE_SIZE = 50


@bp.get("/projects/<int:project_id>/tickets")
@project_required(*READERS, "attendant")
def tickets(project):
    """The project's tickets, filtered and paged; overdue ones stand out."""
    db = get_session()
    show = request.args.get("show", "open")
    page = max(1, request.args.get("page", 1, type=int))
    stmt = services.tickets_stmt(project, statuses=TICKET_FILTERS.get(show), category=request.args.get("category"))
    rows = db.exec(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    settings = services.settings_for(db, project.id)
    now = utcnow()
    return render("repairs/tickets.html", "repairs/_ticket_rows.html", project=project, show=show, page=page,
                  tickets=[(t, services.clock(t, settings, now)) for t in rows[:PAGE_SIZE]], more=len(rows) > PAGE_SIZE,
                  categories=settings.categories, category=request.args.get("category", ""),
                  my_roles=project_roles(project), **_labels())


def _labels() -> dict:
    return {"status_labels": {k: str(v) for k, v in services.STATUS_LABELS.items()},
            "channel_labels": {k: str(v) for k, v in services.CHANNEL_LABELS.items()},
            "severity_labels": {"minor": _("小修"), "medium": _("中修"), "major": _("大修")}}


def _ticket_page(ticket: Ticket, status: int = 200, **extra):
    db = get_session()
    project = get_project(db, ticket.project_id)
    roles = project_roles(project)
    actions = [a for a in workflow.TRANSITIONS
               if not workflow.refusal(a, ticket.status, roles, ticket.assignee_id == current_user.id)]
    people = users_by_id(db, (ticket.reporter_id, ticket.assignee_id, ticket.dispatched_by))
    area = next((a for a in areas_of(db, project) if a.id == ticket.area_id), None)
    contact = services.reporter_contact(ticket, roles=roles, user_id=current_user.id)
    return render_template(
        "repairs/ticket.html", ticket=ticket, project=project, people=people, actions=actions, contact=contact,
        engineers=members(db, project.id, ("engineer",)), area=area, photos=photos_of(db, "ticket", ticket.id),
        after_photos=photos_of(db, "ticket_after", ticket.id), work_photos=photos_of(db, "ticket_work", ticket.id),
        clock=services.clock(ticket, services.settings_for(db, project.id), utcnow()),
        finish_needs=services.finish_needs(), incident=incidents.linked_to(db, ticket_id=ticket.id),
        incident_link=incidents.may_read(roles), **_labels(), **extra), status


@bp.get("/tickets/<int:ticket_id>")
@logged_in
def ticket(ticket_id: int):
    """One ticket: what, where, its photos, its clock, and the actions this user may take."""
    return _ticket_page(load_or_404(Ticket, ticket_id))


def _uploaded_photos(ticket: Ticket) -> list:
    """The form's photos, processed; PhotoError for the first one that is not a usable photo."""
    keep_location = get_project(get_session(), ticket.project_id).keep_photo_location
    return process_all([upload.read() for upload in request.files.getlist("photos") if upload.filename],
                       max_bytes=current_app.config["PHOTO_MAX_BYTES"], keep_location=keep_location,
                       max_pixels=pixel_budget(FORM_PHOTOS))


@bp.post("/tickets/<int:ticket_id>/act")
@logged_in
def act(ticket_id: int):
    """Dispatch, start, finish, return, call back or cancel (the page without JavaScript posts here)."""
    ticket = load_or_404(Ticket, ticket_id)
    form = request.form
    try:
        photos = _uploaded_photos(ticket)
        services.act(get_session(), storage=storage(), actor=current_user, ticket=ticket,
                     action=form.get("action", ""), now=utcnow(), assignee_id=form.get("assignee_id"),
                     reason=form.get("reason", ""),
                     work_note=form.get("work_note", ""), materials=form.get("materials", ""), photos=photos,
                     reached=form.get("reached", "1") == "1", satisfaction=form.get("satisfaction"),
                     comment=form.get("comment", ""))
    except (services.TicketError, PhotoError) as exc:
        get_session().rollback()
        get_session().refresh(ticket)
        return _ticket_page(ticket, getattr(exc, "status", 422), error=str(exc), form=form,
                            page_url=url_for("repairs.ticket", ticket_id=ticket.id))
    get_session().commit()
    flash(_("工单 %(number)s:%(status)s。", number=ticket.number, status=str(services.STATUS_LABELS[ticket.status])),
          "success")
    return back_to("repairs.ticket", ticket_id=ticket.id)


@bp.route("/projects/<int:project_id>/repairs/settings", methods=["GET", "POST"])
@project_required("supervisor")
def repair_settings(project):
    """The project's service targets and ticket categories."""
    db = get_session()
    error = None
    if request.method == "POST":
        try:
            services.save_settings(db, actor=current_user, project=project, values=request.form,
                                   categories=request.form.get("categories", ""))
        except services.TicketError as exc:
            db.rollback()
            error = exc.message
        else:
            flash(_("已保存。"), "success")
            return back_to("repairs.repair_settings", project_id=project.id)
    return render_template("repairs/settings.html", project=project, settings=services.settings_for(db, project.id),
                           labels=services.SETTING_LABELS, form=request.form if error else None,
                           error=error), 400 if error else 200


@bp.get("/my-tickets")
@logged_in
def my_tickets():
    """An engineer's open tickets, the most urgent first."""
    rows = services.my_tickets(get_session(), current_user, utcnow())
    return render_template("repairs/my_tickets.html", tickets=rows, **_labels())


@bp.get("/projects/<int:project_id>/callbacks")
@project_required("supervisor", "attendant")
def callbacks(project):
    """Tickets waiting for the call to the reporter."""
    db = get_session()
    rows = db.exec(services.tickets_stmt(project, statuses=("awaiting_callback",))).all()
    return render_template("repairs/callbacks.html", project=project, tickets=rows, **_labels())
