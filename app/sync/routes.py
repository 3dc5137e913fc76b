"""The offline API under /api/v1/ and the outbox page."""
from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.core.db import get_session
from app.core.inputs import Malformed, load_json
from app.core.permissions import logged_in, public
from app.core.storage import storage
from app.sync import bp, services
from app.sync.openapi import spec


def _refusal(message: str, status: int = 422, fields: dict | None = None):
    retry = {"Retry-After": "2"} if status == 503 else {}  # busy with photos: the outbox sends it again
    return jsonify(error={"code": status, "message": message, "fields": fields or {}}), status, retry


@bp.get("/api/v1/session")
@logged_in
def session_info():
    """Who is logged in here, and a fresh CSRF token for the outbox to send with."""
    return jsonify(user={"id": current_user.id, "username": current_user.username,
                         "display_name": current_user.display_name}, csrf_token=generate_csrf())


@bp.get("/api/v1/offline-pages")
@logged_in
def offline_pages():
    """The pages to keep on this device for today's work."""
    return jsonify(user_id=current_user.id, pages=services.offline_pages(get_session(), current_user))


@bp.post("/api/v1/records/<uuid:client_id>")
@logged_in
def submit_record(client_id):
    """Accept one outbox entry (multipart: `record` JSON + `photos` files), exactly once."""
    try:
        envelope = load_json(request.form.get("record", ""))
    except Malformed:
        return _refusal(_("记录格式不对。"), 400)
    if not isinstance(envelope, dict):
        return _refusal(_("记录格式不对。"), 400)
    files = [(f.filename, f.read()) for f in request.files.getlist("photos")]
    try:
        answer, replayed = services.accept(get_session(), storage(), user=current_user, client_id=str(client_id),
                                           envelope=envelope, files=files,
                                           photo_max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    except services.RecordRefused as exc:
        return _refusal(exc.message, exc.status, exc.fields)
    return jsonify(answer), 200 if replayed else 201, {"Idempotent-Replayed": "true" if replayed else "false"}


@bp.get("/api/v1/records/<uuid:client_id>")
@logged_in
def record_status(client_id):
    """Whether an entry has arrived (for a client whose answer was lost)."""
    try:
        record = services.prior_answer(get_session(), client_id=str(client_id), user=current_user)
    except services.RecordRefused:
        record = None
    if record is None:
        return _refusal(_("服务器还没有收到这条记录。"), 404)
    return jsonify(record.result)


@bp.get("/api/v1/openapi.json")
@public
def openapi():
    """The OpenAPI description of /api/v1/."""
    return jsonify(spec())


@bp.get("/sync")
@logged_in
def outbox():
    """This device's outbox: what waits to be sent, what failed and why (filled from IndexedDB)."""
    return render_template("sync/outbox.html")
