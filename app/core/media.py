"""What `flask media check [--fix]` reports: stored files no photo row names, and photo rows whose file is gone.

A file younger than the grace period may belong to a request still on its way to its commit: it is left alone.
A process killed between writing its files and committing leaves files that nothing else removes; `--fix`
deletes those, and so does the clock every hour (`media.sweep`), so none stays for ever. A row without its file
cannot be repaired here: it is listed for a person to look at.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.core.clock import job
from app.core.photos import Photo
from app.core.storage import make_storage

GRACE = timedelta(hours=1)


@dataclass
class MediaReport:
    orphans: list[str] = field(default_factory=list)  # keys of files without a row
    missing: list[tuple[int, str]] = field(default_factory=list)  # (photo id, key) of rows without their file


def check(session: Session, storage, *, now: datetime, grace: timedelta = GRACE) -> MediaReport:
    stored = storage.listing()
    named: dict[str, int] = {}
    for photo_id, key, thumb_key in session.exec(select(Photo.id, Photo.key, Photo.thumb_key)):
        named[key] = named[thumb_key] = photo_id
    return MediaReport(
        orphans=sorted(key for key, written in stored.items() if key not in named and written < now - grace),
        missing=sorted((photo_id, key) for key, photo_id in named.items() if key not in stored))


def remove_orphans(storage, report: MediaReport) -> int:
    for key in report.orphans:
        storage.delete(key)
    return len(report.orphans)


def sweep(session: Session, now: datetime, config) -> int:
    """The clock's hourly run of `flask media check --fix`: the files of killed tries older than the grace go."""
    store = make_storage(config)
    return remove_orphans(store, check(session, store, now=now))


job("media.sweep", every=timedelta(hours=1), run=sweep)
