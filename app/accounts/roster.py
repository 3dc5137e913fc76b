"""Many people brought into one project at once (app.imports): new accounts with a generated first password,
existing ones given the roles they lack. Nothing is committed: the caller writes the whole roster or none of it."""
import secrets

from sqlmodel import Session, select

from app.accounts.models import Membership, User
from app.accounts.services import USER_FIELDS, hash_password
from app.core import audit
from app.projects.models import Project

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes: read off a screen, typed on a phone


def first_password() -> str:
    """Ten characters (about 49 bits), shown once to whoever imported the roster."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))


def users_named(session: Session, usernames) -> dict[str, User]:
    names = list(set(usernames))
    return {u.username: u for u in session.exec(select(User).where(User.username.in_(names)))} if names else {}


def roles_held(session: Session, project_id: int, user_ids) -> dict[int, set[str]]:
    held: dict[int, set[str]] = {}
    ids = list(set(user_ids))
    for user_id, role in session.exec(select(Membership.user_id, Membership.role).where(
            Membership.project_id == project_id, Membership.user_id.in_(ids))) if ids else ():
        held.setdefault(user_id, set()).add(role)
    return held


def enrol(session: Session, *, actor: User, project: Project, people: list[dict]) -> list[tuple[str, str, str]]:
    """people: {username, display_name, phone, roles}, checked by the caller (a username of another organisation
    refused there). Returns (username, name, first password) of each account created."""
    existing = users_named(session, [p["username"] for p in people])
    created = []
    for person in people:
        user = existing.get(person["username"])
        if user is None:
            password = first_password()
            user = User(organisation_id=project.organisation_id, username=person["username"],
                        display_name=person["display_name"], phone=person["phone"],
                        password_hash=hash_password(password))
            session.add(user)
            audit.record(session, actor=actor, action="user.create", obj=user,
                         after=audit.snapshot(user, USER_FIELDS), organisation_id=project.organisation_id)
            created.append((user.username, user.display_name, password))
        held = roles_held(session, project.id, [user.id]).get(user.id, set())
        for role in person["roles"]:
            if role not in held:
                session.add(Membership(user_id=user.id, project_id=project.id, role=role))
    session.flush()
    return created
