"""The core's own clock job: the once-only claims that can no longer protect anything are pruned.

`post_once` (a plain form's id, app/core/once.py) guards against the same form being sent again: a page left open
on a phone, or sent again by going back to it. A phone stays logged in for a month (the remember cookie) and the
offline outbox carries records of up to 90 days (app/sync): ONCE_KEEP_DAYS (120) outlasts both. `clock_mark` (an
alert raised once, app/core/clock.py) is also the jobs' pre-filter: once pruned, an item still overdue after
ONCE_KEEP_DAYS is claimed once more, and its keyed notification, which is kept, stops it there: nobody is told
twice. Deleted in short batches, like every job, so SQLite's write lock is held for milliseconds.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.core.clock import ClockMark, job
from app.core.once import PostOnce

BATCH = 500


def _delete_older(session: Session, key, at, before: datetime) -> int:
    deleted = 0
    while ids := session.exec(select(key).where(at < before).limit(BATCH)).all():
        deleted += session.exec(sa.delete(key.class_).where(key.in_(ids))).rowcount
        session.commit()
    return deleted


def prune_once_claims(session: Session, now: datetime, config) -> int:
    """Delete form claims and clock marks older than ONCE_KEEP_DAYS; returns how many."""
    before = now - timedelta(days=int(config["ONCE_KEEP_DAYS"]))
    return (_delete_older(session, PostOnce.client_id, PostOnce.created_at, before)
            + _delete_older(session, ClockMark.id, ClockMark.at, before))


job("core.prune", every=timedelta(hours=1), run=prune_once_claims)
