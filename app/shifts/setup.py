"""Setting up a sales centre's shifts: posts, shift patterns and the water-bar catalogue (admin or supervisor)."""
from flask import flash, request
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import get_session
from app.core.permissions import load_or_404, logged_in, project_required
from app.core.views import back_to, render
from app.projects.models import Project
from app.projects.services import get_project
from app.shifts import bp, duty, services, water
from app.shifts.models import Post, ShiftPattern, WaterItem

EDITORS = ("supervisor",)


def _page(project: Project, status: int = 200, **extra):
    db = get_session()
    posts = services.posts_of(db, project)
    return render("shifts/setup.html", status=status, project=project, posts=posts,
                  equipment=duty.equipment_of(db, [p.id for p in posts]), equipment_text=duty.equipment_text,
                  kinds=services.post_kind_labels(),
                  patterns=services.patterns_of(db, project), items=water.items_of(db, project),
                  levels=water.stock_levels(db, project), **extra)


def _save(project: Project, what: str, save, **values):
    """Run one save; on refusal show the set-up page again with the message, on success come back to it."""
    try:
        ticked = request.form.getlist("active")  # the hidden "0" then the checkbox's "1"; absent when adding
        save(get_session(), actor=current_user, project=project, active=not ticked or "1" in ticked, **values)
    except services.ShiftError as exc:
        get_session().rollback()
        return _page(project, exc.status, error=exc.message, error_for=what, form=request.form)
    flash(_("已保存。"), "success")
    return back_to("shifts.setup", project_id=project.id)


@bp.get("/projects/<int:project_id>/shifts/setup")
@project_required(*EDITORS)
def setup(project: Project):
    """Posts, shift patterns and the water-bar catalogue of a project."""
    return _page(project)


def _save_post(session, *, actor, project, active, post=None, name, kind, always_manned, equipment):
    """A post with its kind and equipment; the equipment lines are checked before anything is saved."""
    duty.parse_equipment(equipment or "")
    post = services.save_post(session, actor=actor, project=project, active=active, post=post, name=name,
                              kind=kind or None, always_manned=always_manned)
    if equipment is not None:
        duty.save_equipment(session, actor=actor, post=post, text=equipment)
    return post


def _post_values() -> dict:
    ticked = request.form.getlist("always_manned")
    return {"name": request.form.get("name", ""), "kind": request.form.get("kind"),
            "always_manned": ("1" in ticked) if ticked else None, "equipment": request.form.get("equipment")}


@bp.post("/projects/<int:project_id>/posts")
@project_required(*EDITORS)
def add_post(project: Project):
    """A new post (岗位): a sales post, or a guard's (车场岗, 监控岗…), with its equipment."""
    return _save(project, "post", _save_post, **_post_values())


@bp.post("/posts/<int:post_id>")
@logged_in
def edit_post(post_id: int):
    """Rename a post, change its kind or equipment, or take it out of use."""
    post = load_or_404(Post, post_id, *EDITORS)
    return _save(get_project(get_session(), post.project_id), f"post-{post.id}", _save_post, post=post,
                 **_post_values())


def _pattern_values() -> dict:
    return {key: request.form.get(key, "") for key in ("name", "start", "end")}


@bp.post("/projects/<int:project_id>/patterns")
@project_required(*EDITORS)
def add_pattern(project: Project):
    """A new shift pattern (班次), e.g. 早班 08:00-17:00."""
    return _save(project, "pattern", services.save_pattern, **_pattern_values())


@bp.post("/patterns/<int:pattern_id>")
@logged_in
def edit_pattern(pattern_id: int):
    """Change a shift pattern's name or times, or take it out of use."""
    pattern = load_or_404(ShiftPattern, pattern_id, *EDITORS)
    return _save(get_project(get_session(), pattern.project_id), f"pattern-{pattern.id}", services.save_pattern,
                 pattern=pattern, **_pattern_values())


def _item_values() -> dict:
    return {key: request.form.get(key, "") for key in ("name", "unit", "min_stock", "initial_stock")}


@bp.post("/projects/<int:project_id>/water/items")
@project_required(*EDITORS)
def add_item(project: Project):
    """A new water-bar item with its unit, minimum and opening stock."""
    return _save(project, "item", water.save_item, **_item_values())


@bp.post("/water/items/<int:item_id>")
@logged_in
def edit_item(item_id: int):
    """Change a water-bar item, or take it out of the catalogue."""
    item = load_or_404(WaterItem, item_id, *EDITORS)
    return _save(get_project(get_session(), item.project_id), f"item-{item.id}", water.save_item, item=item,
                 **_item_values())
