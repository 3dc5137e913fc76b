"""Accepting records from the offline outbox exactly once.

A capability registers a record kind with `register(Kind(...))`. `accept` runs the kind's handler and
writes a SyncRecord keyed by the client's UUID in the same transaction, with the photos: the record and
its photos commit together or not at all. A second arrival of the same UUID (a retry after a lost
answer, a replay, a concurrent duplicate) gets the first answer back and changes nothing.
"""
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import User
from app.core import photos as photo_pipeline
from app.core.db import utcnow
from app.core.permissions import allows, roles_in
from app.core.refusal import Refusal
from app.projects.models import Project
from app.projects.services import get_project
from app.sync.models import SyncRecord

FUTURE_TOLERANCE = timedelta(hours=1)  # a phone clock a little fast is fine; a day ahead is not
PAST_LIMIT = timedelta(days=90)


# The server will never take this entry as it is: the user must edit it (HTTP 422) or drop it. Any Refusal a
# kind's services raise is one; a 409 from them (a state someone else changed) reaches the phone as a 422,
# since the phone's 409 means "this UUID belongs to someone else".
RecordRefused = Refusal


@dataclass
class Submission:
    """What a kind's handler receives."""

    user: User
    project: Project
    data: dict
    photos: list[photo_pipeline.ProcessedPhoto]
    client_time: datetime
    client_id: str
    photo_fields: list[str] = field(default_factory=list)  # the form field each photo came from
    storage: object = None  # where the photos go: the storage `accept` was given

    def photos_of(self, name: str) -> list[photo_pipeline.ProcessedPhoto]:
        return [p for p, f in zip(self.photos, self.photo_fields, strict=True) if f == name]


@dataclass
class Kind:
    name: str
    roles: tuple[str, ...]  # who may submit it (company admins always may)
    handle: Callable[[Session, Submission], dict]  # adds the records, returns the JSON answer; commits nothing
    max_photos: int = 10
    label: str = ""
    max_pixels: int = 0  # what its photos may decode in all; 0: photos.pixel_budget(max_photos)
    offline_pages: Callable[[Session, User], list[str]] = field(default=lambda session, user: [])


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def prior_answer(session: Session, *, client_id: str, user: User) -> SyncRecord | None:
    """The record already accepted under this UUID, if it is this user's (another user's stays hidden)."""
    record = session.exec(select(SyncRecord).where(SyncRecord.client_id == client_id)).first()
    if record is not None and record.user_id != user.id:
        raise RecordRefused(_("这条记录的编号已被使用。"), status=409)
    return record


def parse_client_time(value, now: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise RecordRefused(_("记录时间格式不对。"), {"client_time": _("须为 ISO 8601 时间")}) from None
    if moment.tzinfo is None:
        raise RecordRefused(_("记录时间缺少时区。"), {"client_time": _("须带时区")})
    if moment > now + FUTURE_TOLERANCE:
        raise RecordRefused(_("设备时间比服务器快了 %(h)d 小时以上,请校准手机时间后重新提交。",
                              h=int(FUTURE_TOLERANCE.total_seconds() // 3600)), {"client_time": _("设备时间不正确")})
    if moment < now - PAST_LIMIT:
        raise RecordRefused(_("这条记录的时间早于 90 天前,无法提交。请检查手机时间。"), {"client_time": _("时间过早")})
    return moment


def _project_for(session: Session, user: User, project_id, kind: Kind) -> Project:
    project = get_project(session, project_id) if isinstance(project_id, int) else None
    held = roles_in(session, user, project) if project is not None else set()
    if not held:
        raise RecordRefused(_("找不到这个项目,或您已不是它的成员。"), status=404)
    if not allows(held, kind.roles):
        raise RecordRefused(_("您在这个项目的角色不能提交这类记录。"), status=403)
    return project


def photo_field(filename: str | None) -> str:
    """The form field a photo came from: the page names files "<field>~<n>.jpg"."""
    return filename.split("~", 1)[0] if filename and "~" in filename else "photos"


def accept(session: Session, storage, *, user: User, client_id: str, envelope: dict,
           files: list[tuple[str, bytes]], photo_max_bytes: int = 15_000_000, now: datetime | None = None) -> tuple[dict, bool]:
    """Take one outbox entry; `files` are (filename, bytes). Return (answer, replayed); raise RecordRefused."""
    prior = prior_answer(session, client_id=client_id, user=user)
    if prior is not None:
        return prior.result, True
    now = now or utcnow()
    kind = KINDS.get(envelope.get("kind"))
    if kind is None:
        raise RecordRefused(_("未知的记录类型。"))
    project = _project_for(session, user, envelope.get("project_id"), kind)
    client_time = parse_client_time(envelope.get("client_time"), now)
    data = envelope.get("data")
    if not isinstance(data, dict):
        raise RecordRefused(_("记录内容缺失。"))
    if len(files) > kind.max_photos:
        raise RecordRefused(_("照片最多 %(n)d 张。", n=kind.max_photos), {"photos": _("照片太多")})
    processed = photo_pipeline.process_all(  # its PhotoError is a RecordRefused
        [raw for _name, raw in files], max_bytes=photo_max_bytes, keep_location=project.keep_photo_location,
        max_pixels=kind.max_pixels or photo_pipeline.pixel_budget(kind.max_photos))

    submission = Submission(user=user, project=project, data=data, photos=processed, client_time=client_time,
                            client_id=client_id, photo_fields=[photo_field(name) for name, _raw in files],
                            storage=storage)
    try:
        answer = kind.handle(session, submission)
        session.add(SyncRecord(client_id=client_id, user_id=user.id, project_id=project.id, kind=kind.name,
                               client_time=client_time, received_at=now, photo_count=len(processed), result=answer))
        session.commit()
    except IntegrityError:
        # A concurrent copy of this entry committed first: answer as it was answered.
        session.rollback()
        prior = prior_answer(session, client_id=client_id, user=user)
        if prior is None:
            raise
        return prior.result, True
    except RecordRefused as exc:
        # A concurrent copy may have committed between our first look and the handler's checks (which then
        # see its effect, e.g. a ticket already started): that copy's answer is this one's too.
        session.rollback()
        prior = prior_answer(session, client_id=client_id, user=user)
        if prior is not None:
            return prior.result, True
        if exc.status == 409:
            raise RecordRefused(exc.message, exc.fields, 422) from exc
        raise
    return answer, False


def accept_form(session: Session, storage, *, user: User, project_id: int, kind: str, data: dict,
                files: list[tuple[str, bytes]], client_id: str, photo_max_bytes: int) -> tuple[dict, bool]:
    """The same form posted without JavaScript, through this exactly-once path at the server's time: `client_id` is
    the one the form was rendered with (app/core/once.py), a new one when it is not a UUID."""
    try:
        client_id = str(uuid.UUID(str(client_id)))
    except ValueError:
        client_id = str(uuid.uuid4())
    envelope = {"kind": kind, "project_id": project_id, "client_time": utcnow().isoformat(), "data": data}
    return accept(session, storage, user=user, client_id=client_id, envelope=envelope, files=files,
                  photo_max_bytes=photo_max_bytes)


def offline_pages(session: Session, user: User) -> list[str]:
    """The pages the service worker keeps for this user to open without signal."""
    pages = ["/", "/sync"]
    for kind in KINDS.values():
        pages.extend(kind.offline_pages(session, user))
    return list(dict.fromkeys(pages))
