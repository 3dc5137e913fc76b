"""Guards' duty: a post's equipment, the hand-over to the next shift (交接班) and what the duty board reads.

A hand-over is made from the outgoing guard's shift: the equipment counted (对讲机 2, 钥匙 5), a note, and the
shift's open matters. The next guard receives it: the counts match, or differ and say how; a difference reaches
the project's supervisors once, and stays on their board until one of them settles it.
handed → received | differs → settled.
Phone actions take the device time `at` and do not commit (the outbox does); set-up and settling commit.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from app.accounts.models import User
from app.accounts.services import member_ids, users_by_id
from app.core import audit
from app.core.db import among, count_by, update_if
from app.core.notifications import link, notify
from app.core.validation import whole
from app.projects.models import Project
from app.shifts import notices
from app.shifts.models import Attendance, DutyHandover, DutyHandoverItem, Matter, Post, PostEquipment, ShiftEvent
from app.shifts.services import POST_KINDS, ShiftError, acknowledge, attendance_at, events_of

MAX_COUNT = 999
MAX_LINES = 20
GUARD_KINDS = tuple(kind for kind, role in POST_KINDS.items() if role == "guard")


# -- a post's equipment -----------------------------------------------------------------------

def equipment_of(session: Session, post_ids) -> dict[int, list[PostEquipment]]:
    """{post id: its equipment in order}, for all the posts at once."""
    found: dict[int, list[PostEquipment]] = {}
    for row in session.exec(select(PostEquipment).where(PostEquipment.post_id.in_(list(post_ids)))
                            .order_by(PostEquipment.post_id, PostEquipment.position, PostEquipment.id)):
        found.setdefault(row.post_id, []).append(row)
    return found


def parse_equipment(text: str) -> list[tuple[str, int]]:
    """Lines "对讲机 2" (a name, then a count; no count is 1) → [(name, count)]; refuses what is unclear."""
    lines = []
    for raw in (text or "").splitlines():
        words = raw.replace("\u3000", " ").split()
        if not words:
            continue
        name, count = (" ".join(words[:-1]), words[-1]) if len(words) > 1 and words[-1].isdigit() else (" ".join(words), "1")
        if len(name) > 40:
            raise ShiftError(_("物品名称不能超过 40 字:%(name)s", name=name[:40]))
        lines.append((name, whole(count, name, 1, MAX_COUNT, error=ShiftError)))
    if len(lines) > MAX_LINES:
        raise ShiftError(_("一个岗位最多 %(n)d 项配备物品。", n=MAX_LINES))
    if len({name for name, _count in lines}) != len(lines):
        raise ShiftError(_("配备物品的名称有重复,请合并成一行。"))
    return lines


def save_equipment(session: Session, *, actor: User, post: Post, text: str) -> list[PostEquipment]:
    """Replace the post's equipment list with the lines of `text` (see parse_equipment)."""
    lines = parse_equipment(text)
    before = [(e.name, e.count) for e in equipment_of(session, [post.id]).get(post.id, [])]
    session.exec(sa.delete(PostEquipment).where(PostEquipment.post_id == post.id))
    rows = [PostEquipment(post_id=post.id, name=name, count=count, position=n) for n, (name, count) in enumerate(lines)]
    session.add_all(rows)
    if before != lines:
        audit.record(session, actor=actor, action="shift_post.equipment", obj=post,
                     before={"equipment": before}, after={"equipment": lines})
    session.commit()
    return rows


def equipment_text(rows: list[PostEquipment]) -> str:
    return "\n".join(f"{e.name} {e.count}" for e in rows)


# -- the hand-over ----------------------------------------------------------------------------

def _counts(data: dict, prefix: str) -> dict[int, str]:
    """{id: raw value} of the form fields "<prefix>-<id>"."""
    found = {}
    for key, value in data.items():
        head, _sep, tail = key.partition("-")
        if head == prefix and tail.isdigit():
            found[int(tail)] = value
    return found


def hand_over(session: Session, *, user: User, project: Project, at: datetime, data: dict) -> DutyHandover:
    """Hand the post of the user's shift covering `at` to the next shift: each item of the post's equipment with
    the count handed (`count-<equipment id>`, the post's own count when left out) and a `note`."""
    attendance = attendance_at(session, user=user, project=project, at=at)
    if session.exec(select(DutyHandover.id).where(DutyHandover.attendance_id == attendance.id)).first():
        raise ShiftError(_("这个班次已经交过班了。"), status=409)
    note = (data.get("note") or "").strip()
    if len(note) > 500:
        raise ShiftError(_("交班说明不能超过 500 字。"), {"note": _("不能超过 500 字")})
    counts = _counts(data, "count")
    handover = DutyHandover(project_id=project.id, post_id=attendance.post_id, attendance_id=attendance.id,
                            handed_by=user.id, handed_at=at, note=note)
    session.add(handover)
    session.flush()
    items = []
    for e in equipment_of(session, [attendance.post_id]).get(attendance.post_id, []):
        handed = whole(counts.get(e.id, e.count), e.name, 0, MAX_COUNT, f"count-{e.id}", error=ShiftError)
        items.append(DutyHandoverItem(handover_id=handover.id, name=e.name, handed=handed))
    session.add_all(items)
    audit.record(session, actor=user, action="duty.hand_over", obj=handover,
                 after={"items": {i.name: i.handed for i in items}, "note": note})
    return handover


def items_of(session: Session, handover_ids) -> dict[int, list[DutyHandoverItem]]:
    found: dict[int, list[DutyHandoverItem]] = {}
    for item in session.exec(select(DutyHandoverItem).where(DutyHandoverItem.handover_id.in_(list(handover_ids)))
                             .order_by(DutyHandoverItem.id)):
        found.setdefault(item.handover_id, []).append(item)
    return found


def receive(session: Session, *, user: User, handover: DutyHandover, at: datetime, data: dict) -> DutyHandover:
    """The next guard takes the post over: each item's count found (`received-<item id>`, the handed count when
    left out); any difference needs a `note` saying what, and reaches the supervisors once. The shift's open
    matters are taken over with it. A second receipt changes nothing."""
    if handover.handed_by == user.id:
        raise ShiftError(_("交班须由接班人确认,不能确认自己的交班。"))
    if handover.status != "handed":
        return handover
    items = items_of(session, [handover.id]).get(handover.id, [])
    typed = _counts(data, "received")
    found = {i.id: whole(typed.get(i.id, i.handed), i.name, 0, MAX_COUNT, f"received-{i.id}", error=ShiftError)
             for i in items}
    differs = [i for i in items if found[i.id] != i.handed]
    note = (data.get("note") or "").strip()
    if differs and not note:
        raise ShiftError(_("数量与交班不符(%(items)s),请写明差异。",
                               items="、".join(f"{i.name} {i.handed}→{found[i.id]}" for i in differs)),
                         {"note": _("请写明差异")})
    if len(note) > 500:
        raise ShiftError(_("接班说明不能超过 500 字。"), {"note": _("不能超过 500 字")})
    status = "differs" if differs or data.get("differs") else "received"
    # Received once: of two guards confirming at once, the first one stays.
    if not update_if(session, handover, DutyHandover.status == "handed", status=status, received_by=user.id,
                     received_at=at, receive_note=note):
        return handover
    for item in items:
        item.received = found[item.id]
        session.add(item)
    for matter in session.exec(select(Matter).where(Matter.attendance_id == handover.attendance_id,
                                                    Matter.closed_at.is_(None), Matter.acknowledged_at.is_(None))):
        acknowledge(session, user=user, matter=matter, at=at)
    audit.record(session, actor=user, action="duty.receive", obj=handover,
                 after={"status": status, "items": {i.name: i.received for i in items}, "note": note})
    if status == "differs":
        post = session.get(Post, handover.post_id)
        notify(session, user_ids=member_ids(session, handover.project_id, ("supervisor",)),
               event=notices.HANDOVER_DIFFERS, params={"post": post.name, "who": user.display_name, "note": note},
               link=link("shifts.board", project_id=handover.project_id), project_id=handover.project_id,
               key=f"duty.handover-differs:{handover.id}")
    return handover


def settle(session: Session, *, actor: User, handover: DutyHandover, note: str, at: datetime) -> DutyHandover:
    """A supervisor closes a hand-over's difference with what was found or done."""
    note = (note or "").strip()
    if len(note) > 200:
        raise ShiftError(_("处理说明不能超过 200 字。"))
    if not update_if(session, handover, DutyHandover.status == "differs", status="settled", settled_by=actor.id,
                     settled_at=at, settle_note=note):
        session.rollback()
        raise ShiftError(_("这次交班的差异已经处理过了。"), status=409)
    audit.record(session, actor=actor, action="duty.settle", obj=handover, after={"note": note})
    session.commit()
    return handover


@dataclass
class HandoverRow:
    """A hand-over with what its rows show: the post, the people, the equipment lines, the matters, and the
    handed shift's duty log."""

    handover: DutyHandover
    post: Post
    items: list[DutyHandoverItem]
    people: dict[int, User]
    matters: list[Matter] = field(default_factory=list)
    events: list[ShiftEvent] = field(default_factory=list)

    def name(self, user_id) -> str:
        return self.people[user_id].display_name if user_id in self.people else ""


def handover_rows(session: Session, handovers: list[DutyHandover]) -> list[HandoverRow]:
    ids = [h.id for h in handovers]
    items = items_of(session, ids)
    posts = {p.id: p for p in session.exec(select(Post).where(Post.id.in_({h.post_id for h in handovers})))}
    people = users_by_id(session, {u for h in handovers for u in (h.handed_by, h.received_by) if u})
    matters: dict[int, list[Matter]] = {}
    for m in session.exec(select(Matter).where(Matter.attendance_id.in_({h.attendance_id for h in handovers}))
                          .order_by(Matter.raised_at, Matter.id)):
        matters.setdefault(m.attendance_id, []).append(m)
    events: dict[int, list[ShiftEvent]] = {}
    for e in events_of(session, {h.attendance_id for h in handovers}):
        events.setdefault(e.attendance_id, []).append(e)
    return [HandoverRow(h, posts[h.post_id], items.get(h.id, []), people, matters.get(h.attendance_id, []),
                        events.get(h.attendance_id, [])) for h in handovers]


def waiting_of(session: Session, project_ids: list[int]) -> list[DutyHandover]:
    """The hand-overs of these projects not yet received, and those whose difference waits for a supervisor."""
    return session.exec(select(DutyHandover).where(
        among(DutyHandover.project_id, project_ids), DutyHandover.status.in_(("handed", "differs")))
        .order_by(DutyHandover.handed_at, DutyHandover.id)).all()


def waiting_handovers(session: Session, project: Project) -> list[HandoverRow]:
    return handover_rows(session, waiting_of(session, [project.id]))


def handover_of(session: Session, attendance: Attendance | None) -> DutyHandover | None:
    if attendance is None:
        return None
    return session.exec(select(DutyHandover).where(DutyHandover.attendance_id == attendance.id)).first()


# -- many projects at once: the duty board and the attention list -----------------------------

def unreceived(session: Session, project_ids: list[int], *, before: datetime) -> list[tuple[DutyHandover, Post]]:
    """Hand-overs handed before `before` that nobody has received yet, with their posts."""
    return session.exec(select(DutyHandover, Post).join(Post, Post.id == DutyHandover.post_id).where(
        among(DutyHandover.project_id, project_ids), DutyHandover.status == "handed",
        DutyHandover.handed_at <= before).order_by(DutyHandover.handed_at)).all()


def differing(session: Session, project_ids: list[int]) -> list[tuple[DutyHandover, Post]]:
    """Hand-overs received with a difference that no supervisor has settled."""
    return session.exec(select(DutyHandover, Post).join(Post, Post.id == DutyHandover.post_id).where(
        among(DutyHandover.project_id, project_ids), DutyHandover.status == "differs")
        .order_by(DutyHandover.received_at)).all()


def uncovered(session: Session, project_ids: list[int], *, now: datetime, grace: timedelta
              ) -> list[tuple[Post, datetime | None]]:
    """Active posts kept manned round the clock (24小时值守) that nobody holds now, each with when it was last
    left (None: never held); a post left less than `grace` ago is a change of shift, not a gap."""
    held = select(Attendance.post_id).where(among(Attendance.project_id, project_ids), Attendance.ended_at.is_(None),
                                            Attendance.covers_until > now, Attendance.started_at <= now)
    left = (select(Attendance.post_id, sa.func.max(sa.func.coalesce(Attendance.ended_at, Attendance.covers_until))
                   .label("left_at"))
            .where(among(Attendance.project_id, project_ids)).group_by(Attendance.post_id).subquery())
    rows = session.exec(select(Post, left.c.left_at).outerjoin(left, left.c.post_id == Post.id).where(
        among(Post.project_id, project_ids), Post.active == True, Post.always_manned == True,  # noqa: E712
        Post.id.not_in(held)).order_by(Post.project_id, Post.id)).all()
    return [(post, at) for post, at in rows if at is None or at <= now - grace]


def holders(session: Session, project_ids: list[int], *, now: datetime) -> dict[int, list[tuple[Attendance, User]]]:
    """{post id: the shifts holding it now with their guards or attendants}, over all the projects at once."""
    rows = session.exec(select(Attendance).where(
        among(Attendance.project_id, project_ids), Attendance.ended_at.is_(None), Attendance.covers_until > now,
        Attendance.started_at <= now).order_by(Attendance.started_at)).all()
    people = users_by_id(session, {a.user_id for a in rows})
    found: dict[int, list[tuple[Attendance, User]]] = {}
    for a in rows:
        found.setdefault(a.post_id, []).append((a, people[a.user_id]))
    return found


def active_posts(session: Session, project_ids: list[int]) -> list[Post]:
    return session.exec(select(Post).where(among(Post.project_id, project_ids), Post.active == True)  # noqa: E712
                        .order_by(Post.project_id, Post.id)).all()


def waiting_counts(session: Session, project_ids: list[int]) -> dict[int, int]:
    """{project id: hand-overs not received yet or with an unsettled difference}."""
    return count_by(session, DutyHandover.project_id, project_ids, DutyHandover.status.in_(("handed", "differs")))
