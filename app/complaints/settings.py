"""The supervisors' complaint setup: departments with their responsible users, and the project's deadlines."""
from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.services import members
from app.complaints import bp
from app.complaints.departments import (
    DepartmentError,
    ensure_departments,
    save_department,
    save_settings,
    setting_labels,
    users_by_department,
)
from app.complaints.services import settings_for
from app.core.db import get_session
from app.core.permissions import project_required
from app.core.views import back_to
from app.projects.models import Project


def _page(project: Project, status: int = 200, **extra):
    db = get_session()
    return render_template("complaints/setup.html", project=project, departments=ensure_departments(db, project.id),
                           users=users_by_department(db, project.id), people=members(db, project.id),
                           settings=settings_for(db, project.id), labels=setting_labels(), **extra), status


@bp.get("/projects/<int:project_id>/complaints/setup")
@project_required("supervisor")
def setup(project: Project):
    """Departments and deadlines of the project's complaints."""
    response = _page(project)
    get_session().commit()  # the default departments, added the first time
    return response


@bp.post("/projects/<int:project_id>/complaints/departments")
@project_required("supervisor")
def save_department_view(project: Project):
    """Add a department, or edit one (its name, whether in use, its responsible users)."""
    db, form = get_session(), request.form

    def save():
        department = _department(db, form.get("department_id"), project) if form.get("department_id") else None
        save_department(db, actor=current_user, project=project, department=department, name=form.get("name", ""),
                        user_ids=form.getlist("user_ids"), active=form.get("active", "1") == "1")

    return _saved(project, save)


def _saved(project: Project, save):
    """Run a setup change: saved and back to the setup page, or the page again with the refusal."""
    db = get_session()
    try:
        save()
    except DepartmentError as exc:
        db.rollback()
        return _page(project, exc.status, error=exc.message)
    db.commit()
    flash(_("已保存。"), "success")
    return back_to("complaints.setup", project_id=project.id)


def _department(db, raw, project):
    """The department a form names (one switched off too, to switch it on again), or a 404 refusal."""
    match = [d for d in ensure_departments(db, project.id) if str(d.id) == str(raw).strip()]
    if not match:
        raise DepartmentError(_("找不到这个部门。"), status=404)
    return match[0]


@bp.post("/projects/<int:project_id>/complaints/settings")
@project_required("supervisor")
def save_settings_view(project: Project):
    """The project's complaint deadlines."""
    return _saved(project, lambda: save_settings(get_session(), actor=current_user, project=project,
                                                 values=request.form))
