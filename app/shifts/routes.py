"""Sales-centre shifts: the attendant's my-shift page, the supervisor's board, and their set-up."""
import uuid

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.services import users_by_id
from app.core import attention, home
from app.core.db import get_session, utcnow
from app.core.permissions import load_or_404, logged_in, project_required, project_roles
from app.core.storage import storage
from app.core.views import back_to, is_htmx, render
from app.handovers import board as handovers
from app.projects.models import Project
from app.projects.services import get_project
from app.shifts import bp, duty, records, services, water
from app.shifts.models import Matter, RestockRequest
from app.sync.services import RecordRefused, accept

SUPERVISORS = ("supervisor",)


@home.register
def _home_tasks(session, user, projects, roles):
    tasks, attending = {}, home.holding(roles, {"attendant"})
    on_duty = services.posts_on_duty(session, user=user, project_ids=attending, at=utcnow())
    to_acknowledge = services.matters_to_acknowledge(session, attending, user=user)
    for i in attending:
        waiting = to_acknowledge.get(i, 0)
        detail = _("在岗:%(post)s", post=on_duty[i].name) if i in on_duty else _("未上岗")
        if waiting:
            detail += " · " + ngettext("%(n)d 个交接事项待确认", "%(n)d 个交接事项待确认", waiting, n=waiting)
        tasks[i] = [home.Task(title=_("我的班次"), url=url_for("shifts.my_shift", project_id=i),
                              detail=detail, urgent=bool(waiting))]
    leads = services.with_posts(session, home.holding(roles, {"supervisor", "admin"}))
    pending = services.pending_restocks(session, list(leads))
    for i in leads:
        n = pending.get(i, 0)
        tasks.setdefault(i, []).append(home.Task(
            title=_("案场值班"), url=url_for("shifts.board", project_id=i),
            detail=ngettext("%(n)d 个补货申请待审批", "%(n)d 个补货申请待审批", n, n=n), urgent=bool(n)))
    return tasks


@attention.register
def _attention(session, project_ids, now):
    """Restock requests waiting for the supervisor's decision (审批, one tap to the board's list)."""
    rows = water.pending_in(session, project_ids)
    people = users_by_id(session, {r.requested_by for r, _item in rows if r.requested_by})

    def one(row):
        r, item = row
        return attention.Item(
            key=f"shifts.restock:{r.id}", project_id=r.project_id, since=r.requested_at, urgency=attention.LOW,
            title=_("补货申请待审批:%(item)s", item=item.name),
            detail=_("%(name)s 申请", name=people[r.requested_by].display_name) if r.requested_by in people else "",
            url=url_for("shifts.board", project_id=r.project_id) + f"#restock-{r.id}", action=_("审批"))

    def many(project_id, group):
        return attention.Item(
            key=f"shifts.restock:project:{project_id}", project_id=project_id, since=group[0][0].requested_at,
            title=ngettext("%(n)d 个补货申请待审批", "%(n)d 个补货申请待审批", len(group), n=len(group)),
            detail="、".join(item.name for _r, item in group[:4]), level=str(group[-1][0].id), urgency=attention.LOW,
            url=url_for("shifts.board", project_id=project_id) + "#restock-requests", action=_("审批"))

    return attention.fold(rows, project_of=lambda row: row[0].project_id, one=one, many=many,
                          limit=attention.fold_at(project_ids))


def _my_shift_context(project: Project) -> dict:
    db, now = get_session(), utcnow()
    current = services.open_attendance(db, user=current_user, project=project, at=now)
    row = services.rows_of(db, [current])[0] if current else None
    events = services.events_of(db, [current.id]) if current else []
    matters = services.open_matters(db, project)
    patterns = services.patterns_of(db, project, active_only=True)
    return {"project": project, "current": row, "events": services.with_photos(db, events),
            "matters": matters, "people": _matter_people(db, matters),
            "posts": [p for p in services.posts_of(db, project, active_only=True) if p.kind == "sales"],
            "patterns": patterns, "suggested": services.pattern_now(patterns, now),
            "record_action": url_for("shifts.my_shift_post", project_id=project.id),
            "sheet": water.day_sheet(db, project, services.local_day(now)), "local": services.local,
            "rendered_ms": int(now.timestamp() * 1000)}


@bp.get("/projects/<int:project_id>/my-shift")
@project_required(*records.ATTENDANTS)
def my_shift(project: Project):
    """The attendant's shift on the phone: clock in/out, counter, events, matters, water bar; works offline."""
    return render("shifts/my_shift.html", **_my_shift_context(project))


def submit_form(project: Project, endpoint: str, template: str, context):
    """A shift page's form without JavaScript: one record through the outbox's exactly-once path; the page
    again with the refusal, or back to it."""
    kind = request.form.get("kind", "")
    if kind not in records.LABELS:
        abort(400)
    try:
        client_id = str(uuid.UUID(request.form.get("client_id", "")))
    except ValueError:
        client_id = str(uuid.uuid4())
    data = {k: v for k, v in request.form.items() if k not in ("csrf_token", "client_id", "kind")}
    files = [(f"photo~{n}.jpg", f.read()) for n, f in enumerate(request.files.getlist("photo"), 1) if f.filename]
    envelope = {"kind": kind, "project_id": project.id, "client_time": utcnow().isoformat(), "data": data}
    try:
        accept(get_session(), storage(), user=current_user, client_id=client_id, envelope=envelope, files=files,
               photo_max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    except RecordRefused as exc:
        return render(template, status=exc.status, error=exc.message, **context(project))
    flash(_("已保存:%(what)s。", what=records.LABELS[kind]), "success")
    return back_to(endpoint, project_id=project.id)


@bp.post("/projects/<int:project_id>/my-shift")
@project_required(*records.ATTENDANTS)
def my_shift_post(project: Project):
    """The same forms without JavaScript."""
    return submit_form(project, "shifts.my_shift", "shifts/my_shift.html", _my_shift_context)


def _matter_people(db, matters) -> dict:
    """Who raised and who acknowledged each matter, for its row (shifts/_matter.html)."""
    return users_by_id(db, [u for m in matters for u in (m.raised_by, m.acknowledged_by)])


# -- the supervisor's board -------------------------------------------------------------------

def _board_context(project: Project) -> dict:
    db = get_session()
    matters = services.open_matters(db, project)
    return {"project": project, "occupancy": services.occupancy(db, project), "matters": matters,
            "people": _matter_people(db, matters),
            "requests": water.pending_requests(db, project), "levels": water.stock_levels(db, project),
            "local": services.local, "today": services.local_day(utcnow()), "now": utcnow(),
            "rooms": handovers.rooms_status(db, project=project),
            "handovers": duty.waiting_handovers(db, project)}


@bp.get("/projects/<int:project_id>/shifts")
@project_required(*SUPERVISORS)
def board(project: Project):
    """Who is on which post now, the sample rooms' last handovers, open matters, pending restock requests."""
    return render("shifts/board.html", **_board_context(project))


@bp.post("/matters/<int:matter_id>/close")
@logged_in
def close_matter(matter_id: int):
    """Close an open matter (a supervisor at any time; an attendant once it was acknowledged)."""
    matter = load_or_404(Matter, matter_id, *SUPERVISORS, *records.ATTENDANTS)
    db = get_session()
    project = get_project(db, matter.project_id)
    supervising = bool(project_roles(project) & {"supervisor", "admin"})
    try:
        services.close_matter(db, user=current_user, matter=matter, note=request.form.get("note", ""), at=utcnow(),
                              supervising=supervising)
    except services.ShiftError as exc:
        db.rollback()
        if supervising:
            return render("shifts/board.html", "shifts/_matters.html", status=exc.status, matter_error=exc.message,
                          **_board_context(project))
        return render("shifts/my_shift.html", status=exc.status, error=exc.message, **_my_shift_context(project))
    if is_htmx() and supervising:
        return render("shifts/board.html", "shifts/_matters.html", **_board_context(project))
    flash(_("事项已关闭。"), "success")
    return redirect(url_for("shifts.board" if supervising else "shifts.my_shift", project_id=project.id))


@bp.post("/restock/<int:request_id>/decide")
@logged_in
def decide_restock(request_id: int):
    """Approve a restock request, or decline it with a reason."""
    restock = load_or_404(RestockRequest, request_id, *SUPERVISORS)
    db = get_session()
    project = get_project(db, restock.project_id)
    try:
        water.decide(db, actor=current_user, restock=restock, approve=request.form.get("decision") == "approve",
                     reason=request.form.get("reason", ""), at=utcnow())
    except services.ShiftError as exc:
        db.rollback()
        return render("shifts/board.html", "shifts/_restock.html", status=exc.status, restock_error=exc.message,
                      **_board_context(project))
    if is_htmx():
        return render("shifts/board.html", "shifts/_restock.html", **_board_context(project))
    flash(_("已处理补货申请。"), "success")
    return back_to("shifts.board", project_id=project.id)

