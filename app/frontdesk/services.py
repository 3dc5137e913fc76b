"""Intake at the front desk (来电来访登记): one record per call, visit, WeChat message or referral, checked whole,
then handed on by its category (`after_intake`): a repair becomes a ticket, an enquiry answered on the spot is
closed, a suggestion or praise is logged, a complaint becomes a complaint record (app.complaints)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from app.core import audit
from app.core.db import among, zone
from app.core.photos import attach
from app.core.refusal import Refusal
from app.core.validation import PHONE, wall_moment
from app.frontdesk import units
from app.frontdesk.models import CATEGORIES, CHANNELS, Intake, Occupant, Unit
from app.projects.models import Project
from app.repairs import services as repairs

MAX_DESCRIPTION = 2000
APPOINTMENT_SLACK = timedelta(minutes=5)  # "now" typed a little late is not the past
REACHABLE = ("repair", "complaint")  # categories that always need a way to call the person back (and any follow-up)
INTAKE_ROLES = ("frontdesk", "supervisor")  # who takes calls; patrols and handovers refer through the same form
CHANNEL_LABELS = repairs.CHANNEL_LABELS
CATEGORY_LABELS = {"repair": _l("报修"), "complaint": _l("投诉"), "enquiry": _l("咨询"), "suggestion": _l("建议"),
                   "praise": _l("表扬")}


class IntakeError(Refusal):
    """An intake refusal: what was typed cannot be recorded as it is."""


def reach_needs() -> dict:
    """The messages of the reach and appointment rules, for the server here and the phone (`frontdesk.rules`)."""
    return {"phone": _("报修或需回访的登记须留联系电话(或选择业主)。"), "phone_problem": _("请填写联系电话"),
            "past": _("预约时间已过,请选择以后的时间。"), "past_problem": _("预约时间已过"),
            "description": _("请填写来电内容。"), "description_problem": _("请填写内容")}


def _choice(value, allowed, field: str, message: str) -> str:
    value = str(value or "").strip()
    if value not in allowed:
        raise IntakeError(message, {field: message})
    return value


def appointment(value, *, tz: ZoneInfo) -> datetime | None:
    """A datetime-local input ("2026-12-01T15:30", the desk's wall clock) as a UTC moment; IntakeError if unreadable."""
    return wall_moment(value, _("预约时间"), "appointment", tz=tz, error=IntakeError)


@dataclass
class Caller:
    unit: Unit | None
    name: str
    phone: str


def _caller(session: Session, project_id: int, data: dict) -> Caller:
    """Who called: the unit chosen in the lookup (or typed and found), the occupant chosen, or a free name."""
    unit = None
    if str(data.get("unit_id") or "").strip():
        unit = units.unit_in(session, data["unit_id"], project_id=project_id)
    elif str(data.get("unit") or "").strip():
        unit = units.find_unit(session, project_id, data["unit"])
        if unit is None:
            typed = str(data["unit"]).strip()[:40]
            raise units.UnitError(_("房号“%(unit)s”不在房屋档案中:请核对,或先添加这个房号。", unit=typed),
                                  {"unit": _("房号不存在")})
    name, phone = str(data.get("caller_name") or "").strip()[:60], str(data.get("caller_phone") or "").strip()
    if phone and not PHONE.fullmatch(phone):
        raise IntakeError(_("电话“%(phone)s”不是有效的号码。", phone=phone[:20]), {"caller_phone": _("号码不对")})
    occupant_id = str(data.get("occupant_id") or "").strip()
    if occupant_id.isdigit() and unit is not None:
        occupant = session.get(Occupant, int(occupant_id))
        if occupant is not None and occupant.unit_id == unit.id:
            name, phone = name or occupant.name, phone or occupant.phone
    return Caller(unit, name, phone[:20])


def take(session: Session, *, storage, actor, project: Project, data: dict, received_at: datetime, photos: list,
         client_id: str, now: datetime, tz: ZoneInfo) -> Intake:
    """Record one intake from the desk's form or a phone's outbox, checked whole first; the caller commits."""
    need = reach_needs()
    channel = _choice(data.get("channel"), CHANNELS, "channel", _("请选择来源(来电、来访、微信或巡查转来)。"))
    category = _choice(data.get("category"), CATEGORIES, "category", _("请选择类别(报修、投诉、咨询、建议或表扬)。"))
    description = str(data.get("description") or "").strip()
    if not description:
        raise IntakeError(need["description"], {"description": need["description_problem"]})
    if len(description) > MAX_DESCRIPTION:
        raise IntakeError(_("描述不能超过 %(n)d 字。", n=MAX_DESCRIPTION), {"description": _("太长")})
    follow_up = str(data.get("follow_up", "")) in ("1", "true", "on")
    caller = _caller(session, project.id, data)
    if (category in REACHABLE or follow_up) and not caller.phone:
        raise IntakeError(need["phone"], {"caller_phone": need["phone_problem"]})
    when = appointment(data.get("appointment"), tz=tz) if category == "repair" else None
    if when is not None and when < now - APPOINTMENT_SLACK:
        raise IntakeError(need["past"], {"appointment": need["past_problem"]})
    intake = Intake(project_id=project.id, channel=channel, category=category,
                    urgent=str(data.get("urgent", "")) in ("1", "true", "on"), unit_id=caller.unit and caller.unit.id,
                    unit_label=caller.unit.label if caller.unit else "", caller_name=caller.name,
                    caller_phone=caller.phone, description=description, answer=str(data.get("answer") or "").strip()[:2000],
                    appointment_at=when, follow_up=follow_up, received_by=actor.id, received_at=received_at)
    session.add(intake)
    session.flush()
    after_intake(session, intake, storage=storage, actor=actor, project=project, photos=photos, now=now,
                 photo_prefix=f"intakes/{project.id}/{client_id}", data=data)
    audit.record(session, actor=actor, action="intake.take", obj=intake,
                 after={"channel": channel, "category": category, "status": intake.status,
                        "ticket_id": intake.ticket_id, "photos": len(photos)})
    return intake


# -- what each category becomes ---------------------------------------------------------------

def _to_ticket(session: Session, intake: Intake, *, storage, actor, project, photos, now, photo_prefix, data) -> None:
    """A repair becomes a ticket waiting for dispatch, with the caller, the unit and the appointment."""
    ticket = repairs.open_ticket(
        session, storage=storage, user=actor, project_id=project.id, description=intake.description,
        source="front_desk", reported_at=intake.received_at, photos=photos, photo_prefix=photo_prefix,
        location=intake.unit_label, category=str(data.get("ticket_category") or "其他"),
        urgent=intake.urgent, reporter_name=intake.caller_name, reporter_phone=intake.caller_phone,
        unit_id=intake.unit_id, unit_label=intake.unit_label, channel=intake.channel,
        appointment_at=intake.appointment_at)
    intake.ticket_id, intake.status, intake.closed_at = ticket.id, "closed", now


def _answered(session: Session, intake: Intake, *, now, **_kw) -> None:
    """An enquiry answered on the spot is closed at once, with the answer; without one it stays open."""
    intake.status = "closed" if intake.answer else "open"
    intake.closed_at = now if intake.answer else None


def _logged(session: Session, intake: Intake, *, storage, actor, project, photos, now, photo_prefix, **_kw) -> None:
    """A suggestion or praise is logged (its photos with it)."""
    intake.status, intake.closed_at = "closed", now


def _complaint(session: Session, intake: Intake, *, storage, actor, project, now, data, **_kw) -> None:
    """A complaint becomes a complaint record, received by the desk's person (its owner, 首问负责制), with the
    caller and unit as looked up; the intake is closed, the complaint carries on. Its photos stay with the intake."""
    from app.complaints import services as complaints

    complaints.open_complaint(session, storage=storage, actor=actor, project=project, received_at=intake.received_at,
                              tz=zone().key, intake_id=intake.id, unit_id=intake.unit_id, data={
                                  "description": intake.description, "complainant_name": intake.caller_name,
                                  "complainant_phone": intake.caller_phone, "unit_label": intake.unit_label,
                                  "channel": intake.channel, "urgent": "1" if intake.urgent else "",
                                  "category": data.get("complaint_category", "")})
    intake.status, intake.closed_at = "closed", now


AFTER = {"repair": _to_ticket, "enquiry": _answered, "suggestion": _logged, "praise": _logged,
         "complaint": _complaint}


def after_intake(session: Session, intake: Intake, *, storage, actor, project, photos, now, photo_prefix,
                 data: dict) -> None:
    """The one place where an intake becomes what its category makes it (`AFTER`); photos not taken by a ticket
    stay with the intake."""
    AFTER[intake.category](session, intake, storage=storage, actor=actor, project=project, photos=photos, now=now,
                           photo_prefix=photo_prefix, data=data)
    if intake.ticket_id is None and photos:
        attach(session, storage, photos, project_id=project.id, owner_type="intake", owner_id=intake.id,
               uploaded_by=actor.id, taken_at=intake.received_at, prefix=photo_prefix)
    session.add(intake)


def answer(session: Session, *, actor, intake: Intake, text: str, now: datetime) -> Intake:
    """Answer an open enquiry later and close it; the caller commits."""
    text = str(text or "").strip()[:2000]
    if intake.category != "enquiry" or intake.status != "open":
        raise IntakeError(_("这条登记不是待答复的咨询。"), status=409)
    if not text:
        raise IntakeError(_("请填写答复。"), {"answer": _("请填写答复")})
    intake.answer, intake.status, intake.closed_at = text, "closed", now
    session.add(intake)
    audit.record(session, actor=actor, action="intake.answer", obj=intake, before={"status": "open"},
                 after={"status": "closed"})
    return intake


# -- the call log -----------------------------------------------------------------------------

def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tzinfo=tz)
    return start, start + timedelta(days=1)


def log_stmt(project_id: int, day: date, *, tz: ZoneInfo, channel: str = "", category: str = ""):
    """A day's intakes (the desk's wall-clock day), newest first, filtered by channel and category."""
    start, end = day_bounds(day, tz)
    stmt = select(Intake).where(Intake.project_id == project_id, Intake.received_at >= start,
                                Intake.received_at < end)
    if channel in CHANNELS:
        stmt = stmt.where(Intake.channel == channel)
    if category in CATEGORIES:
        stmt = stmt.where(Intake.category == category)
    return stmt.order_by(Intake.received_at.desc(), Intake.id.desc())


def day_counts(session: Session, project_id: int, day: date, *, tz: ZoneInfo) -> dict[str, int]:
    """How many intakes came in that day by each channel (every channel listed, zeros too)."""
    return day_counts_by_project(session, [project_id], day, tz=tz)[project_id]


def day_counts_by_project(session: Session, project_ids: list[int], day: date, *, tz: ZoneInfo) -> dict[int, dict]:
    """day_counts for many projects, with one grouped query."""
    return channel_counts(session, project_ids, *day_bounds(day, tz))


def channel_counts(session: Session, project_ids: list[int], start: datetime, end: datetime) -> dict[int, dict]:
    """{project id: {channel: intakes received in [start, end)}} (every channel listed, zeros too), one query."""
    out = {i: dict.fromkeys(CHANNELS, 0) for i in project_ids}
    if project_ids:
        for project_id, channel, n in session.exec(select(Intake.project_id, Intake.channel, func.count()).where(
                among(Intake.project_id, project_ids), Intake.received_at >= start, Intake.received_at < end)
                .group_by(Intake.project_id, Intake.channel)).all():
            if channel in out[project_id]:
                out[project_id][channel] = n
    return out


def intake_in(session: Session, intake_id, *, project_id: int) -> Intake:
    intake = session.get(Intake, int(intake_id)) if str(intake_id or "").isdigit() else None
    if intake is None or intake.project_id != project_id:
        raise IntakeError(_("找不到这条登记。"), status=404)
    return intake


def follow_ups(session: Session, project_ids: list[int], limit: int = 200) -> list[Intake]:
    """Intakes of the projects marked for a callback (需要回访), the oldest first: the callback list decides which
    are still due."""
    if not project_ids:
        return []
    return session.exec(select(Intake).where(among(Intake.project_id, project_ids), Intake.follow_up == True)  # noqa: E712
                        .order_by(Intake.received_at, Intake.id).limit(limit)).all()
