"""Sample-room inventories (versioned), handovers between two attendants, amendments, opening/closing checks."""
import io
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from flask import has_request_context, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from app.accounts.models import Membership, User
from app.accounts.services import authenticate, users_by_id
from app.checklists.models import ChecklistTemplate, ChecklistVersion
from app.checklists.services import AnswerError, check_answers, current_version, templates_stmt
from app.core import audit
from app.core.db import get_posted, utcnow
from app.core.notifications import notify
from app.core.photos import Photo, ProcessedPhoto, attach
from app.core.storage import storage
from app.core.validation import required_text
from app.handovers import workflow
from app.handovers.models import (
    CATEGORIES, CHECK_KINDS, LINE_STATUSES, Amendment, Handover, HandoverLine, InventoryVersion, Room, RoomCheck,
)
from app.projects.models import Area, Project
from app.repairs import workflow as repair_workflow
from app.repairs.models import Ticket
from app.repairs.services import open_ticket
from app.sync.services import RecordRefused, Submission

MAX_QUANTITY = 999
STATUS_LABELS = {"present": _l("齐全"), "missing": _l("缺失"), "damaged": _l("损坏"), "moved": _l("移位")}
STATE_LABELS = {"draft": _l("草稿"), "signed": _l("双方已签"), "locked": _l("已锁定"), "amended": _l("已更正")}
CHECK_LABELS = {"opening": _l("开场检查"), "closing": _l("收场检查")}
NEEDS_PHOTO = ("missing", "damaged")
# Owner types of the photo rows this capability attaches.
ITEM_PHOTO, LINE_PHOTO, SIGN_OUT, SIGN_IN = "room_item", "handover_line", "handover_sign_out", "handover_sign_in"
CHECK_PHOTO, KEYS_SIGN = "room_check", "room_check_keys"


class HandoverError(ValueError):
    """A refusal to show the user (already translated); `fields` says which inputs are wrong."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.fields = message, fields or {}


# -- rooms and their inventory ----------------------------------------------------------------

def rooms_of(session: Session, project: Project) -> list[Room]:
    return session.exec(select(Room).where(Room.project_id == project.id).order_by(Room.name, Room.id)).all()


def free_areas(session: Session, project: Project) -> list[Area]:
    """The project's areas that are not a sample room yet."""
    taken = select(Room.area_id).where(Room.project_id == project.id)
    return session.exec(select(Area).where(Area.project_id == project.id, Area.id.not_in(taken))
                        .order_by(Area.position, Area.name)).all()


def create_room(session: Session, *, actor: User, project: Project, area_id,
                items: list[dict] | None = None) -> Room:
    """Make an area a sample room; its inventory starts as version 1 holding `items` (often none yet)."""
    area = get_posted(session, Area, area_id)
    if area is None or area.project_id != project.id:
        raise HandoverError(_("请选择本项目的区域。"), {"area_id": _("请选择区域")})
    if session.exec(select(Room.id).where(Room.area_id == area.id)).first():
        raise HandoverError(_("“%(name)s”已经是样板间。", name=area.name), {"area_id": _("已是样板间")})
    room = Room(project_id=project.id, area_id=area.id, name=area.name)
    session.add(room)
    audit.record(session, actor=actor, action="room.create", obj=room, after={"name": room.name})
    publish(session, actor=actor, room=room, items=list(items or []))
    return room


def version_of(session: Session, room: Room) -> InventoryVersion | None:
    return session.get(InventoryVersion, room.current_version_id) if room.current_version_id else None


def items_of(session: Session, room: Room) -> list[dict]:
    version = version_of(session, room)
    return list(version.items) if version else []


def publish(session: Session, *, actor: User, room: Room, items: list[dict]) -> InventoryVersion:
    """Publish the room's inventory as a new version (an unchanged list keeps the current one); commits."""
    current = version_of(session, room)
    if current is not None and current.items == items:
        return current
    number = session.exec(select(func.coalesce(func.max(InventoryVersion.number), 0))
                          .where(InventoryVersion.room_id == room.id)).one() + 1
    version = InventoryVersion(room_id=room.id, number=number, items=items, created_by=actor.id)
    session.add(version)
    session.flush()
    room.current_version_id = version.id
    session.add(room)
    audit.record(session, actor=actor, action="inventory.publish", obj=room,
                 before={"version": current.number if current else None},
                 after={"version": number, "items": len(items)})
    session.commit()
    return version


def _whole(value, label: str, low: int, high: int, field_name: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise HandoverError(_("%(label)s须为整数。", label=label), {field_name: _("须为整数")}) from None
    if not low <= number <= high:
        raise HandoverError(_("%(label)s须在 %(low)d 到 %(high)d 之间。", label=label, low=low, high=high),
                            {field_name: _("超出范围")})
    return number


def _next_key(session: Session, room: Room) -> str:
    """A key no version of this room ever used: records made on old versions keep pointing at the right item."""
    used = set()
    for version in session.exec(select(InventoryVersion).where(InventoryVersion.room_id == room.id)).all():
        used.update(item["key"] for item in version.items)
    numbers = [int(k[1:]) for k in used if k[1:].isdigit()]
    return f"i{max(numbers, default=0) + 1}"


def save_item(session: Session, *, actor: User, room: Room, key: str | None = None, name: str, category: str,
              quantity, location: str = "", photo: ProcessedPhoto | None = None) -> InventoryVersion:
    """Add an item (no key) or change one; either publishes a new version of the inventory."""
    name = required_text(name, _("物品名称"), 120, HandoverError)
    if category not in CATEGORIES:
        raise HandoverError(_("请选择类别。"), {"category": _("请选择类别")})
    quantity = _whole(quantity, _("数量"), 1, MAX_QUANTITY, "quantity")
    location = (location or "").strip()
    if len(location) > 120:
        raise HandoverError(_("摆放位置不能超过 %(n)d 字。", n=120), {"location": _("太长")})
    items = items_of(session, room)
    if key is None:
        item = {"key": _next_key(session, room), "photo_id": None}
        items.append(item)
    else:
        item = next((dict(i) for i in items if i["key"] == key), None)
        if item is None:
            raise HandoverError(_("清单中没有这件物品。"))
        items = [item if i["key"] == key else i for i in items]
    item.update(name=name, category=category, quantity=quantity, location=location)
    if photo is not None:
        [row] = attach(session, storage(), [photo], project_id=room.project_id, owner_type=ITEM_PHOTO,
                       owner_id=room.id, uploaded_by=actor.id, taken_at=utcnow(),
                       prefix=f"rooms/{room.project_id}/{room.id}/{uuid.uuid4().hex}")
        session.flush()
        item["photo_id"] = row.id
    return publish(session, actor=actor, room=room, items=items)


def remove_item(session: Session, *, actor: User, room: Room, key: str) -> InventoryVersion:
    items = items_of(session, room)
    if not any(i["key"] == key for i in items):
        raise HandoverError(_("清单中没有这件物品。"))
    return publish(session, actor=actor, room=room, items=[i for i in items if i["key"] != key])


# -- handovers ------------------------------------------------------------------------------

def attendants_of(session: Session, project: Project) -> list[User]:
    return _members(session, project, "attendant")


def guards_of(session: Session, project: Project) -> list[User]:
    return _members(session, project, "guard")


def _members(session: Session, project: Project, role: str) -> list[User]:
    return session.exec(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.project_id == project.id, Membership.role == role, User.active == True)  # noqa: E712
        .order_by(User.display_name)).all()


def last_handover(session: Session, room: Room) -> Handover | None:
    return session.exec(select(Handover).where(Handover.room_id == room.id, Handover.state.in_(("locked", "amended")))
                        .order_by(Handover.counted_at.desc(), Handover.id.desc())).first()


def lines_of(session: Session, handover: Handover) -> list[HandoverLine]:
    return session.exec(select(HandoverLine).where(HandoverLine.handover_id == handover.id)
                        .order_by(HandoverLine.position)).all()


def last_counts(session: Session, room: Room) -> dict[str, HandoverLine]:
    """Each item as the last locked handover left it (with its amendments): where the next count starts."""
    last = last_handover(session, room)
    return {line.item_key: line for line in lines_of(session, last)} if last else {}


def _step(handover: Handover, event: str) -> None:
    target = workflow.next_state(handover.state, event)
    if target is None:
        raise workflow.StateError(_("交接记录处于“%(state)s”状态,不能执行此操作。", state=STATE_LABELS[handover.state]))
    handover.state = target


def start(session: Session, *, room: Room, version: InventoryVersion, outgoing: User, counted_at: datetime,
          note: str = "") -> Handover:
    """A draft handover of `room`, counted on `version` (the one the phone showed, perhaps not the newest)."""
    if version.room_id != room.id:
        raise HandoverError(_("清单版本与样板间不符,请重新打开交接页面。"))
    if not version.items:
        raise HandoverError(_("这个样板间的物品清单是空的,请先让主管录入清单。"))
    handover = Handover(project_id=room.project_id, room_id=room.id, version_id=version.id, counted_at=counted_at,
                        outgoing_id=outgoing.id, note=(note or "").strip()[:500])
    session.add(handover)
    session.flush()
    return handover


@dataclass
class Count:
    """One item as counted: its status, how many were found, a note, how many photos."""

    status: str
    found: int
    note: str = ""
    photos: int = 0


def parse_count(item: dict, status, found, note, photos: int) -> tuple[Count | None, str | None]:
    """(the count, None) or (None, what is wrong) for one item as posted."""
    status = str(status or "").strip()
    if status not in LINE_STATUSES:
        return None, _("请选择齐全、缺失、损坏或移位。")
    raw = str(found if found is not None else "").strip()
    if raw == "" and status in ("present", "moved"):
        raw = str(item["quantity"])
    try:
        number = int(raw)
    except ValueError:
        return None, _("清点数量须为整数。")
    if number < 0:
        return None, _("清点数量不能为负数。")
    if number > item["quantity"]:
        return None, _("清点数量 %(found)d 超过清单数量 %(qty)d。", found=number, qty=item["quantity"])
    if status == "present" and number != item["quantity"]:
        return None, _("“齐全”时数量须为 %(qty)d;少了请选“缺失”。", qty=item["quantity"])
    if status == "missing" and number >= item["quantity"]:
        return None, _("“缺失”时清点数量须少于 %(qty)d。", qty=item["quantity"])
    if status in NEEDS_PHOTO and photos == 0:
        return None, _("缺失或损坏须拍照。")
    note = str(note or "").strip()
    if len(note) > 200:
        return None, _("备注不能超过 %(n)d 字。", n=200)
    return Count(status=status, found=number, note=note, photos=photos), None


def count(session: Session, *, handover: Handover, counts: dict[str, dict], photos: dict[str, list[ProcessedPhoto]],
          uploaded_by: int | None, prefix: str) -> list[HandoverLine]:
    """Record every item of the version as counted; all or nothing.

    `counts`: item key → {"status", "found", "note"}; `photos`: item key → its photos.
    """
    _step(handover, "count")
    version = session.get(InventoryVersion, handover.version_id)
    fields, messages, parsed = {}, [], {}
    for number, item in enumerate(version.items, start=1):
        raw = counts.get(item["key"], {})
        result, problem = parse_count(item, raw.get("status"), raw.get("found"), raw.get("note"),
                                      len(photos.get(item["key"], [])))
        if problem:
            fields[f"status-{item['key']}"] = problem
            messages.append(_("第 %(n)d 项“%(name)s”:%(problem)s", n=number, name=item["name"], problem=problem))
        parsed[item["key"]] = result
    if messages:
        more = _(" 另有 %(n)d 项须修改。", n=len(messages) - 1) if len(messages) > 1 else ""
        raise HandoverError(messages[0] + more, fields)
    lines = []
    for position, item in enumerate(version.items, start=1):
        result = parsed[item["key"]]
        lines.append(HandoverLine(handover_id=handover.id, position=position, item_key=item["key"], name=item["name"],
                                  category=item["category"], location=item.get("location", ""),
                                  expected=item["quantity"], found=result.found, status=result.status,
                                  note=result.note))
    session.add_all(lines)
    session.flush()
    for line in lines:
        if photos.get(line.item_key):
            attach(session, storage(), photos[line.item_key], project_id=handover.project_id, owner_type=LINE_PHOTO,
                   owner_id=line.id, uploaded_by=uploaded_by, taken_at=handover.counted_at,
                   prefix=f"{prefix}/{line.item_key}")
    handover.discrepancies = sum(line.status != "present" for line in lines)
    session.add(handover)
    return lines


def is_blank(image: ProcessedPhoto) -> bool:
    """A signature pad nobody drew on: every pixel near white."""
    with Image.open(io.BytesIO(image.thumb)) as picture:
        return picture.convert("L").getextrema()[0] > 200


def sign(session: Session, *, handover: Handover, side: str, signer: User, image: ProcessedPhoto | None,
         at: datetime, prefix: str) -> None:
    """One of the two signatures; the incoming one must be another attendant of the project."""
    if image is None or is_blank(image):
        label = _("交班人") if side == "outgoing" else _("接班人")
        raise HandoverError(_("缺少%(who)s的签名。", who=label), {f"sign-{side}": _("请签名")})
    if side == "incoming":
        if handover.outgoing_signed_at is None:
            raise HandoverError(_("交班人须先签名。"))
        if signer.id == handover.outgoing_id:
            raise HandoverError(_("交班人和接班人不能是同一个人。"), {"incoming_id": _("请选择另一位服务员")})
    project = session.get(Project, handover.project_id)
    if signer.id not in {u.id for u in attendants_of(session, project)}:
        raise HandoverError(_("%(name)s不是本项目的案场服务员,不能签名。", name=signer.display_name),
                            {f"{side}_id": _("不是本项目的服务员")})
    _step(handover, "sign_outgoing" if side == "outgoing" else "sign_incoming")
    if side == "outgoing":
        handover.outgoing_id, handover.outgoing_signed_at = signer.id, at
    else:
        handover.incoming_id, handover.incoming_signed_at = signer.id, at
    session.add(handover)
    attach(session, storage(), [image], project_id=handover.project_id, owner_type=SIGN_OUT if side == "outgoing" else SIGN_IN,
           owner_id=handover.id, uploaded_by=signer.id, taken_at=at, prefix=f"{prefix}/sign-{side}")


def lock(session: Session, *, handover: Handover, actor: User, photos: dict[str, list[ProcessedPhoto]],
         prior: dict[str, HandoverLine], now: datetime, prefix: str) -> list[Ticket]:
    """Seal a handover signed by both; report what is missing or damaged at once."""
    if handover.state == "draft":
        raise HandoverError(_("交接须由交班人和接班人双方签名后才能提交。"), {"sign-incoming": _("请签名")})
    _step(handover, "lock")
    handover.locked_at = now
    session.add(handover)
    lines = lines_of(session, handover)
    tickets = _report(session, handover=handover, lines=[line for line in lines if line.status in NEEDS_PHOTO],
                      actor=actor, photos=photos, prior=prior, prefix=prefix, event="lock")
    audit.record(session, actor=actor, action="handover.lock", obj=handover,
                 after={"room_id": handover.room_id, "discrepancies": handover.discrepancies,
                        "incoming_id": handover.incoming_id, "tickets": [t.number for t in tickets]})
    return tickets


def _still_open(session: Session, ticket_id: int | None) -> bool:
    ticket = session.get(Ticket, ticket_id) if ticket_id else None
    return ticket is not None and ticket.status in repair_workflow.OPEN


def _report(session: Session, *, handover: Handover, lines: list[HandoverLine], actor: User,
            photos: dict[str, list[ProcessedPhoto]], prior: dict[str, HandoverLine], prefix: str,
            event: str) -> list[Ticket]:
    """Tell the supervisors about missing/damaged lines; a damaged one gets a repair ticket unless one is still open.

    `event` ("lock", "amend-2"…) names the notification: each lock or amendment tells once, and a later
    amendment of the same line is news again.
    """
    if not lines:
        return []
    room = session.get(Room, handover.room_id)
    tickets = []
    for line in lines:
        if line.status != "damaged":
            continue
        earlier = prior.get(line.item_key)
        if earlier is not None and earlier.status == "damaged" and _still_open(session, earlier.ticket_id):
            line.ticket_id = earlier.ticket_id  # reported before and not repaired yet: no second ticket
            continue
        description = _("样板间交接发现损坏:%(item)s", item=line.name) + (f"。{line.note}" if line.note else "")
        ticket = open_ticket(session, user=actor, project_id=handover.project_id, description=description,
                             source="handover", reported_at=handover.counted_at, photos=photos.get(line.item_key, []),
                             photo_prefix=f"{prefix}/ticket-{line.item_key}", area_id=room.area_id,
                             location=f"{room.name} {line.location}".strip(), storage=storage())
        line.ticket_id = ticket.id
        session.add(line)
        tickets.append(ticket)
    summary = "、".join(f"{line.name}({STATUS_LABELS[line.status]})" for line in lines)
    supervisors = _members(session, session.get(Project, handover.project_id), "supervisor")
    notify(session, user_ids=[u.id for u in supervisors], project_id=handover.project_id,
           text=_("%(room)s交接:%(items)s", room=room.name, items=summary),
           url=url_for("handovers.handover", handover_id=handover.id),
           key=f"handover:{handover.id}:{event}")
    return tickets


def _user(session: Session, raw) -> User | None:
    return get_posted(session, User, raw)


def _check_password(session: Session, user: User, password: str) -> None:
    """The incoming attendant proves it is them, with the login's throttle (commits only its own bookkeeping)."""
    ip = (request.remote_addr or "") if has_request_context() else ""
    result = authenticate(session, username=user.username, password=str(password or ""), ip=ip)
    if result.error == "throttled":
        raise HandoverError(_("接班人密码错误次数过多,请 %(m)d 分钟后再提交。", m=max(1, result.retry_after // 60)),
                            {"incoming_password": _("稍后再试")})
    if result.error is not None:
        raise HandoverError(_("接班人%(name)s的密码不正确,请接班人重新输入后再提交。", name=user.display_name),
                            {"incoming_password": _("密码不正确")})


def record_handover(session: Session, submission: Submission) -> dict:
    """The `room_handover` record kind: a whole handover (counts, photos, both signatures) as one record."""
    data, project = submission.data, submission.project
    try:
        room = get_posted(session, Room, data.get("room_id"))
        if room is None or room.project_id != project.id:
            raise HandoverError(_("找不到这个样板间。"), {"room_id": _("未知样板间")})
        version = get_posted(session, InventoryVersion, data.get("version_id"))
        if version is None or version.room_id != room.id:
            raise HandoverError(_("清单版本与样板间不符,请重新打开交接页面。"))
        incoming = _user(session, data.get("incoming_id"))
        if incoming is None:
            raise HandoverError(_("请选择接班人。"), {"incoming_id": _("请选择接班人")})
        if incoming.id == submission.user.id:
            raise HandoverError(_("交班人和接班人不能是同一个人。"), {"incoming_id": _("请选择另一位服务员")})
        if incoming.id not in {u.id for u in attendants_of(session, project)}:
            raise HandoverError(_("请选择本项目的案场服务员作为接班人。"), {"incoming_id": _("请选择接班人")})
        _check_password(session, incoming, data.get("incoming_password"))
        prior = last_counts(session, room)
        prefix = f"handovers/{project.id}/{submission.client_id}"
        photos = {item["key"]: submission.photos_of(f"photo-{item['key']}") for item in version.items}
        handover = start(session, room=room, version=version, outgoing=submission.user,
                         counted_at=submission.client_time, note=str(data.get("note") or ""))
        count(session, handover=handover, photos=photos, uploaded_by=submission.user.id, prefix=prefix,
              counts={item["key"]: {"status": data.get(f"status-{item['key']}"), "found": data.get(f"found-{item['key']}"),
                                    "note": data.get(f"note-{item['key']}")} for item in version.items})
        signatures = {side: (submission.photos_of(f"sign-{side}") or [None])[0] for side in ("outgoing", "incoming")}
        sign(session, handover=handover, side="outgoing", signer=submission.user, image=signatures["outgoing"],
             at=submission.client_time, prefix=prefix)
        if signatures["incoming"] is not None:
            sign(session, handover=handover, side="incoming", signer=incoming, image=signatures["incoming"],
                 at=submission.client_time, prefix=prefix)
        tickets = lock(session, handover=handover, actor=submission.user, photos=photos, prior=prior,
                       now=submission.client_time, prefix=prefix)
    except (HandoverError, workflow.StateError) as exc:
        raise RecordRefused(str(exc), getattr(exc, "fields", {})) from None
    return {"id": handover.id, "discrepancies": handover.discrepancies, "tickets": [t.number for t in tickets],
            "url": url_for("handovers.handover", handover_id=handover.id)}


def amend(session: Session, *, handover: Handover, actor: User, reason: str, counts: dict[str, dict],
          photos: dict[str, list[ProcessedPhoto]], now: datetime) -> Amendment:
    """Correct a locked handover: the changed lines, why, by whom; newly missing or damaged items are reported."""
    reason = required_text(reason, _("更正原因"), 500, HandoverError)
    if handover.state not in workflow.TRANSITIONS["amend"][0]:
        raise workflow.StateError(_("只有已锁定的交接记录可以更正。"))
    lines = lines_of(session, handover)
    changes, changed, fields = [], [], {}
    for line in lines:
        raw = counts.get(line.item_key)
        if not raw:
            continue
        had_photos = session.exec(select(func.count()).select_from(Photo).where(
            Photo.owner_type == LINE_PHOTO, Photo.owner_id == line.id)).one()
        item = {"quantity": line.expected}
        result, problem = parse_count(item, raw.get("status"), raw.get("found"), raw.get("note", line.note),
                                      had_photos + len(photos.get(line.item_key, [])))
        if problem:
            fields[f"status-{line.item_key}"] = problem
            raise HandoverError(_("“%(name)s”:%(problem)s", name=line.name, problem=problem), fields)
        if (result.status, result.found, result.note) == (line.status, line.found, line.note):
            continue
        changes.append({"key": line.item_key, "name": line.name,
                        "before": {"status": line.status, "found": line.found, "note": line.note},
                        "after": {"status": result.status, "found": result.found, "note": result.note}})
        newly = result.status in NEEDS_PHOTO and result.status != line.status
        line.status, line.found, line.note = result.status, result.found, result.note
        session.add(line)
        if newly:
            changed.append(line)
    if not changes:
        raise HandoverError(_("没有任何更改。"))
    _step(handover, "amend")
    number = session.exec(select(func.count()).select_from(Amendment)
                          .where(Amendment.handover_id == handover.id)).one() + 1
    amendment = Amendment(handover_id=handover.id, number=number, actor_id=actor.id, at=now, reason=reason,
                          changes=changes)
    session.add(amendment)
    session.flush()
    prefix = f"handovers/{handover.project_id}/amend-{handover.id}-{number}"
    for line in lines:
        if photos.get(line.item_key) and any(c["key"] == line.item_key for c in changes):
            start_at = session.exec(select(func.count()).select_from(Photo).where(
                Photo.owner_type == LINE_PHOTO, Photo.owner_id == line.id)).one()
            rows = attach(session, storage(), photos[line.item_key], project_id=handover.project_id,
                          owner_type=LINE_PHOTO, owner_id=line.id, uploaded_by=actor.id, taken_at=now,
                          prefix=f"{prefix}/{line.item_key}")
            for offset, row in enumerate(rows):
                row.position = start_at + offset
    handover.discrepancies = sum(line.status != "present" for line in lines)
    session.add(handover)
    _report(session, handover=handover, lines=changed, actor=actor, photos=photos, prior={}, prefix=prefix,
            event=f"amend-{number}")
    audit.record(session, actor=actor, action="handover.amend", obj=handover,
                 before={"lines": [c["before"] | {"key": c["key"]} for c in changes]},
                 after={"lines": [c["after"] | {"key": c["key"]} for c in changes], "reason": reason,
                        "amendment": number})
    session.commit()
    return amendment


def amendments_of(session: Session, handover: Handover) -> list[Amendment]:
    return session.exec(select(Amendment).where(Amendment.handover_id == handover.id)
                        .order_by(Amendment.number)).all()


def line_photos(session: Session, lines: list[HandoverLine]) -> dict[int, list[Photo]]:
    out: dict[int, list[Photo]] = {}
    if not lines:
        return out
    for photo in session.exec(select(Photo).where(Photo.owner_type == LINE_PHOTO,
                                                  Photo.owner_id.in_([line.id for line in lines]))
                              .order_by(Photo.position)).all():
        out.setdefault(photo.owner_id, []).append(photo)
    return out


def signatures_of(session: Session, handover: Handover) -> dict[str, Photo | None]:
    rows = session.exec(select(Photo).where(Photo.owner_type.in_((SIGN_OUT, SIGN_IN)),
                                            Photo.owner_id == handover.id)).all()
    by_type = {row.owner_type: row for row in rows}
    return {"outgoing": by_type.get(SIGN_OUT), "incoming": by_type.get(SIGN_IN)}


# -- opening and closing checks ---------------------------------------------------------------

def check_template(session: Session, project: Project, kind: str) -> ChecklistVersion | None:
    """The organisation's opening (or closing) checklist: the first template of that purpose."""
    template = session.exec(templates_stmt(project.organisation_id, kind)).first()
    return current_version(session, template) if template else None


def record_check(session: Session, submission: Submission) -> dict:
    """The `room_check` record kind: an opening or closing check; a closing one with the key handover."""
    data, project = submission.data, submission.project
    room = get_posted(session, Room, data.get("room_id"))
    if room is None or room.project_id != project.id:
        raise RecordRefused(_("找不到这个样板间。"), {"room_id": _("未知样板间")})
    kind = str(data.get("kind", ""))
    if kind not in CHECK_KINDS:
        raise RecordRefused(_("未知的检查类型。"))
    version = get_posted(session, ChecklistVersion, data.get("version_id"))
    template = session.get(ChecklistTemplate, version.template_id) if version else None
    if template is None or template.organisation_id != project.organisation_id or template.purpose != kind:
        raise RecordRefused(_("检查表已不存在,请重新打开页面。"))
    items = [i for section in version.definition["sections"] for i in section["items"]]
    try:
        checked = check_answers(version.definition, {i["key"]: data.get(f"item-{i['key']}", "") for i in items},
                                {i["key"]: len(submission.photos_of(f"photo-{i['key']}")) for i in items})
    except AnswerError as exc:
        raise RecordRefused(exc.message, exc.fields) from None
    check = RoomCheck(project_id=project.id, room_id=room.id, kind=kind, version_id=version.id,
                      done_by=submission.user.id, done_at=submission.client_time, answers=checked.values,
                      failed=checked.failed, notes={i["key"]: str(data.get(f"note-{i['key']}") or "").strip()[:500]
                                                    for i in items if str(data.get(f"note-{i['key']}") or "").strip()})
    signature = None
    if kind == "closing":
        guard = _user(session, data.get("key_guard_id"))
        if guard is None or guard.id not in {g.id for g in guards_of(session, project)}:
            raise RecordRefused(_("请选择接收钥匙的夜班保安(本项目的秩序维护员)。"), {"key_guard_id": _("请选择保安")})
        signature = (submission.photos_of("sign-guard") or [None])[0]
        if signature is None or is_blank(signature):
            raise RecordRefused(_("缺少保安接收钥匙的签名。"), {"sign-guard": _("请签名")})
        check.key_guard_id, check.keys_at = guard.id, submission.client_time
    session.add(check)
    session.flush()
    prefix = f"checks/{project.id}/{submission.client_id}"
    for item in items:
        attach(session, storage(), submission.photos_of(f"photo-{item['key']}"), project_id=project.id,
               owner_type=CHECK_PHOTO, owner_id=check.id, uploaded_by=submission.user.id,
               taken_at=submission.client_time, prefix=f"{prefix}/{item['key']}")
    if signature is not None:
        attach(session, storage(), [signature], project_id=project.id, owner_type=KEYS_SIGN, owner_id=check.id,
               uploaded_by=check.key_guard_id, taken_at=submission.client_time, prefix=f"{prefix}/keys")
    tickets = []
    for key in checked.tickets:
        item = next(i for i in items if i["key"] == key)
        tickets.append(open_ticket(
            session, user=submission.user, project_id=project.id, description=f"{item['label']}:{_('不合格')}",
            source="handover", reported_at=submission.client_time, photos=submission.photos_of(f"photo-{key}"),
            photo_prefix=f"{prefix}/ticket-{key}", area_id=room.area_id, location=room.name, storage=storage()))
    audit.record(session, actor=submission.user, action=f"room_check.{kind}", obj=check,
                 after={"room": room.name, "failed": checked.failed, "key_guard_id": check.key_guard_id})
    return {"id": check.id, "failed": checked.failed, "tickets": [t.number for t in tickets],
            "url": url_for("handovers.check", check_id=check.id)}


# -- what supervisors see ---------------------------------------------------------------------

@dataclass
class RoomStatus:
    room: Room
    handover: Handover | None
    discrepancies: list[HandoverLine] = field(default_factory=list)
    people: dict[int, User] = field(default_factory=dict)


def rooms_status(session: Session, *, project: Project) -> dict:
    """The context of templates/handovers/_rooms_status.html: each room's last handover and its discrepancies."""
    rooms = rooms_of(session, project)
    # A fixed number of queries whatever the number of rooms (the home page builds this for every project).
    other = aliased(Handover)
    newest = (select(other.id).where(other.room_id == Room.id, other.state.in_(("locked", "amended")))
              .order_by(other.counted_at.desc(), other.id.desc()).limit(1).correlate(Room).scalar_subquery())
    last = {h.room_id: h for h in session.exec(select(Handover).join(Room, Handover.id == newest)
                                               .where(Room.project_id == project.id)).all()}
    discrepant: dict[int, list[HandoverLine]] = {}
    if last:
        for line in session.exec(select(HandoverLine).where(HandoverLine.handover_id.in_([h.id for h in last.values()]),
                                                            HandoverLine.status != "present")
                                 .order_by(HandoverLine.position)).all():
            discrepant.setdefault(line.handover_id, []).append(line)
    rows = [RoomStatus(room=room, handover=last.get(room.id),
                       discrepancies=discrepant.get(last[room.id].id, []) if room.id in last else [])
            for room in rooms]
    people = users_by_id(session, [i for r in rows if r.handover
                                   for i in (r.handover.outgoing_id, r.handover.incoming_id)])
    return {"project": project, "room_rows": rows, "people": people,
            "status_labels": {k: str(v) for k, v in STATUS_LABELS.items()}}


def history(session: Session, room: Room, limit: int = 50) -> dict:
    """A room's handovers (newest first) with their amendments, and its opening/closing checks."""
    handovers = session.exec(select(Handover).where(Handover.room_id == room.id)
                             .order_by(Handover.counted_at.desc(), Handover.id.desc()).limit(limit)).all()
    ids = [h.id for h in handovers]
    amendments: dict[int, list[Amendment]] = {}
    for amendment in session.exec(select(Amendment).where(Amendment.handover_id.in_(ids))
                                  .order_by(Amendment.number)).all() if ids else []:
        amendments.setdefault(amendment.handover_id, []).append(amendment)
    discrepancies: dict[int, list[HandoverLine]] = {}
    for line in session.exec(select(HandoverLine).where(HandoverLine.handover_id.in_(ids),
                                                        HandoverLine.status != "present")
                             .order_by(HandoverLine.position)).all() if ids else []:
        discrepancies.setdefault(line.handover_id, []).append(line)
    checks = session.exec(select(RoomCheck).where(RoomCheck.room_id == room.id)
                          .order_by(RoomCheck.done_at.desc()).limit(limit)).all()
    user_ids = {i for h in handovers for i in (h.outgoing_id, h.incoming_id)} | {c.done_by for c in checks} \
        | {c.key_guard_id for c in checks} | {a.actor_id for rows in amendments.values() for a in rows}
    people = users_by_id(session, user_ids)
    return {"handovers": handovers, "amendments": amendments, "discrepancies": discrepancies, "checks": checks,
            "people": people}


def discrepancy_rows(session: Session, project: Project, since: datetime | None = None):
    """Every line not found as listed, with its handover and room, oldest first (for the CSV)."""
    stmt = (select(HandoverLine, Handover, Room).join(Handover, Handover.id == HandoverLine.handover_id)
            .join(Room, Room.id == Handover.room_id)
            .where(Handover.project_id == project.id, HandoverLine.status != "present",
                   Handover.state.in_(("locked", "amended"))))
    if since is not None:
        stmt = stmt.where(Handover.counted_at >= since)
    return session.exec(stmt.order_by(Handover.counted_at, HandoverLine.position)).all()


@dataclass
class DayRecords:
    """A project's sample-room records of one day, for the daily shift report."""

    handovers: list[Handover]
    checks: list[RoomCheck]
    rooms: dict[int, Room]
    people: dict[int, User]


def day_records(session: Session, *, project: Project, start: datetime, end: datetime) -> DayRecords:
    """The handovers counted and the opening/closing checks done in [start, end), by time."""
    handovers = session.exec(select(Handover).where(Handover.project_id == project.id, Handover.counted_at >= start,
                                                    Handover.counted_at < end).order_by(Handover.counted_at)).all()
    checks = session.exec(select(RoomCheck).where(RoomCheck.project_id == project.id, RoomCheck.done_at >= start,
                                                  RoomCheck.done_at < end).order_by(RoomCheck.done_at)).all()
    rooms = {r.id: r for r in session.exec(select(Room).where(Room.project_id == project.id)).all()}
    ids = {i for h in handovers for i in (h.outgoing_id, h.incoming_id)} | {
        i for c in checks for i in (c.done_by, c.key_guard_id)}
    return DayRecords(handovers, checks, rooms, users_by_id(session, ids))
