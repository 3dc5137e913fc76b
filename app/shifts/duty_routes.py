"""Guards' duty: the guard's duty page (clock in, duty log, hand-over), the supervisor's duty board over all
their projects, settling a hand-over's difference, and what of it needs the supervisor's attention."""
from datetime import timedelta

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.services import users_by_id
from app.core import attention, home
from app.core.db import get_session, local, utcnow
from app.core.formatting import starter
from app.core.permissions import load_or_404, logged_in, project_required
from app.core.views import back_to, render
from app.projects.models import Project
from app.projects.services import projects_by_id
from app.shifts import bp, duty, records, services
from app.shifts.models import DutyHandover
from app.shifts.routes import SUPERVISORS, submit_form


@home.register
def _home_tasks(session, user, projects, roles):
    guarding = home.holding(roles, set(records.GUARDS))
    on_duty = services.posts_on_duty(session, user=user, project_ids=guarding, at=utcnow())
    to_receive = duty.waiting_counts(session, guarding)
    tasks = {}
    for i in guarding:
        detail = _("在岗:%(post)s", post=on_duty[i].name) if i in on_duty else _("未上岗")
        if to_receive.get(i):
            detail += " · " + ngettext("%(n)d 次交班待确认", "%(n)d 次交班待确认", to_receive[i], n=to_receive[i])
        tasks[i] = [home.Task(title=_("我的值班"), url=url_for("shifts.my_duty", project_id=i), detail=detail,
                              urgent=bool(to_receive.get(i)))]
    return tasks


def _duty_context(project: Project) -> dict:
    db, now = get_session(), utcnow()
    current = services.open_attendance(db, user=current_user, project=project, at=now)
    row = services.rows_of(db, [current])[0] if current else None
    patterns = services.patterns_of(db, project, active_only=True)
    matters = services.open_matters(db, project)
    waiting = duty.waiting_handovers(db, project)
    handed = duty.handover_of(db, current)
    return {"project": project, "current": row, "now": now, "rendered_ms": int(now.timestamp() * 1000),
            "posts": [p for p in services.posts_of(db, project, active_only=True) if p.kind in duty.GUARD_KINDS],
            "patterns": patterns, "suggested": services.pattern_now(patterns, now),
            "events": services.with_photos(db, services.events_of(db, [current.id]) if current else []),
            "matters": matters, "people": users_by_id(db, [u for m in matters for u in (m.raised_by, m.acknowledged_by)]),
            "equipment": duty.equipment_of(db, [row.post.id]).get(row.post.id, []) if row else [],
            "to_receive": [r for r in waiting if r.handover.status == "handed" and r.handover.handed_by != current_user.id],
            "handed": duty.handover_rows(db, [handed])[0] if handed else None,
            "record_action": url_for("shifts.my_duty_post", project_id=project.id)}


@bp.get("/projects/<int:project_id>/duty")
@project_required(*records.GUARDS)
def my_duty(project: Project):
    """The guard's duty on the phone: clock in/out, the duty log, matters, hand-over and taking over; offline."""
    return render("shifts/duty.html", **_duty_context(project))


@bp.post("/projects/<int:project_id>/duty")
@project_required(*records.GUARDS)
def my_duty_post(project: Project):
    """The same forms without JavaScript."""
    return submit_form(project, "shifts.my_duty", "shifts/duty.html", _duty_context)


# -- the supervisor's duty board over their projects ------------------------------------------

def _board_rows(db, project_ids: list[int]) -> list[dict]:
    """Per project: each active post with who holds it now; the hand-overs waiting or differing."""
    now = utcnow()
    projects = projects_by_id(db, project_ids)
    holders = duty.holders(db, project_ids, now=now)
    waiting = duty.handover_rows(db, duty.waiting_of(db, project_ids))
    rows = {i: {"project": projects[i], "posts": [], "handovers": []} for i in project_ids if i in projects}
    for post in duty.active_posts(db, project_ids):
        rows[post.project_id]["posts"].append((post, holders.get(post.id, [])))
    for r in waiting:
        rows[r.handover.project_id]["handovers"].append(r)
    return [r for r in rows.values() if r["posts"]]


@bp.get("/duty")
@logged_in
def duty_board():
    """Who holds which post now in every project the supervisor answers for; gaps and hand-overs waiting."""
    db = get_session()
    _projects, roles = home.my_projects(db, current_user)
    ids = home.holding(roles, {*SUPERVISORS, "admin"})
    if not ids:  # a guard who typed /duty goes to their own duty; nobody else may see the board
        guarding = home.holding(roles, set(records.GUARDS))
        if not guarding:
            abort(403)
        return redirect(url_for("shifts.my_duty", project_id=guarding[0]))
    return render("shifts/duty_board.html", rows=_board_rows(db, ids), now=utcnow(), local=local,
                  kinds=services.post_kind_labels())


@bp.post("/duty/handovers/<int:handover_id>/settle")
@logged_in
def settle_handover(handover_id: int):
    """A supervisor closes a hand-over's difference with what was found or done."""
    handover = load_or_404(DutyHandover, handover_id, *SUPERVISORS)
    duty.settle(get_session(), actor=current_user, handover=handover, note=request.form.get("note", ""), at=utcnow())
    flash(_("已处理交接班差异。"), "success")
    return back_to("shifts.board", project_id=handover.project_id)


# -- the attention list -----------------------------------------------------------------------

@attention.register
def _attention(session, project_ids, now):
    """Hand-overs with a difference, hand-overs nobody took over after a while, round-the-clock posts uncovered."""
    minutes = current_app.config["DUTY_ATTENTION_MINUTES"]
    items = []
    for handover, post in duty.differing(session, project_ids):
        items.append(attention.Item(
            key=f"shifts.handover-differs:{handover.id}", project_id=handover.project_id, urgency=attention.HIGH,
            title=_("交接班有差异:%(note)s", note=handover.receive_note), since=handover.received_at, place=starter(post.name),
            url=url_for("shifts.board", project_id=handover.project_id, _anchor=f"duty-handover-{handover.id}"),
            action=_("处理差异")))
    for handover, post in duty.unreceived(session, project_ids, before=now - timedelta(minutes=minutes)):
        items.append(attention.Item(
            key=f"shifts.handover-unreceived:{handover.id}", project_id=handover.project_id,
            title=_("交班无人确认接班"), since=handover.handed_at, place=starter(post.name),
            url=url_for("shifts.board", project_id=handover.project_id, _anchor=f"duty-handover-{handover.id}")))
    for post, left_at in duty.uncovered(session, project_ids, now=now, grace=timedelta(minutes=minutes)):
        items.append(attention.Item(
            key=f"shifts.post-uncovered:{post.id}:{left_at.isoformat() if left_at else ''}",
            project_id=post.project_id, urgency=attention.HIGH, title=_("岗位无人值守"), since=left_at or now,
            place=starter(post.name), url=url_for("shifts.duty_board")))
    return items
