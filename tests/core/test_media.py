"""No file outlives its record: files of a transaction that does not commit go, interrupted writes leave no
temporary file, and `flask media check [--fix]` finds what a killed process left, on local and S3 storage."""
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from app.core import media
from app.core.clock import run_due
from app.core.db import utcnow
from app.core.photos import Photo, attach, process
from app.core.storage import LocalStorage, StorageError
from tests import images
from tests.core.test_storage import local, s3, s3_endpoint  # noqa: F401  (fixtures)
from tests.factories import engine_of


def _files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


def _attach(session, store, prefix: str):
    return attach(session, store, [process(images.image(), max_bytes=10_000_000)], project_id=1, owner_type="ticket",
                  owner_id=1, uploaded_by=None, taken_at=None, prefix=prefix)


def test_files_of_a_rolled_back_transaction_go_and_those_of_a_committed_one_stay(app, world, tmp_path):
    store = LocalStorage(str(tmp_path / "media"), "secret", expires=60)
    with Session(engine_of(app)) as session:
        _attach(session, store, "tickets/1/refused")
        assert len(_files(store.root)) == 2
        session.rollback()
    assert _files(store.root) == []
    with Session(engine_of(app)) as session:
        _attach(session, store, "tickets/1/kept")
        session.commit()
    assert _files(store.root) == ["tickets/1/kept/0.jpg", "tickets/1/kept/0.thumb.jpg"]
    with Session(engine_of(app)) as session:  # a racing copy of a committed record writes the same keys
        _attach(session, store, "tickets/1/kept")
        session.close()
    assert _files(store.root) == ["tickets/1/kept/0.jpg", "tickets/1/kept/0.thumb.jpg"]


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    store = LocalStorage(str(tmp_path / "media"), "secret", expires=60)

    def cut(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", cut)
    with pytest.raises(OSError):
        store.save("x/a.jpg", b"data")
    assert _files(store.root) == []
    with pytest.raises(StorageError):
        store.open("x/a.jpg")


@pytest.fixture(params=["local", "s3"])
def store(request):
    return request.getfixturevalue(request.param)


def test_media_check_lists_files_without_a_row_and_rows_without_a_file_and_fix_removes_the_files(app, world, db,
                                                                                                  store):
    store.save("tickets/9/left-by-a-killed-try/0.jpg", b"orphan")
    store.save("kept/0.jpg", b"photo")
    store.save("kept/0.thumb.jpg", b"thumb")
    kept = Photo(project_id=world.p1.id, owner_type="ticket", owner_id=1, key="kept/0.jpg", thumb_key="kept/0.thumb.jpg",
                 width=1, height=1, size=5, sha256="0" * 64)
    lost = Photo(project_id=world.p1.id, owner_type="ticket", owner_id=1, key="lost/0.jpg", thumb_key="lost/0.thumb.jpg",
                 width=1, height=1, size=5, sha256="0" * 64)
    db.add_all([kept, lost])
    db.commit()
    assert media.check(db, store, now=utcnow()).orphans == []  # too young: maybe a request still on its way
    later = utcnow() + timedelta(hours=2)
    report = media.check(db, store, now=later)
    orphans = [key for key in report.orphans if not key.startswith(("tickets/p", "tickets/q"))]
    assert "tickets/9/left-by-a-killed-try/0.jpg" in orphans and "kept/0.jpg" not in orphans
    assert (lost.id, "lost/0.jpg") in report.missing and (lost.id, "lost/0.thumb.jpg") in report.missing
    assert all(photo_id != kept.id for photo_id, _key in report.missing)
    media.remove_orphans(store, report)
    assert media.check(db, store, now=later).orphans == []
    assert store.open("kept/0.jpg").read() == b"photo"


def test_the_media_check_command_reports_and_fixes(app, world):
    app.extensions["storage"].save("stray/0.jpg", b"orphan")
    old = (utcnow() - timedelta(hours=2)).timestamp()
    os.utime(Path(app.config["MEDIA_ROOT"]) / "stray/0.jpg", (old, old))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["media", "check"])
    assert result.exit_code == 1 and "file without a row: stray/0.jpg" in result.output
    result = runner.invoke(args=["media", "check", "--fix"])
    assert "removed" in result.output
    assert not (Path(app.config["MEDIA_ROOT"]) / "stray/0.jpg").exists()


def test_with_no_grace_the_media_check_counts_a_file_just_written(app, world):
    # After a fault run, with the server stopped, nothing is on its way: every file without a row is an orphan.
    app.extensions["storage"].save("stray/1.jpg", b"orphan")
    runner = app.test_cli_runner()
    assert "stray/1.jpg" not in runner.invoke(args=["media", "check"]).output  # young: maybe still on its way
    result = runner.invoke(args=["media", "check", "--grace", "0"])
    assert result.exit_code == 1 and "file without a row: stray/1.jpg" in result.output


def test_the_clock_removes_the_files_a_killed_process_left_once_the_grace_has_passed(app, world):
    # A try killed between writing its photos and its commit, then given up by the phone: nothing else removes them.
    store, root = app.extensions["storage"], Path(app.config["MEDIA_ROOT"])
    store.save("tickets/killed/0.jpg", b"left by a killed try")
    store.save("tickets/on-its-way/0.jpg", b"a request still on its way to its commit")
    old = (utcnow() - timedelta(hours=2)).timestamp()
    os.utime(root / "tickets/killed/0.jpg", (old, old))
    run_due(app, names=["media.sweep"], force=True)
    assert not (root / "tickets/killed/0.jpg").exists() and (root / "tickets/on-its-way/0.jpg").exists()
