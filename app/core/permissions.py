"""Authorisation in one place: every view declares who may reach it, and objects load through here.

A user sees a project only as a member or as an admin of its organisation. Anything of a project the
user cannot see is a 404, never a 403: its existence is not disclosed. A member lacking the role
gets a 403.
"""
from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, g, request
from flask_login import current_user, login_required
from sqlmodel import Session

from app.core.db import get_session

POLICIES = ("public", "login", "admin", "manager", "project")


class Directory:
    """What authorisation needs from the capabilities that own users and projects, registered at start-up
    (accounts and projects do it), so core imports no capability's models."""

    roles_in: Callable = None  # (session, user, project) -> set of role names, "admin" included
    roles_by_project: Callable = None  # (session, user, projects) -> {project id: roles_in}, in one query
    visible_projects_stmt: Callable = None  # (user) -> select(Project) of what the user may see
    project_model: type = None


directory = Directory()


def register_directory(*, roles_in: Callable | None = None, roles_by_project: Callable | None = None,
                       visible_projects_stmt: Callable | None = None, project_model: type | None = None) -> None:
    """Accounts registers `roles_in` and `roles_by_project`, projects the other two."""
    if roles_in:
        directory.roles_in = staticmethod(roles_in)
    if roles_by_project:
        directory.roles_by_project = staticmethod(roles_by_project)
    if visible_projects_stmt:
        directory.visible_projects_stmt = staticmethod(visible_projects_stmt)
    if project_model:
        directory.project_model = project_model


def _mark(view, policy: str, roles: tuple[str, ...] = ()):
    view.access_policy = policy
    view.access_roles = roles
    return view


# -- pure helpers (tests call these directly) -------------------------------------------------

def roles_in(session: Session, user, project) -> set[str]:
    """The roles a user holds in a project; an admin of its organisation holds "admin"."""
    return directory.roles_in(session, user, project)


def roles_by_project(session: Session, user, projects) -> dict[int, set[str]]:
    """roles_in for many projects with one query."""
    return directory.roles_by_project(session, user, projects)


def can_see(session: Session, user, project) -> bool:
    return bool(roles_in(session, user, project))


def has_role(session: Session, user, project, roles: tuple[str, ...]) -> bool:
    """True when the user holds one of `roles` there (any role if `roles` is empty); admins always do."""
    return allows(roles_in(session, user, project), roles)


def allows(held: set[str], roles: tuple[str, ...]) -> bool:
    """has_role over roles already looked up: any of `roles` (any role if empty) among `held`, or "admin"."""
    return bool(held) and (not roles or "admin" in held or bool(held & set(roles)))


def visible_projects_stmt(user, *, active_only: bool = False):
    """The projects a user may see (only those not archived if `active_only`), as a statement."""
    return directory.visible_projects_stmt(user, active_only=active_only)


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


def manager_required(view):
    """Company admins and managers (`User.is_manager`: company-wide figures, read only)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not (current_user.is_admin or getattr(current_user, "is_manager", False)):
            abort(403)
        return view(*args, **kwargs)

    return _mark(login_required(wrapper), "manager")


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

def load_project(project_id: int, *roles: str):
    session = get_session()
    project = session.get(directory.project_model, project_id)
    held = roles_in(session, current_user, project) if project is not None else set()
    if not held:
        abort(404)
    if not allows(held, roles):
        abort(403)
    g.project_roles = (project.id, frozenset(held))  # the view's own look at them costs no second query
    return project


def project_roles(project) -> set[str]:
    """The current user's roles in `project`: as load_project found them in this request, else looked up."""
    found = g.get("project_roles")
    if found is not None and found[0] == project.id:
        return set(found[1])
    return roles_in(get_session(), current_user, project)


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
