"""The supervisor's daily digest, one message per channel at its hour: yesterday's missed rounds, the tickets past
their target, yesterday's handover discrepancies and the open rectification items.

Everything is read through the capabilities' services. The few reads they do not offer yet are written here,
each marked with the capability it belongs to, to move there.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.channels.models import Channel
from app.core.db import update_if
from app.core.notifications import link
from app.core.permissions import directory
from app.handovers import services as handovers
from app.inspections import services as inspections
from app.patrols import services as patrols
from app.repairs import services as repairs
from app.repairs import workflow

SHOWN = 3  # examples listed under each count; the link leads to the rest


# -- reads that belong to other capabilities ---------------------------------------------------------------

def project_of(session: Session, project_id: int):
    """The project (belongs to projects.services)."""
    return session.get(directory.project_model, project_id)


def overdue_tickets(session: Session, project, now: datetime) -> list:
    """The project's open tickets past their dispatch or completion target (belongs to repairs.services)."""
    settings = repairs.settings_for(session, project.id)
    tickets = session.exec(repairs.tickets_stmt(project, statuses=workflow.OPEN)).all()
    return [t for t in tickets if (state := repairs.clock(t, settings, now)) and state.overdue]


def missed_rounds(session: Session, project, day: date, now: datetime) -> list:
    """The rounds of a service day that were missed or left incomplete (belongs to patrols.services)."""
    rounds = session.exec(patrols.rounds_stmt(project, day)).all()
    return [v for v in patrols.assess_rounds(session, rounds, now) if v.assessment.status in ("missed", "incomplete")]


def discrepancies_on(session: Session, project, start: datetime, end: datetime) -> list:
    """The (line, handover, room) not found as listed in handovers counted in [start, end) (belongs to
    handovers.services, beside discrepancy_rows)."""
    return [row for row in handovers.discrepancy_rows(session, project, since=start) if row[1].counted_at < end]


# -- the digest ---------------------------------------------------------------------------------------------

@dataclass
class Digest:
    day: date
    missed: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    discrepancies: list = field(default_factory=list)
    rectifications: list = field(default_factory=list)
    rectifications_late: int = 0


def gather(session: Session, project, *, day: date, now: datetime, tz: ZoneInfo) -> Digest:
    start = datetime.combine(day, time(0), tzinfo=tz)
    open_items = inspections.open_rectifications(session, project.id)
    return Digest(day=day, missed=missed_rounds(session, project, day, now),
                  overdue=overdue_tickets(session, project, now),
                  discrepancies=discrepancies_on(session, project, start, start + timedelta(days=1)),
                  rectifications=open_items,
                  rectifications_late=sum(1 for item in open_items if inspections.overdue(item, now)))


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
    return "\n".join(lines)


def _due_stmt(today: date, hour: int):
    return select(Channel).where(Channel.active == True, Channel.digest_hour.is_not(None),  # noqa: E712
                                 Channel.digest_hour <= hour,
                                 Channel.digest_sent_on.is_(None) | (Channel.digest_sent_on < today))


def send_digests(session: Session, now: datetime, *, tz: str) -> int:
    """Queue the digest of each channel whose hour has come today and that has not had today's; the claim
    (`digest_sent_on`, compare-and-set) and the queued message commit together. Returns how many were queued."""
    from app.channels import services  # services reads project_of from here

    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    today = local_now.date()
    queued = 0
    for channel in session.exec(_due_stmt(today, local_now.hour)).all():
        claimed = update_if(session, channel, Channel.digest_sent_on.is_(None) | (Channel.digest_sent_on < today),
                            digest_sent_on=today)
        project = project_of(session, channel.project_id) if claimed else None
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
