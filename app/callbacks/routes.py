"""The callback list (回访清单), recording a call, and the month's callback plan for complainants."""
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.callbacks import bp, services
from app.complaints.routes import labels
from app.complaints.workflow import DESK
from app.core import attention, home
from app.core.db import day_end, get_session, local, utcnow
from app.core.permissions import project_required
from app.core.refusal import Refusal
from app.core.storage import storage
from app.core.views import month_arg, safe_next
from app.projects.models import Project
from app.repairs.figures import month_bounds


@home.register
def _home_tasks(session, user, projects, roles):
    due = services.count_due(session, home.holding(roles, {"frontdesk", "supervisor", "admin"}), day_end(utcnow()))
    return {i: [home.Task(title=_("回访清单"), url=url_for("callbacks.callbacks", project_id=i),
                          detail=_("%(n)d 个待回访", n=n), urgent=True)] for i, n in due.items() if n}


@attention.register
def _attention(session, project_ids, now):
    """The callbacks due today, one line per project (a count: the list is the record)."""
    end, day = day_end(now), local(now).date().isoformat()

    def item(i, n):
        return attention.Item(
            key=f"callbacks.due:{i}:{day}", project_id=i, since=end - timedelta(days=1),
            title=ngettext("%(num)d 个回访今日到期", "%(num)d 个回访今日到期", n), level=str(n), urgency=attention.LOW,
            url=url_for("callbacks.callbacks", project_id=i), action=_("回访"))

    return [attention.later(f"callbacks.due:{i}:{day}", i, end - timedelta(days=1), attention.LOW, str(n),
                            lambda i=i, n=n: item(i, n))  # made only when shown
            for i, n in services.count_due(session, project_ids, end).items() if n]


def _page(project: Project, status: int = 200, **extra):
    now = utcnow()
    return render_template("callbacks/list.html", project=project, rows=services.due_list(get_session(), project.id, now),
                           now=now, **labels(), **extra), status


@bp.get("/projects/<int:project_id>/callback-list")
@project_required(*DESK)
def callbacks(project: Project):
    """Everything waiting for a callback: finished repairs and replied complaints, the earliest due first."""
    return _page(project)


@bp.post("/projects/<int:project_id>/callback-list/record")
@project_required(*DESK)
def record(project: Project):
    """Record one call: reached (with satisfaction 1-5 and a comment) or not (tried again later)."""
    db, form = get_session(), request.form
    try:
        services.record(db, storage=storage(), actor=current_user, project=project,
                        subject_type=form.get("subject_type", ""), subject_id=form.get("subject_id"),
                        reached=form.get("reached", "1") == "1", satisfaction=form.get("satisfaction"),
                        comment=form.get("comment", ""), now=utcnow(), tz=current_app.config["TIMEZONE"])
    except Refusal as exc:  # the callback's, or the ticket's or complaint's own (state, role)
        db.rollback()
        return _page(project, exc.status, error=exc.message)
    db.commit()
    flash(_("已保存回访。"), "success")
    return redirect(safe_next(form.get("next")) if form.get("next") else
                    url_for("callbacks.callbacks", project_id=project.id))


@bp.get("/projects/<int:project_id>/callback-plan")
@project_required(*DESK)
def plan(project: Project):
    """The month's complainants, for a courtesy callback (月度回访计划)."""
    year, month = month_arg(local(utcnow()).date())
    start, end = month_bounds(year, month, current_app.config["TIMEZONE"])
    return render_template("callbacks/plan.html", project=project, month=f"{year:04d}-{month:02d}",
                           rows=services.month_plan(get_session(), project.id, start, end), **labels())
