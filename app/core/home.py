"""The home screen: "my work today", one card per project, filled by each capability.

A capability adds what a role has to do today with `register(provider)`; a provider is called as
provider(session, user, project, roles) and returns a list of `Task`s for that project's card.
"""
from dataclasses import dataclass, field

from sqlmodel import Session

from app.core.permissions import roles_in, visible_projects_stmt

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


def cards(session: Session, user) -> list[Card]:
    out = []
    for project in session.exec(visible_projects_stmt(user)):
        if project.archived:
            continue
        roles = sorted(roles_in(session, user, project))
        card = Card(project=project, roles=roles)
        for provider in _providers:
            card.tasks.extend(provider(session, user, project, set(roles)))
        out.append(card)
    return out
