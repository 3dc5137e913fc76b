"""What `flask media check [--fix]` reports: stored files no photo row names, and photo rows whose file is gone.

A file younger than the grace period may belong to a request still on its way to its commit: it is left alone.
A process killed between writing its files and committing leaves files that nothing else removes; `--fix`
deletes those. A row without its file cannot be repaired here: it is listed for a person to look at.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.core.photos import Photo

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
