"""The app shell: home, manifest, service worker, offline page, signed media links, health."""
import hashlib
from pathlib import Path

from flask import Response, abort, current_app, redirect, render_template, send_file, url_for
from flask_babel import format_date
from flask_login import current_user
from werkzeug.routing import BuildError

from app.core import bp, notifications, overview
from app.core.db import get_session, local, utcnow
from app.core.permissions import load_or_404, logged_in, public
from app.core.photos import Photo, may_see
from app.core.storage import LocalStorage, StorageError, storage


@bp.get("/")
@logged_in
def index():
    """The user's work today: a supervisor's needs-attention list and projects, everyone's cards by role; a
    company manager of no project starts on the month's figures."""
    now = utcnow()
    context = overview.home_context(get_session(), current_user, now)
    if current_user.is_manager and not (context["cards"] or context["supervises"]):
        return redirect(url_for("month.matrix", organisation_id=current_user.organisation_id))
    return render_template("core/home.html", today=format_date(local(now).date(), "full"), **context)


@bp.get("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest, in the user's language."""
    body = render_template("core/manifest.webmanifest")
    return Response(body, mimetype="application/manifest+json")


def shell_version() -> str:
    """A hash of the app shell's files: a new deploy gets new cache names, and old caches are dropped."""
    if "shell_version" not in current_app.extensions:
        digest = hashlib.sha256()
        static = Path(current_app.static_folder)
        for path in sorted(static.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(static)).encode() + path.read_bytes())
        for name in ("base.html", "core/offline.html", "core/manifest.webmanifest"):
            digest.update((Path(current_app.template_folder) / name).read_bytes())
        current_app.extensions["shell_version"] = digest.hexdigest()[:12]
    return current_app.extensions["shell_version"]


@bp.get("/sw.js")
@public
def service_worker():
    """The service worker, served from the root so that its scope is the whole app."""
    body = (Path(current_app.static_folder) / "sw.js").read_text().replace("__SHELL_VERSION__", shell_version())
    return Response(body, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/offline")
@public
def offline():
    """Shown by the service worker when a page is not cached and there is no network."""
    return render_template("core/offline.html", shell_only=True)  # cached by the service worker: nobody's page


@bp.get("/media/<token>")
@public
def media(token: str):
    """A local media file behind a signed, expiring link (the local twin of an S3 presigned URL)."""
    store = storage()
    key = store.key_from_token(token) if isinstance(store, LocalStorage) else None
    if key is None:
        abort(404)
    try:
        fh = store.open(key)
    except StorageError:
        abort(404)
    return send_file(fh, download_name=key.rsplit("/", 1)[-1], max_age=3600)


@bp.get("/healthz")
@public
def healthz():
    """Liveness and database check for the process supervisor."""
    from sqlalchemy import text

    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/photos/<int:photo_id>")
@logged_in
def photo(photo_id: int):
    """A photo, to whoever may see the record it belongs to (by the rule its capability registered)."""
    return send_photo(_visible_photo(photo_id).key)


@bp.get("/photos/<int:photo_id>/thumb")
@logged_in
def photo_thumb(photo_id: int):
    """A photo's thumbnail, to the same users."""
    return send_photo(_visible_photo(photo_id).thumb_key)


def _visible_photo(photo_id: int) -> Photo:
    photo = load_or_404(Photo, photo_id)  # 404 outside the project
    if not may_see(get_session(), current_user, photo):
        abort(403)
    return photo


def send_photo(key: str):
    """A stored photo's bytes (local storage) or a redirect to its expiring link (S3), privately cached."""
    store = storage()
    if not isinstance(store, LocalStorage):
        return redirect(store.url(key))  # a presigned URL that expires
    try:
        fh = store.open(key)
    except StorageError:
        abort(404)
    response = send_file(fh, mimetype="image/jpeg", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/notifications/bell")
@logged_in
def bell():
    """The bell's unread count (htmx polls it); it only reads: the clock raises the alerts."""
    db = get_session()
    return render_template("core/_bell.html", unread=notifications.unread_count(db, current_user.id), polled=True)


@bp.get("/notifications")
@logged_in
def notification_list():
    """The user's notifications, newest first."""
    db = get_session()
    items = [(n, notifications.text_of(n), _notification_url(n)) for n in notifications.latest(db, current_user.id)]
    return render_template("core/notifications.html", items=items,
                           unread=notifications.unread_count(db, current_user.id))


def _notification_url(notification) -> str:
    target = notification.link or {}
    if not target.get("endpoint"):
        return notification.url
    try:
        return url_for(target["endpoint"], **target.get("args", {}))
    except BuildError:  # an endpoint renamed since the notification was stored
        return ""


@bp.post("/notifications/read")
@logged_in
def notifications_read():
    """Mark every notification read."""
    notifications.mark_all_read(get_session(), current_user.id)
    return redirect(url_for("core.notification_list"))
