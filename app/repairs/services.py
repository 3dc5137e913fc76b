"""Repair tickets: reporting (online or from the outbox), service targets, and the workflow."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from app.accounts.services import member_ids
from app.core import audit
from app.core.db import among, count_by, get_posted, local
from app.core.notifications import link, notify
from app.core.permissions import roles_in
from app.core.photos import attach, photos_of
from app.core.refusal import Refusal
from app.core.validation import needs
from app.projects.models import Project
from app.projects.services import areas_of, get_project, id_rows
from app.repairs import notices, workflow
from app.repairs.models import SEVERITIES, RepairSettings, Ticket

MAX_DESCRIPTION = 2000
MAX_LOCATION = 200


def _ticket_number(ticket: Ticket) -> str:
    day = local(ticket.created_at)
    return f"BX-{day:%Y%m%d}-{ticket.id:04d}"


def unfinished_ticket(session: Session, ticket_id: int | None) -> Ticket | None:
    """The ticket, if it is still being worked on (neither closed nor cancelled)."""
    ticket = session.get(Ticket, ticket_id) if ticket_id else None
    return ticket if ticket is not None and ticket.status not in ("closed", "cancelled") else None


def ticket_is_open(session: Session, ticket_id: int | None) -> bool:
    """True while the ticket is still in one of the open states (reported … reopened)."""
    ticket = session.get(Ticket, ticket_id) if ticket_id else None
    return ticket is not None and ticket.status in workflow.OPEN


def awaiting_dispatch(session: Session, project_id: int, limit: int = 20, *, sources=None,
                      reporter_ids=()) -> list[Ticket]:
    """The project's tickets reported and not yet dispatched, newest first; with `sources`, only those from
    these sources or reported by `reporter_ids`."""
    stmt = select(Ticket).where(Ticket.project_id == project_id, Ticket.status == "reported")
    if sources is not None:
        stmt = stmt.where(Ticket.source.in_(sources) | Ticket.reporter_id.in_(list(reporter_ids)))
    return session.exec(stmt.order_by(Ticket.created_at.desc()).limit(limit)).all()


def caller_news_counts(session: Session, project_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{project id: (open tickets whose caller waits for news — returned, or the engineer late — and nobody told
    them yet, the first one's id)}: two grouped queries, each reading only the returned tickets or the open late
    ones from an index (project_id, status, …), however many tickets a project keeps."""
    if not project_ids:
        return {}
    ids, out = list(project_ids), {}
    for where in ((Ticket.status == "returned",),
                  (Ticket.status.in_([s for s in workflow.OPEN if s != "returned"]), Ticket.late_at.is_not(None))):
        for project_id, n, first in session.exec(
                select(Ticket.project_id, func.count(), func.min(Ticket.id))
                .where(among(Ticket.project_id, ids), *where, Ticket.informed_at.is_(None))
                .group_by(Ticket.project_id)).all():
            had, was = out.get(project_id, (0, first))
            out[project_id] = (had + n, min(first, was))
    return out


def awaiting_callback_counts(session: Session, project_ids: list[int], *, finished_before: datetime | None = None,
                             finished_since: datetime | None = None, where=None) -> dict[int, int]:
    """{project id: tickets awaiting callback finished before `finished_before` / since `finished_since` (the
    creation time of a ticket never marked finished)}, `where(ticket_id)` being the caller's further SQL condition
    on the ticket's id: one grouped query, each of its two halves (finished, never marked finished) a range of the
    (project_id, status, finished_at, created_at) index."""
    if not project_ids:
        return {}
    finished, created = [], []
    if finished_before is not None:
        finished.append(Ticket.finished_at < finished_before)
        created.append(Ticket.created_at < finished_before)
    if finished_since is not None:
        finished.append(Ticket.finished_at >= finished_since)
        created.append(Ticket.created_at >= finished_since)
    common = [among(Ticket.project_id, project_ids), Ticket.status == "awaiting_callback",
              *([where(Ticket.id)] if where is not None else [])]
    halves = sa.union_all(select(Ticket.project_id).where(*common, Ticket.finished_at.is_not(None), *finished),
                          select(Ticket.project_id).where(*common, Ticket.finished_at.is_(None), *created)).subquery()
    return dict(session.exec(select(halves.c.project_id, func.count()).group_by(halves.c.project_id)).all())


def tickets_in(session: Session, project_ids: list[int], statuses: tuple[str, ...]) -> list[Ticket]:
    """The tickets of many projects in one of `statuses`, the newest first."""
    if not project_ids:
        return []
    return session.exec(select(Ticket).where(among(Ticket.project_id, project_ids), Ticket.status.in_(statuses))
                        .order_by(Ticket.created_at.desc(), Ticket.id.desc())).all()


def open_ticket(session: Session, *, storage, user, project_id: int, description: str, source: str, reported_at,
                photos: list, photo_prefix: str, area_id: int | None = None, checkpoint_id: int | None = None,
                location: str = "", category: str = "其他", severity: str = "minor", urgent: bool = False,
                reporter_name: str = "", reporter_phone: str = "", unit_id: int | None = None, unit_label: str = "",
                channel: str = "", appointment_at: datetime | None = None) -> Ticket:
    """A new ticket in status "reported" (待派单), with its before-photos; every capability reports through here."""
    settings = settings_for(session, project_id)
    ticket = Ticket(project_id=project_id, area_id=area_id, checkpoint_id=checkpoint_id, location=location[:MAX_LOCATION],
                    description=description[:MAX_DESCRIPTION], source=source, reporter_id=user.id if user else None,
                    reported_at=reported_at,
                    category=category if category in settings.categories else "其他",
                    severity=severity if severity in SEVERITIES else "minor", urgent=urgent,
                    reporter_name=reporter_name[:60], reporter_phone=reporter_phone[:20], unit_id=unit_id,
                    unit_label=unit_label[:80], channel=channel[:10], appointment_at=appointment_at)
    session.add(ticket)
    session.flush()
    ticket.due_at = completion_due(settings, severity=ticket.severity, urgent=urgent, start=ticket.created_at)
    ticket.number = _ticket_number(ticket)
    attach(session, storage, photos, project_id=project_id, owner_type="ticket", owner_id=ticket.id,
           uploaded_by=user.id if user else None, taken_at=reported_at, prefix=photo_prefix)
    audit.record(session, actor=user, action="ticket.report", obj=ticket,
                 after={"number": ticket.number, "source": source, "description": ticket.description,
                        "photos": len(photos)})
    return ticket


def report(session: Session, *, storage, user, project: Project, data: dict, reported_at: datetime, photos: list,
           client_id: str) -> Ticket:
    """A ticket reported from the form or a phone's outbox, its fields checked first (refused whole, per field)."""
    description = str(data.get("description", "")).strip()
    location = str(data.get("location", "")).strip()
    fields = {}
    if not description:
        fields["description"] = _("请描述问题。")
    elif len(description) > MAX_DESCRIPTION:
        fields["description"] = _("描述不能超过 %(n)d 字。", n=MAX_DESCRIPTION)
    if len(location) > MAX_LOCATION:
        fields["location"] = _("位置不能超过 %(n)d 字。", n=MAX_LOCATION)
    area = None
    if data.get("area_id"):
        area = {str(a.id): a for a in areas_of(session, project)}.get(str(data["area_id"]).strip())
        if area is None:
            fields["area_id"] = _("所选区域已不存在,请重新选择。")
    if fields:
        raise TicketError(" ".join(fields.values()), fields)
    return open_ticket(session, storage=storage, user=user, project_id=project.id, description=description,
                       source="front_desk", reported_at=reported_at, photos=photos,
                       photo_prefix=f"tickets/{project.id}/{client_id}", area_id=area and area.id, location=location,
                       category=str(data.get("category", "")), severity=str(data.get("severity", "")),
                       urgent=str(data.get("urgent", "")) in ("1", "true", "on"))


CONTACT_ROLES = {"supervisor", "frontdesk", "admin"}  # with the ticket's assignee: who may call the resident back


def mask(value: str) -> str:
    """"+8613800138000" → "+86138****8000", "王女士" → "王**": enough to recognise a report, not to reach its sender."""
    if not value:
        return ""
    if value.lstrip("+").isdigit() and len(value) >= 7:
        return value[:-8] + "****" + value[-4:] if len(value) >= 11 else value[:2] + "*" * (len(value) - 4) + value[-2:]
    return value[0] + "*" * (len(value) - 1)


def reporter_contact(ticket: Ticket, *, roles: set[str], user_id: int) -> tuple[str, str]:
    """The resident's name and phone as this reader may see them: whole for the assignee, supervisors and admins."""
    if ticket.assignee_id == user_id or roles & CONTACT_ROLES:
        return ticket.reporter_name, ticket.reporter_phone
    return mask(ticket.reporter_name), mask(ticket.reporter_phone)


def ticket_in(session: Session, ticket_id, *, project_id: int) -> Ticket:
    """The ticket a form or a phone names, if it is this project's; else a 404 refusal."""
    ticket = get_posted(session, Ticket, ticket_id)
    if ticket is None or ticket.project_id != project_id:
        raise TicketError(_("找不到这张工单。"), status=404)
    return ticket


def tickets_stmt(project: Project, *, statuses=None, category: str | None = None):
    stmt = select(Ticket).where(Ticket.project_id == project.id)
    if statuses:
        stmt = stmt.where(Ticket.status.in_(statuses))
    if category:
        stmt = stmt.where(Ticket.category == category)
    return stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc())


ENGINEER_STATES = ("dispatched", "in_progress")  # what an engineer has on their plate
TO_DISPATCH = ("reported", "returned", "reopened")  # what a supervisor has to dispatch


def ticket_counts(session: Session, project_ids: list[int], states: tuple[str, ...], *,
                  assignee_id: int | None = None) -> dict[int, int]:
    """{project id: tickets in one of `states`} (optionally assigned to one engineer), with one grouped query."""
    mine = (Ticket.assignee_id == assignee_id,) if assignee_id is not None else ()
    return count_by(session, Ticket.project_id, project_ids, Ticket.status.in_(states), *mine)


def my_tickets(session: Session, user, now: datetime) -> list[tuple[Ticket, "Clock | None"]]:
    """An engineer's open tickets: overdue first, then urgent, then by due time."""
    rows = session.exec(select(Ticket).where(Ticket.assignee_id == user.id, Ticket.status.in_(ENGINEER_STATES))).all()
    settings = {}
    out = []
    for ticket in rows:
        if ticket.project_id not in settings:
            settings[ticket.project_id] = settings_for(session, ticket.project_id)
        out.append((ticket, clock(ticket, settings[ticket.project_id], now)))
    far = now + timedelta(days=3650)
    return sorted(out, key=lambda pair: (not (pair[1] and pair[1].overdue), not pair[0].urgent,
                                         pair[1].due if pair[1] else far))


def overdue_tickets(session: Session, project: Project, now: datetime) -> list[Ticket]:
    """The project's open tickets past their dispatch or completion target."""
    settings = settings_for(session, project.id)
    tickets = session.exec(tickets_stmt(project, statuses=workflow.OPEN)).all()
    return [t for t in tickets if (state := clock(t, settings, now)) and state.overdue]


# What a needs-attention line of a ticket shows and `clock` reads: rows, not objects, for many projects at once.
OVERDUE_COLUMNS = (Ticket.id, Ticket.project_id, Ticket.number, Ticket.description, Ticket.location, Ticket.unit_label,
                   Ticket.assignee_id, Ticket.urgent, Ticket.status, Ticket.created_at, Ticket.due_at)


@dataclass
class Overdue:
    """A project's open tickets past their targets: how many of each kind (each up to CAP + 1), and their earliest
    and latest due (None until `add_spans`)."""

    dispatch: int = 0
    completion: int = 0
    first_due: datetime | None = None
    last_due: datetime | None = None

    @property
    def count(self) -> int:
        return self.dispatch + self.completion


CAP = 999  # the home's counts of tickets stop past this many ("999+"): each reads at most CAP + 1 index entries a
# project, where counting the 150,000 open tickets of a busy site to print a number nobody reads took 80 ms


def shown(n: int) -> str:
    """A count read with `capped_counts` as the home prints it: "999+" past CAP."""
    return f"{CAP}+" if n > CAP else str(n)


def _per_group(parts):
    """One statement of the per-dispatch-target selects (`_past_targets`' groups): the select itself, or their union."""
    return parts[0] if len(parts) == 1 else sa.union_all(*parts)


def _capped(projects, *where):
    """How many tickets of the outer query's project (a row of `projects`, `id_rows`) meet `where`, at most CAP + 1:
    a correlated scalar subquery that stops reading its index range there."""
    some = select(sa.literal(1)).where(Ticket.project_id == projects.c.id, *where).correlate(projects).limit(CAP + 1)
    return select(func.count()).select_from(some.subquery()).scalar_subquery()


def capped_counts(session: Session, project_ids: list[int], states: tuple[str, ...]) -> dict[int, int]:
    """`ticket_counts` read at most CAP + 1 a project (n > CAP means more than CAP; `shown(n)` prints it), in one
    statement: a range of the (project_id, status, …) indexes a project, whatever it keeps."""
    if not project_ids:
        return {}
    projects = id_rows(project_ids)
    rows = session.exec(select(projects.c.id, _capped(projects, Ticket.status.in_(states)))).all()
    return {project_id: n for project_id, n in rows if n}


def _past_targets(session: Session, project_ids: list[int], now: datetime) -> tuple[dict, dict, tuple]:
    """Each project's settings (one default object for those that kept the defaults: constructing one per project
    is slow), the projects by dispatch target ({minutes: [project id, …]}), and the conditions of an open ticket
    past its dispatch target (each project's own minutes: one term per distinct value) and past its completion
    target."""
    stored = {s.project_id: s for s in session.exec(select(RepairSettings).where(
        among(RepairSettings.project_id, project_ids)))}
    default = RepairSettings()
    settings = {project_id: stored.get(project_id, default) for project_id in project_ids}
    groups: dict[int, list[int]] = {}
    for project_id, chosen in settings.items():
        groups.setdefault(chosen.dispatch_minutes, []).append(project_id)
    dispatch = sa.and_(Ticket.status == "reported", sa.or_(*(
        sa.and_(among(Ticket.project_id, ids), Ticket.created_at < now - timedelta(minutes=m)) for m, ids in groups.items())))
    completion = sa.and_(among(Ticket.project_id, project_ids), Ticket.status.in_(LATE_STATES), Ticket.due_at < now)
    return settings, groups, (dispatch, completion)


LATE_STATES = tuple(s for s in workflow.OPEN if s != "reported")  # late when past their completion target


def overdue_counts(session: Session, project_ids: list[int], now: datetime) -> dict[int, Overdue]:
    """{project id: Overdue} of the projects with open tickets past a target, each kind counted up to CAP + 1
    (`shown` prints it), without their first and last due (`add_spans`): one statement (and the settings) whatever
    the number of projects or tickets, each project a range of an index read to CAP + 1 at most."""
    if not project_ids:
        return {}
    _settings, groups, _where = _past_targets(session, project_ids, now)
    parts = [select((projects := id_rows(ids)).c.id,
                    _capped(projects, Ticket.status == "reported", Ticket.created_at < now - timedelta(minutes=m)),
                    _capped(projects, Ticket.status.in_(LATE_STATES), Ticket.due_at < now))
             for m, ids in groups.items()]
    out: dict[int, Overdue] = {}
    for project_id, dispatch, completion in session.exec(_per_group(parts)).all():
        if dispatch or completion:
            out[project_id] = Overdue(dispatch=dispatch, completion=completion)
    return out


def add_spans(session: Session, counts: dict[int, Overdue], now: datetime) -> None:
    """Set the first and last due of these projects' Overdue (from `overdue_counts`): one statement of a minimum
    and a maximum per open state and project, each one entry of an index, whatever the number of tickets."""
    ids = [i for i, n in counts.items() if n.first_due is None]
    if not ids:
        return
    settings, groups, _where = _past_targets(session, ids, now)

    def ends(projects, minutes: int):
        """The first and last due of each open state, a correlated subquery each on `projects`."""
        for state in ("reported", *LATE_STATES):
            moment, past = ((Ticket.created_at, Ticket.created_at < now - timedelta(minutes=minutes))
                            if state == "reported" else (Ticket.due_at, Ticket.due_at < now))
            for end in (func.min, func.max):
                yield (select(end(moment)).where(Ticket.project_id == projects.c.id, Ticket.status == state, past)
                       .correlate(projects).scalar_subquery())

    parts = [select((projects := id_rows(group)).c.id, *ends(projects, m)) for m, group in groups.items()]
    for project_id, *moments in session.exec(_per_group(parts)).all():
        shift = timedelta(minutes=settings[project_id].dispatch_minutes)
        moments = [at + shift if i < 2 and at else at for i, at in enumerate(moments)]  # dispatch: its target
        firsts, lasts = [at for at in moments[0::2] if at], [at for at in moments[1::2] if at]
        counts[project_id].first_due = min(firsts) if firsts else None
        counts[project_id].last_due = max(lasts) if lasts else None


def overdue_in(session: Session, project_ids: list[int], now: datetime) -> list[tuple]:
    """The open tickets of these projects past their dispatch or completion target (rows of OVERDUE_COLUMNS),
    with their clock, the longest overdue first: two queries whatever the number of projects."""
    if not project_ids:
        return []
    settings, _groups, (dispatch, completion) = _past_targets(session, project_ids, now)
    tickets = session.exec(select(*OVERDUE_COLUMNS).where(sa.or_(dispatch, completion))).all()
    out = [(t, state) for t in tickets if (state := clock(t, settings[t.project_id], now)) and state.overdue]
    return sorted(out, key=lambda pair: (pair[1].due, pair[0].id))


# -- service targets --------------------------------------------------------------------------

def settings_for(session: Session, project_id: int) -> RepairSettings:
    return session.get(RepairSettings, project_id) or RepairSettings(project_id=project_id)


def completion_due(settings: RepairSettings, *, severity: str, urgent: bool, start: datetime) -> datetime:
    """When the repair must be done: 4 h if urgent, else by severity (7 / 30 / 60 days by default)."""
    if urgent:
        return start + timedelta(hours=settings.urgent_hours)
    days = {"minor": settings.minor_days, "medium": settings.medium_days, "major": settings.major_days}[severity]
    return start + timedelta(days=days)


@dataclass
class Clock:
    """What the ticket is waiting for, by when, and whether that time has passed."""

    what: str  # "dispatch" | "completion"
    due: datetime
    overdue: bool
    left: timedelta


def clock(ticket: Ticket, settings: RepairSettings, now: datetime) -> Clock | None:
    if ticket.status == "reported":
        due = ticket.created_at + timedelta(minutes=settings.dispatch_minutes)
        return Clock("dispatch", due, now > due, due - now)
    if ticket.status in workflow.OPEN and ticket.due_at:
        return Clock("completion", ticket.due_at, now > ticket.due_at, ticket.due_at - now)
    return None


SETTING_LIMITS = {"dispatch_minutes": (1, 240), "urgent_hours": (1, 72), "minor_days": (1, 60), "medium_days": (1, 120),
                  "major_days": (1, 365)}


def save_settings(session: Session, *, actor, project: Project, values: dict, categories: str) -> RepairSettings:
    """A project's service targets and category list, each checked; refused whole with the first problem."""
    settings = session.get(RepairSettings, project.id) or RepairSettings(project_id=project.id)
    before = {k: getattr(settings, k) for k in (*SETTING_LIMITS, "categories")}
    for key, (low, high) in SETTING_LIMITS.items():
        raw = str(values.get(key, "")).strip()
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise TicketError(_("%(field)s须为 %(low)d 到 %(high)d 之间的整数。", field=str(SETTING_LABELS[key]),
                                low=low, high=high), fields={key: _("超出范围")})
        setattr(settings, key, int(raw))
    names = list(dict.fromkeys(c.strip()[:20] for c in categories.replace(",", "\n").replace("、", "\n").splitlines()
                               if c.strip()))
    if not names:
        raise TicketError(_("至少需要一个类别。"), fields={"categories": _("请填写类别")})
    settings.categories = names if "其他" in names else [*names, "其他"]
    session.add(settings)
    audit.record(session, actor=actor, action="repair_settings.update", obj=settings, project_id=project.id,
                 before=before, after={k: getattr(settings, k) for k in (*SETTING_LIMITS, "categories")})
    session.commit()
    return settings


SETTING_LABELS = {"dispatch_minutes": _l("派单时限(分钟)"), "urgent_hours": _l("紧急完成时限(小时)"),
                  "minor_days": _l("小修时限(天)"), "medium_days": _l("中修时限(天)"), "major_days": _l("大修时限(天)")}


# -- the workflow -----------------------------------------------------------------------------

# How a ticket taken at the front desk reached it (frontdesk.models.CHANNELS)
CHANNEL_LABELS = {"phone": _l("来电"), "visit": _l("来访"), "wechat": _l("微信"), "referral": _l("巡查转来")}
STATUS_LABELS = {"reported": _l("待派单"), "dispatched": _l("已派单"), "in_progress": _l("处理中"),
                 "awaiting_callback": _l("待回访"), "closed": _l("已关闭"), "returned": _l("已退回"),
                 "reopened": _l("重开"), "cancelled": _l("已取消")}
ACTION_LABELS = {"dispatch": _l("派单"), "start": _l("开始处理"), "finish": _l("完工"), "return": _l("退回"),
                 "callback": _l("回访"), "cancel": _l("取消"), "add_photos": _l("添加照片"),
                 "delay": _l("无法及时赶到"), "inform": _l("已告知报修人")}


class TicketError(Refusal):
    """A ticket refusal: the state, the role or the input does not allow it."""


def finish_needs() -> list[dict]:
    """What a finish must carry, for `validation.needs` here and for the phone (the ticket page embeds it)."""
    return [{"field": "photos", "message": _("完工须上传维修后照片。"), "problem": _("请拍维修后照片")},
            {"field": "work_note", "message": _("请填写维修说明。"), "problem": _("请填写维修说明")}]


def _refuse(code: str, action: str, ticket: Ticket) -> TicketError:
    label = str(ACTION_LABELS[action])
    if code == "state":
        return TicketError(_("工单当前状态为“%(status)s”,不能%(action)s。", status=str(STATUS_LABELS[ticket.status]),
                             action=label), status=409)
    if code == "role":
        return TicketError(_("您的角色不能%(action)s。", action=label), status=403)
    return TicketError(_("只有被派单的工程人员可以%(action)s。", action=label), status=403)


def _text_field(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def act(session: Session, *, storage, actor, ticket: Ticket, action: str, now: datetime,
        event_time: datetime | None = None, assignee_id=None, reason: str = "", work_note: str = "",
        materials: str = "", photos: list = (), photo_prefix: str = "", reached: bool = True, satisfaction=None,
        comment: str = "") -> Ticket:
    """Apply one workflow action, or raise TicketError; the caller commits (the sync API commits with its record)."""
    if action not in workflow.TRANSITIONS:
        raise TicketError(_("未知操作。"), status=400)
    project = get_project(session, ticket.project_id)
    code = workflow.refusal(action, ticket.status, roles_in(session, actor, project), ticket.assignee_id == actor.id)
    if code:
        raise _refuse(code, action, ticket)
    event_time = event_time or now
    before = {"status": ticket.status, "assignee_id": ticket.assignee_id}
    reason, comment = _text_field(reason, 500), _text_field(comment, 500)
    here = {"project_id": project.id, "link": link("repairs.ticket", ticket_id=ticket.id)}
    if action == "dispatch":
        engineer_id = str(assignee_id or "").strip()
        if engineer_id not in {str(i) for i in member_ids(session, project.id, ("engineer",))}:  # active ones only
            raise TicketError(_("请选择本项目的工程人员。"), {"assignee_id": _("请选择工程人员")})
        ticket.assignee_id, ticket.dispatched_at, ticket.dispatched_by = int(engineer_id), now, actor.id
        notify(session, user_ids=[ticket.assignee_id], event=notices.DISPATCHED,
               params={"number": ticket.number, "text": ticket.description[:60]}, **here)
    elif action == "start":
        ticket.started_at = event_time
    elif action == "finish":
        work_note = _text_field(work_note, 2000)
        needs(finish_needs(), {"photos": len(photos), "work_note": work_note}, error=TicketError)
        ticket.finished_at, ticket.work_note, ticket.materials = event_time, work_note, _text_field(materials, 500)
        existing = len(photos_of(session, "ticket_after", ticket.id))
        attach(session, storage, photos, project_id=project.id, owner_type="ticket_after", owner_id=ticket.id,
               uploaded_by=actor.id, taken_at=event_time, prefix=photo_prefix or f"tickets/{project.id}/{ticket.id}/after-{existing}")
    elif action == "add_photos":
        if not photos:
            raise TicketError(_("请选择要添加的照片。"), {"photos": _("请选择照片")})
        existing = len(photos_of(session, "ticket_work", ticket.id))
        attach(session, storage, photos, project_id=project.id, owner_type="ticket_work", owner_id=ticket.id,
               uploaded_by=actor.id, taken_at=event_time, prefix=photo_prefix or f"tickets/{project.id}/{ticket.id}/work-{existing}")
    elif action in ("return", "cancel", "delay"):
        if not reason:
            raise TicketError(_("请填写原因。"), {"reason": _("请填写原因")})
        ticket.reason = reason
        if action in ("return", "delay"):  # the desk tells the caller (seed 002, 1.3.2), the supervisor knows
            ticket.late_at = now if action == "delay" else ticket.late_at
            ticket.informed_at = None
            notify(session, user_ids=member_ids(session, project.id, ("supervisor", "frontdesk")),
                   event=notices.RETURNED if action == "return" else notices.LATE,
                   params={"number": ticket.number, "reason": reason[:60]}, **here)
    elif action == "inform":
        ticket.informed_at = now
    elif action == "callback":
        ticket.callback_at, ticket.callback_reached, ticket.callback_comment = now, bool(reached), comment
        if reached:
            try:
                score = int(satisfaction)
            except (TypeError, ValueError):
                score = 0
            if not 1 <= score <= 5:
                raise TicketError(_("满意度须为 1 到 5 分。"), {"satisfaction": _("请选择 1-5 分")})
            ticket.satisfaction = score
    new_status = workflow.target(action, satisfied=(ticket.satisfaction or 0) >= workflow.SATISFIED,
                                 reached=bool(reached)) if action == "callback" else workflow.target(action)
    if new_status:
        ticket.status = new_status
    if new_status == "closed":
        ticket.closed_at = now
    if new_status == "reopened":
        ticket.reopen_count += 1
        ticket.reason = comment
        notify(session, user_ids=[u for u in (ticket.assignee_id,) if u], event=notices.REOPENED,
               params={"number": ticket.number}, **here)
    session.add(ticket)
    audit.record(session, actor=actor, action=f"ticket.{action}", obj=ticket, before=before,
                 after={"status": ticket.status, "assignee_id": ticket.assignee_id, "reason": ticket.reason,
                        "satisfaction": ticket.satisfaction, **({"comment": comment} if action == "inform" else {})})
    return ticket
