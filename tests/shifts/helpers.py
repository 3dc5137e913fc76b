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
