"""Builders for incident tests: a report's form data, an incident reported through the service, a Shanghai time."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.core.db import utcnow
from app.incidents import services

TZ = "Asia/Shanghai"
SHANGHAI = ZoneInfo(TZ)


def at(day: str, hm: str) -> datetime:
    """A Shanghai wall-clock time as the UTC instant the database stores."""
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


def wall(moment: datetime) -> str:
    """An instant as the report form's datetime-local value (Shanghai)."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def form(world, **changes) -> dict:
    """A complete stranger report at P1's checkpoint, happened now."""
    data = {"kind": "stranger", "severity": "minor", "occurred_at": wall(utcnow()),
            "place": f"checkpoint-{world.checkpoints['p1'].id}", "location": "车场东北角",
            "people": "男,约 40 岁,黑色外套", "description": "一名男子在车场徘徊,说不出楼号。",
            "action_taken": "盘查并陪同离开。"}
    data.update(changes)
    return data


def report(session: Session, world, who: str = "guard", *, reported_at: datetime | None = None, project=None,
           **changes):
    """An incident reported by `who` of P1 through the service, committed."""
    incident = services.report(session, storage=None, actor=world.users[who], project=project or world.p1,
                               data=form(world, **changes), reported_at=reported_at or utcnow(), tz=TZ)
    session.commit()
    return incident
