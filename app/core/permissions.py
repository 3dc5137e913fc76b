"""Authorisation in one place: every view declares who may reach it, and objects load through here.

A user sees a project only as a member or as an admin of its organisation. Anything of a project the
user cannot see is a 404, never a 403: its existence is not disclosed. A member lacking the role
gets a 403.
"""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user, login_required
from sqlmodel import Session, select

from app.accounts.models import Membership, User
from app.core.db import get_session
from app.projects.models import Project

POLICIES = ("public", "login", "admin", "project")


def _mark(view, policy: str, roles: tuple[str, ...] = ()):
    view.access_policy = policy
    view.access_roles = roles
    return view


# -- pure helpers (tests call these directly) -------------------------------------------------

def roles_in(session: Session, user: User, project: Project) -> set[str]:
    """The roles a user holds in a project; an admin of its organisation holds "admin"."""
    if user is None or not user.is_active:
        return set()
    roles = set(
        session.exec(
            select(Membership.role).where(Membership.user_id == user.id, Membership.project_id == project.id)
        )
    )
    if user.is_admin and user.organisation_id == project.organisation_id:
        roles.add("admin")
    return roles


def can_see(session: Session, user: User, project: Project) -> bool:
    return bool(roles_in(session, user, project))


def has_role(session: Session, user: User, project: Project, roles: tuple[str, ...]) -> bool:
    """True when the user holds one of `roles` there (any role if `roles` is empty); admins always do."""
    held = roles_in(session, user, project)
    if not held:
        return False
    return not roles or "admin" in held or bool(held & set(roles))


def visible_projects_stmt(user: User):
    """The projects a user may see, as a statement."""
    stmt = select(Project).where(Project.organisation_id == user.organisation_id)
    if not user.is_admin:
        member_of = select(Membership.project_id).where(Membership.user_id == user.id)
        stmt = stmt.where(Project.id.in_(member_of))
    return stmt.order_by(Project.name)


# -- view decorators --------------------------------------------------------------------------

def public(view):
    """Reachable without logging in (login page, manifest, offline page…)."""
    return _mark(view, "public")


def logged_in(view):
    """Any logged-in user; the view shows only the user's own things or loads objects via load_or_404."""
    return _mark(login_required(view), "login")


def admin_required(view):
    """Company admins only."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return _mark(login_required(wrapper), "admin")


def project_required(*roles: str):
    """The URL holds `project_id`; the user must see that project (else 404) and hold a role (else 403).

    The view receives the loaded Project as `project` instead of `project_id`.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, project_id: int, **kwargs):
            project = load_project(project_id, *roles)
            return view(*args, project=project, **kwargs)

        return _mark(login_required(wrapper), "project", roles)

    return decorator


# -- loaders ----------------------------------------------------------------------------------

def load_project(project_id: int, *roles: str) -> Project:
    session = get_session()
    project = session.get(Project, project_id)
    if project is None or not can_see(session, current_user, project):
        abort(404)
    if not has_role(session, current_user, project, roles):
        abort(403)
    return project


def load_or_404(model, obj_id: int, *roles: str):
    """Load an object that belongs to a project (it has `project_id`) and check the user's access to it."""
    obj = get_session().get(model, obj_id)
    if obj is None:
        abort(404)
    load_project(obj.project_id, *roles)
    return obj


def enforce_declared_policy():
    """Deny by default: a view that declares no access policy is never served."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions[request.endpoint]
    if getattr(view, "access_policy", None) not in POLICIES:
        current_app.logger.error("view %s declares no access policy; refused", request.endpoint)
        abort(404)
    return None
