"""Complaints (投诉): receiving one, the workflow on it (with its deadlines and owner), and a repair it opens."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from app.accounts.services import member_ids
from app.complaints import deadlines, notices, workflow
from app.complaints.departments import department_of, department_users, ensure_departments
from app.complaints.models import CATEGORIES, Complaint, ComplaintNote, ComplaintSettings, DepartmentMember
from app.core import audit
from app.core.db import among, count_by, get_posted, locked
from app.core.notifications import link, notify
from app.core.permissions import roles_in
from app.core.photos import attach
from app.core.refusal import Refusal
from app.core.validation import whole
from app.frontdesk.services import CHANNELS  # the desk's channels: 来电 / 来访 / 微信 / 巡查转来
from app.projects.models import Project
from app.projects.services import get_project
from app.repairs import services as repairs

MAX_DESCRIPTION = 2000
RETRY_HOURS = 4  # a callback that reached nobody is tried again this much later

STATUS_LABELS = {"received": _l("已受理"), "assigned": _l("已派部门"), "processing": _l("处理中"),
                 "replied": _l("已答复"), "called_back": _l("已回访"), "closed": _l("已关闭")}
ACTION_LABELS = {"assign": _l("转交部门"), "start": _l("开始处理"), "note": _l("处理记录"), "on_site": _l("现场处理"),
                 "reply": _l("答复投诉人"), "callback": _l("回访"), "close": _l("关闭")}
CHANNEL_LABELS = repairs.CHANNEL_LABELS  # the front desk's channels, one wording


class ComplaintError(Refusal):
    """A complaint refusal: the state, the role or the input does not allow it."""


def settings_for(session: Session, project_id: int) -> ComplaintSettings:
    return session.get(ComplaintSettings, project_id) or ComplaintSettings(project_id=project_id)


def _number(complaint: Complaint, tz: str) -> str:
    from zoneinfo import ZoneInfo

    return f"TS-{complaint.created_at.astimezone(ZoneInfo(tz)):%Y%m%d}-{complaint.id:04d}"


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def repeat_of(session: Session, *, project_id: int, unit_label: str, unit_id: int | None, category: str,
              before: datetime, days: int) -> Complaint | None:
    """The latest complaint about the same unit and category in the `days` before, if any (a repeat)."""
    if not unit_label and not unit_id:
        return None
    same_unit = Complaint.unit_id == unit_id if unit_id else Complaint.unit_label == unit_label
    return session.exec(select(Complaint).where(
        Complaint.project_id == project_id, same_unit, Complaint.category == category,
        Complaint.received_at >= before - timedelta(days=days), Complaint.received_at <= before)
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())).first()


def open_complaint(session: Session, *, storage, actor, project: Project, data: dict, received_at: datetime,
                   tz: str, photos: list = (), photo_prefix: str = "", intake_id: int | None = None,
                   unit_id: int | None = None) -> Complaint:
    """A new complaint, received by `actor` (its owner to the end, 首问负责制); refused whole, per field."""
    description = _text(data.get("description"), MAX_DESCRIPTION + 1)
    phone = _text(data.get("complainant_phone"), 21)
    fields = {}
    if not description:
        fields["description"] = _("请填写投诉内容。")
    elif len(description) > MAX_DESCRIPTION:
        fields["description"] = _("描述不能超过 %(n)d 字。", n=MAX_DESCRIPTION)
    if not phone:
        fields["complainant_phone"] = _("请填写投诉人的联系电话,回访要用。")
    elif len(phone) > 20:
        fields["complainant_phone"] = _("电话不能超过 20 位。")
    if fields:
        raise ComplaintError(" ".join(fields.values()), fields)
    settings = settings_for(session, project.id)
    ensure_departments(session, project.id)  # the page that follows offers them; they commit with the complaint
    category = str(data.get("category", "")).strip()
    complaint = Complaint(
        project_id=project.id, description=description, complainant_phone=phone,
        complainant_name=_text(data.get("complainant_name"), 60), unit_label=_text(data.get("unit_label"), 80),
        unit_id=unit_id, intake_id=intake_id, category=category if category in CATEGORIES else "其他",
        channel=str(data.get("channel", "")) if data.get("channel") in CHANNELS else "phone",
        urgent=str(data.get("urgent", "")) in ("1", "true", "on"), owner_id=actor.id if actor else None,
        received_at=received_at, reply_due_at=deadlines.reply_due(settings, received_at),
        resolve_due_at=deadlines.resolve_due(settings, received_at, None, tz))
    earlier = repeat_of(session, project_id=project.id, unit_label=complaint.unit_label, unit_id=unit_id,
                        category=complaint.category, before=received_at, days=settings.repeat_days)
    complaint.repeat_of_id = earlier.id if earlier else None
    session.add(complaint)
    session.flush()
    complaint.number = _number(complaint, tz)
    note = ComplaintNote(complaint_id=complaint.id, project_id=project.id, kind="received", text="",
                         author_id=complaint.owner_id, at=received_at)
    session.add(note)
    session.flush()
    if photos:
        attach(session, storage, photos, project_id=project.id, owner_type="complaint_note", owner_id=note.id,
               uploaded_by=complaint.owner_id, taken_at=received_at,
               prefix=photo_prefix or f"complaints/{project.id}/{complaint.id}/received")
    audit.record(session, actor=actor, action="complaint.receive", obj=complaint,
                 after={"number": complaint.number, "category": complaint.category,
                        "repeat_of_id": complaint.repeat_of_id})
    return complaint


def complaint_in(session: Session, complaint_id, *, project_id: int) -> Complaint:
    """The complaint a form or a phone names, if it is this project's; else a 404 refusal."""
    complaint = get_posted(session, Complaint, complaint_id)
    if complaint is None or complaint.project_id != project_id:
        raise ComplaintError(_("找不到这条投诉。"), status=404)
    return complaint


def is_handler(session: Session, complaint: Complaint, user_id: int) -> bool:
    """Whether the user is responsible for the department the complaint is assigned to."""
    return bool(complaint.department_id) and user_id in department_users(session, complaint.department_id)


def allowed_actions(session: Session, complaint: Complaint, user, roles: set[str]) -> list[str]:
    handler = is_handler(session, complaint, user.id)
    return [a for a in workflow.TRANSITIONS if not workflow.refusal(a, complaint.status, roles, handler)]


def _refuse(code: str, action: str, complaint: Complaint) -> ComplaintError:
    label = str(ACTION_LABELS[action])
    if code == "role":
        return ComplaintError(_("您的角色不能%(action)s。", action=label), status=403)
    if action == "close" and complaint.status in workflow.UNREPLIED:
        return ComplaintError(_("尚未记录对投诉人的答复,不能关闭。"), {"reply": _("请先答复投诉人")}, status=409)
    return ComplaintError(_("投诉当前状态为“%(status)s”,不能%(action)s。",
                            status=str(STATUS_LABELS[complaint.status]), action=label), status=409)


def _assign(session: Session, complaint: Complaint, project: Project, department_id, tz: str, now: datetime) -> str:
    department = department_of(session, department_id, project_id=project.id)
    if department is None:
        raise ComplaintError(_("请选择处理部门。"), {"department_id": _("请选择部门")})
    users = department_users(session, department.id)
    if not users:
        raise ComplaintError(_("“%(name)s”还没有负责人,请先在部门设置中添加。", name=department.name),
                             {"department_id": _("该部门没有负责人")})
    complaint.department_id, complaint.assigned_at, complaint.handler_id = department.id, now, None
    complaint.resolve_due_at = deadlines.resolve_due(settings_for(session, project.id), complaint.received_at,
                                                     department.code, tz)
    notify(session, user_ids=users, event=notices.ASSIGNED, project_id=project.id,
           params={"number": complaint.number, "text": complaint.description[:60]},
           link=link("complaints.complaint", complaint_id=complaint.id))
    return department.name


def _score(satisfaction) -> int:
    return whole(satisfaction, _("满意度"), 1, 5, field="satisfaction", error=ComplaintError)


def act(session: Session, *, storage, actor, complaint: Complaint, action: str, now: datetime, tz: str,
        event_time: datetime | None = None, department_id=None, text: str = "", photos: list = (),
        photo_prefix: str = "", reached: bool = True, satisfaction=None) -> Complaint:
    """Apply one workflow action, or raise ComplaintError; the caller commits. The complaint's row is locked
    before the check, so two people deciding at once run one after the other and the second sees the first."""
    if action not in workflow.TRANSITIONS:
        raise ComplaintError(_("未知操作。"), status=400)
    locked(session, select(Complaint).where(Complaint.id == complaint.id)
           .execution_options(populate_existing=True)).one()
    project = get_project(session, complaint.project_id)
    code = workflow.refusal(action, complaint.status, roles_in(session, actor, project),
                            is_handler(session, complaint, actor.id))
    if code:
        raise _refuse(code, action, complaint)
    event_time = event_time or now
    before = {"status": complaint.status, "department_id": complaint.department_id}
    text = _text(text, 2000)
    here = {"project_id": project.id, "link": link("complaints.complaint", complaint_id=complaint.id)}
    note_text = text
    if action == "assign":
        note_text = _assign(session, complaint, project, department_id, tz, now)
    elif action in ("note", "on_site") and not text and not photos:
        raise ComplaintError(_("请填写处理情况或添加照片。"), {"text": _("请填写处理情况")})
    elif action == "reply":
        if not text:
            raise ComplaintError(_("请填写答复内容。"), {"text": _("请填写答复内容")})
        complaint.reply, complaint.replied_at = text[:1000], event_time
        complaint.first_replied_at = complaint.first_replied_at or event_time
        complaint.callback_due_at = event_time + timedelta(hours=settings_for(session, project.id).callback_hours)
    elif action == "callback":
        score = _score(satisfaction) if reached else None
        complaint.callback_at, complaint.callback_comment = now, text[:500]
        if reached:
            complaint.satisfaction = score
        else:
            complaint.callback_due_at = now + timedelta(hours=RETRY_HOURS)
    if action in ("start", "note", "on_site", "reply") and complaint.handler_id is None and \
            is_handler(session, complaint, actor.id):
        complaint.handler_id = actor.id  # who of the department took it up; the owner stays the receiver
    new_status = workflow.target(action, satisfied=(complaint.satisfaction or 0) >= workflow.SATISFIED,
                                 reached=bool(reached))
    if new_status:
        complaint.status = new_status
    if action == "callback" and new_status == "processing":
        complaint.reprocess_count += 1
        complaint.replied_at, complaint.callback_due_at = None, None
        users = department_users(session, complaint.department_id) if complaint.department_id else []
        _tell(session, [*users, complaint.owner_id], actor, notices.REPROCESS, complaint, here)
    elif action == "reply":
        _tell(session, [complaint.owner_id], actor, notices.REPLIED, complaint, here)
    elif action == "close":
        complaint.closed_at = now
        _tell(session, [complaint.owner_id], actor, notices.CLOSED, complaint, here)
    note = ComplaintNote(complaint_id=complaint.id, project_id=project.id, kind=action, text=note_text or "",
                         author_id=actor.id, at=event_time)
    session.add_all([complaint, note])
    session.flush()
    if photos and action in ("note", "on_site"):
        attach(session, storage, photos, project_id=project.id, owner_type="complaint_note", owner_id=note.id,
               uploaded_by=actor.id, taken_at=event_time,
               prefix=photo_prefix or f"complaints/{project.id}/{complaint.id}/note-{note.id}")
    audit.record(session, actor=actor, action=f"complaint.{action}", obj=complaint, before=before,
                 after={"status": complaint.status, "department_id": complaint.department_id,
                        "owner_id": complaint.owner_id, "satisfaction": complaint.satisfaction})
    return complaint


def _tell(session: Session, user_ids, actor, event: str, complaint: Complaint, here: dict) -> None:
    """Notify these users of the complaint's step, not the one who took it."""
    users = [u for u in user_ids if u and u != actor.id]
    if users:
        notify(session, user_ids=users, event=event, params={"number": complaint.number}, **here)


def open_repair(session: Session, *, storage, actor, complaint: Complaint, now: datetime) -> int:
    """A repair ticket for what the complaint is about, linked to it (once); returns the ticket's id."""
    locked(session, select(Complaint).where(Complaint.id == complaint.id)
           .execution_options(populate_existing=True)).one()
    project = get_project(session, complaint.project_id)
    roles = roles_in(session, actor, project)
    if not (roles & {"admin", *workflow.DESK} or is_handler(session, complaint, actor.id)):
        raise ComplaintError(_("您的角色不能%(action)s。", action=_("开报修单")), status=403)
    if complaint.ticket_id:
        raise ComplaintError(_("这条投诉已有报修单。"), status=409)
    if complaint.status not in workflow.OPEN:
        raise ComplaintError(_("投诉已关闭,不能再开报修单。"), status=409)
    ticket = repairs.open_ticket(session, storage=storage, user=actor, project_id=project.id,
                                 description=complaint.description, source="front_desk", reported_at=now, photos=[],
                                 photo_prefix="", location=complaint.unit_label,
                                 reporter_name=complaint.complainant_name, reporter_phone=complaint.complainant_phone)
    complaint.ticket_id = ticket.id
    session.add(ComplaintNote(complaint_id=complaint.id, project_id=project.id, kind="ticket", text=ticket.number,
                              author_id=actor.id, at=now))
    audit.record(session, actor=actor, action="complaint.ticket", obj=complaint, after={"ticket_id": ticket.id})
    return ticket.id


# -- reading ----------------------------------------------------------------------------------

def notes_of(session: Session, complaint_id: int) -> list[ComplaintNote]:
    return session.exec(select(ComplaintNote).where(ComplaintNote.complaint_id == complaint_id)
                        .order_by(ComplaintNote.at, ComplaintNote.id)).all()


def complaints_stmt(project_id: int, *, statuses=None):
    stmt = select(Complaint).where(Complaint.project_id == project_id)
    if statuses:
        stmt = stmt.where(Complaint.status.in_(statuses))
    return stmt.order_by(Complaint.received_at.desc(), Complaint.id.desc())


def received_between(session: Session, project_id: int, start: datetime, end: datetime) -> list[Complaint]:
    """The complaints received in [start, end), in the order they came."""
    return session.exec(select(Complaint).where(Complaint.project_id == project_id, Complaint.received_at >= start,
                                                Complaint.received_at < end)
                        .order_by(Complaint.received_at, Complaint.id)).all()


def count_closed_between(session: Session, project_id: int, start: datetime, end: datetime) -> int:
    return session.exec(select(sa.func.count()).select_from(Complaint).where(
        Complaint.project_id == project_id, Complaint.closed_at >= start, Complaint.closed_at < end)).one()


def open_at(session: Session, project_id: int, moment: datetime) -> list[Complaint]:
    """The complaints received before `moment` and not closed by then."""
    return session.exec(select(Complaint).where(
        Complaint.project_id == project_id, Complaint.received_at < moment,
        sa.or_(Complaint.closed_at.is_(None), Complaint.closed_at >= moment))).all()


def due_condition(day_end: datetime):
    """Open complaints with a deadline before `day_end` (the end of today), passed ones included, in SQL."""
    return sa.and_(Complaint.status.in_(workflow.OPEN), sa.or_(
        sa.and_(Complaint.first_replied_at.is_(None), Complaint.reply_due_at < day_end),
        sa.and_(Complaint.replied_at.is_(None), Complaint.resolve_due_at < day_end),
        sa.and_(Complaint.status == "replied", Complaint.callback_due_at < day_end)))


def due_today(session: Session, project_id: int, day_end: datetime, limit: int = 50) -> list[Complaint]:
    return session.exec(select(Complaint).where(Complaint.project_id == project_id, due_condition(day_end))
                        .order_by(Complaint.reply_due_at, Complaint.id).limit(limit)).all()


def count_due(session: Session, project_ids: list[int], day_end: datetime) -> dict[int, int]:
    """{project id: complaints due by `day_end`}, with one grouped query."""
    return count_by(session, Complaint.project_id, project_ids, due_condition(day_end))


# What a needs-attention line of a complaint shows and `next_deadline` reads: rows, not objects, for many projects.
DUE_COLUMNS = (Complaint.id, Complaint.project_id, Complaint.number, Complaint.description, Complaint.unit_label,
               Complaint.status, Complaint.owner_id, Complaint.handler_id, Complaint.escalation, Complaint.received_at,
               Complaint.first_replied_at, Complaint.reply_due_at, Complaint.replied_at, Complaint.resolve_due_at,
               Complaint.callback_due_at)


def due_by(session: Session, project_ids: list[int], day_end: datetime) -> list:
    """The open complaints of many projects with a deadline before `day_end` (passed ones included), in one query,
    as rows of DUE_COLUMNS."""
    if not project_ids:
        return []
    return session.exec(select(*DUE_COLUMNS).where(among(Complaint.project_id, project_ids), due_condition(day_end))
                        .order_by(Complaint.id)).all()


def deadline_summaries(session: Session, project_ids: list[int], day_end: datetime, now: datetime
                       ) -> dict[int, tuple[int, int, datetime]]:
    """{project id: (open complaints with a deadline before `day_end`, those of them with one passed at `now`,
    the earliest `next_deadline` among them)}, with one grouped query (a line that counts a busy project's)."""
    if not project_ids:
        return {}
    earliest = [sa.func.min(sa.case((when, at))) for when, at in (
        (Complaint.first_replied_at.is_(None), Complaint.reply_due_at),
        (Complaint.replied_at.is_(None), Complaint.resolve_due_at),
        (Complaint.status == "replied", Complaint.callback_due_at))]
    rows = session.exec(select(Complaint.project_id, sa.func.count(),
                               sa.func.sum(sa.case((due_condition(now), 1), else_=0)), *earliest)
                        .where(among(Complaint.project_id, project_ids), due_condition(day_end))
                        .group_by(Complaint.project_id)).all()
    return {p: (n, late or 0, min(at for at in dues if at is not None)) for p, n, late, *dues in rows}


def first_due_numbers(session: Session, project_ids: list[int], day_end: datetime, limit: int) -> dict[int, list[str]]:
    """{project id: the numbers of its first `limit` complaints (by id) with a deadline before `day_end`}, in one
    query that reads no more than that many a project."""
    if not project_ids:
        return {}
    rank = sa.func.row_number().over(partition_by=Complaint.project_id, order_by=Complaint.id).label("rank")
    ranked = select(Complaint.project_id, Complaint.number, Complaint.id, rank).where(
        among(Complaint.project_id, project_ids), due_condition(day_end)).subquery()
    out: dict[int, list[str]] = {}
    for project_id, number in session.exec(select(ranked.c.project_id, ranked.c.number)
                                           .where(ranked.c.rank <= limit).order_by(ranked.c.project_id, ranked.c.id)):
        out.setdefault(project_id, []).append(number)
    return out


def open_counts(session: Session, project_ids: list[int]) -> dict[int, int]:
    """{project id: open complaints}, with one grouped query."""
    return count_by(session, Complaint.project_id, project_ids, Complaint.status.in_(workflow.OPEN))


def late_counts(session: Session, project_ids: list[int], now: datetime) -> dict[int, int]:
    """{project id: open complaints with a deadline passed at `now`}, with one grouped query."""
    return count_by(session, Complaint.project_id, project_ids, due_condition(now))


def next_deadline(complaint: Complaint) -> tuple[str, datetime] | None:
    """The earliest deadline an open complaint still has to meet: ("reply" | "resolve" | "callback", when)."""
    dues = []
    if complaint.first_replied_at is None:
        dues.append(("reply", complaint.reply_due_at))
    if complaint.replied_at is None:
        dues.append(("resolve", complaint.resolve_due_at))
    if complaint.status == "replied" and complaint.callback_due_at:
        dues.append(("callback", complaint.callback_due_at))
    return min(dues, key=lambda d: d[1]) if dues and complaint.status in workflow.OPEN else None


def awaiting_callback(session: Session, project_id: int) -> list[Complaint]:
    """Complaints replied to and waiting for the call to the complainant, the earliest due first."""
    return session.exec(select(Complaint).where(Complaint.project_id == project_id, Complaint.status == "replied")
                        .order_by(Complaint.callback_due_at, Complaint.id)).all()


def for_department_user(session: Session, project_ids: list[int], user_id: int, limit: int = 5) -> list[Complaint]:
    """Open complaints of the projects assigned to a department the user is responsible for, the earliest received
    first: at most `limit` per project."""
    if not project_ids:
        return []
    rows = session.exec(select(Complaint).join(DepartmentMember, DepartmentMember.department_id == Complaint.department_id)
                        .where(among(Complaint.project_id, project_ids), DepartmentMember.user_id == user_id,
                               Complaint.status.in_(("assigned", "processing")))
                        .order_by(Complaint.received_at, Complaint.id).limit(limit * len(project_ids))).all()
    out, per_project = [], {}
    for complaint in rows:
        per_project[complaint.project_id] = per_project.get(complaint.project_id, 0) + 1
        if per_project[complaint.project_id] <= limit:
            out.append(complaint)
    return out


def count_callbacks_due(session: Session, project_ids: list[int], day_end: datetime) -> dict[int, int]:
    """{project id: replied complaints whose callback is due by `day_end`}, with one grouped query."""
    return count_by(session, Complaint.project_id, project_ids, Complaint.status == "replied",
                    Complaint.callback_due_at < day_end)


def escalation_recipients(session: Session, complaint: Complaint, project: Project, level: int) -> list[int]:
    """班组 (the department's responsible users, or the owner while unassigned), 主管, 经理."""
    from app.accounts.services import admin_ids

    if level == 1:
        users = department_users(session, complaint.department_id) if complaint.department_id else []
        return users or [complaint.owner_id or 0]
    if level == 2:
        return member_ids(session, project.id, ("supervisor",))
    return admin_ids(session, project.organisation_id)

