"""Incidents (特殊事件): reporting one (online or from the outbox), alerting the supervisors, following it up
until a supervisor closes it, and the repair ticket or complaint it opens."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.accounts.services import member_ids
from app.complaints import services as complaints
from app.core import audit
from app.core.db import among, count_by, get_posted, locked
from app.core.notifications import link, notify
from app.core.permissions import roles_in
from app.core.photos import attach
from app.core.refusal import Refusal
from app.incidents import notices, workflow
from app.incidents.labels import FOLLOWUP_LABELS, KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS
from app.incidents.models import KINDS, SEVERITIES, SOURCES, FollowUp, Incident
from app.patrols.services import round_in
from app.projects.models import Project
from app.projects.services import areas_of, get_project, places_of, posted_checkpoint
from app.repairs import services as repairs

MAX_TEXT = 2000
MAX_PEOPLE = 500
MAX_LOCATION = 200
# A time a few minutes past the phone's clock is a clock a little off, not an incident of the future.
FUTURE_SLACK = timedelta(minutes=5)
PAST_LIMIT = timedelta(days=90)  # as the outbox's: older is a mistyped year
RANK = {severity: n for n, severity in enumerate(SEVERITIES)}

ACTION_LABELS = {"follow_up": FOLLOWUP_LABELS["note"], "close": FOLLOWUP_LABELS["close"],
                 "reopen": FOLLOWUP_LABELS["reopen"], "ticket": FOLLOWUP_LABELS["ticket"],
                 "complaint": FOLLOWUP_LABELS["complaint"]}


class IncidentError(Refusal):
    """An incident refusal: the input, the state or the role does not allow it."""


# -- the rules of a report, for the server and the phone -------------------------------------------

def rule_messages() -> dict:
    """The report's refusals in the reader's language, in the order they are checked; the page embeds them for
    the phone (static/js/incidents.js), which refuses with the same words before anything is queued."""
    return {"kind": _("请选择事件类型。"), "kind_problem": _("请选择类型"),
            "time": _("请填写事发时间。"), "time_problem": _("请填写时间"),
            "time_format": _("事发时间格式不对,请重新选择。"), "time_format_problem": _("时间格式不对"),
            "future": _("事发时间不能晚于现在。"), "future_problem": _("时间在将来"),
            "past": _("事发时间早于 %(days)d 天前,请检查日期。", days=PAST_LIMIT.days),
            "past_problem": _("时间过早"),
            "place": _("请选择事发地点(区域或巡更点),或填写具体位置。"), "place_problem": _("请选择或填写地点"),
            "description": _("请填写事件经过。"), "description_problem": _("请填写经过")}


def phone_rules(tz: str) -> dict:
    return {"zone": tz, "slack_minutes": int(FUTURE_SLACK.total_seconds() // 60), "past_days": PAST_LIMIT.days,
            "kinds": list(KINDS), "messages": rule_messages()}


def _refuse(key: str, field: str):
    m = rule_messages()
    raise IncidentError(m[key], {field: m[f"{key}_problem"]})


def parse_time(value, *, tz: str, latest: datetime) -> datetime:
    """The time typed (a local wall time "2026-12-01T02:10", or ISO with an offset) as UTC; refused when missing,
    unreadable, after `latest` (the moment it was written down) or long before it."""
    raw = str(value or "").strip()
    if not raw:
        _refuse("time", "occurred_at")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        _refuse("time_format", "occurred_at")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    moment = moment.astimezone(ZoneInfo("UTC"))
    if moment > latest + FUTURE_SLACK:
        _refuse("future", "occurred_at")
    if moment < latest - PAST_LIMIT:
        _refuse("past", "occurred_at")
    return moment


def _place(session: Session, project: Project, data: dict) -> tuple[int | None, int | None, str]:
    """(area id, checkpoint id, location) of the form's `place` ("area-3", "checkpoint-7") and `location`."""
    location = str(data.get("location", "")).strip()[:MAX_LOCATION]
    kind, _sep, raw = str(data.get("place", "")).strip().partition("-")
    area_id = checkpoint_id = None
    if kind == "checkpoint":
        checkpoint = posted_checkpoint(session, raw)
        if checkpoint is not None and checkpoint.project_id == project.id:
            area_id, checkpoint_id = checkpoint.area_id, checkpoint.id
    elif kind == "area":
        area_id = next((a.id for a in areas_of(session, project) if str(a.id) == raw), None)
    if kind and area_id is None:
        raise IncidentError(_("所选地点已不存在,请重新选择。"), {"place": _("请重新选择")})
    if area_id is None and not location:
        _refuse("place", "place")
    return area_id, checkpoint_id, location


def _text(value, limit: int, label: str, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise IncidentError(_("%(label)s不能超过 %(n)d 字。", label=label, n=limit), {field: _("太长")})
    return text


def report(session: Session, *, storage, actor, project: Project, data: dict, reported_at: datetime, tz: str,
           photos: list = (), client_id: str = "") -> Incident:
    """A new incident, checked in the order the phone checks (type, time, place, what happened) and refused whole;
    above minor it reaches the project's supervisors at once. The caller commits."""
    kind = str(data.get("kind", "")).strip()
    if kind not in KINDS:
        _refuse("kind", "kind")
    occurred_at = parse_time(data.get("occurred_at"), tz=tz, latest=reported_at)
    area_id, checkpoint_id, location = _place(session, project, data)
    description = _text(data.get("description"), MAX_TEXT, _("事件经过"), "description")
    if not description:
        _refuse("description", "description")
    round_ = round_in(session, data.get("round_id"), project_id=project.id)
    source = str(data.get("source", ""))
    incident = Incident(
        project_id=project.id, kind=kind, occurred_at=occurred_at, reported_at=reported_at,
        severity=str(data.get("severity", "")) if data.get("severity") in SEVERITIES else "minor",
        reporter_id=actor.id, area_id=area_id, checkpoint_id=checkpoint_id, location=location,
        source="round" if round_ else source if source in SOURCES else "home", round_id=round_ and round_.id,
        people=_text(data.get("people"), MAX_PEOPLE, _("当事人"), "people"), description=description,
        action_taken=_text(data.get("action_taken"), MAX_TEXT, _("处理措施"), "action_taken"))
    session.add(incident)
    session.flush()
    incident.number = f"SJ-{incident.created_at.astimezone(ZoneInfo(tz)):%Y%m%d}-{incident.id:04d}"
    attach(session, storage, list(photos), project_id=project.id, owner_type="incident", owner_id=incident.id,
           uploaded_by=actor.id, taken_at=reported_at,
           prefix=f"incidents/{project.id}/{client_id or incident.id}")
    audit.record(session, actor=actor, action="incident.report", obj=incident,
                 after={"number": incident.number, "kind": kind, "severity": incident.severity,
                        "photos": len(photos)})
    alert(session, incident=incident, actor=actor)
    return incident


def place_text(session: Session, incident: Incident) -> str:
    """Where it happened, as one line: 车场 · 车场入口岗亭 · 东侧第 3 车位."""
    parts = []
    if incident.checkpoint_id:
        place = places_of(session, [incident.checkpoint_id]).get(incident.checkpoint_id)
        parts.extend([place[1].name, place[0].name] if place else [])
    elif incident.area_id:
        parts.extend(a.name for a in areas_of(session, get_project(session, incident.project_id))
                     if a.id == incident.area_id)
    if incident.location:
        parts.append(incident.location)
    return " · ".join(parts)


def alert(session: Session, *, incident: Incident, actor) -> list:
    """Above minor, the project's supervisors hear of it once (a later rise to critical once more), whoever else
    hears of it (a ticket, a channel): keyed by incident and level, so a replay or a second request adds nothing."""
    if RANK[incident.severity] == 0 or RANK.get(incident.alerted, 0) >= RANK[incident.severity]:
        return []
    incident.alerted = incident.severity
    session.add(incident)
    users = [u for u in member_ids(session, incident.project_id, workflow.SUPERVISORS) if u != actor.id]
    event = notices.CRITICAL if incident.severity == "critical" else notices.SERIOUS
    return notify(session, user_ids=users, event=event, project_id=incident.project_id,
                  params={"number": incident.number, "kind": incident.kind, "place": place_text(session, incident)},
                  link=link("incidents.incident", incident_id=incident.id),
                  key=f"incident:{incident.id}:{incident.severity}")


# -- after the report -------------------------------------------------------------------------------

def incident_in(session: Session, incident_id, *, project_id: int) -> Incident:
    """The incident a form or a phone names, if it is this project's; else a 404 refusal."""
    incident = get_posted(session, Incident, incident_id)
    if incident is None or incident.project_id != project_id:
        raise IncidentError(_("找不到这条特殊事件。"), status=404)
    return incident


def allowed_actions(incident: Incident, roles: set[str]) -> list[str]:
    return [a for a in workflow.TRANSITIONS if not workflow.refusal(a, incident.status, roles)]


def _check(session: Session, incident: Incident, actor, action: str) -> set[str]:
    """Lock the incident's row and refuse the action if its state or the actor's roles do not allow it now:
    two people deciding at once run one after the other, and the second sees what the first did."""
    locked(session, select(Incident).where(Incident.id == incident.id).execution_options(populate_existing=True)).one()
    roles = roles_in(session, actor, get_project(session, incident.project_id))
    code = workflow.refusal(action, incident.status, roles)
    label = str(ACTION_LABELS[action])
    if code == "role":
        raise IncidentError(_("您的角色不能%(action)s。", action=label), status=403)
    if code:
        raise IncidentError(_("特殊事件当前状态为“%(status)s”,不能%(action)s。",
                              status=str(STATUS_LABELS[incident.status]), action=label), status=409)
    return roles


def _step(session: Session, incident: Incident, actor, kind: str, text: str, at: datetime) -> FollowUp:
    step = FollowUp(incident_id=incident.id, project_id=incident.project_id, kind=kind, text=text[:MAX_TEXT],
                    author_id=actor.id, at=at)
    session.add(step)
    session.flush()
    return step


def act(session: Session, *, storage, actor, incident: Incident, action: str, now: datetime, text: str = "",
        severity: str = "", event_time: datetime | None = None, photos: list = (), photo_prefix: str = "") -> Incident:
    """Follow up (with a note, photos, a new severity), close or reopen; refused whole. The caller commits."""
    if action not in ("follow_up", "close", "reopen"):
        raise IncidentError(_("未知操作。"), status=400)
    roles = _check(session, incident, actor, action)
    at, text = event_time or now, _text(text, MAX_TEXT, _("跟进内容"), "text")
    severity = severity if severity in SEVERITIES and severity != incident.severity else ""
    if action == "follow_up" and not (text or photos or severity):
        raise IncidentError(_("请填写跟进情况或添加照片。"), {"text": _("请填写跟进情况")})
    if action == "close" and not text:
        raise IncidentError(_("请填写处理结果再关闭。"), {"text": _("请填写处理结果")})
    if severity and RANK[severity] < RANK[incident.severity] and not roles & {"admin", *workflow.SUPERVISORS}:
        raise IncidentError(_("只有主管可以降低事件级别。"), {"severity": _("不能降低")}, status=403)
    before = {"status": incident.status, "severity": incident.severity}
    if severity:
        _step(session, incident, actor, "severity", f"{incident.severity}→{severity}", at)
        incident.severity = severity
    step = _step(session, incident, actor, {"follow_up": "note"}.get(action, action), text, at) \
        if text or photos or action != "follow_up" else None
    incident.status = workflow.target(action, incident.status)
    if action == "close":
        incident.closed_at, incident.closed_by = now, actor.id
        if incident.reporter_id and incident.reporter_id != actor.id:
            notify(session, user_ids=[incident.reporter_id], event=notices.CLOSED, project_id=incident.project_id,
                   params={"number": incident.number}, link=link("incidents.incident", incident_id=incident.id))
    elif action == "reopen":
        incident.closed_at, incident.closed_by = None, None
    session.add(incident)
    if photos and step is not None:
        attach(session, storage, list(photos), project_id=incident.project_id, owner_type="incident_followup",
               owner_id=step.id, uploaded_by=actor.id, taken_at=at,
               prefix=photo_prefix or f"incidents/{incident.project_id}/{incident.id}/followup-{step.id}")
    audit.record(session, actor=actor, action=f"incident.{action}", obj=incident, before=before,
                 after={"status": incident.status, "severity": incident.severity})
    alert(session, incident=incident, actor=actor)
    return incident


def _summary(session: Session, incident: Incident) -> str:
    return f"[{KIND_LABELS[incident.kind]}] {incident.number}:{incident.description}"[:MAX_TEXT]


def open_ticket(session: Session, *, storage, actor, incident: Incident, now: datetime) -> int:
    """A repair ticket for the damage the incident left (a leak, a broken door), linked both ways; once."""
    _check(session, incident, actor, "ticket")
    if incident.ticket_id:
        raise IncidentError(_("这条特殊事件已有报修单。"), status=409)
    ticket = repairs.open_ticket(session, storage=storage, user=actor, project_id=incident.project_id,
                                 description=_summary(session, incident), source="incident", reported_at=now,
                                 photos=[], photo_prefix="", area_id=incident.area_id,
                                 checkpoint_id=incident.checkpoint_id, location=place_text(session, incident),
                                 severity="medium" if incident.severity != "minor" else "minor",
                                 urgent=incident.severity == "critical")
    incident.ticket_id = ticket.id
    session.add(incident)
    _step(session, incident, actor, "ticket", ticket.number, now)
    audit.record(session, actor=actor, action="incident.ticket", obj=incident, after={"ticket_id": ticket.id})
    return ticket.id


def open_complaint(session: Session, *, storage, actor, incident: Incident, data: dict, now: datetime,
                   tz: str) -> int:
    """A complaint received from the incident (a resident's grievance in a dispute, say), linked both ways; once.
    The complaint's own rules apply (the complainant's phone for the callback)."""
    _check(session, incident, actor, "complaint")
    if incident.complaint_id:
        raise IncidentError(_("这条特殊事件已转投诉。"), status=409)
    complaint = complaints.open_complaint(
        session, storage=storage, actor=actor, project=get_project(session, incident.project_id), tz=tz,
        received_at=now, data={"description": str(data.get("description") or "").strip() or _summary(session, incident),
                               "complainant_name": data.get("complainant_name", ""),
                               "complainant_phone": data.get("complainant_phone", ""), "category": "安全秩序",
                               "channel": "referral", "unit_label": data.get("unit_label", "")})
    incident.complaint_id = complaint.id
    session.add(incident)
    _step(session, incident, actor, "complaint", complaint.number, now)
    audit.record(session, actor=actor, action="incident.complaint", obj=incident, after={"complaint_id": complaint.id})
    return complaint.id


# -- reading ------------------------------------------------------------------------------------------

def followups_of(session: Session, incident_id: int) -> list[FollowUp]:
    return session.exec(select(FollowUp).where(FollowUp.incident_id == incident_id)
                        .order_by(FollowUp.at, FollowUp.id)).all()


def incidents_stmt(project_id: int, *, statuses=None):
    stmt = select(Incident).where(Incident.project_id == project_id)
    if statuses:
        stmt = stmt.where(Incident.status.in_(statuses))
    return stmt.order_by(Incident.occurred_at.desc(), Incident.id.desc())


def open_counts(session: Session, project_ids: list[int], severities=SEVERITIES) -> dict[int, int]:
    """{project id: incidents not closed, of these severities}, with one grouped query."""
    return count_by(session, Incident.project_id, project_ids, Incident.status.in_(workflow.OPEN),
                    Incident.severity.in_(severities))


def not_closed(session: Session, project_ids: list[int], limit: int = 200) -> list[Incident]:
    """The incidents of these projects not closed yet: critical first, then serious, then minor, the oldest first."""
    if not project_ids:
        return []
    worst_first = sa.case({"critical": 0, "serious": 1}, value=Incident.severity, else_=2)
    return session.exec(select(Incident).where(among(Incident.project_id, project_ids),
                                               Incident.status.in_(workflow.OPEN))
                        .order_by(worst_first, Incident.occurred_at, Incident.id).limit(limit)).all()


def reported_by(session: Session, user_id: int, project_ids: list[int], limit: int = 10) -> list[Incident]:
    """The user's own incidents not closed yet, the newest first."""
    if not project_ids:
        return []
    return session.exec(select(Incident).where(among(Incident.project_id, project_ids),
                                               Incident.reporter_id == user_id, Incident.status.in_(workflow.OPEN))
                        .order_by(Incident.occurred_at.desc()).limit(limit)).all()


def may_read(roles: set[str]) -> bool:
    """Whether a holder of these project roles may open an incident's page (a link they may not follow is text)."""
    return bool(roles & {*workflow.REPORTERS, "admin"})


def linked_to(session: Session, *, ticket_id: int | None = None, complaint_id: int | None = None) -> Incident | None:
    """The incident that opened this ticket or complaint, if one did (the link's other way)."""
    if ticket_id:
        return session.exec(select(Incident).where(Incident.ticket_id == ticket_id)).first()
    if complaint_id:
        return session.exec(select(Incident).where(Incident.complaint_id == complaint_id)).first()
    return None


def labels() -> dict:
    """The codes' words for templates and reports, in the reader's language."""
    return {name: {k: str(v) for k, v in table.items()} for name, table in (
        ("kind_labels", KIND_LABELS), ("severity_labels", SEVERITY_LABELS), ("status_labels", STATUS_LABELS),
        ("followup_labels", FOLLOWUP_LABELS), ("action_labels", ACTION_LABELS))}
