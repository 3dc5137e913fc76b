"""The residents' pages: the form a project's link opens, its post, the private status page, and the printable link."""
import secrets

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.core.db import get_session, utcnow
from app.core.permissions import project_required, public
from app.core.routes import send_photo
from app.core.storage import storage
from app.projects.models import Project
from app.projects.services import get_project, qr_svg
from app.repairs import bp, services
from app.repairs.public import (
    HONEYPOT,
    MAX_PHOTOS,
    check_form,
    count_refusal,
    form_stamp,
    link_token,
    over_limit,
    project_from_token,
    resident_photo,
    resident_photos,
    submit,
    ticket_by_public_token,
)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _project_or_404(token: str) -> Project:
    project_id = project_from_token(token, secret_key=_secret())
    project = get_project(get_session(), project_id) if project_id is not None else None
    if project is None or project.archived:
        abort(404)
    return project


def _form_page(project: Project, token: str, status: int = 200, errors: dict | None = None):
    return render_template("repairs/public/form.html", project=project, token=token, values=request.form,
                           errors=errors or {}, stamp=form_stamp(project.id, secret_key=_secret()),
                           max_photos=MAX_PHOTOS,
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
    db, now, ip = get_session(), utcnow(), request.remote_addr or ""
    if request.form.get(HONEYPOT):  # only a bot fills the hidden field: answer as if it worked, keep nothing
        count_refusal(db, project_id=project.id, ip=ip, now=now)
        return redirect(url_for("repairs.resident_status", token=secrets.token_urlsafe(18)[:24]), 303)
    if over_limit(db, project_id=project.id, ip=ip, now=now):
        message = _("提交次数过多,请一小时后再试。紧急情况请直接致电物业服务中心。")
        page, status = _form_page(project, token, 429, errors={"form": message})
        return page, status, {"Retry-After": "3600"}
    files = [f.read() for f in request.files.getlist("photos") if f.filename]
    photos, errors = check_form(request.form, files, project_id=project.id, now=now, secret_key=_secret(),
                                min_fill_seconds=current_app.config.get("RESIDENT_MIN_FILL_SECONDS", 3),
                                photo_max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    if errors:
        count_refusal(db, project_id=project.id, ip=ip, now=now)
        return _form_page(project, token, 422, errors=errors)
    ticket = submit(db, storage=storage(), project_id=project.id, form=request.form, photos=photos, ip=ip, now=now)
    return redirect(url_for("repairs.resident_status", token=ticket.public_token), 303)


@bp.get("/r/status/<token>")
@public
def resident_status(token: str):
    """The requester's private page: number, status and time; nothing about who works on it."""
    db = get_session()
    ticket = ticket_by_public_token(db, token=token) or abort(404)
    return render_template("repairs/public/status.html", ticket=ticket, project=get_project(db, ticket.project_id),
                           status_label=str(services.STATUS_LABELS.get(ticket.status, ticket.status)),
                           photos=resident_photos(db, ticket), token=token,
                           form_token=link_token(ticket.project_id, secret_key=_secret()))


@bp.get("/r/status/<token>/photos/<int:photo_id>")
@bp.get("/r/status/<token>/photos/<int:photo_id>/thumb", endpoint="resident_photo_thumb")
@public
def resident_photo_file(token: str, photo_id: int):
    """A photo of the requester's own ticket (theirs and the after-photos), to whoever holds its status link."""
    db = get_session()
    ticket = ticket_by_public_token(db, token=token) or abort(404)
    photo = resident_photo(db, ticket, photo_id) or abort(404)
    return send_photo(photo.thumb_key if request.endpoint == "repairs.resident_photo_thumb" else photo.key)


@bp.get("/projects/<int:project_id>/resident-link")
@project_required("supervisor")
def resident_link(project: Project):
    """The project's public request link and its QR code, to print and post in the lobby."""
    base = current_app.config["PUBLIC_URL"] or request.host_url.rstrip("/")
    url = base + url_for("repairs.resident_form", token=link_token(project.id, secret_key=_secret()))
    return render_template("repairs/public/link.html", project=project, url=url, svg=qr_svg(url))
