"""The units and owners pages (房屋档案): the list, the type-ahead every intake form uses, add/edit, CSV import."""
from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import get_session
from app.core.permissions import load_or_404, logged_in, project_required, project_roles
from app.core.views import back_to, is_htmx, render
from app.frontdesk import bp, importing, units
from app.frontdesk.models import Unit
from app.projects.services import get_project

PAGE_SIZE = 50


def _shown(db, project, rows, roles=None) -> dict:
    """What a unit list shows: each unit's occupants, and the phones as this reader may see them."""
    roles = roles if roles is not None else project_roles(project)
    return {"occupants": units.occupants_of(db, [u.id for u in rows]), "roles": roles,
            "phone": lambda value: units.shown_phone(value, roles), "may_edit": bool(roles & {*units.EDITORS, "admin"})}


@bp.get("/projects/<int:project_id>/units")
@project_required()
def unit_list(project):
    """The project's units and owners, searched by room number; phones masked for roles that do not call."""
    db = get_session()
    page = max(1, request.args.get("page", 1, type=int))
    query = request.args.get("q", "")
    rows = db.exec(units.units_stmt(db, project.id, query).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return render("frontdesk/units.html", "frontdesk/_unit_rows.html", project=project, units=rows[:PAGE_SIZE],
                  more=len(rows) > PAGE_SIZE, page=page, q=query, total=units.count_units(db, project.id),
                  **_shown(db, project, rows))


@bp.get("/projects/<int:project_id>/units/lookup")
@project_required()
def lookup(project):
    """The type-ahead: units by room number or key, or by an occupant's phone for the desk (an htmx fragment)."""
    db = get_session()
    query = request.args.get("q") or request.args.get("unit", "")
    roles = project_roles(project)
    rows = units.lookup(db, project.id, query, roles=roles)
    is_htmx()
    return render_template("frontdesk/_lookup.html", project=project, units=rows, q=query,
                           **_shown(db, project, rows, roles))


def _unit_form(project, unit=None, status=200, **extra):
    db = get_session()
    occupants = units.occupants_of(db, [unit.id])[unit.id] if unit else []
    parts = units.parse_label(request.args.get("label", "")) if unit is None else None
    return render_template("frontdesk/unit_form.html", project=project, unit=unit, occupants=occupants,
                           parts=parts, **extra), status


def _save(project, unit=None):
    db = get_session()
    form = request.form
    try:
        parts = units.parts_of(form.get("building"), form.get("unit_no"), form.get("room"))
        people = units.parse_occupants(form.get("names", ""), form.get("phones", ""))
        units.save_unit(db, actor=current_user, project_id=project.id, parts=parts, occupants=people,
                        note=form.get("note", ""), unit=unit)
    except units.UnitError as exc:
        db.rollback()
        return _unit_form(project, unit, exc.status, error=exc.message, fields=exc.fields, form=form)
    db.commit()
    flash(_("已保存房号 %(label)s。", label=parts.label), "success")
    return back_to("frontdesk.unit_list", project_id=project.id, q=parts.key)


@bp.get("/projects/<int:project_id>/units/new")
@project_required(*units.EDITORS)
def new_unit(project):
    """The form to add a unit (`?label=3栋2单元1201` fills it, as the intake form offers for a unit not found)."""
    return _unit_form(project)


@bp.post("/projects/<int:project_id>/units")
@project_required(*units.EDITORS)
def add_unit(project):
    """Add a unit with its owners."""
    return _save(project)


@bp.get("/units/<int:unit_id>/edit")
@logged_in
def edit_unit(unit_id: int):
    """The form to change a unit and its owners."""
    unit = load_or_404(Unit, unit_id, *units.EDITORS)
    return _unit_form(get_project(get_session(), unit.project_id), unit)


@bp.post("/units/<int:unit_id>")
@logged_in
def update_unit(unit_id: int):
    """Change a unit and its owners."""
    unit = load_or_404(Unit, unit_id, *units.EDITORS)
    return _save(get_project(get_session(), unit.project_id), unit)


@bp.route("/projects/<int:project_id>/units/import", methods=["GET", "POST"])
@project_required(*units.EDITORS)
def import_units(project):
    """Upload a CSV, see what it would do (and every bad line), then apply it whole or not at all."""
    if request.method == "GET":
        return render_template("frontdesk/import.html", project=project), 200
    upload = request.files.get("file")
    raw = upload.read() if upload and upload.filename else request.form.get("content", "").encode()
    db = get_session()
    try:
        plan = importing.preview(db, project_id=project.id, reading=importing.read_csv(raw))
        if request.form.get("confirm") == "1":
            count = importing.apply(db, actor=current_user, project_id=project.id, plan=plan)
            db.commit()
            flash(_("已导入 %(n)d 个房号。", n=count), "success")
            return back_to("frontdesk.unit_list", project_id=project.id)
    except importing.ImportRefused as exc:
        db.rollback()
        return render_template("frontdesk/import.html", project=project, error=exc.message), exc.status
    return render_template("frontdesk/import.html", project=project, plan=plan,
                           content=importing.decode(raw)), 422 if plan.errors else 200
