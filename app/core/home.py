"""The home screen: "my work today", one card per project, filled by each capability.

A capability adds what a role has to do today with `register(provider)`. A provider is called once per page
as provider(session, user, projects, roles) — the user's visible projects and {project id: roles held} — and
returns {project id: [Task, …]}. It answers for all the projects at once, with grouped queries (a function of
its services taking a list of project ids), so the page's SQL statement count does not grow with the company.
"""
from dataclasses import dataclass, field

from sqlmodel import Session

from app.core.permissions import roles_by_project, visible_projects_stmt

_providers = []


@dataclass
class Task:
    title: str
    url: str
    detail: str = ""
    urgent: bool = False


@dataclass
class Card:
    project: object
    roles: list[str]
    tasks: list[Task] = field(default_factory=list)


def register(provider):
    _providers.append(provider)
    return provider


def holding(roles: dict[int, set[str]], wanted: set[str]) -> list[int]:
    """The ids of the projects where the user holds one of `wanted`."""
    return [project_id for project_id, held in roles.items() if held & wanted]


def my_projects(session: Session, user) -> tuple[list, dict[int, set[str]]]:
    """The user's projects not archived, and {project id: roles held}, in two queries."""
    projects = [p for p in session.exec(visible_projects_stmt(user)) if not p.archived]
    return projects, roles_by_project(session, user, projects)


def cards(session: Session, user, projects: list | None = None, roles: dict[int, set[str]] | None = None
          ) -> list[Card]:
    """A card per project (the user's projects, or those given with their roles), filled by the providers."""
    if projects is None:
        projects, roles = my_projects(session, user)
    out = {p.id: Card(project=p, roles=sorted(roles[p.id])) for p in projects}
    for provider in _providers:
        for project_id, tasks in provider(session, user, projects, roles).items():
            out[project_id].tasks.extend(tasks)
    return list(out.values())
