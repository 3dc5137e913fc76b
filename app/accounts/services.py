"""Accounts: password hashing, login with throttling, users and memberships."""
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlmodel import Session, delete, func, select

from app.accounts.models import PROJECT_ROLES, LoginFailure, Membership, User
from app.core import audit
from app.core.db import get_posted, locked, utcnow
from app.core.permissions import register_directory
from app.core.refusal import Refusal
from app.projects.models import Project

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")
MIN_PASSWORD = 8
USER_FIELDS = ("username", "display_name", "phone", "active", "is_admin", "is_manager", "locale")


class AccountError(Refusal):
    """A refusal of an account change; the account forms have always answered it with 400."""

    status = 400


def users_by_id(session: Session, ids) -> dict[int, User]:
    """The users with these ids (empty ones skipped), by id: names for records that keep only ids."""
    ids = {i for i in ids if i}
    return {u.id: u for u in session.exec(select(User).where(User.id.in_(ids))).all()} if ids else {}


def get_user(session: Session, user_id) -> User | None:
    return session.get(User, user_id) if user_id is not None else None


def posted_user(session: Session, raw) -> User | None:
    """The user whose id a form or a phone sent, or None."""
    return get_posted(session, User, raw)


def user_named(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def members(session: Session, project_id: int, roles=(), active_only: bool = True) -> list[User]:
    """The users holding one of `roles` (any role when empty) in a project, by name: who to notify, to pick."""
    stmt = select(User).join(Membership, Membership.user_id == User.id).where(Membership.project_id == project_id)
    if roles:
        stmt = stmt.where(Membership.role.in_(tuple(roles)))
    if active_only:
        stmt = stmt.where(User.active == True)  # noqa: E712
    return session.exec(stmt.distinct().order_by(User.display_name, User.id)).all()


def member_ids(session: Session, project_id: int, roles=()) -> list[int]:
    """The ids of `members(...)`."""
    return [user.id for user in members(session, project_id, roles)]


def admin_ids(session: Session, organisation_id: int) -> list[int]:
    """The ids of a company's active admins (经理: the last level a complaint is escalated to)."""
    return list(session.exec(select(User.id).where(User.organisation_id == organisation_id, User.is_admin == True,  # noqa: E712
                                                   User.active == True).order_by(User.id)).all())  # noqa: E712


def is_member(session: Session, user_id: int | None, project_id: int, roles=()) -> bool:
    """True when the user holds one of `roles` (any when empty) in the project (memberships only, not admin)."""
    if not user_id:
        return False
    stmt = select(Membership.id).where(Membership.user_id == user_id, Membership.project_id == project_id)
    if roles:
        stmt = stmt.where(Membership.role.in_(tuple(roles)))
    return session.exec(stmt).first() is not None


def projects_with_role(session: Session, user_id: int, roles) -> list[int]:
    """The ids of the projects where the user holds one of `roles`."""
    return list(session.exec(select(Membership.project_id).where(
        Membership.user_id == user_id, Membership.role.in_(tuple(roles)))).all())


def roles_in(session: Session, user: User, project) -> set[str]:
    """The roles a user holds in a project; an admin of its organisation holds "admin"."""
    if user is None or not user.is_active:
        return set()
    roles = set(session.exec(
        select(Membership.role).where(Membership.user_id == user.id, Membership.project_id == project.id)))
    if user.is_admin and user.organisation_id == project.organisation_id:
        roles.add("admin")
    return roles


def project_ids_of_member(user_id: int):
    """The ids of the projects where the user holds any role, as a statement (projects.visible_projects_stmt)."""
    return select(Membership.project_id).where(Membership.user_id == user_id)


def roles_by_project(session: Session, user: User, projects) -> dict[int, set[str]]:
    """roles_in for many projects with one query."""
    out = {p.id: set() for p in projects}
    if user is None or not user.is_active or not out:
        return out
    for project_id, role in session.exec(select(Membership.project_id, Membership.role).where(
            Membership.user_id == user.id, Membership.project_id.in_(list(out)))):
        out[project_id].add(role)
    for project in projects:
        if user.is_admin and user.organisation_id == project.organisation_id:
            out[project.id].add("admin")
    return out


@dataclass(frozen=True)
class Settings:
    """What accounts takes from the configuration, read once at start-up (`configure`): services never ask
    the app. The defaults are the Config class's."""

    argon2_time_cost: int = 3
    argon2_memory_cost: int = 64 * 1024
    argon2_parallelism: int = 2
    login_window_seconds: int = 15 * 60
    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 30
    languages: tuple[str, ...] = ("zh_Hans", "zh_Hant", "en")


_settings = Settings()
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)
_dummy_hash: str | None = None  # for unknown usernames, made on first need with the configured parameters


def configure(config) -> None:
    """Take the argon2 parameters, the login throttle's limits and the languages from the app's config."""
    global _settings, _hasher, _dummy_hash
    _settings = Settings(
        argon2_time_cost=config["ARGON2_TIME_COST"], argon2_memory_cost=config["ARGON2_MEMORY_COST"],
        argon2_parallelism=config["ARGON2_PARALLELISM"], login_window_seconds=config["LOGIN_WINDOW_SECONDS"],
        login_max_failures_per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        login_max_failures_per_ip=config["LOGIN_MAX_FAILURES_PER_IP"], languages=tuple(config["LANGUAGES"]),
    )
    _hasher = PasswordHasher(time_cost=_settings.argon2_time_cost, memory_cost=_settings.argon2_memory_cost,
                             parallelism=_settings.argon2_parallelism)
    _dummy_hash = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _burn_time(password: str) -> None:
    """Spend a hash's time on an unknown username, so the answer does not tell which names exist."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_hex(8))
    try:
        _hasher.verify(_dummy_hash, password)
    except VerificationError:
        pass


@dataclass
class LoginResult:
    user: User | None = None
    error: str | None = None  # "invalid" | "inactive" | "throttled"
    retry_after: int = 0  # seconds


def _retry_after(session: Session, column, value: str, limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until the oldest counted failure leaves the window, or 0 when under the limit."""
    times = session.exec(
        select(LoginFailure.at).where(column == value, LoginFailure.at > now - window).order_by(LoginFailure.at.desc())
    ).all()
    if len(times) < limit:
        return 0
    return max(1, int((times[limit - 1] + window - now).total_seconds()) + 1)


def _claim_attempt(session: Session, *, username: str, ip: str, now: datetime) -> tuple[int, LoginFailure | None]:
    """Count this attempt as a failure before its password is checked, in one step with the count: the wait
    when the account or the address is over its limit (nothing claimed), else (0, the claimed failure).

    Counting and claiming hold the throttle's lock (BEGIN IMMEDIATE on SQLite, a table lock on PostgreSQL,
    released at once), so sixteen simultaneous guesses get five checks, not sixteen; hashing runs outside it.
    """
    session.commit()  # the lock's transaction is the claim's own
    if session.get_bind().dialect.name == "sqlite":
        session.exec(sa.text("BEGIN IMMEDIATE"))
    else:
        session.exec(sa.text("LOCK TABLE login_failure IN SHARE ROW EXCLUSIVE MODE"))
    window = timedelta(seconds=_settings.login_window_seconds)
    wait = max(
        _retry_after(session, LoginFailure.username, username, _settings.login_max_failures_per_account, window, now),
        _retry_after(session, LoginFailure.ip, ip, _settings.login_max_failures_per_ip, window, now),
    )
    claim = None if wait else LoginFailure(username=username, ip=ip, at=now)
    if claim is not None:
        session.add(claim)
        session.exec(delete(LoginFailure).where(LoginFailure.at < now - 4 * window))
    session.commit()
    return wait, claim


def authenticate(session: Session, *, username: str, password: str, ip: str, now: datetime | None = None) -> LoginResult:
    """Check a login, throttled per account and per address over a sliding window.

    A throttled account unlocks by itself when the window slides on, so the real owner is never
    locked out for good; a successful login clears that account's failures.
    """
    now = now or utcnow()
    username = username.strip().lower()[:40]
    wait, claim = _claim_attempt(session, username=username, ip=ip[:45], now=now)
    if wait:
        return LoginResult(error="throttled", retry_after=wait)

    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        _burn_time(password)
        ok = False
    else:
        ok = verify_password(user, password)
    if not ok:
        return LoginResult(error="invalid")  # the claimed failure stays counted
    if not user.active:
        session.exec(delete(LoginFailure).where(LoginFailure.id == claim.id))
        session.commit()
        return LoginResult(error="inactive")
    session.exec(delete(LoginFailure).where(LoginFailure.username == username))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    session.commit()
    return LoginResult(user=user)


def check_password(session: Session, *, user: User, password: str, scope: str,
                   now: datetime | None = None) -> LoginResult:
    """Check a user's password at another door than the login (a handover's incoming attendant), throttled by
    `scope` (who asks for whom), never by the user's account: guesses there cannot lock the user's own login.

    Scopes are not usernames (they hold a ":"), so the two counts never mix; a right password clears its scope.
    """
    now = now or utcnow()
    scope = scope[:40]
    wait, claim = _claim_attempt(session, username=scope, ip=scope, now=now)
    if wait:
        return LoginResult(error="throttled", retry_after=wait)
    if not user.active or not verify_password(user, password):
        return LoginResult(error="invalid")  # the claimed failure stays counted
    session.exec(delete(LoginFailure).where(LoginFailure.username == scope))
    session.commit()
    return LoginResult(user=user)


def validate_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("密码至少需要 %(n)d 位。", n=MIN_PASSWORD))
    if len(password) > 128:
        raise AccountError(_("密码不能超过 128 位。"))
    if password.lower() == username.lower():
        raise AccountError(_("密码不能与用户名相同。"))


def create_user(
    session: Session,
    *,
    actor: User | None,
    organisation_id: int,
    username: str,
    display_name: str,
    password: str,
    phone: str = "", is_admin: bool = False, is_manager: bool = False,
    locale: str = "zh_Hans",
) -> User:
    username = username.strip().lower()
    display_name = display_name.strip()
    if not USERNAME_RE.match(username):
        raise AccountError(_("用户名须为 2-40 位小写字母、数字或 _ . -,以字母或数字开头。"))
    if not display_name or len(display_name) > 60:
        raise AccountError(_("请填写姓名(不超过 60 字)。"))
    phone = phone.strip()
    if phone and not re.fullmatch(r"[0-9+\- ]{5,20}", phone):
        raise AccountError(_("手机号格式不对。"))
    validate_password(password, username)
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise AccountError(_("用户名 %(u)s 已被使用。", u=username))
    user = User(
        organisation_id=organisation_id,
        username=username,
        display_name=display_name,
        phone=phone,
        password_hash=hash_password(password),
        is_admin=is_admin, is_manager=is_manager,
        locale=locale,
    )
    session.add(user)
    audit.record(session, actor=actor, action="user.create", obj=user, after=audit.snapshot(user, USER_FIELDS),
                 organisation_id=organisation_id)
    session.commit()
    return user


def update_user(session: Session, *, actor: User, user: User, display_name: str, phone: str, locale: str,
                is_admin: bool, is_manager: bool) -> User:
    display_name = display_name.strip()
    phone = phone.strip()
    if not display_name or len(display_name) > 60:
        raise AccountError(_("请填写姓名(不超过 60 字)。"))
    if phone and not re.fullmatch(r"[0-9+\- ]{5,20}", phone):
        raise AccountError(_("手机号格式不对。"))
    if locale not in _settings.languages:
        raise AccountError(_("不支持的语言。"))
    if user.id == actor.id and not is_admin:
        raise AccountError(_("不能取消自己的管理员身份。"))
    before = audit.snapshot(user, USER_FIELDS)
    user.display_name, user.phone, user.locale = display_name, phone, locale
    user.is_admin, user.is_manager = is_admin, is_manager
    session.add(user)
    audit.record(session, actor=actor, action="user.update", obj=user, before=before,
                 after=audit.snapshot(user, USER_FIELDS))
    session.commit()
    return user


def end_sessions(user: User) -> None:
    """A new session token: every session and remember-me cookie made with the old one stops working."""
    user.session_token = secrets.token_hex(16)


def log_out(session: Session, *, user: User) -> None:
    """Logging out ends the user's sessions for good, so a copied session or remember-me cookie dies too."""
    end_sessions(user)
    session.add(user)
    session.commit()


def set_password(session: Session, *, actor: User, user: User, new_password: str) -> None:
    """Set a new password and end the user's other sessions and remember-me cookies."""
    validate_password(new_password, user.username)
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    session.add(user)
    action = "user.password_change" if actor.id == user.id else "user.password_reset"
    audit.record(session, actor=actor, action=action, obj=user)
    session.commit()


def change_own_password(session: Session, *, user: User, current: str, new: str, confirm: str) -> None:
    if not verify_password(user, current):
        raise AccountError(_("当前密码不正确。"))
    if new != confirm:
        raise AccountError(_("两次输入的新密码不一致。"))
    if new == current:
        raise AccountError(_("新密码不能与当前密码相同。"))
    set_password(session, actor=user, user=user, new_password=new)


def set_active(session: Session, *, actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise AccountError(_("不能停用自己的账号。"))
    before = audit.snapshot(user, ("active",))
    user.active = active
    if not active:
        end_sessions(user)  # logs the user out everywhere
    session.add(user)
    audit.record(session, actor=actor, action="user.activate" if active else "user.deactivate", obj=user,
                 before=before, after=audit.snapshot(user, ("active",)))
    session.commit()


def set_locale(session: Session, *, user: User, locale: str) -> None:
    if locale not in _settings.languages:
        raise AccountError(_("不支持的语言。"))
    user.locale = locale
    session.add(user)
    session.commit()


def add_membership(session: Session, *, actor: User, user: User, project: Project, role: str) -> Membership:
    if role not in PROJECT_ROLES:
        raise AccountError(_("未知角色。"))
    if project.organisation_id != user.organisation_id:
        raise AccountError(_("该项目不属于此用户的公司。"))
    exists = session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.project_id == project.id,
                                 Membership.role == role)
    ).first()
    if exists:
        raise AccountError(_("此用户在该项目已有这个角色。"))
    membership = Membership(user_id=user.id, project_id=project.id, role=role)
    session.add(membership)
    audit.record(session, actor=actor, action="membership.add", obj=membership,
                 after={"user": user.username, "project_id": project.id, "role": role})
    session.commit()
    return membership


def remove_membership(session: Session, *, actor: User, membership: Membership) -> None:
    audit.record(session, actor=actor, action="membership.remove", obj=membership,
                 before={"user_id": membership.user_id, "project_id": membership.project_id, "role": membership.role})
    session.delete(membership)
    session.commit()


def memberships_of(session: Session, user: User) -> list[tuple[Membership, Project]]:
    """The user's roles with their projects, by project name and role."""
    from app.projects.services import projects_by_id  # projects' services read accounts' at import

    memberships = session.exec(select(Membership).where(Membership.user_id == user.id)).all()
    projects = projects_by_id(session, {m.project_id for m in memberships})
    rank = {project_id: i for i, project_id in enumerate(projects)}
    return [(m, projects[m.project_id]) for m in sorted(memberships, key=lambda m: (rank[m.project_id], m.role))]


def users_stmt(organisation_id: int, query: str = ""):
    stmt = select(User).where(User.organisation_id == organisation_id)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where((User.username.ilike(like)) | (User.display_name.ilike(like)) | (User.phone.ilike(like)))
    return stmt.order_by(User.active.desc(), User.username)


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


# Authorisation (core.permissions) asks accounts who holds which role, without importing these models.
register_directory(roles_in=roles_in, roles_by_project=roles_by_project)


def member_count(session: Session, project_id: int) -> int:
    """How many people hold any role in a project (each counted once, whatever their roles)."""
    return session.exec(select(func.count(func.distinct(Membership.user_id)))
                        .where(Membership.project_id == project_id)).one()


def lock_user(session: Session, user_id: int) -> None:
    """Hold the user's row until commit, so two simultaneous actions of one person run one after the other."""
    locked(session, select(User.id).where(User.id == user_id)).one()
