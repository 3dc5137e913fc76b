"""Shift test helpers: the day of the tests on the Shanghai clock, the sales centre's people, an outbox sender."""
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from app.accounts.models import User
from app.core.db import get_session
from app.core.storage import storage
from app.projects.models import Project
from app.shifts.models import Post, ShiftPattern, WaterItem
from app.sync.services import accept

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Three days ago in Shanghai: in the past whatever the real clock says, as outbox records must be.
DAY = datetime.now(SHANGHAI).date() - timedelta(days=3)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """A moment of `day` on the Shanghai clock, as UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(timezone.utc)


@dataclass
class SalesCentre:
    project: Project
    post: Post
    pattern: ShiftPattern
    item: WaterItem  # the world's: 5 瓶 at first, minimum 10
    li: User
    wang: User
    supervisor: User


def send(user: User, project: Project, kind: str, data: dict, moment: datetime, *, client_id: str | None = None,
         files=()):
    """One outbox record through the real exactly-once path (in an app context); returns (answer, replayed)."""
    session = get_session()
    return accept(session, storage(), user=session.get(User, user.id), client_id=client_id or str(uuid.uuid4()),
                  envelope={"kind": kind, "project_id": project.id, "client_time": moment.isoformat(), "data": data},
                  files=list(files), now=moment + timedelta(minutes=1))


def day_shift(started_at: datetime) -> dict:
    """The shift_day and covers_until of a day shift begun at `started_at`, for a row made by hand (no app
    context needed): its local day, and the end of that day."""
    day = started_at.astimezone(SHANGHAI).date()
    return {"shift_day": day, "covers_until": at(0, day=day + timedelta(days=1))}


@dataclass
class Estate:
    """Guard posts on P1 with 12-hour day and night shifts, and two guards of its own (the world's guard already
    has a shift)."""

    project: Project
    lobby: Post  # 大堂岗, round the clock, 对讲机 1 and 钥匙 2
    monitoring: Post  # 监控岗
    day: ShiftPattern  # 白班 08:00-20:00
    night: ShiftPattern  # 夜班 20:00-08:00
    zhang: User
    chen: User
    supervisor: User


def clock_in(user: User, post: Post, pattern: ShiftPattern, moment: datetime):
    return send(user, post_project(post), "shift_clock_in", {"post_id": post.id, "pattern_id": pattern.id}, moment)


def post_project(post: Post) -> Project:
    return get_session().get(Project, post.project_id)


def guard_post(db, project: Project, name: str = "大堂岗", *, kind: str = "lobby", always_manned: bool = True,
               equipment=(("对讲机", 1),)) -> tuple[Post, ShiftPattern]:
    """A guard post with its equipment, and the project's 夜班 20:00-08:00 (made once), straight in the database
    (for view tests)."""
    from sqlmodel import select

    from app.shifts.models import PostEquipment

    post = Post(project_id=project.id, name=name, kind=kind, always_manned=always_manned)
    night = db.exec(select(ShiftPattern).where(ShiftPattern.project_id == project.id, ShiftPattern.name == "夜班")
                    ).first() or ShiftPattern(project_id=project.id, name="夜班", start=time(20), end=time(8))
    db.add_all([post, night])
    db.flush()
    db.add_all([PostEquipment(post_id=post.id, name=n, count=c, position=i) for i, (n, c) in enumerate(equipment)])
    db.commit()
    return post, night


def shift_times_now() -> dict:
    """started_at, shift_day and covers_until of a shift begun an hour ago and still on, for a row made by hand."""
    started = datetime.now(timezone.utc) - timedelta(hours=1)
    return {"started_at": started, "shift_day": started.astimezone(SHANGHAI).date(),
            "covers_until": started + timedelta(hours=16)}
