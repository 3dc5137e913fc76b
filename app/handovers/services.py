"""A handover between two attendants: counted, signed by both, locked, reported; later corrected by amendments."""
import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from PIL import Image
from sqlmodel import Session, func, select

from app.accounts.models import User
from app.accounts.services import check_password, member_ids, members, posted_user
from app.core import audit
from app.core.db import get_posted
from app.core.notifications import link, notify
from app.core.photos import Photo, ProcessedPhoto, attach, photos_by_owner, photos_of
from app.core.validation import needs, required_text
from app.handovers import notices, workflow
from app.handovers.inventory import HandoverError
from app.handovers.models import (
    LINE_PHOTO,
    LINE_STATUSES,
    NEEDS_PHOTO,
    SIGN_IN,
    SIGN_OUT,
    Amendment,
    Handover,
    HandoverLine,
    InventoryVersion,
    Room,
)
from app.projects.models import Project
from app.repairs.services import open_ticket, ticket_is_open
from app.sync.services import Submission


def attendants_of(session: Session, project: Project) -> list[User]:
    return members(session, project.id, ("attendant",))


def _is_attendant(session: Session, user: User, project_id: int) -> bool:
    return user.id in member_ids(session, project_id, ("attendant",))


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


MAX_LINE_NOTE = 200


def incoming_needs() -> list[dict]:
    """The incoming attendant chosen and her password typed (whether it is right is the server's to say), for
    `validation.needs` here and for the phone (`handovers.rules`)."""
    return [{"field": "incoming_id", "message": _("请选择接班人。"), "problem": _("请选择接班人")},
            {"field": "incoming_password", "message": _("请接班人在本机输入自己的密码。"), "problem": _("请输入密码")}]


def signature_needs() -> list[dict]:
    """Both signatures drawn, in the order `sign` and `lock` refuse them; the phone reads the same list."""
    return [{"field": "sign-outgoing", "message": _("缺少%(who)s的签名。", who=_("交班人")), "problem": _("请签名")},
            {"field": "sign-incoming", "message": _("交接须由交班人和接班人双方签名后才能提交。"), "problem": _("请签名")}]


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
    if len(note) > MAX_LINE_NOTE:
        return None, _("备注不能超过 %(n)d 字。", n=MAX_LINE_NOTE)
    return Count(status=status, found=number, note=note, photos=photos), None


def check_counts(items: list[dict], counts: dict[str, dict], photos: dict[str, int]) -> dict[str, Count]:
    """Every item's count parsed, or HandoverError naming the first at fault (the phone: `handovers.rules`)."""
    fields, messages, parsed = {}, [], {}
    for number, item in enumerate(items, start=1):
        raw = counts.get(item["key"], {})
        result, problem = parse_count(item, raw.get("status"), raw.get("found"), raw.get("note"),
                                      photos.get(item["key"], 0))
        if problem:
            fields[f"status-{item['key']}"] = problem
            messages.append(_("第 %(n)d 项“%(name)s”:%(problem)s", n=number, name=item["name"], problem=problem))
        parsed[item["key"]] = result
    if messages:
        more = _(" 另有 %(n)d 项须修改。", n=len(messages) - 1) if len(messages) > 1 else ""
        raise HandoverError(messages[0] + more, fields)
    return parsed


def count(session: Session, *, storage, handover: Handover, counts: dict[str, dict],
          photos: dict[str, list[ProcessedPhoto]], uploaded_by: int | None, prefix: str) -> list[HandoverLine]:
    """Record every item of the version as counted; all or nothing.

    `counts`: item key → {"status", "found", "note"}; `photos`: item key → its photos.
    """
    workflow.step(handover, "count")
    version = session.get(InventoryVersion, handover.version_id)
    parsed = check_counts(version.items, counts, {key: len(value) for key, value in photos.items()})
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
            attach(session, storage, photos[line.item_key], project_id=handover.project_id, owner_type=LINE_PHOTO,
                   owner_id=line.id, uploaded_by=uploaded_by, taken_at=handover.counted_at,
                   prefix=f"{prefix}/{line.item_key}")
    handover.discrepancies = sum(line.status != "present" for line in lines)
    session.add(handover)
    return lines


def is_blank(image: ProcessedPhoto) -> bool:
    """A signature pad nobody drew on: every pixel near white."""
    with Image.open(io.BytesIO(image.thumb)) as picture:
        return picture.convert("L").getextrema()[0] > 200


def sign(session: Session, *, storage, handover: Handover, side: str, signer: User, image: ProcessedPhoto | None,
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
    if not _is_attendant(session, signer, handover.project_id):
        raise HandoverError(_("%(name)s不是本项目的案场服务员,不能签名。", name=signer.display_name),
                            {f"{side}_id": _("不是本项目的服务员")})
    workflow.step(handover, "sign_outgoing" if side == "outgoing" else "sign_incoming")
    if side == "outgoing":
        handover.outgoing_id, handover.outgoing_signed_at = signer.id, at
    else:
        handover.incoming_id, handover.incoming_signed_at = signer.id, at
    session.add(handover)
    attach(session, storage, [image], project_id=handover.project_id,
           owner_type=SIGN_OUT if side == "outgoing" else SIGN_IN, owner_id=handover.id, uploaded_by=signer.id,
           taken_at=at, prefix=f"{prefix}/sign-{side}")


def lock(session: Session, *, storage, handover: Handover, actor: User, photos: dict[str, list[ProcessedPhoto]],
         prior: dict[str, HandoverLine], now: datetime, prefix: str) -> list:
    """Seal a handover signed by both; report what is missing or damaged at once. Returns the tickets opened."""
    if handover.state == "draft":
        raise HandoverError(_("交接须由交班人和接班人双方签名后才能提交。"), {"sign-incoming": _("请签名")})
    workflow.step(handover, "lock")
    handover.locked_at = now
    session.add(handover)
    lines = lines_of(session, handover)
    tickets = _report(session, storage=storage, handover=handover, actor=actor, photos=photos, prior=prior,
                      lines=[line for line in lines if line.status in NEEDS_PHOTO], prefix=prefix, event="lock")
    audit.record(session, actor=actor, action="handover.lock", obj=handover,
                 after={"room_id": handover.room_id, "discrepancies": handover.discrepancies,
                        "incoming_id": handover.incoming_id, "tickets": [t.number for t in tickets]})
    return tickets


def _report(session: Session, *, storage, handover: Handover, lines: list[HandoverLine], actor: User,
            photos: dict[str, list[ProcessedPhoto]], prior: dict[str, HandoverLine], prefix: str,
            event: str) -> list:
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
        if earlier is not None and earlier.status == "damaged" and ticket_is_open(session, earlier.ticket_id):
            line.ticket_id = earlier.ticket_id  # reported before and not repaired yet: no second ticket
            continue
        description = _("样板间交接发现损坏:%(item)s", item=line.name) + (f"。{line.note}" if line.note else "")
        ticket = open_ticket(session, user=actor, project_id=handover.project_id, description=description,
                             source="handover", reported_at=handover.counted_at, photos=photos.get(line.item_key, []),
                             photo_prefix=f"{prefix}/ticket-{line.item_key}", area_id=room.area_id,
                             location=f"{room.name} {line.location}".strip(), storage=storage)
        line.ticket_id = ticket.id
        session.add(line)
        tickets.append(ticket)
    notify(session, user_ids=member_ids(session, handover.project_id, ("supervisor",)), event=notices.DISCREPANCIES,
           params={"room": room.name, "items": [[line.name, line.status] for line in lines]},
           link=link("handovers.handover", handover_id=handover.id), project_id=handover.project_id,
           key=f"handover:{handover.id}:{event}")
    return tickets


def _check_password(session: Session, user: User, password: str, outgoing: User) -> None:
    """The incoming attendant proves it is them; wrong passwords throttle this outgoing attendant's handovers to
    them, not their own login (commits only its own bookkeeping)."""
    result = check_password(session, user=user, password=str(password or ""),
                            scope=f"handover:{outgoing.id}:{user.id}")
    if result.error == "throttled":
        raise HandoverError(_("接班人密码错误次数过多,请 %(m)d 分钟后再提交。", m=max(1, result.retry_after // 60)),
                            {"incoming_password": _("稍后再试")})
    if result.error is not None:
        raise HandoverError(_("接班人%(name)s的密码不正确,请接班人重新输入后再提交。", name=user.display_name),
                            {"incoming_password": _("密码不正确")})


def receive(session: Session, submission: Submission, *, storage) -> tuple[Handover, list]:
    """A whole handover sent as one record (counts, photos, both signatures), locked; with the tickets it opened."""
    data, project = submission.data, submission.project
    room = get_posted(session, Room, data.get("room_id"))
    if room is None or room.project_id != project.id:
        raise HandoverError(_("找不到这个样板间。"), {"room_id": _("未知样板间")})
    version = get_posted(session, InventoryVersion, data.get("version_id"))
    if version is None or version.room_id != room.id:
        raise HandoverError(_("清单版本与样板间不符,请重新打开交接页面。"))
    needs(incoming_needs(), data, error=HandoverError)
    incoming = posted_user(session, data.get("incoming_id"))
    if incoming is None:
        raise HandoverError(_("请选择接班人。"), {"incoming_id": _("请选择接班人")})
    if incoming.id == submission.user.id:
        raise HandoverError(_("交班人和接班人不能是同一个人。"), {"incoming_id": _("请选择另一位服务员")})
    if not _is_attendant(session, incoming, project.id):
        raise HandoverError(_("请选择本项目的案场服务员作为接班人。"), {"incoming_id": _("请选择接班人")})
    _check_password(session, incoming, data.get("incoming_password"), submission.user)
    prior = last_counts(session, room)
    prefix = f"handovers/{project.id}/{submission.client_id}"
    photos = {item["key"]: submission.photos_of(f"photo-{item['key']}") for item in version.items}
    handover = start(session, room=room, version=version, outgoing=submission.user,
                     counted_at=submission.client_time, note=str(data.get("note") or ""))
    count(session, storage=storage, handover=handover, photos=photos, uploaded_by=submission.user.id, prefix=prefix,
          counts={item["key"]: {"status": data.get(f"status-{item['key']}"), "found": data.get(f"found-{item['key']}"),
                                "note": data.get(f"note-{item['key']}")} for item in version.items})
    signatures = {side: (submission.photos_of(f"sign-{side}") or [None])[0] for side in ("outgoing", "incoming")}
    needs(signature_needs(), {f"sign-{side}": image for side, image in signatures.items()}, error=HandoverError)
    sign(session, storage=storage, handover=handover, side="outgoing", signer=submission.user,
         image=signatures["outgoing"], at=submission.client_time, prefix=prefix)
    if signatures["incoming"] is not None:
        sign(session, storage=storage, handover=handover, side="incoming", signer=incoming,
             image=signatures["incoming"], at=submission.client_time, prefix=prefix)
    tickets = lock(session, storage=storage, handover=handover, actor=submission.user, photos=photos, prior=prior,
                   now=submission.client_time, prefix=prefix)
    return handover, tickets


def amend(session: Session, *, storage, handover: Handover, actor: User, reason: str, counts: dict[str, dict],
          photos: dict[str, list[ProcessedPhoto]], now: datetime) -> Amendment:
    """Correct a locked handover: the changed lines, why, by whom; newly missing or damaged items are reported."""
    reason = required_text(reason, _("更正原因"), 500, HandoverError)
    if handover.state not in workflow.TRANSITIONS["amend"][0]:
        raise workflow.StateError(_("只有已锁定的交接记录可以更正。"))
    lines = lines_of(session, handover)
    had_photos = {line_id: len(rows) for line_id, rows in line_photos(session, lines).items()}
    changes, changed, fields = [], [], {}
    for line in lines:
        raw = counts.get(line.item_key)
        if not raw:
            continue
        item = {"quantity": line.expected}
        result, problem = parse_count(item, raw.get("status"), raw.get("found"), raw.get("note", line.note),
                                      had_photos.get(line.id, 0) + len(photos.get(line.item_key, [])))
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
    workflow.step(handover, "amend")
    number = session.exec(select(func.count()).select_from(Amendment)
                          .where(Amendment.handover_id == handover.id)).one() + 1
    amendment = Amendment(handover_id=handover.id, number=number, actor_id=actor.id, at=now, reason=reason,
                          changes=changes)
    session.add(amendment)
    session.flush()
    prefix = f"handovers/{handover.project_id}/amend-{handover.id}-{number}"
    for line in lines:
        if photos.get(line.item_key) and any(c["key"] == line.item_key for c in changes):
            rows = attach(session, storage, photos[line.item_key], project_id=handover.project_id,
                          owner_type=LINE_PHOTO, owner_id=line.id, uploaded_by=actor.id, taken_at=now,
                          prefix=f"{prefix}/{line.item_key}")
            for offset, row in enumerate(rows):
                row.position = had_photos.get(line.id, 0) + offset
    handover.discrepancies = sum(line.status != "present" for line in lines)
    session.add(handover)
    _report(session, storage=storage, handover=handover, lines=changed, actor=actor, photos=photos, prior={},
            prefix=prefix, event=f"amend-{number}")
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
    return photos_by_owner(session, LINE_PHOTO, [line.id for line in lines])


def signatures_of(session: Session, handover: Handover) -> dict[str, Photo | None]:
    return {side: next(iter(photos_of(session, owner_type, handover.id)), None)
            for side, owner_type in (("outgoing", SIGN_OUT), ("incoming", SIGN_IN))}
