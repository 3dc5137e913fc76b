"""The shift's outbox record kinds: what the my-shift page sends, online or not.

A phone record carries no server id of the shift: it attaches to the sender's shift that covers its
device time (the outbox sends oldest first, so a clock-in made offline arrives before the taps after it).
Each counter tap or batch is its own record with its own UUID: the outbox delivers it exactly once and
the handler adds, so taps are never lost nor counted twice.
"""
from flask import url_for
from flask_babel import gettext as _
from sqlmodel import Session

from app.core.db import get_posted, utcnow
from app.core.permissions import has_role, visible_projects_stmt
from app.core.photos import for_roles, register_viewers
from app.shifts import duty, services, water
from app.shifts.models import DutyHandover, Matter
from app.sync.services import Kind, Submission, register

ATTENDANTS = ("attendant",)
GUARDS = ("guard",)
ON_DUTY = ATTENDANTS + GUARDS  # who clocks in, keeps a duty log and hands matters over


def _page(session: Session, submission: Submission) -> str:
    """The sender's shift page: the guard's duty page, else the attendant's my-shift page."""
    if has_role(session, submission.user, submission.project, ATTENDANTS):
        return url_for("shifts.my_shift", project_id=submission.project.id)
    return url_for("shifts.my_duty", project_id=submission.project.id)


def clock_in(session: Session, s: Submission) -> dict:
    """`shift_clock_in`: {post_id, pattern_id}, at the device time."""
    attendance = services.clock_in(session, user=s.user, project=s.project, post_id=s.data.get("post_id"),
                                   pattern_id=s.data.get("pattern_id"), at=s.client_time)
    session.flush()
    return {"attendance_id": attendance.id, "url": _page(session, s)}


def clock_out(session: Session, s: Submission) -> dict:
    """`shift_clock_out`: ends the sender's open shift at the device time."""
    attendance = services.clock_out(session, user=s.user, project=s.project, at=s.client_time)
    return {"attendance_id": attendance.id, "visitors": attendance.visitors, "url": _page(session, s)}


def visitors(session: Session, s: Submission) -> dict:
    """`shift_visitors`: {count}, added to the shift covering the device time; answers the new total."""
    attendance = services.add_visitors(session, user=s.user, project=s.project, at=s.client_time,
                                       count=s.data.get("count", 1))
    return {"attendance_id": attendance.id, "visitors": attendance.visitors}


def event(session: Session, s: Submission) -> dict:
    """`shift_event`: {text, camera?, action?} and up to 3 photos; camera and action on a monitoring post."""
    row = services.add_event(session, storage=s.storage, user=s.user, project=s.project, at=s.client_time,
                             text=s.data.get("text"), photos=s.photos,
                             photo_prefix=f"shifts/{s.project.id}/{s.client_id}",
                             camera=s.data.get("camera", ""), action=s.data.get("action", ""))
    return {"event_id": row.id, "url": _page(session, s)}


def matter(session: Session, s: Submission) -> dict:
    """`shift_matter`: {text}, handed to the next shift."""
    row = services.raise_matter(session, user=s.user, project=s.project, at=s.client_time, text=s.data.get("text"))
    session.flush()
    return {"matter_id": row.id, "url": _page(session, s)}


def acknowledge(session: Session, s: Submission) -> dict:
    """`shift_matter_ack`: {matter_id} of this project."""
    raw = s.data.get("matter_id")
    row = get_posted(session, Matter, raw)
    if row is None or row.project_id != s.project.id:
        raise services.ShiftError(_("找不到这个交接事项。"), status=404)
    services.acknowledge(session, user=s.user, matter=row, at=s.client_time)
    return {"matter_id": row.id, "acknowledged_by": row.acknowledged_by, "url": _page(session, s)}


def hand_over(session: Session, s: Submission) -> dict:
    """`duty_handover`: {"count-<equipment id>": n, note}, the post of the sender's shift handed over."""
    row = duty.hand_over(session, user=s.user, project=s.project, at=s.client_time, data=s.data)
    return {"handover_id": row.id, "url": _page(session, s)}


def receive(session: Session, s: Submission) -> dict:
    """`duty_handover_ack`: {handover_id, "received-<item id>": n, note}: the next guard takes the post over."""
    row = get_posted(session, DutyHandover, s.data.get("handover_id"))
    if row is None or row.project_id != s.project.id:
        raise services.ShiftError(_("找不到这次交班。"), status=404)
    duty.receive(session, user=s.user, handover=row, at=s.client_time, data=s.data)
    return {"handover_id": row.id, "status": row.status, "url": _page(session, s)}


def _book(session: Session, s: Submission) -> dict:
    """The water bar's book stock after this record, and when by the server's clock (the page's data-rendered-at
    is too): the my-shift page shows the newer of the two (static/js/shifts.js)."""
    return {"stock": {str(item_id): n for item_id, n in water.stock_levels(session, s.project).items()},
            "at": int(utcnow().timestamp() * 1000)}


def usage(session: Session, s: Submission) -> dict:
    """`water_usage`: {"used-<item id>": n, "restocked-<item id>": n}, added to the local day."""
    entries = water.record_usage(session, user=s.user, project=s.project, at=s.client_time,
                                 used=water.parse_quantities(s.data, "used"),
                                 restocked=water.parse_quantities(s.data, "restocked"))
    return {"entries": len(entries), "url": _page(session, s)} | _book(session, s)


def count(session: Session, s: Submission) -> dict:
    """`water_count`: {"count-<item id>": n}, the day's stock count."""
    rows = water.record_count(session, user=s.user, project=s.project, at=s.client_time,
                              counts=water.parse_quantities(s.data, "count", keep_zero=True))
    return {"counted": len(rows), "url": _page(session, s)} | _book(session, s)


def _kept(session: Session, user, roles, endpoint: str) -> list[str]:
    """The shift page `endpoint` of each project where the user holds one of `roles`, and its script."""
    pages = [url_for(endpoint, project_id=project.id)
             for project in session.exec(visible_projects_stmt(user, active_only=True)).all()
             if has_role(session, user, project, roles)]
    return [url_for("static", filename="js/shifts.js")] + pages if pages else []


def offline_pages(session: Session, user) -> list[str]:
    """An attendant keeps the my-shift page of each project."""
    return _kept(session, user, ATTENDANTS, "shifts.my_shift")


def guard_pages(session: Session, user) -> list[str]:
    """A guard keeps the duty page of each project."""
    return _kept(session, user, GUARDS, "shifts.my_duty")


KINDS = (
    Kind(name="shift_clock_in", roles=ON_DUTY, handle=clock_in, max_photos=0, label="上岗打卡",
         offline_pages=offline_pages),
    Kind(name="shift_clock_out", roles=ON_DUTY, handle=clock_out, max_photos=0, label="下班打卡"),
    Kind(name="shift_visitors", roles=ATTENDANTS, handle=visitors, max_photos=0, label="接待人数"),
    Kind(name="shift_event", roles=ON_DUTY, handle=event, max_photos=3, label="值班事件"),
    Kind(name="shift_matter", roles=ON_DUTY, handle=matter, max_photos=0, label="交接事项"),
    Kind(name="shift_matter_ack", roles=ON_DUTY, handle=acknowledge, max_photos=0, label="确认交接事项"),
    Kind(name="duty_handover", roles=GUARDS, handle=hand_over, max_photos=0, label="交班",
         offline_pages=guard_pages),
    Kind(name="duty_handover_ack", roles=GUARDS, handle=receive, max_photos=0, label="接班确认"),
    Kind(name="water_usage", roles=ATTENDANTS, handle=usage, max_photos=0, label="水吧用量"),
    Kind(name="water_count", roles=ATTENDANTS, handle=count, max_photos=0, label="水吧盘点"),
)
LABELS = {kind.name: kind.label for kind in KINDS}
for _kind in KINDS:
    register(_kind)


register_viewers("shift_event", for_roles("supervisor", *ON_DUTY))  # the shift log
