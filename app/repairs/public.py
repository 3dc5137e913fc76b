"""Residents request a repair without an account: a signed link per project, a small form, a private status link.

No table of its own: the project's link is its id signed with the app's SECRET_KEY (rotating the key
invalidates printed QR codes), and the request is an ordinary ticket with source "resident", its sender's
address in `source_ip` (the rate limit counts those) and an unguessable `public_token` for the status page.
"""
import re
import secrets
import uuid
from datetime import datetime, timedelta

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlmodel import Session, func, select

from app.core.db import get_session, utcnow
from app.core.permissions import project_required, public
from app.core.photos import PhotoError, ProcessedPhoto, process
from app.projects.models import Project
from app.projects.services import qr_svg
from app.repairs import bp, services
from app.repairs.models import Ticket

LINK_SALT = "resident-request"
STAMP_SALT = "resident-request-form"  # the signed time the form was rendered (minimum fill time)
HONEYPOT = "website"
MAX_PHOTOS = 4
MAX_NAME, MAX_LOCATION, MAX_DESCRIPTION = 60, 200, 2000
PER_IP_PER_HOUR, PER_PROJECT_PER_HOUR = 5, 30
PHONE = re.compile(r"\+?[0-9]{7,20}")


# -- the project's link -------------------------------------------------------------------------

def _link_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def request_token(project_id: int) -> str:
    """The unguessable, non-expiring token of a project's public request link."""
    return _link_serializer().dumps(project_id)


def project_from_token(token: str) -> int | None:
    try:
        value = _link_serializer().loads(token)
    except BadSignature:
        return None
    return value if type(value) is int else None


# -- the form's checks --------------------------------------------------------------------------

def _stamp_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=STAMP_SALT)


def form_stamp(project_id: int) -> str:
    """A hidden field: when the form was rendered, signed, so a bot cannot backdate it."""
    return _stamp_serializer().dumps(project_id)


def fill_seconds(stamp: str, *, project_id: int, now: datetime) -> float | None:
    """Seconds since the form was rendered; None for a missing or forged stamp, or another project's."""
    try:
        value, signed_at = _stamp_serializer().loads(stamp, return_timestamp=True)
    except BadSignature:
        return None
    return (now - signed_at).total_seconds() if value == project_id else None


def compact_phone(raw: str) -> str | None:
    """"+86 138-0013-8000" → "+8613800138000"; None unless 7-20 digits with an optional leading +."""
    compact = re.sub(r"[\s-]", "", raw)
    return compact if PHONE.fullmatch(compact) and len(compact) <= 20 else None


def check_request(form, files: list[bytes], *, project_id: int, now: datetime
                  ) -> tuple[list[ProcessedPhoto], dict[str, str]]:
    """The processed photos and the refusals (field → message; "form" for the whole form) of one submission."""
    errors = {}
    age = fill_seconds(form.get("stamp", ""), project_id=project_id, now=now)
    if age is None:
        errors["form"] = _("表单已过期,请重新提交。")
    elif age < current_app.config.get("RESIDENT_MIN_FILL_SECONDS", 3):
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
    photos = []
    if len(files) > MAX_PHOTOS:
        errors["photos"] = _("照片最多 %(n)d 张。", n=MAX_PHOTOS)
    if "photos" in errors or "form" in errors:  # decoding photos is the costly part: not for a refused post
        files = []
    for number, raw in enumerate(files, start=1):
        try:
            photos.append(process(raw, max_bytes=current_app.config["PHOTO_MAX_BYTES"]))
        except PhotoError as exc:
            errors["photos"] = _("第 %(n)d 张照片:%(reason)s", n=number, reason=str(exc))
            break
    return photos, errors


# -- service ----------------------------------------------------------------------------------

def over_limit(session: Session, *, project_id: int, ip: str, now: datetime) -> bool:
    """True when this address or this project has had its share of resident requests in the last hour."""
    recent = select(func.count()).select_from(Ticket).where(Ticket.source == "resident",
                                                            Ticket.created_at > now - timedelta(hours=1))
    return (session.exec(recent.where(Ticket.source_ip == ip)).one() >= PER_IP_PER_HOUR
            or session.exec(recent.where(Ticket.project_id == project_id)).one() >= PER_PROJECT_PER_HOUR)


def submit(session: Session, *, project_id: int, form, photos: list[ProcessedPhoto], ip: str, now: datetime) -> Ticket:
    """A checked request becomes a ticket in 待派单 with its private status token; committed here."""
    ticket = services.open_ticket(
        session, user=None, project_id=project_id, description=form["description"].strip(), source="resident",
        reported_at=now, photos=photos, photo_prefix=f"tickets/{project_id}/resident-{uuid.uuid4()}",
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


# -- views ------------------------------------------------------------------------------------

def _project_or_404(token: str) -> Project:
    project_id = project_from_token(token)
    project = get_session().get(Project, project_id) if project_id is not None else None
    if project is None or project.archived:
        abort(404)
    return project


def _form_page(project: Project, token: str, status: int = 200, errors: dict | None = None):
    return render_template("repairs/public/form.html", project=project, token=token, values=request.form,
                           errors=errors or {}, stamp=form_stamp(project.id), max_photos=MAX_PHOTOS,
                           had_photos=any(f.filename for f in request.files.getlist("photos"))), status


@bp.get("/r/<token>")
@public
def resident_form(token: str):
    """The form a project's QR code or link opens: no account needed."""
    return _form_page(_project_or_404(token), token)


@bp.post("/r/<token>")
@public
def resident_submit(token: str):
    """Take a resident's request; bots, floods and too-quick posts are turned away before anything is kept."""
    project = _project_or_404(token)
    if request.form.get(HONEYPOT):  # only a bot fills the hidden field: answer as if it worked, keep nothing
        return redirect(url_for("repairs.resident_status", token=secrets.token_urlsafe(18)[:24]), 303)
    db, now, ip = get_session(), utcnow(), request.remote_addr or ""
    if over_limit(db, project_id=project.id, ip=ip, now=now):
        message = _("提交次数过多,请一小时后再试。紧急情况请直接致电物业服务中心。")
        page, status = _form_page(project, token, 429, errors={"form": message})
        return page, status, {"Retry-After": "3600"}
    files = [f.read() for f in request.files.getlist("photos") if f.filename]
    photos, errors = check_request(request.form, files, project_id=project.id, now=now)
    if errors:
        return _form_page(project, token, 422, errors=errors)
    ticket = submit(db, project_id=project.id, form=request.form, photos=photos, ip=ip, now=now)
    return redirect(url_for("repairs.resident_status", token=ticket.public_token), 303)


@bp.get("/r/status/<token>")
@public
def resident_status(token: str):
    """The requester's private page: number, status and time; nothing about who works on it."""
    db = get_session()
    ticket = ticket_by_public_token(db, token=token) or abort(404)
    return render_template("repairs/public/status.html", ticket=ticket, project=db.get(Project, ticket.project_id),
                           status_label=str(services.STATUS_LABELS.get(ticket.status, ticket.status)))


@bp.get("/projects/<int:project_id>/resident-link")
@project_required("supervisor")
def resident_link(project: Project):
    """The project's public request link and its QR code, to print and post in the lobby."""
    base = current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")
    url = base + url_for("repairs.resident_form", token=request_token(project.id))
    return render_template("repairs/public/link.html", project=project, url=url, svg=qr_svg(url))
