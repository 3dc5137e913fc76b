"""Projects, areas and checkpoints: lists, inline htmx editing, the QR label sheet."""
from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from app.core import home
from app.core.db import get_session
from app.core.permissions import (
    admin_required,
    can_see,
    has_role,
    load_or_404,
    logged_in,
    project_required,
    visible_projects_stmt,
)
from app.core.views import back_to, is_htmx
from app.projects import bp, services
from app.projects.models import Area, Checkpoint, Project
from app.reports.pdf import pdf_response, render_pdf

EDITORS = ("supervisor",)  # plus company admins, who pass every role check


def _can_edit(project: Project) -> bool:
    return has_role(get_session(), current_user, project, EDITORS)


def _project_context(project: Project, **extra) -> dict:
    db = get_session()
    checkpoints: dict[int, list[Checkpoint]] = {}
    for checkpoint, _area in services.checkpoints_of(db, project):
        checkpoints.setdefault(checkpoint.area_id, []).append(checkpoint)
    return {"project": project, "areas": services.areas_of(db, project), "checkpoints": checkpoints,
            "summary": services.project_summary(db, project), "can_edit": _can_edit(project), **extra}


@home.register
def _home_tasks(session, user, projects, roles):
    """Supervisors and admins keep the checkpoints and their labels up to date."""
    counts = services.area_counts(session, home.holding(roles, {"supervisor", "admin"}))
    return {i: [home.Task(title=_("区域与巡更点"), url=url_for("projects.detail", project_id=i),
                          detail=_("%(a)d 个区域,%(c)d 个巡更点", a=n["areas"], c=n["checkpoints"]))]
            for i, n in counts.items()}


@bp.get("/projects")
@logged_in
def index():
    """The projects the user can see."""
    projects = get_session().exec(visible_projects_stmt(current_user)).all()
    return render_template("projects/index.html", projects=projects, kinds=services.PROJECT_KINDS)


@bp.post("/projects")
@admin_required
def create():
    """Create a project (admins)."""
    form = request.form
    try:
        project = services.save_project(get_session(), actor=current_user, name=form.get("name", ""),
                                        kind=form.get("kind", ""), address=form.get("address", ""))
    except services.ProjectError as exc:
        projects = get_session().exec(visible_projects_stmt(current_user)).all()
        return render_template("projects/index.html", projects=projects, kinds=services.PROJECT_KINDS,
                               error=str(exc), form=form), 400
    return back_to("projects.detail", project_id=project.id)


@bp.get("/projects/<int:project_id>")
@project_required()
def detail(project: Project):
    """A project's areas and checkpoints; supervisors edit them in place."""
    return render_template("projects/detail.html", **_project_context(project))


@bp.post("/projects/<int:project_id>")
@project_required("admin")
def update(project: Project):
    """Rename, re-address or archive a project (admins)."""
    form = request.form
    try:
        services.save_project(get_session(), actor=current_user, project=project, name=form.get("name", ""),
                              kind=form.get("kind", ""), address=form.get("address", ""),
                              archived=bool(form.get("archived")),
                              keep_photo_location=bool(form.get("keep_photo_location")))
    except services.ProjectError as exc:
        return render_template("projects/detail.html", **_project_context(project, error=str(exc))), 400
    flash(_("已保存。"), "success")
    return back_to("projects.detail", project_id=project.id)


# -- areas ------------------------------------------------------------------------------------

def _area_fragment(area: Area, status: int = 200, **extra):
    db = get_session()
    project = db.get(Project, area.project_id)
    checkpoints = db.exec(select(Checkpoint).where(Checkpoint.area_id == area.id).order_by(Checkpoint.name)).all()
    return render_template("projects/_area.html", area=area, project=project, checkpoints=checkpoints,
                           can_edit=_can_edit(project), **extra), status


@bp.post("/projects/<int:project_id>/areas")
@project_required(*EDITORS)
def create_area(project: Project):
    """Add an area to a project."""
    try:
        area = services.save_area(get_session(), actor=current_user, project=project, name=request.form.get("name", ""))
    except services.ProjectError as exc:
        if is_htmx():
            return render_template("projects/_area_new.html", project=project, error=str(exc)), 400
        flash(str(exc), "error")
        return back_to("projects.detail", project_id=project.id)
    if is_htmx():
        return _area_fragment(area, created=True)
    return back_to("projects.detail", project_id=project.id)


@bp.get("/areas/<int:area_id>")
@logged_in
def area(area_id: int):
    """One area with its checkpoints (the fragment an inline edit returns to)."""
    return _area_fragment(load_or_404(Area, area_id))


@bp.get("/areas/<int:area_id>/edit")
@logged_in
def edit_area(area_id: int):
    """The inline form to rename an area."""
    area = load_or_404(Area, area_id, *EDITORS)
    return render_template("projects/_area_form.html", area=area)


@bp.post("/areas/<int:area_id>")
@logged_in
def update_area(area_id: int):
    """Rename an area."""
    area = load_or_404(Area, area_id, *EDITORS)
    db = get_session()
    try:
        services.save_area(db, actor=current_user, project=db.get(Project, area.project_id), area=area,
                           name=request.form.get("name", ""))
    except services.ProjectError as exc:
        return render_template("projects/_area_form.html", area=area, error=str(exc)), 400
    return _area_fragment(area) if is_htmx() else back_to("projects.detail", project_id=area.project_id)


@bp.post("/areas/<int:area_id>/delete")
@logged_in
def delete_area(area_id: int):
    """Delete an empty area."""
    area = load_or_404(Area, area_id, *EDITORS)
    project_id = area.project_id
    try:
        services.delete_area(get_session(), actor=current_user, area=area)
    except services.ProjectError as exc:
        if is_htmx():
            return _area_fragment(area, 400, error=str(exc))
        flash(str(exc), "error")
    return ("", 200) if is_htmx() else back_to("projects.detail", project_id=project_id)


# -- checkpoints ------------------------------------------------------------------------------

def _checkpoint_form(checkpoint: Checkpoint, status: int = 200, **extra):
    areas = services.areas_of(get_session(), get_session().get(Project, checkpoint.project_id))
    return render_template("projects/_checkpoint_form.html", checkpoint=checkpoint, areas=areas, **extra), status


def _checkpoint_fields(form) -> dict:
    return {key: form.get(key, "") for key in ("area_id", "name", "note", "latitude", "longitude")}


@bp.post("/projects/<int:project_id>/checkpoints")
@project_required(*EDITORS)
def create_checkpoint(project: Project):
    """Add a checkpoint to an area; its QR code is generated."""
    db = get_session()
    try:
        checkpoint = services.save_checkpoint(db, actor=current_user, project=project, **_checkpoint_fields(request.form))
    except services.ProjectError as exc:
        area = db.get(Area, request.form.get("area_id", type=int) or 0)
        if is_htmx() and area is not None and area.project_id == project.id:
            return _area_fragment(area, 400, error=str(exc), form=request.form)
        flash(str(exc), "error")
        return back_to("projects.detail", project_id=project.id)
    if is_htmx():
        return _area_fragment(db.get(Area, checkpoint.area_id))
    return back_to("projects.detail", project_id=project.id)


@bp.get("/checkpoints/<int:checkpoint_id>")
@logged_in
def checkpoint(checkpoint_id: int):
    """One checkpoint row (the fragment an inline edit returns to)."""
    checkpoint = load_or_404(Checkpoint, checkpoint_id)
    project = get_session().get(Project, checkpoint.project_id)
    return render_template("projects/_checkpoint.html", checkpoint=checkpoint, can_edit=_can_edit(project))


@bp.get("/checkpoints/<int:checkpoint_id>/edit")
@logged_in
def edit_checkpoint(checkpoint_id: int):
    """The inline form to edit a checkpoint."""
    return _checkpoint_form(load_or_404(Checkpoint, checkpoint_id, *EDITORS))


@bp.post("/checkpoints/<int:checkpoint_id>")
@logged_in
def update_checkpoint(checkpoint_id: int):
    """Save a checkpoint's name, area, note and position."""
    checkpoint = load_or_404(Checkpoint, checkpoint_id, *EDITORS)
    db = get_session()
    old_area = checkpoint.area_id
    try:
        services.save_checkpoint(db, actor=current_user, project=db.get(Project, checkpoint.project_id),
                                 checkpoint=checkpoint, **_checkpoint_fields(request.form))
    except services.ProjectError as exc:
        return _checkpoint_form(checkpoint, 400, error=str(exc), form=request.form)
    if not is_htmx():
        return back_to("projects.detail", project_id=checkpoint.project_id)
    if checkpoint.area_id != old_area:  # moved: both areas change; reload the list
        response = Response("")
        response.headers["HX-Refresh"] = "true"
        return response
    return render_template("projects/_checkpoint.html", checkpoint=checkpoint, can_edit=True)


@bp.post("/checkpoints/<int:checkpoint_id>/delete")
@logged_in
def delete_checkpoint(checkpoint_id: int):
    """Delete a checkpoint (its label stops working)."""
    checkpoint = load_or_404(Checkpoint, checkpoint_id, *EDITORS)
    project_id = checkpoint.project_id
    services.delete_checkpoint(get_session(), actor=current_user, checkpoint=checkpoint)
    return ("", 200) if is_htmx() else back_to("projects.detail", project_id=project_id)


@bp.get("/projects/<int:project_id>/labels.pdf")
@project_required(*EDITORS)
def labels(project: Project):
    """An A4 sheet of QR labels to print and fix at the checkpoints (optionally one area's)."""
    db = get_session()
    rows = services.checkpoints_of(db, project)
    area_id = request.args.get("area_id", type=int)
    if area_id:
        rows = [(c, a) for c, a in rows if a.id == area_id]
    base = current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")
    labels = [{"checkpoint": c, "area": a, "qr": services.qr_png(base + url_for("projects.scan", code=c.code))}
              for c, a in rows]
    return pdf_response(render_pdf("reports/checkpoint_labels.html", project=project, labels=labels),
                        f"labels-{project.id}.pdf")


@bp.get("/c/<code>")
@logged_in
def scan(code: str):
    """Where a checkpoint's QR label leads when scanned with a phone's own camera."""
    db = get_session()
    checkpoint = db.exec(select(Checkpoint).where(Checkpoint.code == code.strip().upper()[:32])).first()
    project = db.get(Project, checkpoint.project_id) if checkpoint else None
    if project is None or not can_see(db, current_user, project):
        return render_template("errors/error.html", code=404, title=_("未知巡更点"),
                               message=_("这个二维码不是您所在项目的巡更点。")), 404
    return redirect(url_for("projects.detail", project_id=project.id, _anchor=f"checkpoint-{checkpoint.id}"))
