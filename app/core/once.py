"""Plain form posts that create something count once, whatever the browser does.

A form carries a `client_id` made when it was rendered (`form_id()` in templates). The first post with
that id claims it; when it ends in a redirect (post/redirect/get), the redirect is kept, and any later post
of the same form (back and submit again, a double tap, a reload of the POST) is sent to the same place
instead of doing the work again. A post that is refused (the form re-rendered with its error) releases
the claim, so the corrected form can be sent with the same id. A copy arriving while the first is still
being worked on waits for its answer. Outbox entries have their own once-only layer (app/sync).
"""
import time
import uuid
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import g, redirect, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from app.core.db import UTCDateTime, engine, utcnow

WAIT_SECONDS = 10  # how long a copy waits for the first post's answer before saying it is still in progress
POLL_SECONDS = 0.1


class PostOnce(SQLModel, table=True):
    __tablename__ = "post_once"

    client_id: str = Field(primary_key=True, max_length=36)
    user_id: int | None = Field(default=None)
    path: str = Field(max_length=255)
    location: str = Field(default="", max_length=1000)  # empty while the first post is being worked on
    status: int = Field(default=0)  # the first answer's redirect status, given again to every copy
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def form_id(action: str | None = None, fields: dict | None = None) -> str:
    """The id of a form being rendered: new, or the one just posted when its form is shown again with an
    error (so going back to the first, refused copy and sending it cannot make a second record).

    On a page of several forms, `action` (the form's URL) and `fields` (hidden values that tell forms with
    one action apart) keep the posted id to the form that was posted: another form given the same id would
    be answered with the first one's redirect."""
    posted = _posted_id()
    if posted and (action is None or urlsplit(action).path == request.path) \
            and all(request.form.get(name) == str(value) for name, value in (fields or {}).items()):
        return posted
    return str(uuid.uuid4())


def _posted_id() -> str | None:
    if request.method != "POST" or request.path.startswith("/api/"):
        return None
    raw = request.form.get("client_id", "")
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def _who() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def _first_answer(client_id: str, user_id: int | None, path: str):
    """The kept redirect of the first post with this id, waiting for it while it is worked on."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with Session(engine()) as session:
            row = session.get(PostOnce, client_id)
        if row is None:  # the first post was refused and released its claim: this one does the work
            return None
        if row.user_id != user_id or row.path != path:
            return False  # somebody else's id: never replay their answer
        if row.location:
            return redirect(row.location, row.status)
        if time.monotonic() > deadline:
            from app.core.errors import error_response

            return error_response(409)
        time.sleep(POLL_SECONDS)


def claim():
    """before_request: the first post with an id claims it; later ones get the first one's redirect."""
    client_id = _posted_id()
    if client_id is None:
        return None
    user_id, path = _who(), request.path
    while True:
        try:
            with Session(engine()) as session:
                session.add(PostOnce(client_id=client_id, user_id=user_id, path=path))
                session.commit()
            g.post_once = client_id
            return None
        except IntegrityError:
            answer = _first_answer(client_id, user_id, path)
            if answer is False:
                return None  # not ours to replay: let the view refuse or do it without the id's protection
            if answer is not None:
                return answer
            # released meanwhile: try to claim again


def settle(response):
    """after_request: keep the redirect of a claimed post, or release the claim of a refused one."""
    client_id = g.pop("post_once", None)
    if client_id is None:
        return response
    with Session(engine()) as session:
        if response.status_code in (301, 302, 303) and response.location:
            session.exec(sa.update(PostOnce).where(PostOnce.client_id == client_id)
                         .values(location=response.location[:1000], status=response.status_code))
        else:
            session.exec(sa.delete(PostOnce).where(PostOnce.client_id == client_id))
        session.commit()
    return response


def release(exc):
    """teardown: a post that crashed releases its claim (after_request did not run)."""
    client_id = g.pop("post_once", None)
    if client_id is not None:
        with Session(engine()) as session:
            session.exec(sa.delete(PostOnce).where(PostOnce.client_id == client_id))
            session.commit()


def init_app(app):
    app.before_request(claim)
    app.after_request(settle)
    app.teardown_request(release)
    app.add_template_global(form_id)
