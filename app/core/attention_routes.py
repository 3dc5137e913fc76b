"""The supervisor's home, its live needs-attention list, acknowledging a line, and a project's own page."""
from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import attention, bp, home, overview
from app.core.db import get_session, utcnow
from app.core.permissions import logged_in, project_required
from app.core.views import is_htmx


@bp.get("/attention")
@logged_in
def attention_list():
    """The needs-attention list alone: the home polls it every 30 s while it is shown."""
    db = get_session()
    leads, _others, _roles = overview.supervised(db, current_user)
    project_id = request.args.get("project_id", type=int)
    if project_id is not None and project_id not in {p.id for p in leads}:
        abort(404)
    if not is_htmx():
        return redirect(url_for("core.project_today", project_id=project_id) if project_id else url_for("core.index"))
    return render_template("core/_attention.html", **overview.attention_context(db, leads, utcnow(),
                                                                                 project_id=project_id))


@bp.post("/projects/<int:project_id>/attention/ack")
@project_required("supervisor")  # and company admins, who pass every role check
def acknowledge(project):
    """Acknowledge one line: recorded (who, when, at which level) and gone until it gets worse."""
    db, now, only = get_session(), utcnow(), request.form.get("only", type=int)
    leads, _others, _roles = overview.supervised(db, current_user)
    attention.acknowledge(db, actor=current_user, project_id=project.id, key=request.form.get("key", ""),
                          level=request.form.get("level", ""), now=now, listed=1 if only else len(leads))
    db.commit()
    if not is_htmx():
        return redirect(url_for("core.project_today", project_id=only) if only else url_for("core.index"))
    return render_template("core/_attention.html", **overview.attention_context(db, leads, now, project_id=only))


@bp.get("/projects/<int:project_id>/today")
@project_required()
def project_today(project):
    """A project's own page: what needs attention there (for its supervisors) and the links of its home card."""
    db = get_session()
    roles = home.my_projects(db, current_user)[1]
    context = overview.attention_context(db, [project], utcnow(), project_id=project.id) \
        if roles.get(project.id, set()) & overview.LEADS else {}
    return render_template("core/project_today.html", project=project,
                           card=home.cards(db, current_user, [project], {project.id: roles.get(project.id, set())})[0],
                           **context)
