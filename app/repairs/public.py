"""Residents ask for a repair without an account: a signed link per project, a small form, a private status link.

No table of its own: the project's link is its id signed with the app's SECRET_KEY (rotating the key
invalidates printed QR codes), and what they send is an ordinary ticket with source "resident", its sender's
address in `source_ip` (the rate limit counts those) and an unguessable `public_token` for the status page.
The signing, the checks and the service are here, with the app's secret and limits passed in; the pages are in
`public_routes`.
"""
import re
import secrets
import uuid
from datetime import datetime, timedelta

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlmodel import Session, delete, func, select

from app.core.photos import Photo, PhotoError, ProcessedPhoto, photos_of, pixel_budget, process_all
from app.repairs import services
from app.repairs.models import RefusedPost, Ticket

LINK_SALT = "resident-request"  # the signed values printed QR codes carry: never change either salt
STAMP_SALT = "resident-request-form"  # the signed time the form was rendered (minimum fill time, maximum age)
STAMP_MAX_AGE = 2 * 3600  # seconds: a stamp older than this is refused, so one harvested stamp does not last
HONEYPOT = "website"
MAX_PHOTOS = 4
MAX_NAME, MAX_LOCATION, MAX_DESCRIPTION = 60, 200, 2000
PER_IP_PER_HOUR, PER_PROJECT_PER_HOUR = 5, 30
PHONE = re.compile(r"\+?[0-9]{7,20}")


# -- the project's link -------------------------------------------------------------------------

def link_token(project_id: int, *, secret_key: str) -> str:
    """The unguessable, non-expiring token of a project's public link."""
    return URLSafeSerializer(secret_key, salt=LINK_SALT).dumps(project_id)


def project_from_token(token: str, *, secret_key: str) -> int | None:
    try:
        value = URLSafeSerializer(secret_key, salt=LINK_SALT).loads(token)
    except BadSignature:
        return None
    return value if type(value) is int else None


# -- the form's checks --------------------------------------------------------------------------

def form_stamp(project_id: int, *, secret_key: str) -> str:
    """A hidden field: when the form was rendered, signed, so a bot cannot backdate it."""
    return URLSafeTimedSerializer(secret_key, salt=STAMP_SALT).dumps(project_id)


def fill_seconds(stamp: str, *, project_id: int, now: datetime, secret_key: str) -> float | None:
    """Seconds since the form was rendered; None for a missing, forged or stale stamp, or another project's."""
    try:
        value, signed_at = URLSafeTimedSerializer(secret_key, salt=STAMP_SALT).loads(stamp, return_timestamp=True)
    except BadSignature:
        return None
    age = (now - signed_at).total_seconds()
    return age if value == project_id and age <= STAMP_MAX_AGE else None


def compact_phone(raw: str) -> str | None:
    """"+86 138-0013-8000" → "+8613800138000"; None unless 7-20 digits with an optional leading +."""
    compact = re.sub(r"[\s-]", "", raw)
    return compact if PHONE.fullmatch(compact) and len(compact) <= 20 else None


def check_form(form, files: list[bytes], *, project_id: int, now: datetime, secret_key: str, min_fill_seconds: float,
               photo_max_bytes: int) -> tuple[list[ProcessedPhoto], dict[str, str]]:
    """The processed photos and the refusals (field → message; "form" for the whole form) of one submission."""
    errors = {}
    age = fill_seconds(form.get("stamp", ""), project_id=project_id, now=now, secret_key=secret_key)
    if age is None:
        errors["form"] = _("表单已过期,请重新提交。")
    elif age < min_fill_seconds:
        errors["form"] = _("提交太快,请稍后再试。")
    values = {key: form.get(key, "").strip() for key in ("name", "phone", "location", "description")}
    for key, limit, missing, too_long in (
            ("name", MAX_NAME, _("请填写您的称呼。"), _("称呼不能超过 %(n)d 字。", n=MAX_NAME)),
            ("location", MAX_LOCATION, _("请填写位置。"), _("位置不能超过 %(n)d 字。", n=MAX_LOCATION)),
            ("description", MAX_DESCRIPTION, _("请描述问题。"), _("描述不能超过 %(n)d 字。", n=MAX_DESCRIPTION))):
        if not values[key]:
            errors[key] = missing
        elif len(values[key]) > limit:
            errors[key] = too_long
    if not values["phone"]:
        errors["phone"] = _("请填写联系电话。")
    elif compact_phone(values["phone"]) is None:
        errors["phone"] = _("请填写正确的电话号码(7-20 位数字)。")
    if len(files) > MAX_PHOTOS:
        errors["photos"] = _("照片最多 %(n)d 张。", n=MAX_PHOTOS)
    if errors:  # decoding photos is the costly part: only for a post that is otherwise accepted
        return [], errors
    try:
        return process_all(files, max_bytes=photo_max_bytes, max_pixels=pixel_budget(MAX_PHOTOS)), errors
    except PhotoError as exc:
        return [], {"photos": exc.message}


# -- service ----------------------------------------------------------------------------------

def over_limit(session: Session, *, project_id: int, ip: str, now: datetime) -> bool:
    """True when this address (its reports and its refused posts) or this project (its reports) has had its share
    in the last hour."""
    hour_ago = now - timedelta(hours=1)
    recent = select(func.count()).select_from(Ticket).where(Ticket.source == "resident", Ticket.created_at > hour_ago)
    refused = session.exec(select(func.count()).select_from(RefusedPost)
                           .where(RefusedPost.ip == ip, RefusedPost.at > hour_ago)).one()
    return (session.exec(recent.where(Ticket.source_ip == ip)).one() + refused >= PER_IP_PER_HOUR
            or session.exec(recent.where(Ticket.project_id == project_id)).one() >= PER_PROJECT_PER_HOUR)


def count_refusal(session: Session, *, project_id: int, ip: str, now: datetime) -> None:
    """A refused post counts against its address's limit (only there: strangers' refusals cannot close a project's
    form); rows older than a day go. Committed here."""
    session.add(RefusedPost(project_id=project_id, ip=ip[:45], at=now))
    session.exec(delete(RefusedPost).where(RefusedPost.at < now - timedelta(days=1)))
    session.commit()


def submit(session: Session, *, storage, project_id: int, form, photos: list[ProcessedPhoto], ip: str,
           now: datetime) -> Ticket:
    """A checked form becomes a ticket in 待派单 with its private status token; committed here."""
    ticket = services.open_ticket(
        session, storage=storage, user=None, project_id=project_id, description=form["description"].strip(),
        source="resident", reported_at=now, photos=photos, photo_prefix=f"tickets/{project_id}/resident-{uuid.uuid4()}",
        location=form["location"].strip(), reporter_name=form["name"].strip(),
        reporter_phone=compact_phone(form["phone"].strip()))
    ticket.source_ip = ip[:45]
    ticket.public_token = secrets.token_urlsafe(18)[:24]
    session.add(ticket)
    session.commit()
    return ticket


def ticket_by_public_token(session: Session, *, token: str) -> Ticket | None:
    if not token or len(token) > 32:
        return None
    return session.exec(select(Ticket).where(Ticket.public_token == token)).first()


# What the requester sees of a ticket's photos: their own, and the repair's after-photos (not the work in progress).
RESIDENT_PHOTOS = ("ticket", "ticket_after")


def resident_photos(session: Session, ticket: Ticket) -> dict[str, list[Photo]]:
    """{owner type: photos} of what the status page shows, in the order they were taken."""
    return {kind: photos_of(session, kind, ticket.id) for kind in RESIDENT_PHOTOS}


def resident_photo(session: Session, ticket: Ticket, photo_id: int) -> Photo | None:
    """One of those photos, or None for any other photo id."""
    return next((p for photos in resident_photos(session, ticket).values() for p in photos if p.id == photo_id), None)
