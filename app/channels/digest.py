"""The supervisor's daily digest, one message per channel at its hour: yesterday's missed rounds, the tickets past
their target, yesterday's handover discrepancies and the open rectification items; then what needs attention now
in the project, the same lines as the supervisor's home (`app.core.attention`), most urgent first.

Everything is read through the capabilities' services.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.channels.models import Channel
from app.core import attention
from app.core.db import update_if
from app.core.notifications import link
from app.handovers import board as handovers
from app.inspections import rectification
from app.inspections import services as inspections
from app.patrols import services as patrols
from app.projects.services import get_project
from app.repairs import services as repairs

SHOWN = 3  # examples listed under each count; the link leads to the rest
ATTENTION_SHOWN = 10  # needs-attention lines in a message; the link leads to the rest


# -- the digest ---------------------------------------------------------------------------------------------

@dataclass
class Digest:
    day: date
    missed: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    discrepancies: list = field(default_factory=list)
    rectifications: list = field(default_factory=list)
    rectifications_late: int = 0
    attention: list = field(default_factory=list)  # app.core.attention.Item, not acknowledged


def gather(session: Session, project, *, day: date, now: datetime, tz: ZoneInfo) -> Digest:
    start = datetime.combine(day, time(0), tzinfo=tz)
    open_items = inspections.open_rectifications(session, project.id)
    return Digest(day=day, missed=patrols.missed_rounds(session, project, day, now),
                  overdue=repairs.overdue_tickets(session, project, now),
                  discrepancies=handovers.discrepancy_rows(session, project, since=start, until=start + timedelta(days=1)),
                  rectifications=open_items,
                  rectifications_late=sum(1 for item in open_items if rectification.overdue(item, now)),
                  attention=attention.pending_anywhere(session, [project.id], now))


def compose(digest: Digest, tz: ZoneInfo) -> str:
    """The digest as a few short lines, in the current locale."""
    lines = [_("%(day)s 日报", day=digest.day.isoformat())]
    if digest.missed:
        lines.append(ngettext("漏巡 %(num)d 次", "漏巡 %(num)d 次", len(digest.missed)))
        lines += [f"- {v.route.name} {v.round.slot_start.astimezone(tz):%H:%M}" for v in digest.missed[:SHOWN]]
    if digest.overdue:
        lines.append(ngettext("超时工单 %(num)d 张", "超时工单 %(num)d 张", len(digest.overdue)))
        lines += [f"- {t.number} {t.description[:30]}" for t in digest.overdue[:SHOWN]]
    if digest.discrepancies:
        lines.append(ngettext("交接差异 %(num)d 项", "交接差异 %(num)d 项", len(digest.discrepancies)))
        lines += [f"- {room.name}:{line.name}" for line, _handover, room in digest.discrepancies[:SHOWN]]
    if digest.rectifications:
        lines.append(ngettext("未完成整改 %(num)d 项(逾期 %(late)d 项)", "未完成整改 %(num)d 项(逾期 %(late)d 项)",
                              len(digest.rectifications), late=digest.rectifications_late))
    if len(lines) == 1:
        lines.append(_("无漏巡、超时工单、交接差异或未完成整改。"))
    if digest.attention:
        lines.append(ngettext("需要关注 %(num)d 项", "需要关注 %(num)d 项", len(digest.attention)))
        lines += [f"- {' · '.join(part for part in (item.title, item.place, item.detail) if part)}"
                  for item in digest.attention[:ATTENTION_SHOWN]]
    return "\n".join(lines)


def _due_stmt(today: date, hour: int):
    return select(Channel).where(Channel.active == True, Channel.digest_hour.is_not(None),  # noqa: E712
                                 Channel.digest_hour <= hour,
                                 Channel.digest_sent_on.is_(None) | (Channel.digest_sent_on < today))


def send_digests(session: Session, now: datetime, *, tz: str) -> int:
    """Queue the digest of each channel whose hour has come today and that has not had today's; the claim
    (`digest_sent_on`, compare-and-set) and the queued message commit together. Returns how many were queued."""
    from app.channels import services  # services imports this module

    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    today = local_now.date()
    queued = 0
    for channel in session.exec(_due_stmt(today, local_now.hour)).all():
        claimed = update_if(session, channel, Channel.digest_sent_on.is_(None) | (Channel.digest_sent_on < today),
                            digest_sent_on=today)
        project = get_project(session, channel.project_id) if claimed else None
        if project is None:
            session.rollback()
            continue
        yesterday = today - timedelta(days=1)
        with force_locale(channel.locale):
            body = compose(gather(session, project, day=yesterday, now=now, tz=zone), zone)
        queued += services.enqueue_text(session, channel, key=f"digest:{yesterday.isoformat()}", body=body, now=now,
                                        link_=link("projects.detail", project_id=project.id))
        session.commit()  # the claim, even when that day's digest was already queued
    return queued
